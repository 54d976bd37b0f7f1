"""``sporttrack demo --cameras N``: the multi-camera synthetic match as a grouped project."""

from __future__ import annotations

import argparse
import time

from sporttrack_gui.cli.common import emit
from sporttrack_gui.errors import InputError


def run_multicam_demo(args: argparse.Namespace, match_config, t0: float) -> int:
    from sporttrack_gui.media.sim_multicam import MultiCamConfig
    from sporttrack_gui.multicam.demo import write_multicam_demo

    try:
        cfg = MultiCamConfig(match_config, cameras=args.cameras)
    except ValueError as exc:
        raise InputError(f"--cameras: {exc}") from None
    path, m = write_multicam_demo(args.out, cfg, write_video=args.video)
    emit({"project": str(path), "group": "match", "frames": match_config.n_frames,
          "cameras": {c.name: {"offset": c.offset, "boxes": len(c.gt), "frames": c.n_frames}
                      for c in m.cameras},
          "next": f"sporttrack multicam {path} --group match --run gt --out global.csv",
          "seconds": round(time.perf_counter() - t0, 2)}, args.json)
    return 0
