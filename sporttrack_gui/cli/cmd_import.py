"""``sporttrack import PROJECT.stp SOURCE``: add a video, image folder or MOT folder.

``--gt``/``--det`` files are read with ``--format`` (mot, cvat, coco or a plugin's, from
:mod:`sporttrack_gui.formats.registry`): e.g. ``import P.stp match.mp4 --gt tracks.xml
--format cvat``.
"""

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
    p.add_argument("--format", default="mot",
                   help="format of the --gt/--det files: mot (default), cvat, coco or a "
                        "plugin's")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="format option, repeatable (coco: video_name=NAME)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sporttrack_gui.errors import InputError
    from sporttrack_gui.formats.registry import get_format
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    spec = get_format(args.format, need="read")
    options = spec.parse_options(args.option)  # bad options fail before the project opens
    if spec.name != "mot" and not (args.gt or args.det):
        suffix = Path(args.source).suffix.lower()
        hint = (f"; {args.source} looks like the annotations: give the video or image folder "
                f"as SOURCE and --gt {args.source}") if suffix in spec.extensions else ""
        raise InputError(f"--format {spec.name} reads the --gt/--det files{hint}")
    with Project.open(args.project, create=True) as project:
        summary = import_source(project, args.source, gt=args.gt, det=args.det, name=args.name,
                                fmt=spec.name, options=options)
    data = summary.as_dict()
    if not args.json:
        data["runs"] = {k: f"{v['boxes']} boxes (run {v['id']})" for k, v in data["runs"].items()}
    emit(data, args.json)
    return 0
