"""Per-frame bipartite matchings over sparse pair lists, solving only what is ambiguous.

Most frames of a real sequence are easy: every gt box overlaps at most one prediction and
vice versa, so any optimal matching takes all those pairs whatever the solver. Only frames
with a choice go to a solver; this is what makes whole-match metrics take seconds.

CLEAR frames are solved on the *whole frame's* matrix with the very call motmetrics makes
(``lap.lapjv`` on NaN-replaced costs), not on a sub-matrix with ``core.assignment``: boxes
of equal size moving symmetrically produce exactly tied distances, and only the same call
on the same matrix breaks such ties the same way, which keeps every CLEAR count equal to
motmetrics'; HOTA's matchings likewise use scipy exactly as TrackEval does.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from sporttrack_gui.core.assignment import linear_assignment

try:
    import lap as _lap
except ImportError:  # pragma: no cover - lap is a hard dependency; scipy gives the same optimum
    _lap = None


def simple_mask(g: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Pairs whose gt row and pred row each occur in no other pair (a forced match)."""
    if len(g) == 0:
        return np.zeros(0, bool)
    deg_g = np.bincount(g)
    deg_p = np.bincount(p)
    return (deg_g[g] == 1) & (deg_p[p] == 1)


def frame_groups(frame_of_pair: np.ndarray) -> list[np.ndarray]:
    """Split pair indices (already sorted by frame) into one index array per frame."""
    if len(frame_of_pair) == 0:
        return []
    cuts = np.flatnonzero(np.diff(frame_of_pair)) + 1
    return np.split(np.arange(len(frame_of_pair)), cuts)


def max_weight(g: np.ndarray, p: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Indices of the pairs in a maximum-total-weight matching (weights >= 0; zero never taken).

    Used for the identity metrics, whose weights are integer frame counts: ties there leave
    the optimum (IDTP) unchanged, so ``core.assignment`` on the compact id matrix is exact.
    """
    rows, ri = np.unique(g, return_inverse=True)
    cols, ci = np.unique(p, return_inverse=True)
    cost = np.zeros((len(rows), len(cols)), np.float64)
    cost[ri, ci] = -w
    matches, _, _ = linear_assignment(cost, 0.0)
    index = np.full(cost.shape, -1, np.int64)
    index[ri, ci] = np.arange(len(g))
    sel = index[matches[:, 0], matches[:, 1]] if len(matches) else np.zeros(0, np.int64)
    sel = sel[sel >= 0]
    return np.sort(sel[w[sel] > 0])


def motmetrics_lsa(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """motmetrics' ``linear_sum_assignment`` (NaN = forbidden) with its default lap solver.

    Forbidden pairs get a cost so large that one more valid match always wins (maximum
    cardinality first, then minimum distance); pairs landing on forbidden cells are dropped.
    """
    valid = np.isfinite(dist)
    if not valid.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    big = 2 * min(dist.shape) * (np.abs(dist[valid]).max() + 1) + 1
    costs = np.where(valid, dist, big)
    if _lap is not None:
        x, _ = _lap.lapjv(costs, return_cost=False, extend_cost=True)
        rows = np.flatnonzero(x >= 0)
        cols = x[rows].astype(np.int64)
    else:  # pragma: no cover
        rows, cols = linear_sum_assignment(costs)
    ok = valid[rows, cols]
    return rows[ok].astype(np.int64), cols[ok]


def max_weight_full_frames(g: np.ndarray, p: np.ndarray, w: np.ndarray,
                           gt_frame: np.ndarray, pred_frame: np.ndarray) -> np.ndarray:
    """Mask of a per-frame maximum-weight matching, as TrackEval computes it.

    ``g``/``p`` are rows of frame-sorted tables (pairs sorted by ``g``); frames with a
    choice run scipy's ``linear_sum_assignment`` over every gt and pred row of the frame,
    the exact call TrackEval makes, so even exactly tied scores resolve the same way.
    (Solving per connected component instead was measured slower on crowded sports
    frames: more, not fewer, solver calls.)
    """
    pos = np.flatnonzero(w > 0)
    simple = simple_mask(g[pos], p[pos])
    matched = np.zeros(len(g), bool)
    matched[pos[simple]] = True
    hard_frames = np.unique(gt_frame[g[pos[~simple]]])
    for _, g0, g1, p0, p1, a, b in frame_blocks(hard_frames, g, gt_frame, pred_frame):
        gi, pj = g[a:b] - g0, p[a:b] - p0
        weights = np.zeros((g1 - g0, p1 - p0))
        weights[gi, pj] = w[a:b]
        r, c = linear_sum_assignment(weights, maximize=True)
        hit = weights[r, c] > 0
        index = np.empty(weights.shape, np.int64)  # only read where a pair was written
        index[gi, pj] = np.arange(a, b)
        matched[a:b] = False
        matched[index[r[hit], c[hit]]] = True
    return matched


def frame_blocks(frames: np.ndarray, g: np.ndarray, gt_frame: np.ndarray,
                 pred_frame: np.ndarray) -> list[tuple[int, int, int, int, int, int, int]]:
    """Per frame: (frame, gt rows [g0, g1), pred rows [p0, p1), pairs [a, b)), in one pass.

    ``g`` is the gt row of each pair, sorted; computing all bounds with vectorised
    ``searchsorted`` keeps the per-frame Python loops of the solvers lean.
    """
    g0 = np.searchsorted(gt_frame, frames, "left")
    g1 = np.searchsorted(gt_frame, frames, "right")
    p0 = np.searchsorted(pred_frame, frames, "left")
    p1 = np.searchsorted(pred_frame, frames, "right")
    a = np.searchsorted(g, g0)
    b = np.searchsorted(g, g1)
    return list(zip(frames.tolist(), g0.tolist(), g1.tolist(), p0.tolist(), p1.tolist(),
                    a.tolist(), b.tolist(), strict=True))
