"""``sporttrack run``: detector + tracker over a video, into a project and/or a MOT file.

Example::

    sporttrack run match.mp4 --detector yolo:yolov8n.pt --tracker bytetrack --stride 3 \
        --project match.sqlite --out match-results.txt
"""

from __future__ import annotations

import argparse
import signal
import threading
import time

from sporttrack_gui.cli.common import bounded, emit, json_stdout_guard, progress_printer
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import DEFAULT_TRACKER
from sporttrack_gui.track.config import parse_param_args


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="detect + track a video into a project run and/or a MOT results file",
        description="Run a detector and a multi-object tracker over a video, image folder or "
                    "MOT sequence. Detector specs: yolo:<weights.pt|model.yaml|model.onnx>, "
                    "det:<det.txt> (public detections), gt:<gt.txt>.")
    p.add_argument("source", help="video file, image folder or MOT sequence folder")
    p.add_argument("--detector", required=True, metavar="SPEC",
                   help="e.g. yolo:yolov8n.pt, yolo:/path/best.onnx, det:det/det.txt")
    p.add_argument("--tracker", default=DEFAULT_TRACKER,
                   help=f"tracker name (default {DEFAULT_TRACKER})")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="tracker parameter override (repeatable)")
    p.add_argument("--stride", type=bounded(int, 1, 1000), default=1, metavar="K",
                   help="detect every K-th frame; the tracker predicts in between")
    p.add_argument("--project", help="project file to write the run into (created if missing)")
    p.add_argument("--sequence", help="sequence name in the project (default: source name)")
    p.add_argument("--run-name", help="run name (default: tracker name, numbered if taken)")
    p.add_argument("--out", help="MOTChallenge results file to write")
    p.add_argument("--frames", metavar="FIRST-LAST", help="1-based inclusive frame range")
    p.add_argument("--batch", type=bounded(int, 1, 1024), default=4, help="frames per detector call")
    p.add_argument("--conf", type=bounded(float, 0, 1), help="YOLO confidence threshold (default 0.25)")
    p.add_argument("--iou", type=bounded(float, 0, 1, lo_open=True), help="YOLO NMS IoU threshold (default 0.5)")
    p.add_argument("--imgsz", type=bounded(int, 32, 8192), help="YOLO inference size (default 640)")
    p.add_argument("--device", help="auto (default), cpu, cuda, cuda:N")
    p.add_argument("--threads", type=bounded(int, 1, 1024),
                   help="torch CPU threads (default: all cores; fewer helps on a busy machine)")
    p.add_argument("--classes", metavar="MAP",
                   help="class map 'person=player,sports ball=ball' or 'all'")
    p.add_argument("--onnx", action="store_true", help="export to ONNX and run with onnxruntime")
    p.add_argument("--min-conf", type=bounded(float, 0), help="det:/gt: files: drop rows below this score")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.set_defaults(func=run)


def parse_frames(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, sep, last = text.partition("-")
    try:
        rng = (int(first), int(last) if sep else int(first))
    except ValueError:
        raise InputError(f"--frames expects FIRST-LAST (1-based), got {text!r}") from None
    return rng


def detector_options(args: argparse.Namespace) -> dict:
    """Only options the user set, so each detector keeps its own defaults (the run
    dialog builds the same dict through ``detect.options``)."""
    from sporttrack_gui.detect.options import detector_options as build

    return build(args.detector, batch=args.batch, conf=args.conf, iou=args.iou,
                 imgsz=args.imgsz, device=args.device, threads=args.threads,
                 classes=args.classes, onnx=args.onnx, min_conf=args.min_conf)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    config = PipelineConfig(
        source=args.source, detector=args.detector, tracker=args.tracker,
        tracker_params=parse_param_args(args.param), detector_options=detector_options(args),
        stride=args.stride, batch_size=args.batch, project=args.project,
        sequence=args.sequence, run_name=args.run_name, out=args.out,
        frame_range=parse_frames(args.frames))
    cancel = threading.Event()
    # Ctrl-C asks the loop to stop: what was processed is kept and the run marked incomplete.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set()) if main else None
    try:
        t0 = time.perf_counter()
        with json_stdout_guard(args.json):  # a plugin's print must not break --json
            result = run_pipeline(config, progress=progress_printer(args.quiet or args.json),
                                  cancel=cancel)
        elapsed = time.perf_counter() - t0
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    data = result.to_dict()
    # opening the model/source/project and closing the run: once, outside the per-frame times
    data["setup_s"] = round(max(elapsed - result.wall_s, 0.0), 3)
    timings = data.pop("timings")
    if not args.json:
        data = {k: v for k, v in data.items() if v is not None}
        data["ms_per_frame"] = {k: round(v["ms_per_frame"], 2) for k, v in timings.items()}
    else:
        data["timings"] = timings
    emit(data, args.json)
    return 0 if result.status == "complete" else 1
