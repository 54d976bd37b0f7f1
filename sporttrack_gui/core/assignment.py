"""Linear assignment on cost matrices (``lap`` first, scipy as the fallback)."""

from __future__ import annotations

import numpy as np

try:  # lap is ~2.5x faster than scipy here (see ENVIRONMENT.md)
    import lap as _lap
except ImportError:  # pragma: no cover - lap is a hard dependency, but stay usable
    _lap = None


def linear_assignment(cost: np.ndarray, thresh: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Minimum-cost matching keeping only pairs with ``cost <= thresh``.

    Returns ``(matches (K, 2) [row, col], unmatched_rows, unmatched_cols)``.
    """
    cost = np.asarray(cost, dtype=np.float64)
    n, m = cost.shape if cost.ndim == 2 else (0, 0)
    if n == 0 or m == 0:
        return np.zeros((0, 2), np.int64), np.arange(n), np.arange(m)
    cost = np.where(np.isfinite(cost), cost, thresh + 1e5)
    if _lap is not None:
        _, x, y = _lap.lapjv(cost, extend_cost=True, cost_limit=thresh)
        rows = np.flatnonzero(x >= 0)
        matches = np.stack([rows, x[rows]], axis=1).astype(np.int64)
        unmatched_rows = np.flatnonzero(x < 0)
        unmatched_cols = np.flatnonzero(y < 0)
    else:
        from scipy.optimize import linear_sum_assignment

        r, c = linear_sum_assignment(cost)
        keep = cost[r, c] <= thresh
        matches = np.stack([r[keep], c[keep]], axis=1).astype(np.int64)
        unmatched_rows = np.setdiff1d(np.arange(n), matches[:, 0])
        unmatched_cols = np.setdiff1d(np.arange(m), matches[:, 1])
    if len(matches):
        ok = cost[matches[:, 0], matches[:, 1]] <= thresh
        if not ok.all():
            unmatched_rows = np.union1d(unmatched_rows, matches[~ok, 0])
            unmatched_cols = np.union1d(unmatched_cols, matches[~ok, 1])
            matches = matches[ok]
    return matches, unmatched_rows, unmatched_cols
