"""``sporttrack export PROJECT.stp --run NAME --format mot|yolo|video --out PATH``.

``video`` writes a demo mp4 of the run (boxes, ids and names, trails); with ``--calib``
it adds a top-down minimap whose positions follow the camera (one calibration, camera
motion estimated from the pixels, as ``sporttrack pitch`` does).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sporttrack_gui.cli.common import bounded, emit, warn_partial_run
from sporttrack_gui.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a run as MOTChallenge gt.txt + seqinfo.ini, a YOLO dataset or a demo mp4")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name (e.g. gt, bytetrack-1)")
    p.add_argument("--sequence", help="sequence name, when several sequences have this run")
    p.add_argument("--format", choices=("mot", "yolo", "video"), default="mot")
    p.add_argument("--out", required=True, help="output folder (an .mp4 file for --format video)")
    p.add_argument("--calib", help="video: pitch calibration JSON for a minimap")
    p.add_argument("--trail", type=bounded(int, 0, 10_000), default=25, help="video: past positions drawn per track")
    p.add_argument("--classes", default=None,
                   help="YOLO class map: comma-separated names in id order, e.g. player,ball,referee")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing output (MOT gt.txt/seqinfo.ini, YOLO images/labels, "
                        "the video file); without it existing files are refused")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_mot, export_yolo

    with Project.open(args.project, readonly=True) as project:
        if args.format == "video":
            result = _video(project, args)
        elif args.format == "mot":
            run_id = project.run_id(args.run, args.sequence)
            if args.classes:
                raise InputError("--classes applies to --format yolo only")
            warn_partial_run(project, run_id)
            result = export_mot(project, run_id, args.out, overwrite=args.overwrite)
        else:
            classes = [c.strip() for c in args.classes.split(",")] if args.classes else None
            if classes is not None and not all(classes):
                raise InputError(f"--classes has an empty name: {args.classes!r}")
            # without --sequence, YOLO takes this run from every sequence (split by sequence)
            runs = ([project.run_id(args.run, args.sequence)] if args.sequence else
                    [r["id"] for r in project.runs() if r["name"] == args.run])
            if not runs:
                raise InputError(f"{args.project}: no run named {args.run!r}")
            for run_id in runs:
                warn_partial_run(project, run_id)
            result = export_yolo(project, runs, args.out, class_names=classes,
                                 overwrite=args.overwrite)
    emit(result, args.json)
    return 0


def _video(project, args: argparse.Namespace) -> dict:
    from sporttrack_gui.project.exporter import export_demo_video

    if args.classes:
        raise InputError("--classes applies to --format yolo only")
    if Path(args.out).exists() and not args.overwrite:
        raise InputError(f"{args.out} already exists; pass --overwrite to replace it")
    run_id = project.run_id(args.run, args.sequence)
    warn_partial_run(project, run_id)
    minimap = None
    if args.calib:
        from sporttrack_gui.media.source import open_source
        from sporttrack_gui.pitch import load_calibration, load_template
        from sporttrack_gui.pitch.analysis import analyse_boxes, estimate_sequence_motion
        from sporttrack_gui.pitch.render import minimap_callback

        cal = load_calibration(args.calib)
        seq = project.sequence(project.run(run_id)["sequence_id"])
        table = project.boxes(run_id)
        keep = table.track_id >= 0
        with open_source(seq["source"]) as src:
            motion = estimate_sequence_motion(src, table.frame[keep], table.xywh[keep],
                                              n_frames=int(table.frame.max()))
        analysis = analyse_boxes(table.frame[keep], table.track_id[keep], table.xywh[keep], cal,
                                 float(seq.get("fps") or 25.0), motion=motion)
        teams = {t: m["team"] for t, m in project.track_meta(run_id).items() if m.get("team")}
        minimap = minimap_callback(load_template(cal.template), analysis=analysis,
                                   teams=teams or None)
    return export_demo_video(project, run_id, args.out, trail=args.trail, minimap=minimap)
