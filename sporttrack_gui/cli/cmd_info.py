"""``sporttrack info``: what a video, image folder or MOT sequence really contains."""

from __future__ import annotations

import argparse

from sporttrack_gui.cli.common import emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="size, fps and the true decoded frame count of a source",
                       description="Open a video file, image folder or MOT sequence and report its "
                                   "width, height, fps and decoded frame count (containers often "
                                   "claim a different length; both are shown).")
    p.add_argument("source", help="video file, image folder or MOT sequence folder")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.formats.mot import find_mot_sequence
    from sporttrack_gui.media.source import open_source

    with open_source(args.source) as src:
        data = src.info()
    if data["kind"] == "mot":
        seq = find_mot_sequence(args.source)
        data["gt"] = str(seq.gt) if seq.gt else None
        data["det"] = str(seq.det) if seq.det else None
        if seq.seqinfo:
            data["seqinfo_length"] = seq.info().seq_length
    emit(data, args.json)
    return 0
