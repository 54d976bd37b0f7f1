"""Pure cost functions between tracks and detections (no state, no Python pair loops).

Every function takes stacked arrays and returns an (N tracks, M detections) cost where
lower is better and ``np.inf`` forbids a pair; ``core.assignment.linear_assignment``
then solves it.
"""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.iou import iou_matrix

_EMPTY = np.zeros((0, 2), np.int64)


def assign(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``linear_assignment`` with a shortcut for the common sports frame.

    Why: most frames, every track has at most one detection within the threshold and
    vice versa (players are apart); then the optimal thresholded assignment is exactly
    those pairs, found with a few array ops instead of the solver (the per-frame hot path
    of every tracker, called several times a frame). Otherwise the solver decides.
    """
    n, m = cost.shape
    if n == 0 or m == 0:
        return _EMPTY, np.arange(n), np.arange(m)
    ok = cost <= thresh
    if ok.sum(axis=0).max() <= 1 and ok.sum(axis=1).max() <= 1:
        rows, cols = np.nonzero(ok)
        um_r = np.ones(n, bool)
        um_r[rows] = False
        um_c = np.ones(m, bool)
        um_c[cols] = False
        return np.stack([rows, cols], axis=1), np.flatnonzero(um_r), np.flatnonzero(um_c)
    return linear_assignment(cost, thresh)


def iou_cost(track_xyxy: np.ndarray, det_xyxy: np.ndarray) -> np.ndarray:
    """``1 - IoU``: 0 for identical boxes, 1 for disjoint ones."""
    return 1.0 - iou_matrix(track_xyxy, det_xyxy)


def buffer_boxes(xyxy: np.ndarray, buffer: float) -> np.ndarray:
    """Boxes grown by ``buffer`` times their width/height on every side (C-BIoU's buffer)."""
    xyxy = np.asarray(xyxy, np.float32)
    if buffer == 0 or len(xyxy) == 0:
        return xyxy
    pad = (xyxy[:, 2:] - xyxy[:, :2]) * np.float32(buffer)
    return np.concatenate([xyxy[:, :2] - pad, xyxy[:, 2:] + pad], axis=1)


def buffered_iou_cost(track_xyxy: np.ndarray, det_xyxy: np.ndarray, buffer: float) -> np.ndarray:
    """``1 - BIoU`` (Yang et al., WACV 2023): IoU of both boxes grown by ``buffer``.

    Why: a fast, irregular move (a sprint, a sudden turn) leaves a prediction and its
    detection with little or no overlap; growing both boxes restores overlap in
    proportion to their size while distant boxes still do not meet. ``buffer=0`` is IoU.
    """
    return 1.0 - buffered_iou(track_xyxy, det_xyxy, buffer)


def buffered_iou(track_xyxy: np.ndarray, det_xyxy: np.ndarray, buffer: float) -> np.ndarray:
    """BIoU itself (a fresh float32 array, safe to scale in place); ``buffer=0`` is IoU."""
    if buffer == 0:
        return iou_matrix(track_xyxy, det_xyxy)
    return iou_matrix(buffer_boxes(track_xyxy, buffer), buffer_boxes(det_xyxy, buffer))


def fuse_score(cost: np.ndarray, det_score: np.ndarray) -> np.ndarray:
    """``1 - IoU * score`` (ByteTrack): a weak box only wins against a strong one on overlap."""
    return 1.0 - (1.0 - cost) * np.asarray(det_score, np.float32)[None, :]


def cosine_cost(track_feat: np.ndarray, det_feat: np.ndarray) -> np.ndarray:
    """Cosine distance of L2-normalised features, clipped to [0, 2]; zero rows cost 1."""
    a = _unit(track_feat)
    b = _unit(det_feat)
    return np.clip(1.0 - a @ b.T, 0.0, 2.0)


def gallery_cost(gallery: np.ndarray, count: np.ndarray, det_feat: np.ndarray) -> np.ndarray:
    """DeepSORT's nearest-neighbour metric: min cosine distance over each track's gallery.

    ``gallery`` (N, B, D) ring buffers with ``count`` (N,) features written. Only the used
    slots are multiplied (young tracks hold few features), in one product; the per-track
    maximum similarity is a ``maximum.reduceat`` over each track's block of rows. Tracks
    with an empty gallery cost 1 (no appearance evidence).
    """
    n, b, _ = gallery.shape
    m = len(det_feat)
    out = np.ones((n, m), np.float32)
    used = np.minimum(count, b)
    has = np.flatnonzero(used > 0)
    if len(has) == 0 or m == 0:
        return out
    slot_mask = np.arange(b)[None, :] < used[has, None]  # (H, B)
    feats = gallery[has][slot_mask]  # (K, D) rows grouped by track
    sims = feats @ _unit(det_feat).T  # (K, M)
    starts = np.concatenate([[0], np.cumsum(used[has])[:-1]])
    best = np.maximum.reduceat(sims, starts, axis=0)
    out[has] = np.clip(1.0 - best, 0.0, 2.0)
    return out


def centre_distance(track_xyxy: np.ndarray, det_xyxy: np.ndarray) -> np.ndarray:
    """Distance between box centres in units of the track's box height: (N, M)."""
    tc = (track_xyxy[:, :2] + track_xyxy[:, 2:]) / 2
    dc = (det_xyxy[:, :2] + det_xyxy[:, 2:]) / 2
    h = np.maximum(track_xyxy[:, 3] - track_xyxy[:, 1], 1e-3)
    return np.linalg.norm(tc[:, None, :] - dc[None, :, :], axis=2) / h[:, None]


def fused_appearance_cost(iou_c: np.ndarray, app_c: np.ndarray, alpha: float,
                          app_thresh: float, near: np.ndarray, reject: float = np.inf
                          ) -> np.ndarray:
    """``alpha * iou_cost + (1 - alpha) * appearance`` with three safety gates.

    Why the gates: a teammate in the same kit looks identical, so appearance alone must
    never pull a track across the pitch. Pairs that do not overlap are allowed only when
    ``near`` (the detection lies within the re-id radius of a lost track); pairs whose
    looks differ by more than ``app_thresh`` keep their IoU cost (no bonus from
    appearance); pairs that look clearly different (``> reject``, e.g. the other team's
    kit) are forbidden, which is what stops swaps when players of two teams cross.
    """
    fused = alpha * iou_c + (1 - alpha) * app_c
    fused = np.where(app_c > app_thresh, np.maximum(fused, iou_c), fused)
    allowed = ((iou_c < 1.0) | near) & (app_c <= reject)
    return np.where(allowed, fused, np.inf)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(n, 1e-12)
