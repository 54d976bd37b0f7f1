"""How sure a proposed fix is (``Suspect.fix_score``): a logistic model per suspect kind
over a few cues of the proposed edit, so "apply all" only performs edits that are more
likely to help than to hurt.

Why a second score next to ``Suspect.score``: the scan's score is the chance that
something is wrong at that place; whether the *proposed edit* is right is another
question. Two tracks that jump onto each other's place at one frame are almost surely a
tracker mix-up, but when they were side by side before (a crowd, a basketball screen),
exchanging them from that frame can as well move the mistake as remove it. The cues say
how clearly the motion and size of the boxes after the place continue the boxes before
it with the exchanged ids rather than with the kept ones.

The weights (``ScanConfig.fix_weights``) are fitted on the tune half of
``benchmarks/bench_assist_recall.py`` only (``--fit-fixes``: every applied fix labelled by
the sign of its IDF1 change); the held-out half is what is quoted. All cues are whole-
array passes over the suspects of one kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sporttrack_gui.assist.suspects import ScanConfig, Suspect

#: cue columns of :func:`fix_features` (the weights are intercept + these)
FIX_FEATURES = ("score", "motion", "size", "sep", "missing")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 0.01, 0.99)
    return np.log(p / (1.0 - p))


def exchange_fit(ta, pa, pb, ra, rb, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Misfit (box heights) of keeping vs exchanging the ids of two tracks between the
    rows before (``pa``, ``pb``) and the rows from (``ra``, ``rb``) a place: each
    track's velocity before, extrapolated to the mean position of the first ``window``
    rows after, compared with where each track really is; plus the log height change.
    Returns (position misfit keep - exchange, size misfit keep - exchange)."""
    from sporttrack_gui.assist.scan import _dist

    va, vb = ta.velocity(pa, window), ta.velocity(pb, window)
    ea = np.minimum(ra + window - 1, ta.track_end(ra))
    eb = np.minimum(rb + window - 1, ta.track_end(rb))

    def mean_after(r, e):
        """Mean cx, cy, frame of rows r..e per suspect: a gather of at most ``window``
        rows each (no whole-run cumulative sums: a match has 3.4 M rows)."""
        idx = r[:, None] + np.arange(max(int(window), 1))[None, :]
        inside = idx <= e[:, None]
        idx = np.minimum(idx, e[:, None])
        k = np.maximum(inside.sum(axis=1), 1).astype(np.float64)
        return tuple(np.where(inside, col[idx], 0).sum(axis=1, dtype=np.float64) / k
                     for col in (ta.cx, ta.cy, ta.frame))

    axx, axy, atf = mean_after(ra, ea)
    bxx, bxy, btf = mean_after(rb, eb)

    def pred(p, v, tf):
        dt = np.minimum(tf - ta.frame[p], 3 * window)
        return ta.cx[p] + v[:, 0] * dt, ta.cy[p] + v[:, 1] * dt

    sc = np.maximum(np.maximum(ta.scale(pa), ta.scale(pb)), 1.0)
    keep = (_dist(*pred(pa, va, atf), axx, axy) + _dist(*pred(pb, vb, btf), bxx, bxy)) / sc
    swap = (_dist(*pred(pa, va, btf), bxx, bxy) + _dist(*pred(pb, vb, atf), axx, axy)) / sc

    def size(p, r):
        return np.abs(np.log(ta.h[r] / np.maximum(ta.h[p], 1e-6)))

    size_keep = size(pa, ra) + size(pb, rb)
    size_swap = size(pa, rb) + size(pb, ra)
    return keep - swap, size_keep - size_swap


def fix_features(ta, suspects: Sequence[Suspect], cfg: ScanConfig) -> np.ndarray:
    """Cues of each suspect's proposed fix, columns :data:`FIX_FEATURES`.

    ``score`` is the logit of the suspect's own score (for every kind); the others are
    filled for exchanges (op ``swap``) only: ``motion`` / ``size`` = misfit of keeping
    minus exchanging the ids (clipped to +-3 / +-1), ``sep`` = distance of the two
    tracks just before the place (box heights, clipped to 3; side by side = ambiguous),
    ``missing`` = log(1 + frames either track misses around it).
    """
    n = len(suspects)
    X = np.zeros((n, len(FIX_FEATURES)))
    if not n:
        return X
    X[:, 0] = _logit(np.array([s.score for s in suspects], np.float64))
    sw = [i for i, s in enumerate(suspects) if s.fix.get("op") == "swap" and len(ta)]
    if not sw:
        return X
    a = np.array([suspects[i].fix["a"] for i in sw], np.int64)
    b = np.array([suspects[i].fix["b"] for i in sw], np.int64)
    g = np.array([suspects[i].fix["from_frame"] for i in sw], np.int64)
    pa, pb = ta.row_before(a, g), ta.row_before(b, g)
    ra, rb = ta.row_from(a, g), ta.row_from(b, g)
    ok = (pa >= 0) & (pb >= 0) & (ra >= 0) & (rb >= 0)
    if not ok.any():
        return X
    rows = np.asarray(sw)[ok]
    pa, pb, ra, rb = pa[ok], pb[ok], ra[ok], rb[ok]
    motion, size = exchange_fit(ta, pa, pb, ra, rb, cfg.cross_window)
    sc = np.maximum(np.maximum(ta.scale(pa), ta.scale(pb)), 1.0)
    sep = np.hypot(ta.cx[pa] - ta.cx[pb], ta.cy[pa] - ta.cy[pb]) / sc
    missing = ((g[ok] - ta.frame[pa] - 1) + (ta.frame[ra] - g[ok])
               + (g[ok] - ta.frame[pb] - 1) + (ta.frame[rb] - g[ok])).astype(np.float64)
    X[rows, 1] = np.clip(motion, -3, 3)
    X[rows, 2] = np.clip(size, -1, 1)
    X[rows, 3] = np.clip(sep, 0, 3)
    X[rows, 4] = np.log1p(np.maximum(missing, 0))
    return X


def fix_group(s: Suspect) -> str:
    """The calibration group of a suspect: its kind, with jumps split into exchanges of
    two tracks (``jump_pair``) and lone splits (``jump``)."""
    if s.kind == "jump" and s.fix.get("op") == "swap":
        return "jump_pair"
    return s.kind


def calibrate_fixes(ta, suspects: list[Suspect], cfg: ScanConfig) -> list[Suspect]:
    """``suspects`` with ``fix_score`` from ``cfg.fix_weights`` (groups without weights
    keep theirs)."""
    weights = dict(cfg.fix_weights)
    idx = [i for i, s in enumerate(suspects) if fix_group(s) in weights]
    if not idx:
        return suspects
    X = fix_features(ta, [suspects[i] for i in idx], cfg)
    W = np.array([weights[fix_group(suspects[i])] for i in idx], np.float64)
    p = 1.0 / (1.0 + np.exp(-(W[:, 0] + np.sum(W[:, 1:] * X, axis=1))))
    out = list(suspects)
    for k, i in enumerate(idx):
        out[i] = replace(suspects[i], fix_score=float(p[k]))
    return out
