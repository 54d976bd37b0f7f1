"""``sporttrack export PROJECT.stp --run NAME --format FORMAT --out PATH``.

Formats come from the one registry (:mod:`sporttrack_gui.formats.registry`): mot, cvat,
coco, yolo, video and any a plugin registers. ``--out`` names a file for single-file
formats (``gt.txt``, ``.xml``, ``.json``, ``.mp4``; an existing folder gets the default
file name) and a folder for layouts (a MOT sequence folder when ``--out`` is not a
``.txt``, a YOLO dataset). Format options are ``--option KEY=VALUE`` (e.g.
``--option video=true`` for COCO with track ids, ``--option track_ids=true`` for YOLO).

``video`` writes a demo mp4 of the run (boxes, ids and names, trails); with ``--calib``
(or a calibration stored with the sequence, as the demo's) it adds a top-down minimap
whose positions follow the camera and draws the trails on the pitch, from the same
analysis as ``sporttrack pitch`` (``pitch.workflow``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sporttrack_gui.cli.common import bounded, emit, warn_partial_run
from sporttrack_gui.errors import InputError

BUILTIN_FORMATS = ("mot", "cvat", "coco", "yolo", "video")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a run as MOT, CVAT for video XML, COCO JSON, a YOLO dataset "
                       "or a demo mp4")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name (e.g. gt, bytetrack-1)")
    p.add_argument("--sequence", help="sequence name, when several sequences have this run")
    p.add_argument("--format", default="mot",
                   help=f"{' | '.join(BUILTIN_FORMATS)} or a plugin's format (default mot)")
    p.add_argument("--out", required=True,
                   help="output file (gt.txt, .xml, .json, .mp4) or folder (MOT sequence "
                        "folder, YOLO dataset)")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="format option, repeatable: coco video=true, yolo track_ids=true")
    p.add_argument("--calib", help="video: pitch calibration JSON for a minimap and pitch-pinned "
                                   "trails (default: the one stored with the sequence, if any)")
    p.add_argument("--trail", type=bounded(int, 0, 10_000), default=None,
                   help="video: past positions drawn per track (default 25)")
    p.add_argument("--classes", default=None,
                   help="YOLO class map: comma-separated names in id order, e.g. player,ball,referee")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing output (MOT gt.txt/seqinfo.ini, YOLO images/labels, "
                        "the video file); without it existing files are refused")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.formats.registry import get_format, output_path
    from sporttrack_gui.project import Project

    spec = get_format(args.format, need="export")
    pairs = list(args.option)
    for flag, key, value in ((args.classes, "classes", args.classes),
                             (args.overwrite, "overwrite", "true"),
                             (args.trail is not None, "trail", str(args.trail))):
        if flag:
            if key not in {o.name for o in spec.options}:
                raise InputError(f"--{key} does not apply to --format {spec.name}")
            pairs.append(f"{key}={value}")
    if args.calib and spec.name != "video":
        raise InputError("--calib applies to --format video only")
    options = spec.parse_options(pairs)
    with Project.open(args.project, readonly=True) as project:
        if spec.name == "video":
            result = _video(project, args, output_path(spec, args.out), options)
        else:
            if spec.all_sequences and not args.sequence:
                # YOLO takes this run from every sequence (split by sequence)
                runs = [r["id"] for r in project.runs() if r["name"] == args.run]
                if not runs:
                    raise InputError(f"{args.project}: no run named {args.run!r}")
            else:
                runs = [project.run_id(args.run, args.sequence)]
            for run_id in runs:
                warn_partial_run(project, run_id)
            result = spec.export(project, runs, output_path(spec, args.out), options)
    emit(result, args.json)
    return 0


def _video(project, args: argparse.Namespace, out: Path, options: dict) -> dict:
    """The demo mp4 through the pitch workflow: with ``--calib`` or a calibration stored
    with the sequence, a minimap that follows the camera and trails pinned to the pitch."""
    from sporttrack_gui.pitch.workflow import export_pitch_video
    from sporttrack_gui.project.exporter import refuse_existing

    refuse_existing(out, bool(options.get("overwrite")))
    run_id = project.run_id(args.run, args.sequence)
    warn_partial_run(project, run_id)
    return export_pitch_video(str(project.path), run_id, out, calibration=args.calib,
                              trail=int(options.get("trail", 25)))
