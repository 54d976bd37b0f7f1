"""``sporttrack track``: run a multi-object tracker over a sequence, write MOT results.

With detections from a file (``--det`` or a MOT folder's det/det.txt) and a tracker that
needs no pixels, no frame is decoded at all: the frame count comes from seqinfo.ini or
the detections, which makes re-tracking a whole match a matter of seconds. Frames out of
order in det.txt are sorted (with a warning); every frame from 1 to the last is passed to
the tracker, empty ones included, so lost-track buffers count real time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.cli.common import emit
from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import create_tracker, tracker_names
from sporttrack_gui.track.config import parse_param_args


def register(subparsers) -> None:
    p = subparsers.add_parser("track", help="run SORT / ByteTrack / DeepSORT over a sequence",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="MOT sequence folder, image folder or video file")
    p.add_argument("--tracker", default="bytetrack", help=f"one of: {', '.join(tracker_names())}")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--det", help="detections file (MOTChallenge det.txt)")
    src.add_argument("--detector", help="detector spec, e.g. yolo:model.pt (runs the pipeline)")
    p.add_argument("--out", help="results file (MOTChallenge results)")
    p.add_argument("--param", action="append", metavar="K=V", help="tracker parameter override")
    p.add_argument("--project", help="also store the run in this project file")
    p.add_argument("--run-name", help="name of the tracker run in the project")
    p.add_argument("--stride", type=int, default=1,
                   help="with --detector: detect every k-th frame, the tracker predicts between")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params: dict[str, Any] = parse_param_args(args.param)
    if not args.out and not args.project:
        raise InputError("give --out results.txt and/or --project file.sqlite")
    if args.stride != 1 and not args.detector:
        raise InputError("--stride applies to --detector runs (a det.txt already says which "
                         "frames have detections)")
    if args.detector:
        return _run_detector(args, params)
    return _run_detections(args, params)


def _run_detector(args: argparse.Namespace, params: dict[str, Any]) -> int:
    try:
        from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
    except ImportError:
        raise InputError("--detector needs the pipeline module, which this build lacks; "
                         "use --det det.txt") from None
    res = run_pipeline(PipelineConfig(source=args.source, detector=args.detector,
                                      tracker=args.tracker, tracker_params=params, stride=args.stride,
                                      project=args.project, run_name=args.run_name, out=args.out))
    emit(res.to_dict(), args.json)
    return 0 if res.status == "complete" else 1


def _warn(msg: str) -> None:
    """Warnings go to stderr so ``--json`` output on stdout stays parseable."""
    print(f"warning: {msg}", file=sys.stderr)


def _sequence_info(source: Path) -> tuple[Path | None, int | None, float | None, tuple[int, int] | None]:
    """(det path, frame count, fps, (w, h)) known without decoding, where the folder says."""
    from sporttrack_gui.formats.mot import find_mot_sequence

    if not source.is_dir():
        return None, None, None, None
    try:
        seq = find_mot_sequence(source)
    except InputError:
        return None, None, None, None
    info = seq.info()
    if info is None:
        return seq.det, None, None, None
    return seq.det, info.seq_length, info.frame_rate, (info.width, info.height)


def _read_detections(path: Path) -> tuple[Any, dict[int, np.ndarray]]:
    from sporttrack_gui.formats.mot import read_mot

    table = read_mot(path, kind="det")
    if len(table) and np.any(np.diff(table.frame) < 0):
        _warn(f"{path}: frames are out of order; sorted by frame")
        table = table.sorted()
    return table, table.by_frame()


def _run_detections(args: argparse.Namespace, params: dict[str, Any]) -> int:
    source = Path(args.source)
    if not source.exists():
        raise InputError("source not found", str(source))
    det_path, n_frames, fps, size = _sequence_info(source)
    det_path = Path(args.det) if args.det else det_path
    if det_path is None:
        raise InputError(f"{source}: no detections: give --det det.txt or --detector SPEC")
    if fps and "frame_rate" not in params:
        params["frame_rate"] = fps
    tracker = create_tracker(args.tracker, **params)

    t0 = time.perf_counter()
    table, by_frame = _read_detections(det_path)
    t_read = time.perf_counter() - t0
    last_det = int(table.frame.max()) if len(table) else 0
    frames_src = None
    if tracker.needs_pixels:
        frames_src = _open_frames(source)
        n_frames = len(frames_src)
        if last_det > n_frames:
            msg = (f"{det_path} has detections up to frame {last_det} but {source} decodes "
                   f"{n_frames} frames; tracking frames 1-{n_frames} (the tracker needs pixels)")
            _warn(msg)
    else:
        n_frames = max(n_frames or 0, last_det)
    xyxy, conf, cls = table.xyxy, table.conf, table.cls
    out_rows, t_decode, t_track = [], 0.0, 0.0
    empty = np.zeros(0, np.int64)
    try:
        for f in range(1, n_frames + 1):
            frame = None
            if frames_src is not None:
                t1 = time.perf_counter()
                frame = frames_src.read_frame(f)
                t_decode += time.perf_counter() - t1
                if frame is None:  # a video whose header claims more frames than decode
                    _warn(f"{source}: only {f - 1} frames decode; stopped there")
                    n_frames = f - 1
                    break
            idx = by_frame.get(f, empty)
            dets = Detections(xyxy[idx], conf[idx], cls[idx])
            t1 = time.perf_counter()
            tracks = tracker.update(dets, frame)
            t_track += time.perf_counter() - t1
            if len(tracks):
                out_rows.append((np.full(len(tracks), f), tracks.track_id, tracks.xywh, tracks.conf,
                                 tracks.cls))
    finally:
        if frames_src is not None:
            frames_src.close()
    result = _table(out_rows)
    t1 = time.perf_counter()
    if args.out:
        from sporttrack_gui.formats.mot import write_mot

        write_mot(args.out, result, kind="results")
    if args.project:
        _store(args, source, result, n_frames, params, size)
    t_write = time.perf_counter() - t1
    n = max(n_frames, 1)
    summary = {
        "tracker": args.tracker, "frames": n_frames, "boxes": len(result),
        "ids": int(len(np.unique(result.track_id))) if len(result) else 0,
        "dropped_invalid": tracker.stats.get("dropped_invalid", 0),
        "decoded_frames": 0 if frames_src is None else n_frames,
        "read_ms_per_frame": 1000 * t_read / n, "decode_ms_per_frame": 1000 * t_decode / n,
        "tracker_ms_per_frame": 1000 * t_track / n, "write_ms_per_frame": 1000 * t_write / n,
        "out": args.out,
    }
    emit(summary, args.json)
    return 0


def _open_frames(source: Path):
    from sporttrack_gui.media.source import open_source

    return open_source(source)


def _table(rows: list[tuple]):
    from sporttrack_gui.formats.mot import MotTable

    if not rows:
        return MotTable.from_arrays(np.zeros(0, np.int32), np.zeros(0, np.int64),
                                    np.zeros((0, 4), np.float32))
    f, tid, xywh, conf, cls = (np.concatenate(c) for c in zip(*rows, strict=True))
    return MotTable.from_arrays(f.astype(np.int32), tid, xywh, conf=conf, cls=cls)


def _store(args, source: Path, result, n_frames: int, params: dict[str, Any],
           size: tuple[int, int] | None) -> None:
    from sporttrack_gui.project import Project

    w, h = size or (None, None)
    with Project.open(args.project, create=True) as p:
        seq_name = source.name
        existing = {s["name"]: s["id"] for s in p.sequences()}
        if seq_name in existing:
            seq = existing[seq_name]
        else:
            seq = p.add_sequence(seq_name, str(source), kind="mot" if source.is_dir() else "video",
                                 width=w, height=h, fps=params.get("frame_rate"),
                                 frame_count=n_frames)
        run = p.create_run(seq, args.run_name or args.tracker, kind="tracker",
                           params={"tracker": args.tracker, **params})
        try:
            if len(result):
                p.append_boxes(run, result)
        except Exception:
            p.set_run_status(run, "incomplete")
            raise
        p.set_run_status(run, "complete")
