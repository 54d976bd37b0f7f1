"""Run several trackers on the same detections and score them side by side.

Every tracker sees the same ``Detections`` for every frame from 1 to the last, empty
frames included (a lost-track buffer must count real frames). Pixels are decoded only for
trackers that need them (appearance embedders, camera-motion compensation), so comparing
SORT and ByteTrack on a det.txt costs no video decoding at all. ``fps`` is the tracker's
own update rate (decode time is reported separately), which is what the user tunes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.errors import InputError, SportTrackError

COLUMNS = ["tracker", "mota", "idf1", "hota", "deta", "assa", "num_switches",
           "num_fragmentations", "num_false_positives", "num_misses", "ids", "fps"]
CHART = ["mota", "idf1", "hota", "num_switches", "fps"]


@dataclass
class SourceInfo:
    """What the compared trackers share: detections per frame, frame count, gt, video fps."""

    det: Any  # MotTable
    n_frames: int
    gt: Any | None
    frame_rate: float | None
    source: Path


@dataclass
class TrackerRun:
    name: str
    tracks: Any  # MotTable
    n_frames: int
    track_seconds: float
    decode_seconds: float

    @property
    def fps(self) -> float:
        return self.n_frames / self.track_seconds if self.track_seconds > 0 else float("inf")


def resolve_source(source: str | Path, *, det: str | Path | None = None,
                   gt: str | Path | None = None) -> SourceInfo:
    """Detections, gt and frame count from a MOT folder and/or explicit files."""
    from sporttrack_gui.eval.sources import load_table
    from sporttrack_gui.formats.mot import find_mot_sequence, read_mot

    src = Path(source)
    if not src.exists():
        raise InputError("source not found", str(src))
    seq = None
    if src.is_dir():
        try:
            seq = find_mot_sequence(src)
        except InputError:
            seq = None
    det_path = Path(det) if det else (seq.det if seq else None)
    if det_path is None:
        raise InputError(f"{src}: no detections; give --det det.txt")
    det_table = read_mot(det_path, kind="det").sorted()
    gt_table = load_table(str(gt)) if gt else (read_mot(seq.gt) if seq and seq.gt else None)
    info = seq.info() if seq else None
    n = int(info.seq_length) if info and info.seq_length else 0
    n = max(n, int(det_table.frame.max()) if len(det_table) else 0)
    if n == 0:
        raise InputError(f"{det_path}: no detections and no sequence length to run over")
    return SourceInfo(det_table, n, gt_table, info.frame_rate if info else None, src)


def run_tracker(name: str, info: SourceInfo, params: dict[str, Any] | None = None) -> TrackerRun:
    """One tracker over every frame of ``info``; returns its boxes and timings."""
    from sporttrack_gui.formats.mot import MotTable
    from sporttrack_gui.track import create_tracker

    params = dict(params or {})
    if info.frame_rate and "frame_rate" not in params:
        params["frame_rate"] = info.frame_rate
    tracker = create_tracker(name, **params)
    frames_src = None
    if getattr(tracker, "needs_pixels", False):
        try:
            from sporttrack_gui.media.source import open_source
        except ImportError:
            raise InputError(f"tracker {name!r} needs video frames, but this build has no "
                             "media reader (sporttrack_gui.media.source)") from None
        frames_src = open_source(info.source)
    det = info.det
    by_frame = det.by_frame()
    xyxy, conf, cls = det.xyxy, det.conf, det.cls
    empty = np.zeros(0, np.int64)
    rows: list[tuple[np.ndarray, ...]] = []
    t_track = t_decode = 0.0
    try:
        for f in range(1, info.n_frames + 1):
            frame = None
            if frames_src is not None:
                t0 = time.perf_counter()
                frame = frames_src.read_frame(f)
                t_decode += time.perf_counter() - t0
            idx = by_frame.get(f, empty)
            dets = Detections(xyxy[idx], conf[idx], cls[idx])
            t0 = time.perf_counter()
            tracks = tracker.update(dets, frame)
            t_track += time.perf_counter() - t0
            if len(tracks):
                rows.append((np.full(len(tracks), f), tracks.track_id, tracks.xywh,
                             tracks.conf, tracks.cls))
    finally:
        if frames_src is not None:
            frames_src.close()
    if rows:
        f, tid, xywh, c, k = (np.concatenate(col) for col in zip(*rows, strict=True))
        table = MotTable.from_arrays(f, tid, xywh, conf=c, cls=k)
    else:
        table = MotTable.empty()
    return TrackerRun(name, table, info.n_frames, t_track, t_decode)


def compare(info: SourceInfo, trackers: Sequence[str], *, iou_threshold: float = 0.5,
            progress: Callable[[str], None] | None = None) -> tuple[list[dict[str, Any]], list[TrackerRun]]:
    """Rows of :data:`COLUMNS` (metrics only when ``info.gt`` is set) and the runs that worked.

    A tracker that fails with a user-facing error gets a row with only ``error`` set.
    """
    from sporttrack_gui.eval.mot import evaluate_mot

    if not trackers:
        raise InputError("no trackers to compare")
    rows, runs = [], []
    for name in trackers:
        if progress:
            progress(name)
        try:
            run = run_tracker(name, info)
        except SportTrackError as exc:  # one broken tracker must not sink the comparison
            rows.append({"tracker": name, "error": str(exc)})
            continue
        row: dict[str, Any] = {"tracker": name, "fps": run.fps,
                               "ids": int(len(np.unique(run.tracks.track_id))),
                               "boxes": len(run.tracks), "frames": run.n_frames,
                               "decode_s": run.decode_seconds}
        if info.gt is not None:
            row.update(evaluate_mot(info.gt, run.tracks, iou_threshold=iou_threshold))
        rows.append(row)
        runs.append(run)
    return rows, runs
