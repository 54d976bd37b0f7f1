"""Trails of past foot points that stay on the ground when the camera pans.

Why: a trail kept in image pixels is where a player's feet were *on the screen*; when
the camera pans, every past point slides with the view and the trail draws a curve the
player never ran. Where the image->ground mapping of every frame is known (a pitch
calibration chained through camera motion, or just the chained camera motion, which
stabilises to the first frame), the history is kept in that ground frame and projected
into the current frame when drawn, so a standing player has no trail and a runner's
trail lies on the grass he crossed. Without such a mapping the trail stays in image
coordinates, and :attr:`Trails.space` says so (the export reports it).
"""

from __future__ import annotations

import numpy as np

IMAGE, PITCH = "image", "pitch"


def _apply(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    hom = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ h.T
    with np.errstate(divide="ignore", invalid="ignore"):
        out = hom[:, :2] / hom[:, 2:3]
    out[~np.isfinite(out).all(axis=1)] = np.nan
    return out


class Trails:
    """The last ``length`` foot points of each track, in the ground frame when known.

    ``world``: (T, 3, 3) image->ground homographies, ``world[k]`` for frame ``k + 1``
    (``pitch.analysis.PitchAnalysis.homographies``), or a single 3x3 for a fixed camera,
    or ``None`` (image coordinates). Frames past the stack have no mapping: their
    points are left out (never mixed with points of another coordinate frame).
    """

    def __init__(self, length: int, world: np.ndarray | None = None) -> None:
        self.length = int(length)
        w = None if world is None else np.asarray(world, np.float64)
        self.world = w[None] if w is not None and w.ndim == 2 else w
        self.space = IMAGE if self.world is None else PITCH
        self._history: dict[int, list[np.ndarray]] = {}

    def _h(self, frame: int) -> np.ndarray | None:
        if self.world is None:
            return None
        if len(self.world) == 1:
            return self.world[0]
        return self.world[frame - 1] if 1 <= frame <= len(self.world) else None

    def update(self, frame: int, track_ids: np.ndarray, feet: np.ndarray) -> dict[int, np.ndarray]:
        """Add ``frame``'s foot points (image pixels) and return, per track seen in it,
        its trail in ``frame``'s image pixels (oldest first)."""
        ids = [int(t) for t in np.asarray(track_ids).reshape(-1)]
        feet = np.asarray(feet, np.float64).reshape(-1, 2)
        if self.length <= 0 or not ids:
            return {}
        h = self._h(frame)
        if self.world is not None and h is None:
            return {}
        ground = feet if h is None else _apply(h, feet)
        for t, p in zip(ids, ground, strict=True):
            pts = self._history.setdefault(t, [])
            pts.append(p)
            del pts[:-self.length]
        trails = {t: np.asarray(self._history[t]) for t in dict.fromkeys(ids)}
        if h is None:
            return trails
        # one batched projection of every shown point back into this frame
        counts = [len(p) for p in trails.values()]
        flat = _apply(np.linalg.inv(h), np.concatenate(list(trails.values())))
        parts = np.split(flat, np.cumsum(counts)[:-1])
        return dict(zip(trails, parts, strict=True))
