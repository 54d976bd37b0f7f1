"""Seeded degradation of SoccerNet SNMOT-116 detections + an adapter to ultralytics' BYTETracker.

Shared by ``bench_track_soccernet.py`` and ``tests/test_track_soccernet.py`` so the test
asserts on exactly what the benchmark prints.

Why this perturbation: the shared det.txt is the ground truth with the ids removed, which
any tracker follows perfectly. A real detector misses boxes (20 % dropped here), localises
them loosely (Gaussian jitter, 5 % of the box size) and fires on clutter (false positives);
its score is lower exactly for the worst boxes, which is what ByteTrack's second stage
exploits. So 30 % of the kept boxes are "hard": twice the jitter and a score in
[0.12, 0.5), the rest score in [0.5, 0.95); false positives score in [0.1, 0.55).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from sporttrack_gui.core.boxes import Detections, Tracks


def load_mot_arrays(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame, id, xywh) from a MOT txt, through the formats reader when present."""
    try:
        from sporttrack_gui.formats.mot import read_mot
    except ImportError:  # formats room not landed: plain CSV is enough for det/gt files
        a = np.loadtxt(path, delimiter=",", ndmin=2)
        return a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2:6].astype(np.float32)
    t = read_mot(path)
    return t.frame.astype(np.int64), t.track_id.astype(np.int64), t.xywh.astype(np.float32)


def degrade(frame: np.ndarray, xywh: np.ndarray, n_frames: int, width: int, height: int,
            seed: int = 0, drop: float = 0.2, jitter: float = 0.05, hard: float = 0.3,
            fp_per_frame: float = 1.5) -> list[Detections]:
    """Per-frame ``Detections`` (index 0 = frame 1) from clean boxes; deterministic per seed."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    keep = rng.random(n) >= drop
    is_hard = rng.random(n) < hard
    size = np.repeat(xywh[:, 2:4], 2, axis=1)  # (w, h, w, h)
    sigma = jitter * np.where(is_hard, 2.0, 1.0)[:, None]
    noisy = xywh.astype(np.float64) + rng.normal(0, 1, (n, 4)) * sigma * size
    noisy[:, 2:] = np.maximum(noisy[:, 2:], 2.0)
    score = np.where(is_hard, rng.uniform(0.12, 0.5, n), rng.uniform(0.5, 0.95, n))

    n_fp = rng.poisson(fp_per_frame, n_frames)
    fp_frame = np.repeat(np.arange(1, n_frames + 1), n_fp)
    m = len(fp_frame)
    ref = xywh[rng.integers(0, len(xywh), m)]  # player-like sizes
    fp_xy = rng.uniform(0, 1, (m, 2)) * [width, height]
    fp = np.column_stack([fp_xy, ref[:, 2:]])
    fp_score = rng.uniform(0.1, 0.55, m)

    all_frame = np.concatenate([frame[keep], fp_frame])
    all_xywh = np.concatenate([noisy[keep], fp]).astype(np.float32)
    all_score = np.concatenate([score[keep], fp_score]).astype(np.float32)
    order = np.argsort(all_frame, kind="stable")
    all_frame, all_xywh, all_score = all_frame[order], all_xywh[order], all_score[order]
    bounds = np.searchsorted(all_frame, np.arange(1, n_frames + 2))
    return [Detections.from_xywh(all_xywh[a:b], all_score[a:b])
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def run_tracker(update: Callable[[Detections], Tracks], dets: list[Detections]) -> np.ndarray:
    """Rows ``frame, id, x, y, w, h`` of a tracker's output over the sequence."""
    rows = []
    for f, d in enumerate(dets, start=1):
        t = update(d)
        if len(t):
            xywh = t.xywh
            rows.append(np.column_stack([np.full(len(t), f), t.track_id, xywh]))
    return np.concatenate(rows) if rows else np.zeros((0, 6))


def ultralytics_bytetrack(**overrides) -> Callable[[Detections], Tracks]:
    """ultralytics' own BYTETracker with its shipped bytetrack.yaml, wrapped to our types."""
    from sporttrack_gui.runtime import import_ultralytics

    ul = import_ultralytics()
    import yaml
    from ultralytics.engine.results import Boxes
    from ultralytics.trackers.byte_tracker import BYTETracker

    cfg_path = Path(ul.__file__).parent / "cfg" / "trackers" / "bytetrack.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    cfg.update(overrides)
    tracker = BYTETracker(SimpleNamespace(**cfg))

    def update(d: Detections) -> Tracks:
        data = np.column_stack([d.xyxy, d.conf, d.cls]).astype(np.float32).reshape(-1, 6)
        out = tracker.update(Boxes(data, (1080, 1920)), None)
        if len(out) == 0:
            return Tracks.empty()
        return Tracks(out[:, :4], out[:, 4].astype(np.int64), out[:, 5], out[:, 6])

    return update


def evaluate(gt: tuple[np.ndarray, np.ndarray, np.ndarray], pred: np.ndarray) -> dict[str, float]:
    """MOTA, IDF1, IDSW (IoU >= 0.5) through the eval room when present, else motmetrics.

    ``SPORTTRACK_BENCH_MOTMETRICS=1`` forces motmetrics (to cross-check the eval room).
    """
    g_frame, g_id, g_xywh = gt
    if os.environ.get("SPORTTRACK_BENCH_MOTMETRICS") == "1":
        return _motmetrics(g_frame, g_id, g_xywh, pred)
    try:
        from sporttrack_gui.eval.mot import evaluate_mot
        from sporttrack_gui.formats.mot import MotTable
    except ImportError:
        return _motmetrics(g_frame, g_id, g_xywh, pred)
    res = evaluate_mot(MotTable.from_arrays(g_frame.astype(np.int32), g_id, g_xywh),
                       MotTable.from_arrays(pred[:, 0].astype(np.int32), pred[:, 1].astype(np.int64),
                                            pred[:, 2:6].astype(np.float32)), with_hota=False)
    return {"mota": float(res["mota"]), "idf1": float(res["idf1"]), "idsw": float(res["num_switches"])}


def _motmetrics(g_frame, g_id, g_xywh, pred) -> dict[str, float]:
    if not hasattr(np, "asfarray"):  # motmetrics 1.4.0 still calls it (removed in numpy 2)
        np.asfarray = lambda a, dtype=np.float64: np.asarray(a, dtype=dtype)
    import motmetrics as mm

    acc = mm.MOTAccumulator(auto_id=True)
    for f in np.unique(np.concatenate([g_frame, pred[:, 0].astype(np.int64)])):
        gi = g_frame == f
        pi = pred[:, 0] == f
        dist = mm.distances.iou_matrix(g_xywh[gi], pred[pi, 2:6], max_iou=0.5)
        acc.update(g_id[gi], pred[pi, 1].astype(np.int64), dist)
    s = mm.metrics.create().compute(acc, metrics=["mota", "idf1", "num_switches"], name="x")
    return {"mota": float(s["mota"].iloc[0]), "idf1": float(s["idf1"].iloc[0]),
            "idsw": float(s["num_switches"].iloc[0])}
