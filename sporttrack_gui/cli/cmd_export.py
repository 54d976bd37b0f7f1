"""``sporttrack export PROJECT.stp --run NAME --format mot|yolo --out PATH``."""

from __future__ import annotations

import argparse

from sporttrack_gui.cli.common import emit
from sporttrack_gui.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a run as MOTChallenge gt.txt + seqinfo.ini or a YOLO dataset")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name (e.g. gt, bytetrack-1)")
    p.add_argument("--sequence", help="sequence name, when several sequences have this run")
    p.add_argument("--format", choices=("mot", "yolo"), default="mot")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--classes", default=None,
                   help="YOLO class map: comma-separated names in id order, e.g. player,ball,referee")
    p.add_argument("--overwrite", action="store_true",
                   help="YOLO: replace an existing images/labels folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_mot, export_yolo

    with Project.open(args.project, readonly=True) as project:
        if args.format == "mot":
            run_id = project.run_id(args.run, args.sequence)
            if args.classes:
                raise InputError("--classes applies to --format yolo only")
            result = export_mot(project, run_id, args.out)
        else:
            classes = [c.strip() for c in args.classes.split(",")] if args.classes else None
            if classes is not None and not all(classes):
                raise InputError(f"--classes has an empty name: {args.classes!r}")
            # without --sequence, YOLO takes this run from every sequence (split by sequence)
            runs = ([project.run_id(args.run, args.sequence)] if args.sequence else
                    [r["id"] for r in project.runs() if r["name"] == args.run])
            if not runs:
                raise InputError(f"{args.project}: no run named {args.run!r}")
            result = export_yolo(project, runs, args.out, class_names=classes,
                                 overwrite=args.overwrite)
    emit(result, args.json)
    return 0
