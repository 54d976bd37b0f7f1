"""Crossing suspects: two tracks come close, and afterwards they may carry each other's
identity. Every close encounter is described by a few cues and scored with a logistic
model, so the score is the chance that a real ID switch lies there.

Why a model and not one threshold: on real runs (basketball, football, degraded
detections) most exchanges happen while the two boxes overlap and the tracker's boxes
barely move across the exchange, so "the motion afterwards fits the swapped ids better"
alone finds few of them; a break of one track during the encounter, a step of a box
larger than its own pace, a change of box height and a deep overlap are each weak cues
that together separate real exchanges from clean passes. The weights live in
:class:`~sporttrack_gui.assist.suspects.ScanConfig` (fitted on the tune half of
``benchmarks/bench_assist_recall.py``, quoted on the held-out half).

All cues are whole-array passes over the episodes; only the suspects that are emitted
are looked at one by one (to pick the exchange frame).

A second, per-frame test (:func:`find_exchanges`) catches exchanges inside long
overlaps, where two players walk together for hundreds of frames and the tracker trades
their boxes in one frame (SNMOT-116, ByteTrack on its det.txt: tracks 15 and 16 at frame
171, inside a 230-frame overlap): the episode's cues are diluted by its length, but at
that frame each box is much closer to the *other* track's previous box (position and
size) than to its own.
"""

from __future__ import annotations

import numpy as np

from sporttrack_gui.assist.suspects import ScanConfig, Suspect

#: the cues, in the order of ``ScanConfig.cross_weights[1:]``
FEATURES = ("motion", "max_iou", "log_len", "break", "step", "size_step", "appearance")


