"""``sporttrack resume``: continue an interrupted (or chunked) tracker run, ids carried over.

Example::

    sporttrack resume match.stp --run bytetrack                 # killed at frame 80,000
    sporttrack run match.mp4 --detector yolo:m.pt --project match.stp --frames 1-20000
    sporttrack resume match.stp --run bytetrack --frames 1-40000  # the next chunk, stitched

The tracker restarts ``--warmup`` frames before the last committed frame and its ids are
matched to the stored ones over those frames; nothing already committed is changed.
"""

from __future__ import annotations

import argparse

from sporttrack_gui.cli.common import emit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "resume", help="continue an interrupted or chunked tracker run where it stopped",
        description="Continue a tracker run of a project from its last committed frame with "
                    "the run's own detector, tracker and parameters; identities carry over "
                    "(the tracker re-tracks --warmup frames and is matched to the stored ids).")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="tracker run to continue")
    p.add_argument("--sequence", help="sequence name when the run name is ambiguous")
    p.add_argument("--frames", metavar="FIRST-LAST",
                   help="extend the run's range to LAST (a chunked run's next chunk)")
    p.add_argument("--source", help="the source's new path if the media moved")
    p.add_argument("--warmup", type=int, default=60,
                   help="frames re-tracked before the last committed frame (default 60)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sporttrack_gui.batch.stitch import continue_run
    from sporttrack_gui.cli.cmd_run import parse_frames

    overrides: dict = {}
    rng = parse_frames(args.frames)
    if rng is not None:
        if rng[0] < 1 or rng[1] < rng[0]:
            from sporttrack_gui.errors import InputError

            raise InputError(f"--frames {args.frames}: frames are 1-based and FIRST <= LAST")
        overrides["frame_range"] = rng
    if args.source:
        overrides["source"] = args.source
    result = continue_run(args.project, args.run, sequence=args.sequence, warmup=args.warmup,
                          overrides=overrides)
    emit(asdict(result), args.json)
    return 0 if result.status == "complete" else 1
