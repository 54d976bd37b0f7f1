"""Vectorised pairwise IoU: the hot path of every tracker and metric."""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.boxes import as_boxes

#: above this many pairs, only pairs whose x-ranges overlap are computed (crowd frames)
SPARSE_PAIRS = 250_000


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (N, 4 xyxy) with every box in ``b`` (M, 4): (N, M) float32.

    Degenerate or non-finite boxes get IoU 0 rather than NaN so callers never have to
    filter twice. Large problems (thousands of boxes) take a sweep over boxes sorted by
    x so that time and memory follow the number of overlapping pairs, not N x M.
    """
    a = as_boxes(a)
    b = as_boxes(b)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    if len(a) * len(b) > SPARSE_PAIRS:
        out = _iou_sweep(a, b)
        if out is not None:
            return out
    return _iou_dense(a, b)


def overlap_candidates(a: np.ndarray, b: np.ndarray, max_pairs: int = 20_000_000
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """Index pairs (i, j) whose x-intervals overlap, via a sort + binary search.

    Returns None when there would be more than ``max_pairs`` (e.g. one giant box), in
    which case the dense computation is the better deal.
    """
    fa = np.isfinite(a).all(axis=1)
    fb = np.flatnonzero(np.isfinite(b).all(axis=1))
    if len(fb) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = fb[np.argsort(b[fb, 0], kind="stable")]
    bx1 = b[order, 0]
    max_w = float(np.max(b[order, 2] - b[order, 0]))
    lo = np.searchsorted(bx1, a[:, 0] - max(max_w, 0.0), side="left")
    hi = np.searchsorted(bx1, a[:, 2], side="left")
    counts = np.where(fa, np.maximum(hi - lo, 0), 0)
    total = int(counts.sum())
    if total > max_pairs:
        return None
    rows = np.repeat(np.arange(len(a)), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    cols = order[starts + np.arange(total)]
    return rows, cols


def _iou_sweep(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    cand = overlap_candidates(a, b)
    if cand is None:
        return None
    rows, cols = cand
    v = iou_pairs(a[rows], b[cols])
    keep = v > 0
    out = np.zeros((len(a), len(b)), np.float32)
    out[rows[keep], cols[keep]] = v[keep]
    return out


def _iou_dense(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return _iou_dense_impl(a, b)


def _iou_dense_impl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    wh = np.minimum(a[:, None, 2:], b[None, :, 2:]) - lt
    np.maximum(wh, 0, out=wh)
    inter = wh[..., 0] * wh[..., 1]
    sa = np.maximum(a[:, 2:] - a[:, :2], 0)
    sb = np.maximum(b[:, 2:] - b[:, :2], 0)
    union = (sa[:, 0] * sa[:, 1])[:, None] + (sb[:, 0] * sb[:, 1])[None, :] - inter
    out = np.zeros(inter.shape, np.float32)
    # NaN coordinates make ``union > 0`` False, so they end as 0 too
    np.divide(inter, union, out=out, where=union > 0)
    return out


def iou_matrix_xywh(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same as :func:`iou_matrix` for top-left + size boxes (gt.txt layout)."""
    a = as_boxes(a).copy()
    b = as_boxes(b).copy()
    a[:, 2:] += a[:, :2]
    b[:, 2:] += b[:, :2]
    return iou_matrix(a, b)


def iou_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise IoU of ``a[i]`` with ``b[i]`` (both (N, 4) xyxy)."""
    a = as_boxes(a)
    b = as_boxes(b)
    with np.errstate(invalid="ignore", over="ignore"):
        return _iou_pairs_impl(a, b)


def _iou_pairs_impl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ix1 = np.maximum(a[:, 0], b[:, 0])
    iy1 = np.maximum(a[:, 1], b[:, 1])
    ix2 = np.minimum(a[:, 2], b[:, 2])
    iy2 = np.minimum(a[:, 3], b[:, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    union = area_a + area_b - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, inter / union, 0.0)
    return np.where(np.isfinite(out), out, 0.0).astype(np.float32, copy=False)