def episodes(f: np.ndarray, a: np.ndarray, b: np.ndarray, iou: np.ndarray, max_gap: int = 2):
    """Group (frame, a, b, iou) overlap rows into contiguous episodes:
    (a, b, first frame, last frame, max iou)."""
    order = np.lexsort((f, b, a))
    f, a, b, iou = f[order], a[order], b[order], iou[order]
    new = np.ones(len(f), bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (f[1:] - f[:-1] > max_gap)
    s = np.flatnonzero(new)
    e = np.append(s[1:] - 1, len(f) - 1) if len(s) else s
    mx = np.maximum.reduceat(iou, s) if len(s) else np.zeros(0)
    return a[s], b[s], f[s], f[e], mx


def _range_rows(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of the inclusive ranges lo..hi laid end to end: (rows, offset of each
    non-empty range, which ranges are non-empty)."""
    ok = hi >= lo
    n = np.where(ok, hi - lo + 1, 0).astype(np.int64)
    offs = np.cumsum(n) - n
    rows = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(offs - lo, n)
    return rows, offs[ok], ok


def _row_steps(ta, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row step (centre move in box heights per frame) and height change (log ratio)
    against the previous row of the same track; 0 on a track's first row."""
    from sporttrack_gui.assist.scan import _dist

    prev = np.maximum(rows - 1, 0)
    same = (rows > 0) & (ta.track[rows] == ta.track[prev])
    dt = np.maximum(ta.frame[rows] - ta.frame[prev], 1).astype(np.float64)
    scl = np.maximum((ta.h[rows] + ta.h[prev]) / 2, ta.scale_floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(same, _dist(ta.cx[rows], ta.cy[rows], ta.cx[prev], ta.cy[prev])
                        / scl / dt, 0.0)
        hstep = np.where(same, np.abs(np.log(ta.h[rows] / np.maximum(ta.h[prev], 1e-6))), 0.0)
    return step, hstep


def _track_pace(ta) -> np.ndarray:
    """Mean step of every track (a chunk of whole tracks at a time: no per-row array
    of the whole run)."""
    from sporttrack_gui.assist.scan import JUMP_CHUNK_ROWS, _track_chunks

    pace = np.zeros(len(ta.first))
    for lo, hi in _track_chunks(ta, JUMP_CHUNK_ROWS):
        step, _ = _row_steps(ta, np.arange(lo, hi, dtype=np.int64))
        k0 = int(ta.track_index(np.array([lo]))[0])
        seg = ta.track_index(np.arange(lo, hi, dtype=np.int64)) - k0
        k1 = k0 + int(seg[-1]) + 1
        pace[k0:k1] = (np.bincount(seg, weights=step, minlength=k1 - k0)
                       / np.maximum(np.bincount(seg, minlength=k1 - k0) - 1, 1))
    return pace


def _encounter_steps(ta, lo: np.ndarray, hi: np.ndarray, pace: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Largest step above the track's pace and largest height change over rows lo..hi
    (inclusive, one track each); 0 when lo > hi."""
    rows, offs, ok = _range_rows(lo, hi)
    step_max, size_max = np.zeros(len(lo)), np.zeros(len(lo))
    if not len(rows):
        return step_max, size_max
    step, hstep = _row_steps(ta, rows)
    step -= pace[ta.track_index(rows)]
    step_max[ok] = np.maximum.reduceat(step, offs)
    size_max[ok] = np.maximum.reduceat(hstep, offs)
    return step_max, size_max


def _mean_after(ta, r: np.ndarray, e: np.ndarray):
    """Mean centre x, y and frame of rows r..e (inclusive, at least row r)."""
    e = np.maximum(e, r)
    rows, offs, _ = _range_rows(r, e)
    k = (e - r + 1).astype(np.float64)
    return tuple(np.add.reduceat(np.asarray(col[rows], np.float64), offs) / k
                 for col in (ta.cx, ta.cy, ta.frame))


def crossing_features(ta, pairs: tuple, cfg: ScanConfig, read_frame=None, embedder=None):
    """Episodes of two tracks overlapping (IoU > ``cfg.cross_iou``) that both tracks
    outlive, and their cues. Returns ``(a, b, fs, fe, X)`` with ``X`` (K, len(FEATURES)).

    Cues (box-height units): ``motion`` = misfit of the kept ids minus misfit of the
    exchanged ids (velocity before vs mean position after, plus size); ``break`` = frames
    either track is missing around the encounter (log-scaled); ``step`` / ``size_step`` =
    the largest per-frame move / height change of either track inside the encounter,
    relative to the track's usual pace; ``appearance`` = colour dissimilarity of kept minus
    exchanged (0 without pixels).
    """
    from sporttrack_gui.assist.scan import _appearance_costs, _dist

    f, a, b, iou = pairs
    if not len(f):
        z = np.zeros(0, np.int64)
        return z, z, z, z, np.zeros((0, len(FEATURES)))
    a, b, fs, fe, mx = episodes(f, a, b, iou)
    pa, pb = ta.row_before(a, fs), ta.row_before(b, fs)
    ra, rb = ta.row_from(a, fe + 1), ta.row_from(b, fe + 1)
    ok = (pa >= 0) & (pb >= 0) & (ra >= 0) & (rb >= 0)
    a, b, fs, fe, mx, pa, pb, ra, rb = (x[ok] for x in (a, b, fs, fe, mx, pa, pb, ra, rb))
    if not len(a):
        z = np.zeros(0, np.int64)
        return z, z, z, z, np.zeros((0, len(FEATURES)))
    w = cfg.cross_window
    va, vb = ta.velocity(pa, w), ta.velocity(pb, w)
    ea = np.minimum(ra + w - 1, ta.track_end(ra))
    eb = np.minimum(rb + w - 1, ta.track_end(rb))
    axx, axy, atf = _mean_after(ta, ra, ea)
    bxx, bxy, btf = _mean_after(ta, rb, eb)

    def pred(p, v, tf):
        dt = np.minimum(tf - ta.frame[p], 3 * w + (fe - fs))
        return ta.cx[p] + v[:, 0] * dt, ta.cy[p] + v[:, 1] * dt

    sc = np.maximum(np.maximum(ta.scale(pa), ta.scale(pb)), 1.0)

    def size(p, r):
        return np.abs(np.log(ta.h[r] / np.maximum(ta.h[p], 1e-6)))

    keep = (_dist(*pred(pa, va, atf), axx, axy) + _dist(*pred(pb, vb, btf), bxx, bxy)) / sc \
        + size(pa, ra) + size(pb, rb)
    swap = (_dist(*pred(pa, va, btf), bxx, bxy) + _dist(*pred(pb, vb, atf), axx, axy)) / sc \
        + size(pa, rb) + size(pb, ra)
    app = np.zeros(len(a))
    if read_frame is not None:
        app_keep, app_swap = _appearance_costs(ta, pa, pb, ra, rb, read_frame, embedder)
        app = app_keep - app_swap
    missing = ((fs - ta.frame[pa] - 1) + (ta.frame[ra] - fe - 1)
               + (fs - ta.frame[pb] - 1) + (ta.frame[rb] - fe - 1)).astype(np.float64)
    # the largest step (against the track's pace) and height change inside the encounter
    pace = _track_pace(ta)
    sa, ha = _encounter_steps(ta, pa + 1, ra, pace)
    sb, hb = _encounter_steps(ta, pb + 1, rb, pace)
    st, hs = np.maximum(sa, sb), np.maximum(ha, hb)
    X = np.column_stack([np.clip(keep - swap, -3, 3), mx, np.log1p(fe - fs + 1),
                         np.log1p(missing), np.clip(st, 0, 3), np.clip(hs, 0, 1), app])
    return a, b, fs, fe, X


def crossing_probability(X: np.ndarray, cfg: ScanConfig) -> np.ndarray:
    """Logistic score of the cues (the chance that a real switch is there)."""
    wts = np.asarray(cfg.cross_weights, np.float64)
    return 1.0 / (1.0 + np.exp(-(wts[0] + X @ wts[1:])))


def exchange_gain(ta, pairs: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For overlap rows (frame, a, b, iou) where both tracks have a box at the frame and
    at the frame before: (frame, a, b, gain) with gain = box distance (centre and size,
    L1 in box heights) of keeping minus exchanging the ids from that frame."""
    f, a, b, _ = pairs
    if not len(f):
        z = np.zeros(0, np.int64)
        return z, z, z, np.zeros(0)
    pa, pb = ta.row_before(a, f), ta.row_before(b, f)
    ra, rb = ta.row_from(a, f), ta.row_from(b, f)
    ok = (pa >= 0) & (pb >= 0) & (ra >= 0) & (rb >= 0)
    ok[ok] &= ((ta.frame[pa[ok]] == f[ok] - 1) & (ta.frame[pb[ok]] == f[ok] - 1)
               & (ta.frame[ra[ok]] == f[ok]) & (ta.frame[rb[ok]] == f[ok]))
    f, a, b, pa, pb, ra, rb = (x[ok] for x in (f, a, b, pa, pb, ra, rb))

    def d(x, y):
        s = np.maximum((ta.h[x] + ta.h[y]) / 2, ta.scale_floor)
        return (np.abs(ta.cx[x] - ta.cx[y]) + np.abs(ta.cy[x] - ta.cy[y])
                + np.abs(ta.w[x] - ta.w[y]) + np.abs(ta.h[x] - ta.h[y])) / s

    return f, a, b, (d(pa, ra) + d(pb, rb)) - (d(pa, rb) + d(pb, ra))


def find_exchanges(ta, pairs: tuple, cfg: ScanConfig) -> list[Suspect]:
    """Two overlapping tracks whose boxes trade places in one frame (gain >=
    ``cfg.exchange_gain``): a crossing suspect with the swap from that frame, scored by a
    logistic of the gain (``cfg.exchange_weights``, fitted on the tune half). The fix is
    left to a person (half the score): without pixels one frame is thin evidence."""
    f, a, b, g = exchange_gain(ta, pairs)
    keep = g >= cfg.exchange_gain
    out = []
    w0, w1 = cfg.exchange_weights
    for q in np.flatnonzero(keep):
        ia, ib, fr = int(a[q]), int(b[q]), int(f[q])
        p = float(1.0 / (1.0 + np.exp(-(w0 + w1 * g[q]))))
        out.append(Suspect(
            "crossing", fr, (ia, ib), p,
            f"tracks {ia} and {ib} overlap and their boxes trade places at frame {fr} "
            f"(each is {g[q]:.2f} box heights closer to the other's previous box)",
            {"op": "swap", "a": ia, "b": ib, "from_frame": fr}, p * 0.5))
    return out


def find_crossings(ta, pairs: tuple, cfg: ScanConfig, read_frame=None,
                   embedder=None) -> list[Suspect]:
    """Crossing suspects with score >= ``cfg.cross_min_score``; the fix exchanges the ids
    from the most plausible frame, and its own confidence (``fix_score``) is high only
    when the motion (and colour) after the encounter fits the exchanged ids better."""
    from sporttrack_gui.assist.scan import _switch_frame

    a, b, fs, fe, X = crossing_features(ta, pairs, cfg, read_frame, embedder)
    p = crossing_probability(X, cfg)
    motion = X[:, 0] + cfg.appearance_weight * X[:, 6]
    fix_ok = motion > cfg.cross_fix_margin
    cue = "motion" if read_frame is None else "motion and colour"
    out = []
    for q in np.flatnonzero(p >= cfg.cross_min_score):
        ia, ib = int(a[q]), int(b[q])
        g = _switch_frame(ta, ia, ib, int(fs[q]), int(fe[q]))
        why = (f"their {cue} after fits the exchanged ids better" if fix_ok[q]
               else f"their {cue} after does not tell which way")
        fix_score = float(p[q]) if fix_ok[q] else float(p[q]) * 0.5
        out.append(Suspect(
            "crossing", g, (ia, ib), float(p[q]),
            f"tracks {ia} and {ib} cross (IoU up to {X[q, 1]:.2f}) in frames "
            f"{int(fs[q])}-{int(fe[q])}; {why}",
            {"op": "swap", "a": ia, "b": ib, "from_frame": g}, fix_score))
    # exchanges inside an overlap that no episode suspect of the pair already points at
    near = {(s.tracks, s.fix["from_frame"] + k) for s in out for k in range(-3, 4)}
    out += [s for s in find_exchanges(ta, pairs, cfg)
            if (s.tracks, s.fix["from_frame"]) not in near]
    return out
