"""``sporttrack track``: run a multi-object tracker over a sequence, write MOT results.

With detections from a file (``--det`` or a MOT folder's det/det.txt) and a tracker that
needs no pixels, no frame is decoded at all: the frame count comes from seqinfo.ini or
the detections, which makes re-tracking a whole match a matter of seconds. Frames out of
order in det.txt are fine (detections are looked up by frame); every frame from 1 to the
last is passed to the tracker, empty ones included, so lost-track buffers count real
time. It is the same run loop as ``sporttrack run`` and the GUI (``pipeline``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sporttrack_gui.cli.common import bounded, emit, json_stdout_guard
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import DEFAULT_TRACKER, tracker_names
from sporttrack_gui.track.config import parse_param_args


def register(subparsers) -> None:
    p = subparsers.add_parser("track", help="run SORT / ByteTrack / DeepSORT over a sequence",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="MOT sequence folder, image folder or video file")
    p.add_argument("--tracker", default=DEFAULT_TRACKER,
                   help=f"one of: {', '.join(tracker_names())} (default {DEFAULT_TRACKER})")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--det", help="detections file (MOTChallenge det.txt)")
    src.add_argument("--detector", help="detector spec, e.g. yolo:model.pt (runs the pipeline)")
    p.add_argument("--out", help="results file (MOTChallenge results)")
    p.add_argument("--param", action="append", metavar="K=V", help="tracker parameter override")
    p.add_argument("--project", help="also store the run in this project file")
    p.add_argument("--run-name", help="name of the tracker run in the project")
    p.add_argument("--stride", type=bounded(int, 1, 1000), default=1,
                   help="with --detector: detect every k-th frame, the tracker predicts between")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.formats.mot import find_mot_sequence
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    params: dict[str, Any] = parse_param_args(args.param)
    if not args.out and not args.project:
        raise InputError("give --out results.txt and/or --project file.stp")
    if args.stride != 1 and not args.detector:
        raise InputError("--stride applies to --detector runs (a det.txt already says which "
                         "frames have detections)")
    source = Path(args.source)
    if not source.exists():
        raise InputError("source not found", str(source))
    detector = args.detector
    if detector is None:
        det = Path(args.det) if args.det else None
        if det is None and source.is_dir():
            det = find_mot_sequence(source).det
        if det is None:
            raise InputError(f"{source}: no detections: give --det det.txt or --detector SPEC")
        detector = f"det:{det}"
    t0 = time.perf_counter()
    with json_stdout_guard(args.json):  # a plugin tracker's print must not break --json
        res = run_pipeline(PipelineConfig(source=source, detector=detector,
                                          tracker=args.tracker, tracker_params=params,
                                          stride=args.stride, project=args.project,
                                          run_name=args.run_name, out=args.out))
    elapsed = time.perf_counter() - t0
    summary = res.to_dict()
    timings = {k: round(t["ms_per_frame"], 4) for k, t in summary.pop("timings").items()}
    summary["decoded_frames"] = res.frames if res.decoded else 0
    # stage names as a tracking user reads them: with a detections file "detect" is reading it
    summary["read_ms_per_frame"] = timings.get("detect", 0.0) if args.detector is None else 0.0
    summary["detect_ms_per_frame"] = timings.get("detect", 0.0) if args.detector else 0.0
    summary["decode_ms_per_frame"] = timings.get("decode", 0.0)
    summary["embed_ms_per_frame"] = timings.get("embed", 0.0)
    summary["tracker_ms_per_frame"] = timings.get("track", 0.0)
    summary["write_ms_per_frame"] = timings.get("write", 0.0)
    # one-time costs (opening the detector/source/project, building the tracker, closing the
    # run) are outside the per-frame figures above: reported once, in seconds
    summary["setup_s"] = round(max(elapsed - res.wall_s, 0.0), 4)
    if res.decoded and source.is_dir():
        seq = find_mot_sequence(source).info()
        if seq is not None and seq.seq_length > res.frames:
            print(f"warning: {source} decodes {res.frames} frames of the {seq.seq_length} in "
                  f"seqinfo.ini; tracked frames 1-{res.frames} (this tracker needs pixels)",
                  file=sys.stderr)
    emit(summary, args.json)
    return 0 if res.status == "complete" else 1
