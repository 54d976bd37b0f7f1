"""Run several trackers on the same detections and score them side by side.

Each tracker runs through the same loop as every other run (``pipeline.run_pipeline``
with the detections file as its detector), so it sees the same ``Detections`` for every
frame from 1 to the last, empty frames included. Pixels are decoded only for trackers
that need them (appearance embedders, camera-motion compensation), so comparing SORT and
ByteTrack on a det.txt costs no video decoding at all. ``fps`` is the tracker's own
update rate (decode time is reported separately), which is what the user tunes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError, SportTrackError
from sporttrack_gui.eval.metrics import columns


def table_columns() -> list[str]:
    """The comparison table: the ``compare`` view of ``eval.metrics`` plus run figures."""
    return ["tracker", *columns("compare"), "ids", "fps"]


def chart_columns() -> list[str]:
    return [*columns("chart"), "fps"]


@dataclass
class SourceInfo:
    """What the compared trackers share: detections per frame, frame count, gt, video fps."""

    det: Any  # MotTable
    det_path: Path
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
    return SourceInfo(det_table, det_path, n, gt_table, info.frame_rate if info else None, src)


def run_tracker(name: str, info: SourceInfo, params: dict[str, Any] | None = None) -> TrackerRun:
    """One tracker over every frame of ``info`` (via the pipeline); its boxes and timings."""
    import tempfile

    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    params = dict(params or {})
    if info.frame_rate and "frame_rate" not in params:
        params["frame_rate"] = info.frame_rate
    with tempfile.TemporaryDirectory(prefix="sporttrack-compare-") as tmp:
        out = Path(tmp) / f"{name}.txt"
        res = run_pipeline(PipelineConfig(source=info.source, detector=f"det:{info.det_path}",
                                          tracker=name, tracker_params=params, out=out,
                                          frame_range=(1, info.n_frames)))
        table = read_mot(out, kind="results")
    t = res.timings
    return TrackerRun(name, table, res.frames, t["track"].total_s if "track" in t else 0.0,
                      t["decode"].total_s if "decode" in t else 0.0)


def compare(info: SourceInfo, trackers: Sequence[str], *, iou_threshold: float = 0.5,
            rules: str = "trackeval", progress: Callable[[str], None] | None = None
            ) -> tuple[list[dict[str, Any]], list[TrackerRun]]:
    """Rows of :func:`table_columns` (metrics only when ``info.gt`` is set, by ``rules``) and the
    runs that worked.

    A tracker that fails with a user-facing error gets a row with only ``error`` set.
    """
    from sporttrack_gui.eval.mot import check_rules, evaluate_mot

    check_rules(rules)
    if not trackers:
        raise InputError("no trackers to compare")
    rows, runs = [], []
    for name in trackers:
        if progress:
            progress(name)
        try:
            runs.append(run_tracker(name, info))
        except SportTrackError as exc:  # one broken tracker must not sink the comparison
            rows.append({"tracker": name, "error": str(exc)})
    # a tracker that needs pixels stops where the images end: score everyone on the frames
    # all of them saw, or the comparison would punish it for frames it never had
    common = min((r.n_frames for r in runs), default=info.n_frames)
    for run in runs:
        tracks = run.tracks
        row: dict[str, Any] = {"tracker": run.name, "fps": run.fps,
                               "ids": int(len(np.unique(tracks.track_id))),
                               "boxes": len(tracks), "frames": common,
                               "decode_s": run.decode_seconds}
        if info.gt is not None:
            gt = info.gt.select(info.gt.frame <= common)
            pred = tracks.select(tracks.frame <= common)
            row.update(evaluate_mot(gt, pred, iou_threshold=iou_threshold, rules=rules))
        rows.append(row)
    order = {n: i for i, n in enumerate(trackers)}
    rows.sort(key=lambda r: order.get(r["tracker"], len(order)))
    return rows, runs
