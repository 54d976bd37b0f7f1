"""A synthetic detector: ground-truth boxes degraded the way a real sports detector fails.

Why: the shared sequences come with ground truth only (or gt boxes without ids), which
every tracker follows perfectly. Tuning and comparing trackers needs detections that fail
like a detector does on a pitch, reproducibly (seeded) and at several difficulty levels:

* **misses** rise with occlusion (the part of a box hidden by players standing in front,
  i.e. whose box bottom is lower in the image) and with small size (far players, the ball);
* **bursts**: a player is sometimes lost for several consecutive frames (motion blur,
  a pile-up), which is what breaks identities;
* **box noise** proportional to the box size, larger when occluded;
* **scores** follow visibility and size (occluded/small boxes score low, which is what
  ByteTrack-style low-score rounds exploit), plus noise;
* **false positives near players**: part-of-body boxes and ghost boxes beside a player
  (the typical confusions), plus a little clutter anywhere.

Deterministic for a given (level, seed); columnar except a loop over frames for the
pairwise occlusion of each frame's few boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.errors import InputError


@dataclass(frozen=True)
class DegradeLevel:
    """How badly the synthetic detector behaves (probabilities per box and frame)."""

    miss: float          # base miss probability
    miss_occluded: float  # extra miss probability at full occlusion (scales linearly)
    miss_small: float    # extra miss probability for the smallest boxes (below half the median height)
    burst_start: float   # per track and frame: probability that a burst of misses starts
    burst_len: float     # mean burst length in frames (geometric)
    jitter: float        # box noise: std as a fraction of the box width/height
    score_noise: float   # std of the score noise
    fp_near: float       # mean false positives per frame next to / on players
    fp_clutter: float    # mean false positives per frame anywhere in the image


LEVELS: dict[str, DegradeLevel] = {
    "moderate": DegradeLevel(miss=0.04, miss_occluded=0.45, miss_small=0.15, burst_start=0.006,
                             burst_len=6, jitter=0.04, score_noise=0.08, fp_near=0.8,
                             fp_clutter=0.3),
    "hard": DegradeLevel(miss=0.08, miss_occluded=0.7, miss_small=0.3, burst_start=0.015,
                         burst_len=12, jitter=0.08, score_noise=0.12, fp_near=2.0,
                         fp_clutter=0.8),
}


def load_gt(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame, id, xywh) of the considered boxes of a MOT gt file (``,`` or ``, `` separated).

    Rows whose ``conf`` column (7th) is 0 are not to be considered (MOT convention).
    """
    try:
        a = np.loadtxt(path, delimiter=",", ndmin=2, usecols=range(7))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read MOT ground truth: {exc}", str(path)) from None
    a = a[a[:, 6] != 0]
    return a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2:6].astype(np.float32)


def occlusion(frame: np.ndarray, xywh: np.ndarray) -> np.ndarray:
    """Per box, the largest fraction of it covered by one box standing in front of it."""
    order = np.argsort(frame, kind="stable")
    f, b = frame[order], xywh[order].astype(np.float64)
    xyxy = np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)
    out = np.zeros(len(f))
    bounds = np.flatnonzero(np.diff(f)) + 1
    for a, z in zip(np.r_[0, bounds], np.r_[bounds, len(f)], strict=True):
        if z - a < 2:
            continue
        bx = xyxy[a:z]
        iw = np.clip(np.minimum(bx[:, None, 2], bx[None, :, 2])
                     - np.maximum(bx[:, None, 0], bx[None, :, 0]), 0, None)
        ih = np.clip(np.minimum(bx[:, None, 3], bx[None, :, 3])
                     - np.maximum(bx[:, None, 1], bx[None, :, 1]), 0, None)
        area = np.maximum((bx[:, 2] - bx[:, 0]) * (bx[:, 3] - bx[:, 1]), 1e-6)
        cover = iw * ih / area[:, None]  # (i, j): part of i covered by j
        in_front = bx[None, :, 3] > bx[:, None, 3]  # j's feet lower in the image: j is nearer
        cover = np.where(in_front, cover, 0.0)
        out[order[a:z]] = cover.max(axis=1)
    return np.clip(out, 0.0, 1.0)


def _bursts(frame: np.ndarray, track_id: np.ndarray, level: DegradeLevel,
            rng: np.random.Generator) -> np.ndarray:
    """Per box, whether it falls in a burst of misses of its track."""
    out = np.zeros(len(frame), bool)
    order = np.lexsort((frame, track_id))
    tid, f = track_id[order], frame[order]
    starts = rng.random(len(f)) < level.burst_start
    lengths = rng.geometric(1.0 / max(level.burst_len, 1.0), len(f))
    # a burst covers [f, f + len) of the same track: mark via the end frame reached so far
    end = np.where(starts, f + lengths, 0)
    cuts = np.flatnonzero(np.diff(tid)) + 1
    for a, z in zip(np.r_[0, cuts], np.r_[cuts, len(f)], strict=True):
        reach = np.maximum.accumulate(end[a:z])
        out[order[a:z]] = f[a:z] < reach
    return out


