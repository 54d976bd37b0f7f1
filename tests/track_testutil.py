"""Helpers for the multi-object tracking tests: detections from a synthetic gt and
per-identity id histories (how a switch is measured)."""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.boxes import Detections, Tracks
from sporttrack_gui.core.iou import iou_matrix


def detections_from_gt(gt, n_frames: int, seed: int = 0, jitter: float = 0.02,
                       miss: float = 0.05, min_vis: float = 0.25) -> list[Detections]:
    """Noisy detector output: jittered gt boxes, random misses, low scores when occluded."""
    rng = np.random.default_rng(seed)
    out = []
    by = gt.by_frame()
    for f in range(1, n_frames + 1):
        idx = by.get(f, np.zeros(0, int))
        idx = idx[(gt.vis[idx] >= min_vis) & (rng.random(len(idx)) >= miss)]
        xywh = gt.xywh[idx].astype(np.float64)
        xywh += rng.normal(0, jitter, xywh.shape) * np.repeat(xywh[:, 2:], 2, axis=1)
        conf = np.where(gt.vis[idx] >= 0.6, 0.9, 0.35).astype(np.float32)
        out.append(Detections.from_xywh(xywh, conf, gt.cls[idx]))
    return out


def id_histories(gt, outputs: list[Tracks], min_iou: float = 0.5, min_vis: float = 0.5
                 ) -> dict[int, dict[int, int]]:
    """For each gt id, ``{frame: tracker id}`` from a per-frame IoU matching.

    Only clearly visible gt boxes count: a player mostly hidden behind another overlaps
    the occluder's track, which is not an identity the tracker could keep.
    """
    hist: dict[int, dict[int, int]] = {}
    by = gt.by_frame()
    for f, trk in enumerate(outputs, start=1):
        idx = by.get(f, np.zeros(0, int))
        idx = idx[gt.vis[idx] >= min_vis]
        if len(idx) == 0 or len(trk) == 0:
            continue
        iou = iou_matrix(gt.xyxy[idx], trk.xyxy)
        m, _, _ = linear_assignment(1 - iou, 1 - min_iou)
        for r, c in m:
            hist.setdefault(int(gt.track_id[idx[r]]), {})[f] = int(trk.track_id[c])
    return hist


def ids_in_window(hist: dict[int, int], first: int, last: int) -> set[int]:
    return {tid for f, tid in hist.items() if first <= f <= last}


def last_before(hist: dict[int, int], frame: int) -> int | None:
    earlier = [f for f in hist if f < frame]
    return hist[max(earlier)] if earlier else None


def first_after(hist: dict[int, int], frame: int, span: int = 10) -> int | None:
    """The id the tracker settles on after ``frame``: majority over the next ``span`` frames."""
    later = sorted(f for f in hist if f > frame)[:span]
    if not later:
        return None
    vals, counts = np.unique([hist[f] for f in later], return_counts=True)
    return int(vals[np.argmax(counts)])


def crossing_ids(hist: dict[int, dict[int, int]], gt, a: int, b: int, frame: int,
                 window: int = 12) -> tuple[set[int], set[int], set[int], set[int]]:
    """Tracker ids of players ``a`` and ``b`` just before and just after a crossing.

    Frames where the two gt boxes overlap with IoU > 0.5 are left out: there the boxes
    are the same box for any IoU-based evaluation, so which id sits on which player is
    undecidable. Returns (a_before, a_after, b_before, b_after).
    """
    by = gt.by_frame()
    coincide = set()
    for f in range(frame - window, frame + window + 1):
        idx = by.get(f, np.zeros(0, int))
        ia, ib = idx[gt.track_id[idx] == a], idx[gt.track_id[idx] == b]
        if len(ia) and len(ib) and iou_matrix(gt.xyxy[ia], gt.xyxy[ib])[0, 0] > 0.5:
            coincide.add(f)
    lo, hi = min(coincide, default=frame), max(coincide, default=frame)

    def ids(g: int, first: int, last: int) -> set[int]:
        return {t for f, t in hist.get(g, {}).items() if first <= f <= last and f not in coincide}

    return (ids(a, frame - window, lo - 1), ids(a, hi + 1, frame + window),
            ids(b, frame - window, lo - 1), ids(b, hi + 1, frame + window))
