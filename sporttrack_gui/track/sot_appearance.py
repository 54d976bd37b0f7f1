"""Appearance check of a tracked box against the target's templates, and template search.

Why: OpenCV's CSRT/KCF/MIL report no usable confidence (``getTrackingScore`` is -1), so
a drifting tracker looks exactly like a working one. Comparing the current crop with the
template from the first frame (and a slowly-updated copy that follows gradual change of
pose and light) gives a per-frame score in [0, 1] that drops when the box sits on an
occluder or on background. Two cues are combined because each fails alone: normalised
cross-correlation is discriminative but punishes deformation (a running player's limbs),
the HSV histogram is deformation-proof but blind to similar colours nearby.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Xywh = tuple[float, float, float, float]

#: longer side of the canonical template, pixels: big enough to keep texture, small enough
#: that a crop comparison costs ~0.1 ms
TEMPLATE_SIDE = 40
HIST_BINS = (12, 4, 4)
HIST_RANGES = [0, 180, 0, 256, 0, 256]


@dataclass
class SearchHit:
    """A location where the template matched: box in frame pixels and its correlation."""

    xywh: Xywh
    ncc: float


def _canonical_size(w: float, h: float) -> tuple[int, int]:
    s = TEMPLATE_SIDE / max(w, h, 1e-6)
    return max(8, int(round(w * s))), max(8, int(round(h * s)))


def crop(frame: np.ndarray, xywh: Xywh, size: tuple[int, int]) -> np.ndarray | None:
    """The box's pixels resized to ``size`` (w, h); parts outside the frame are replicated
    from the border. ``None`` when the box does not overlap the frame at all."""
    fh, fw = frame.shape[:2]
    x, y, w, h = xywh
    x0, y0 = int(np.floor(x)), int(np.floor(y))
    x1, y1 = int(np.ceil(x + w)), int(np.ceil(y + h))
    if x1 <= 0 or y1 <= 0 or x0 >= fw or y0 >= fh or x1 - x0 < 1 or y1 - y0 < 1:
        return None
    inner = frame[max(0, y0):min(fh, y1), max(0, x0):min(fw, x1)]
    pad = (max(0, -y0), max(0, y1 - fh), max(0, -x0), max(0, x1 - fw))
    if any(pad):
        inner = cv2.copyMakeBorder(inner, *pad, cv2.BORDER_REPLICATE)
    return cv2.resize(inner, size, interpolation=cv2.INTER_AREA)


def _gray(patch: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY) if patch.ndim == 3 else patch
    return g.astype(np.float32)


def _hist(patch: np.ndarray) -> np.ndarray:
    bgr = patch if patch.ndim == 3 else cv2.cvtColor(patch, cv2.COLOR_GRAY2BGR)
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h = cv2.calcHist([hsv], [0, 1, 2], None, list(HIST_BINS), HIST_RANGES)
    return cv2.normalize(h, None, 1.0, 0.0, cv2.NORM_L1).astype(np.float32)


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Zero-mean normalised correlation of two equal-sized float patches (0 if flat)."""
    a = a - a.mean()
    b = b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 1e-6 else 0.0


