"""All overlapping (gt row, pred row) pairs of a sequence, computed frame-blocked in numpy.

Why not ``core.iou``: the metrics must reproduce motmetrics/TrackEval bit for bit, and
those compute IoU in float64 from ``x, y, x + w, y + h``. ``core.iou`` works in float32,
which moves IoUs by ~1e-7 and flips the rare pair lying that close to the 0.5 threshold.

Frames are grouped by their (gt, pred) box counts (or, when counts vary wildly, by the
next powers of two) and each group is evaluated as one (frames, gt, pred) broadcast, so a 135,000-frame sequence costs a few dozen numpy calls
instead of one Python iteration per frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: elements of one padded (frames, gt, pred) block; bounds temporary memory to ~60 MB
_BLOCK_ELEMENTS = 1 << 19


@dataclass
class Pairs:
    """Pairs with IoU > 0, sorted by (gt row, pred row); rows index the frame-sorted tables."""

    gt_row: np.ndarray  # int64 (K,)
    pred_row: np.ndarray  # int64 (K,)
    iou: np.ndarray  # float64 (K,)

    def __len__(self) -> int:
        return len(self.gt_row)

    def subset(self, mask: np.ndarray) -> Pairs:
        return Pairs(self.gt_row[mask], self.pred_row[mask], self.iou[mask])


def xywh_to_xyxy64(xywh: np.ndarray) -> np.ndarray:
    """Corners in float64 computed exactly as motmetrics does (``max = min + size``)."""
    b = np.asarray(xywh, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)


def iou_block(g: np.ndarray, p: np.ndarray) -> np.ndarray:
    """IoU of ``g`` (..., n, 1, 4) against ``p`` (..., 1, m, 4) xyxy float64; NaN boxes give 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        iw = np.maximum(np.minimum(g[..., 2], p[..., 2]) - np.maximum(g[..., 0], p[..., 0]), 0.0)
        ih = np.maximum(np.minimum(g[..., 3], p[..., 3]) - np.maximum(g[..., 1], p[..., 1]), 0.0)
        inter = iw * ih
        area_g = np.maximum(g[..., 2] - g[..., 0], 0.0) * np.maximum(g[..., 3] - g[..., 1], 0.0)
        area_p = np.maximum(p[..., 2] - p[..., 0], 0.0) * np.maximum(p[..., 3] - p[..., 1], 0.0)
        union = area_g + area_p - inter
        out = np.where(inter > 0, inter / union, 0.0)
    return out


def frame_spans(frames: np.ndarray, sorted_frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start row and row count of each frame in ``frames`` within a frame-sorted column."""
    start = np.searchsorted(sorted_frames, frames, side="left")
    stop = np.searchsorted(sorted_frames, frames, side="right")
    return start, stop - start


def _ranges(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated ``arange(start[i], start[i] + count[i])`` with block and in-block index."""
    total = int(count.sum())
    block = np.repeat(np.arange(len(count)), count)
    offsets = np.cumsum(count) - count
    local = np.arange(total) - offsets[block]
    return start[block] + local, block, local


def _bucket(n: np.ndarray) -> np.ndarray:
    """Padded size: next power of two (so padding wastes < 4x and buckets stay few)."""
    return (1 << np.ceil(np.log2(np.maximum(n, 1))).astype(np.int64)).astype(np.int64)


def positive_pairs(gt_frame: np.ndarray, gt_xyxy: np.ndarray,
                   pred_frame: np.ndarray, pred_xyxy: np.ndarray) -> Pairs:
    """Every (gt row, pred row) of the same frame with IoU > 0.

    Both tables must be sorted by frame. Cost is proportional to the sum over frames of
    ``n_gt * n_pred``, done in padded blocks.
    """
    common = np.intersect1d(_distinct(gt_frame), _distinct(pred_frame), assume_unique=True)
    if len(common) == 0:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    g_start, g_cnt = frame_spans(common, gt_frame)
    p_start, p_cnt = frame_spans(common, pred_frame)
    kg, kp = g_cnt.astype(np.int64), p_cnt.astype(np.int64)
    if len(np.unique(kg * (1 << 32) + kp)) > 256:  # very uneven frames: fewer, padded blocks
        kg, kp = _bucket(g_cnt), _bucket(p_cnt)
    out_g, out_p, out_iou = [], [], []
    keys = kg * (1 << 32) + kp
    for key in np.unique(keys):
        sel = np.flatnonzero(keys == key)
        ng, npd = int(kg[sel[0]]), int(kp[sel[0]])
        per_chunk = max(1, _BLOCK_ELEMENTS // (ng * npd))
        for c0 in range(0, len(sel), per_chunk):
            idx = sel[c0:c0 + per_chunk]
            gi = _padded_rows(g_start[idx], g_cnt[idx], ng)
            pi = _padded_rows(p_start[idx], p_cnt[idx], npd)
            gbox = _gather(gt_xyxy, gi)
            pbox = _gather(pred_xyxy, pi)
            iou = iou_block(gbox[:, :, None, :], pbox[:, None, :, :])
            f, a, b = np.nonzero(iou > 0)
            out_g.append(gi[f, a])
            out_p.append(pi[f, b])
            out_iou.append(iou[f, a, b])
    g = np.concatenate(out_g)
    p = np.concatenate(out_p)
    v = np.concatenate(out_iou)
    # (gt row, pred row) is unique: one int64 argsort replaces a two-key lexsort
    order = np.argsort(g * (int(p.max()) + 1) + p) if len(p) else np.zeros(0, np.int64)
    return Pairs(g[order], p[order], v[order])


def _distinct(sorted_values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an already sorted column, in linear time."""
    keep = np.ones(len(sorted_values), bool)
    keep[1:] = sorted_values[1:] != sorted_values[:-1]
    return sorted_values[keep]


def _padded_rows(start: np.ndarray, count: np.ndarray, width: int) -> np.ndarray:
    """(frames, width) table of row indices, -1 where a frame has fewer rows than ``width``."""
    rows, block, local = _ranges(start, count)
    table = np.full((len(start), width), -1, np.int64)
    table[block, local] = rows
    return table


def _gather(boxes: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Boxes at ``rows`` with NaN where the row index is the -1 padding."""
    out = boxes[np.maximum(rows, 0)]
    out[rows < 0] = np.nan
    return out


def compact_keys(key: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)`` for keys in [0, n_keys), without sorting when
    the key space is small (the (gt id, pred id) grid of a match: a bincount beats a sort
    of millions of pairs by ~10x)."""
    if n_keys > (1 << 24):
        uniq, inv = np.unique(key, return_inverse=True)
        return uniq, inv.reshape(-1)
    present = np.bincount(key, minlength=n_keys) > 0
    remap = np.cumsum(present) - 1
    return np.flatnonzero(present), remap[key]