def degrade(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray, n_frames: int,
            width: int, height: int, level: str | DegradeLevel = "moderate", seed: int = 0
            ) -> list[Detections]:
    """Per-frame ``Detections`` (index 0 = frame 1) from ground truth; see the module doc."""
    lv = LEVELS[level] if isinstance(level, str) else level
    rng = np.random.default_rng(seed)
    frame = np.asarray(frame, np.int64)
    track_id = np.asarray(track_id, np.int64)
    xywh = np.asarray(xywh, np.float64)
    n = len(frame)
    occ = occlusion(frame, xywh)
    med_h = float(np.median(xywh[:, 3])) if n else 1.0
    small = np.clip(1.0 - xywh[:, 3] / (0.5 * med_h), 0.0, 1.0)  # 0 above half the median
    p_miss = lv.miss + lv.miss_occluded * occ + lv.miss_small * small
    keep = (rng.random(n) >= p_miss) & ~_bursts(frame, track_id, lv, rng)

    size = np.repeat(xywh[:, 2:4], 2, axis=1)
    noisy = xywh + rng.normal(0, 1, (n, 4)) * lv.jitter * (1 + occ)[:, None] * size
    noisy[:, 2:] = np.maximum(noisy[:, 2:], 2.0)
    size_factor = np.clip(xywh[:, 3] / med_h, 0.4, 1.0)
    score = 0.25 + 0.7 * (1 - occ) * size_factor + rng.normal(0, lv.score_noise, n)

    # false positives beside players and on parts of them, then clutter
    n_near = rng.poisson(lv.fp_near, n_frames)
    by_frame = np.searchsorted(np.sort(frame), np.arange(1, n_frames + 2))
    sorted_idx = np.argsort(frame, kind="stable")
    fp_f, fp_b = [], []
    for f in np.flatnonzero(n_near):
        a, z = by_frame[f], by_frame[f + 1]
        if z <= a:
            continue
        src = xywh[sorted_idx[rng.integers(a, z, n_near[f])]]
        part = rng.random(len(src)) < 0.5
        w, h = src[:, 2], src[:, 3]
        side = rng.choice([-1.0, 1.0], len(src)) * rng.uniform(0.4, 1.0, len(src))
        ghost = np.column_stack([src[:, 0] + side * w, src[:, 1] + rng.normal(0, 0.1, len(src)) * h,
                                 w * rng.uniform(0.8, 1.2, len(src)),
                                 h * rng.uniform(0.8, 1.2, len(src))])
        frac = rng.uniform(0.4, 0.7, len(src))  # upper body / legs of the player
        top = rng.random(len(src)) < 0.5
        body = np.column_stack([src[:, 0], src[:, 1] + np.where(top, 0, (1 - frac) * h),
                                w, frac * h])
        fp_b.append(np.where(part[:, None], body, ghost))
        fp_f.append(np.full(len(src), f + 1))
    n_cl = rng.poisson(lv.fp_clutter, n_frames)
    cl_f = np.repeat(np.arange(1, n_frames + 1), n_cl)
    ref = xywh[rng.integers(0, max(n, 1), len(cl_f))] if n else np.full((len(cl_f), 4), 40.0)
    clutter = np.column_stack([rng.uniform(0, 1, (len(cl_f), 2)) * [width, height], ref[:, 2:]])
    fp_f.append(cl_f)
    fp_b.append(clutter)
    fp_frame = np.concatenate(fp_f).astype(np.int64)
    fp_box = np.concatenate(fp_b).reshape(-1, 4)
    fp_score = rng.uniform(0.1, 0.45, len(fp_frame)) + rng.uniform(0, 0.3, len(fp_frame)) ** 2

    all_frame = np.concatenate([frame[keep], fp_frame])
    all_box = np.concatenate([noisy[keep], fp_box]).astype(np.float32)
    all_score = np.clip(np.concatenate([score[keep], fp_score]), 0.05, 0.99).astype(np.float32)
    order = np.argsort(all_frame, kind="stable")
    all_frame, all_box, all_score = all_frame[order], all_box[order], all_score[order]
    bounds = np.searchsorted(all_frame, np.arange(1, n_frames + 2))
    return [Detections.from_xywh(all_box[a:b], all_score[a:b])
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
