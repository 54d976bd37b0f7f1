"""Heatmap of a whole match: what the GUI thread pays before and after moving the
aggregation to a worker (issue #18).

A synthetic run model of 135,000 frames x 25 boxes (3.4 M, the match scale) is built in
memory (no project file). Printed, as the median of ``--repeat`` runs:

- ``gui_before_ms``: the old refresh on the GUI thread: every real track's boxes
  (``RunIndex.track_xywh()``) binned and smoothed (``trajectory_heatmap``);
- ``gui_after_ms``: what the GUI thread pays now: ``RunIndex.snapshot()``;
- ``worker_ms``: the worker's ``heatmap_from_snapshot`` (off the GUI thread);
- the same-run ratio ``gui_before / gui_after`` (absolute times depend on the machine's
  load; the ratio is the figure to compare).

Nothing is asserted.

    .venv/bin/python benchmarks/bench_heatmap.py [--frames 135000] [--per-frame 25]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sporttrack_gui.track.heatmap_image import HeatmapSpec, heatmap_from_snapshot  # noqa: E402
from sporttrack_gui.track.sot_heatmap import trajectory_heatmap  # noqa: E402
from sporttrack_gui.ui.run_index import RunIndex  # noqa: E402


def build(frames: int, per_frame: int, seed: int = 0) -> RunIndex:
    rng = np.random.default_rng(seed)
    n = frames * per_frame
    frame = np.repeat(np.arange(1, frames + 1, dtype=np.int64), per_frame)
    track = np.tile(np.arange(per_frame, dtype=np.int64), frames)
    xywh = np.empty((n, 4), np.float32)
    xywh[:, 0] = rng.uniform(0, 1860, n)
    xywh[:, 1] = rng.uniform(0, 960, n)
    xywh[:, 2] = 40
    xywh[:, 3] = 100
    return RunIndex(frame, track, xywh)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=135_000)
    ap.add_argument("--per-frame", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    model = build(args.frames, args.per_frame)
    model.track_xywh()  # warm the per-track table once, as a loaded model has it
    spec = HeatmapSpec((1920, 1080), cell=12, sigma=1.5, fps=25.0)
    before, _ = timed(lambda: trajectory_heatmap(model.track_xywh(), spec.frame_size,
                                                 cell=spec.cell, sigma=spec.sigma), args.repeat)
    after, snap = timed(model.snapshot, args.repeat)
    worker, data = timed(lambda: heatmap_from_snapshot(snap, None, spec, "everyone"),
                         args.repeat)
    print(json.dumps({"boxes": len(model), "gui_before_ms": round(before, 1),
                      "gui_after_ms": round(after, 1), "worker_ms": round(worker, 1),
                      "gui_ratio": round(before / max(after, 1e-6), 1),
                      "positions": data.positions}, indent=1))  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
