"""``sporttrack demo``: write the seeded synthetic match (frames, gt, seqinfo, the exact
pitch calibration with the camera's known motion, optional mp4)."""

from __future__ import annotations

import argparse
import time

from sporttrack_gui.cli.common import bounded, emit

#: a demo is a test clip: 30 minutes at 25 fps; more players than a pitch holds is a typo
#: (100,000 players took 16 s to die of MemoryError)
MAX_DEMO_FRAMES = 45_000
MAX_DEMO_PLAYERS = 50


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="write the built-in synthetic match with exact ground truth",
                       description="Render a seeded synthetic football match (1280x720 @ 25 fps, two "
                                   "teams, referee, ball, crossings, a 1 s occlusion, a panning "
                                   "camera) as a MOTChallenge sequence folder.")
    p.add_argument("--out", required=True, help="output folder (becomes a MOT sequence)")
    p.add_argument("--frames", type=bounded(int, 1, MAX_DEMO_FRAMES), default=250,
                   help=f"number of frames (default 250, at most {MAX_DEMO_FRAMES})")
    p.add_argument("--seed", type=bounded(int, 0, 2**32 - 1), default=0,
                   help="random seed (same seed, same match)")
    p.add_argument("--players", type=bounded(int, 5, MAX_DEMO_PLAYERS), default=10,
                   help=f"number of players (5..{MAX_DEMO_PLAYERS})")
    p.add_argument("--video", action="store_true", help="also write match.mp4")
    p.add_argument("--cameras", type=int, default=1,
                   help="2-4: film the match with several cameras (one folder each) and write "
                        "match.stp with the camera group (see `sporttrack multicam`)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    t0 = time.perf_counter()
    try:
        cfg = MatchConfig(n_frames=args.frames, seed=args.seed, n_players=args.players)
    except ValueError as exc:
        from sporttrack_gui.errors import InputError

        raise InputError(str(exc)) from None
    if args.cameras != 1:
        from sporttrack_gui.cli.multicam_demo import run_multicam_demo

        return run_multicam_demo(args, cfg, t0)
    from sporttrack_gui.pitch.calibration import save_calibration
    from sporttrack_gui.pitch.synthetic import calibration_from_simulation

    m = render_match(args.out, cfg, write_video=args.video)
    calib = m.img_dir / "calibration.json"  # the generator knows its camera: `pitch --calib`
    save_calibration(calibration_from_simulation(m.sim), calib)
    ev = m.events
    emit({"folder": str(m.img_dir), "frames": cfg.n_frames, "boxes": len(m.gt),
          "calibration": str(calib),
          "gt": str(m.gt_path), "video": str(m.video_path) if m.video_path else None,
          "crossings": [f"frame {c.frame}: {c.id_a}x{c.id_b}" for c in ev.crossings],
          "occlusions": [f"id {o.track_id}: frames {o.first_frame}-{o.last_frame}" for o in ev.occlusions],
          "seconds": round(time.perf_counter() - t0, 2)}, args.json)
    return 0
