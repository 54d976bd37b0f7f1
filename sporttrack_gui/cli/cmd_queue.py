"""``sporttrack queue``: run the tracker on every sequence of a project, one after another.

The CLI face of the GUI's Run ▸ Run tracker on every sequence (the same Qt-free
``pipeline.job_queue`` and ``pipeline.run_request.queue_runs``): each sequence takes its own
detections run of the given kind and name (``--detections det`` = each sequence's run
"det"), or the same ``--detector`` model. A sequence that fails (no such run, missing
media) is reported and the others still run. Ctrl+C stops the running sequence (its run
is kept, marked incomplete) and the rest.

Example::

    sporttrack queue match.stp --tracker bytetrack --detections det --run-name bt --json
    sporttrack queue match.stp --detector yolo:yolov8n.pt --conf 0.3 --imgsz 960 --stride 2

Exit 0 when every sequence completed, 1 when some failed or were cancelled, 2 for bad input.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from sporttrack_gui.cli.common import bounded, emit, json_stdout_guard
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import DEFAULT_TRACKER


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "queue", help="run the tracker on every sequence of a project, one after another",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--tracker", default=DEFAULT_TRACKER,
                   help=f"tracker name (default {DEFAULT_TRACKER})")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="tracker parameter override (repeatable)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--detections", metavar="KIND[:NAME]", default=None,
                     help="each sequence's det or gt run as detections: det, gt, det:NAME "
                          "(default det)")
    src.add_argument("--detector", metavar="SPEC", help="a model for every sequence: yolo:M.pt, fairmot:M.pt")
    p.add_argument("--sequences", metavar="A,B", help="only these sequences (default: all)")
    p.add_argument("--run-name", help="run name (default: the tracker's, numbered if taken)")
    p.add_argument("--stride", type=bounded(int, 1, 1000), default=1, metavar="K",
                   help="detect every K-th frame; the tracker predicts in between")
    p.add_argument("--frames", metavar="FIRST-LAST", help="1-based inclusive frame range")
    p.add_argument("--conf", type=bounded(float, 0, 1), help="YOLO confidence threshold")
    p.add_argument("--iou", type=bounded(float, 0, 1, lo_open=True), help="YOLO NMS IoU threshold")
    p.add_argument("--imgsz", type=bounded(int, 32, 8192), help="YOLO inference size")
    p.add_argument("--classes", metavar="MAP", help="class map 'person=player,...' or 'all'")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=run)


def _detection(args: argparse.Namespace) -> tuple[tuple[str, str], str]:
    if args.detector:
        kind = args.detector.partition(":")[0].lower()
        if kind in ("det", "gt"):
            raise InputError(f"--detector {args.detector!r}: give a model (yolo:<file>, "
                             "fairmot:<file>); detections files of each sequence come with "
                             "--detections")
        return ("yolo", ""), args.detector
    kind, _, name = (args.detections or "det").partition(":")
    if kind not in ("det", "gt"):
        raise InputError(f"--detections {args.detections!r}: expected det, gt, det:NAME or gt:NAME")
    return (kind, name or kind), ""


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.cli.cmd_run import parse_frames
    from sporttrack_gui.detect.options import detector_options
    from sporttrack_gui.pipeline.job_queue import COMPLETE, JobQueue
    from sporttrack_gui.pipeline.run_request import RunChoices, queue_runs
    from sporttrack_gui.project import Project
    from sporttrack_gui.track.config import parse_param_args

    detection, model = _detection(args)
    if model:  # a malformed class map is bad input before anything runs
        detector_options(model, classes=args.classes)
    choices = RunChoices(detection=detection, tracker=args.tracker,
                         params=parse_param_args(args.param), yolo_model=model,
                         stride=args.stride, run_name=args.run_name or "", conf=args.conf,
                         iou=args.iou, imgsz=args.imgsz, classes=args.classes or "",
                         frame_range=parse_frames(args.frames))
    path = Path(args.project)
    with Project.open(path, readonly=True) as project:
        sequences = project.sequences()
    if args.sequences:
        wanted = [n.strip() for n in args.sequences.split(",") if n.strip()]
        unknown = sorted(set(wanted) - {s["name"] for s in sequences})
        if unknown:
            raise InputError(f"{path}: no sequence named {', '.join(unknown)}")
        sequences = [s for s in sequences if s["name"] in wanted]
    if not sequences:
        raise InputError(f"{path}: the project has no sequences")
    queue = JobQueue()
    jobs = queue_runs(queue, str(path), sequences, choices)
    quiet = args.json

    def stop(*_a) -> None:
        queue.cancel_all()

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, stop) if main else None
    try:
        with json_stdout_guard(args.json):
            for i, job in enumerate(jobs, 1):
                if not quiet:
                    print(f"[{i}/{len(jobs)}] {job.sequence}: {args.tracker}…", file=sys.stderr)
                queue.run(job)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    rows = [{"sequence": j.sequence, "state": j.state, "run": j.run_name or None,
             "frames": j.result.frames if j.result else 0,
             "boxes": j.result.boxes if j.result else 0,
             "wall_s": round(j.result.wall_s, 3) if j.result else 0.0,
             "error": j.error or None, "warning": j.warning or None} for j in jobs]
    counts: dict[str, int] = {}
    for j in jobs:
        counts[j.state] = counts.get(j.state, 0) + 1
    emit({"project": str(path), "tracker": args.tracker, "counts": counts, "jobs": rows}
         if args.json else {"counts": counts, **{r["sequence"]: _line(r) for r in rows}},
         args.json)
    return 0 if all(j.state == COMPLETE for j in jobs) else 1


def _line(row: dict) -> str:
    text = f"{row['state']}"
    if row["run"] and row["state"] != "failed":
        text += f" run {row['run']}: {row['frames']} frames, {row['boxes']} boxes"
    if row["error"] or row["warning"]:
        text += f" — {row['error'] or row['warning']}"
    return text