class AppearanceModel:
    """Initial template (fixed) + slow template (learnt), compared by NCC and histogram.

    ``similarity`` takes the better of the two templates so gradual change does not read as
    loss; ``similarity_initial`` is used for re-acquisition, where the slow template could
    have absorbed part of an occluder.
    """

    def __init__(self, frame: np.ndarray, xywh: Xywh, ncc_weight: float = 0.4,
                 learn_rate: float = 0.03):
        self.size = _canonical_size(xywh[2], xywh[3])
        patch = crop(frame, xywh, self.size)
        if patch is None:
            raise ValueError(f"box {xywh} does not overlap the frame")
        self.ncc_weight = float(ncc_weight)
        self.learn_rate = float(learn_rate)
        self.init_gray = _gray(patch)
        self.init_hist = _hist(patch)
        self.slow_gray = self.init_gray.copy()
        self.slow_hist = self.init_hist.copy()

    def _combine(self, ncc: float, hist_sim: float) -> float:
        return self.ncc_weight * max(ncc, 0.0) + (1.0 - self.ncc_weight) * hist_sim

    def _parts(self, frame: np.ndarray, xywh: Xywh) -> tuple[np.ndarray, np.ndarray] | None:
        patch = crop(frame, xywh, self.size)
        if patch is None:
            return None
        return _gray(patch), _hist(patch)

    @staticmethod
    def _hist_sim(a: np.ndarray, b: np.ndarray) -> float:
        return 1.0 - float(cv2.compareHist(a, b, cv2.HISTCMP_BHATTACHARYYA))

    def similarity(self, frame: np.ndarray, xywh: Xywh) -> float:
        parts = self._parts(frame, xywh)
        if parts is None:
            return 0.0
        g, h = parts
        s_init = self._combine(_ncc(g, self.init_gray), self._hist_sim(h, self.init_hist))
        s_slow = self._combine(_ncc(g, self.slow_gray), self._hist_sim(h, self.slow_hist))
        return max(s_init, s_slow)

    def similarity_initial(self, frame: np.ndarray, xywh: Xywh) -> float:
        parts = self._parts(frame, xywh)
        if parts is None:
            return 0.0
        g, h = parts
        return self._combine(_ncc(g, self.init_gray), self._hist_sim(h, self.init_hist))

    def learn(self, frame: np.ndarray, xywh: Xywh, min_initial: float = 0.0) -> bool:
        """Blend the current crop into the slow template; skipped (False) when the crop does
        not resemble the *initial* template by ``min_initial``, so a tracker drifting onto
        background cannot teach the slow template the background and then vouch for it."""
        parts = self._parts(frame, xywh)
        if parts is None:
            return False
        g, h = parts
        if min_initial > 0:
            s_init = self._combine(_ncc(g, self.init_gray), self._hist_sim(h, self.init_hist))
            if s_init < min_initial:
                return False
        a = self.learn_rate
        self.slow_gray = (1 - a) * self.slow_gray + a * g
        self.slow_hist = (1 - a) * self.slow_hist + a * h
        return True

    def search(self, frame: np.ndarray, centre: tuple[float, float], wh: tuple[float, float],
               radius: float, scales: tuple[float, ...] = (0.85, 1.0, 1.18),
               per_scale: int = 3) -> list[SearchHit]:
        """Slide the initial template over a window of half-size ``radius`` + box around
        ``centre`` at a few box scales; return the best few peaks per scale.

        The window is resampled so the box has the template's canonical size, so the cost
        depends on ``radius / box size``, not on the frame's resolution.
        """
        fh, fw = frame.shape[:2]
        hits: list[SearchHit] = []
        tw, th = self.size
        smax = max(scales)
        # grey only the largest window (not the whole 1080p frame), then sub-window per scale
        ox0 = int(max(0, np.floor(centre[0] - wh[0] * smax / 2 - radius)))
        oy0 = int(max(0, np.floor(centre[1] - wh[1] * smax / 2 - radius)))
        ox1 = int(min(fw, np.ceil(centre[0] + wh[0] * smax / 2 + radius)))
        oy1 = int(min(fh, np.ceil(centre[1] + wh[1] * smax / 2 + radius)))
        if ox1 - ox0 < 2 or oy1 - oy0 < 2:
            return hits
        outer = frame[oy0:oy1, ox0:ox1]
        gray = outer if outer.ndim == 2 else cv2.cvtColor(outer, cv2.COLOR_BGR2GRAY)
        for s in scales:
            bw, bh = wh[0] * s, wh[1] * s
            x0 = int(max(ox0, np.floor(centre[0] - bw / 2 - radius)))
            y0 = int(max(oy0, np.floor(centre[1] - bh / 2 - radius)))
            x1 = int(min(ox1, np.ceil(centre[0] + bw / 2 + radius)))
            y1 = int(min(oy1, np.ceil(centre[1] + bh / 2 + radius)))
            kx, ky = tw / bw, th / bh
            ww, wh_ = int(round((x1 - x0) * kx)), int(round((y1 - y0) * ky))
            if ww < tw or wh_ < th:
                continue
            window = cv2.resize(gray[y0 - oy0:y1 - oy0, x0 - ox0:x1 - ox0], (ww, wh_),
                                interpolation=cv2.INTER_AREA)
            resp = cv2.matchTemplate(window.astype(np.float32), self.init_gray,
                                     cv2.TM_CCOEFF_NORMED)
            sx, sy = (x1 - x0) / ww, (y1 - y0) / wh_  # exact resize factors (rounding)
            for px, py, val in _peaks(resp, per_scale, min(tw, th) // 2):
                hits.append(SearchHit((x0 + px * sx, y0 + py * sy, bw, bh), val))
        return hits


def _peaks(resp: np.ndarray, k: int, suppress: int) -> list[tuple[int, int, float]]:
    """Up to ``k`` local maxima of a response map, each ``suppress`` pixels apart."""
    resp = np.nan_to_num(resp.copy(), nan=-1.0)
    out = []
    for _ in range(k):
        _, val, _, (px, py) = cv2.minMaxLoc(resp)
        if val <= 0:
            break
        out.append((px, py, float(val)))
        resp[max(0, py - suppress):py + suppress + 1, max(0, px - suppress):px + suppress + 1] = -1
    return out
