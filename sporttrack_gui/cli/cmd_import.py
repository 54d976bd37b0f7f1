"""``sporttrack import PROJECT.stp SOURCE``: add a video, image folder or MOT folder."""

from __future__ import annotations

import argparse

from sporttrack_gui.cli.common import emit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import", help="import a video, image folder or MOTChallenge folder into a project",
        description="Creates PROJECT.stp when missing. A MOT folder's gt/det/seqinfo/gameinfo "
                    "are found automatically: ground truth becomes run 'gt', detections 'det'.")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("source", help="video file, image folder or MOTChallenge sequence folder")
    p.add_argument("--gt", help="ground-truth file (overrides the folder's gt/gt.txt)")
    p.add_argument("--det", help="detections file (overrides the folder's det/det.txt)")
    p.add_argument("--name", help="sequence name (default: folder or file name)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    with Project.open(args.project, create=True) as project:
        summary = import_source(project, args.source, gt=args.gt, det=args.det, name=args.name)
    data = summary.as_dict()
    if not args.json:
        data["runs"] = {k: f"{v['boxes']} boxes (run {v['id']})" for k, v in data["runs"].items()}
    emit(data, args.json)
    return 0
