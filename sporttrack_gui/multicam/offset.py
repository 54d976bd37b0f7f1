"""Frame offsets between cameras estimated from the motion of the players on the pitch.

Why this works: at the right offset the players' pitch positions seen by two cameras
coincide frame after frame while everyone moves; at a wrong offset they coincide only
for players standing still. The score of a candidate offset is the mean over one camera's
foot points of ``1 - d / radius_m`` (0 beyond), ``d`` the distance to the nearest point
of the reference camera in the corresponding frame (soft, so neighbouring offsets of a
slow scene still rank), over a sample of frames; the best offset wins. Vectorised over
(sampled frames x points x points) for each candidate.
"""

from __future__ import annotations

import numpy as np


def _padded(frame: np.ndarray, xy: np.ndarray, n_frames: int) -> np.ndarray:
    """(n_frames, max points, 2) with NaN padding; frame is 1-based."""
    frame = np.asarray(frame, np.int64)
    ok = (frame >= 1) & (frame <= n_frames) & np.isfinite(xy).all(axis=1)
    frame, xy = frame[ok], xy[ok]
    order = np.argsort(frame, kind="stable")
    frame, xy = frame[order], xy[order]
    counts = np.bincount(frame - 1, minlength=n_frames)
    width = max(1, int(counts.max(initial=0)))
    out = np.full((n_frames, width, 2), np.nan)
    slot = np.arange(len(frame)) - np.repeat(np.cumsum(counts) - counts, counts)
    out[frame - 1, slot] = xy
    return out


def offset_scores(ref: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray],
                  candidates: np.ndarray, *, radius_m: float = 1.0, samples: int = 300,
                  seed: int = 0) -> np.ndarray:
    """Score of each candidate relative offset ``d`` (other frame f <-> ref frame f + d).

    ``ref`` / ``other``: (1-based camera frames, pitch xy) of every box of one camera.
    """
    n_ref = int(np.max(ref[0], initial=0))
    n_oth = int(np.max(other[0], initial=0))
    if n_ref == 0 or n_oth == 0:
        return np.zeros(len(candidates))
    pr = _padded(ref[0], ref[1], n_ref)
    po = _padded(other[0], other[1], n_oth)
    rng = np.random.default_rng(seed)
    frames = np.arange(n_oth)
    if len(frames) > samples:
        frames = np.sort(rng.choice(frames, samples, replace=False))
    scores = np.zeros(len(candidates))
    a = po[frames]                                              # (F, Na, 2)
    for i, d in enumerate(np.asarray(candidates, np.int64).tolist()):
        rf = frames + d
        ok = (rf >= 0) & (rf < n_ref)
        if ok.sum() < 5:
            continue
        b = pr[rf[ok]]                                          # (F, Nb, 2)
        diff = a[ok][:, :, None, :] - b[:, None, :, :]
        dist = np.sqrt(np.nansum(diff ** 2, axis=-1))
        dist[np.isnan(diff).any(axis=-1)] = np.inf
        near = np.clip(1.0 - dist.min(axis=2) / radius_m, 0.0, 1.0)  # (F, Na), soft
        valid = np.isfinite(a[ok][..., 0]) & np.isfinite(b[:, :1, 0]).any(axis=1)[:, None]
        scores[i] = near[valid].mean() if valid.any() else 0.0
    return scores


def estimate_offsets(points: list[tuple[np.ndarray, np.ndarray]], known: list[int | None], *,
                     max_shift: int = 125, radius_m: float = 1.0) -> tuple[list[int], list[float]]:
    """Offsets for the cameras whose ``known`` entry is None, relative to a known one.

    The reference is the first camera with a known offset (camera 0 with offset 0 when
    none is known). Returns the full offset list and, per camera, the winning score
    (1.0 for given offsets): a low score means the cameras hardly overlap.
    """
    ref = next((i for i, k in enumerate(known) if k is not None), 0)
    ref_off = known[ref] if known[ref] is not None else 0
    offsets: list[int] = []
    conf: list[float] = []
    cand = np.arange(-max_shift, max_shift + 1)
    for i, k in enumerate(known):
        if i == ref:
            offsets.append(int(ref_off))
            conf.append(1.0)
        elif k is not None:
            offsets.append(int(k))
            conf.append(1.0)
        else:
            s = offset_scores(points[ref], points[i], cand, radius_m=radius_m)
            best = int(np.argmax(s))
            # other frame f <-> ref frame f + d: global = f + d + ref_off  => offset = d + ref_off
            offsets.append(int(cand[best]) + int(ref_off))
            conf.append(float(s[best]))
    return offsets, conf
