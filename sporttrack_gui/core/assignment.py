"""Linear assignment on cost matrices (``lap`` first, scipy as the fallback)."""

from __future__ import annotations

import numpy as np

# Imported at load, not inside the first assignment: scipy.optimize takes ~0.25 s to import,
# which used to land in the first tracked frame and tripled the reported ms/frame of a
# short sequence (the tracker's first frame must cost what the others do).
from scipy.optimize import linear_sum_assignment

try:  # lap is ~2.5x faster than scipy on big matrices (see ENVIRONMENT.md)
    import lap as _lap
except ImportError:  # pragma: no cover - lap is a hard dependency, but stay usable
    _lap = None


#: from this many cells on, rows/columns with a single feasible partner are settled directly
#: (measured: below that one solver call is cheaper than the reduction's numpy calls)
REDUCE_FROM = 250_000


def linear_assignment(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum-cost matching keeping only pairs with ``cost <= thresh``.

    Returns ``(matches (K, 2) [row, col], unmatched_rows, unmatched_cols)``.
    """
    cost = np.asarray(cost)
    n, m = cost.shape if cost.ndim == 2 else (0, 0)
    if n == 0 or m == 0:
        return np.zeros((0, 2), np.int64), np.arange(n), np.arange(m)
    if n * m >= REDUCE_FROM:
        return _reduced_assignment(cost, thresh)
    return _solve(cost, thresh)


def _reduced_assignment(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Most rows have one feasible column or none: settle those without the solver.

    A row whose only feasible column has no other feasible row is matched outright (the
    optimum must contain that pair, as a feasible pair costs less than leaving both sides
    unmatched and neither side has another option); the solver then sees only the rows and
    columns that really compete. This keeps 5,000-box frames interactive.
    """
    n, m = cost.shape
    with np.errstate(invalid="ignore"):
        feas = cost <= thresh
    row_deg = feas.sum(axis=1)
    col_deg = feas.sum(axis=0)
    r_single = np.flatnonzero(row_deg == 1)
    c_of = np.argmax(feas[r_single], axis=1)
    direct = col_deg[c_of] == 1
    d_rows, d_cols = r_single[direct], c_of[direct]
    rows = np.flatnonzero(row_deg > 0)
    cols = np.flatnonzero(col_deg > 0)
    rows = np.setdiff1d(rows, d_rows, assume_unique=True)
    cols = np.setdiff1d(cols, d_cols, assume_unique=True)
    sub_m, _, _ = _solve(cost[np.ix_(rows, cols)], thresh) if len(rows) and len(cols) else (
        np.zeros((0, 2), np.int64), None, None)
    matches = np.concatenate([np.stack([d_rows, d_cols], axis=1),
                              np.stack([rows[sub_m[:, 0]], cols[sub_m[:, 1]]], axis=1)]).astype(np.int64)
    um_r = np.ones(n, bool)
    um_r[matches[:, 0]] = False
    um_c = np.ones(m, bool)
    um_c[matches[:, 1]] = False
    return matches, np.flatnonzero(um_r), np.flatnonzero(um_c)


#: up to this many rows + columns scipy on the augmented matrix beats lap's setup cost
SMALL = 160


def _solve(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact thresholded assignment: leaving a row or a column unmatched costs thresh / 2.

    So a pair is matched only when its cost beats leaving both sides unmatched, which is
    lap's ``cost_limit`` semantics. Small problems (a tracker's per-frame case) go to
    scipy on the (n + m) square augmented matrix: ~7x faster than lapjv's setup there.
    """
    cost = np.asarray(cost, dtype=np.float64)
    n, m = cost.shape
    with np.errstate(invalid="ignore"):
        cost = np.where(cost <= thresh, cost, 2 * abs(thresh) + 1e5)  # NaN/inf/too costly
    if _lap is not None and n + m > SMALL:
        _, x, _ = _lap.lapjv(cost, extend_cost=True, cost_limit=thresh)
        rows = np.flatnonzero(x >= 0)
        cols = x[rows]
    else:
        big = np.empty((n + m, n + m))
        big[:n, :m] = cost
        big[:n, m:] = thresh / 2
        big[n:, :m] = thresh / 2
        big[n:, m:] = 0.0
        r, c = linear_sum_assignment(big)
        real = (r < n) & (c < m)
        rows, cols = r[real], c[real]
    ok = cost[rows, cols] <= thresh
    rows, cols = rows[ok], cols[ok]
    um_r = np.ones(n, bool)
    um_r[rows] = False
    um_c = np.ones(m, bool)
    um_c[cols] = False
    return (np.stack([rows, cols], axis=1).astype(np.int64), np.flatnonzero(um_r),
            np.flatnonzero(um_c))
