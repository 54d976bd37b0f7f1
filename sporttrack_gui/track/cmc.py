"""Camera-motion compensation: one global affine per frame for a panning/zooming camera.

Why: broadcast cameras follow the ball, so every player's image position jumps with the
pan even when the player stands still; the Kalman filter would read that as motion and
IoU matching would fail on fast pans. Estimating the image-to-image affine and warping
the track states before association removes it (as in BoT-SORT). Players are masked out
so that the flow of the pitch and stands, not of the moving players, is measured.

``estimate_camera_motion`` is public and stateless: the pitch-view feature chains these
affines into homographies.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from sporttrack_gui.errors import InputError

log = logging.getLogger(__name__)

METHODS = ("none", "sparse", "ecc")
_IDENTITY = np.eye(2, 3, dtype=np.float64)


def estimate_camera_motion(prev_gray: np.ndarray, gray: np.ndarray, mask: np.ndarray | None = None,
                           method: str = "sparse", downscale: int = 4) -> np.ndarray:
    """Affine (2x3) mapping pixel coordinates of ``prev_gray`` to those of ``gray``.

    ``mask`` (same size as the frames, non-zero = usable) excludes moving objects; it applies
    to ``prev_gray`` for the sparse method and to ``gray`` for ECC. Returns the identity when
    the frames have too little texture to decide (never raises on image content).
    """
    if method not in METHODS:
        raise InputError(f"cmc method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "none" or prev_gray is None or gray is None:
        return _IDENTITY.copy()
    if prev_gray.shape != gray.shape:
        return _IDENTITY.copy()  # a resolution change is a cut, not a pan
    s = max(1, int(downscale))
    small_prev, small, small_mask = _shrink(prev_gray, s), _shrink(gray, s), None
    if mask is not None:
        small_mask = (_shrink(mask.astype(np.uint8) * 255, s) > 127).astype(np.uint8) * 255
    affine = _sparse(small_prev, small, small_mask) if method == "sparse" else _ecc(small_prev, small, small_mask)
    if affine is None:
        return _IDENTITY.copy()
    affine = affine.astype(np.float64)
    affine[:, 2] *= s  # the linear part is scale-free; the translation is in small pixels
    return affine


def _shrink(img: np.ndarray, s: int) -> np.ndarray:
    if s == 1:
        return img
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, w // s), max(1, h // s)), interpolation=cv2.INTER_AREA)


def _sparse(prev: np.ndarray, cur: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
    pts = cv2.goodFeaturesToTrack(prev, maxCorners=800, qualityLevel=0.01, minDistance=3,
                                  blockSize=3, mask=mask)
    if pts is None or len(pts) < 8:
        return None
    nxt, status, _ = cv2.calcOpticalFlowPyrLK(prev, cur, pts, None, winSize=(15, 15), maxLevel=3)
    ok = status.reshape(-1) == 1
    if ok.sum() < 8:
        return None
    affine, inliers = cv2.estimateAffinePartial2D(pts[ok], nxt[ok], method=cv2.RANSAC,
                                                  ransacReprojThreshold=1.0)
    if affine is None or inliers is None or inliers.sum() < 6:
        return None
    return affine


def _ecc(prev: np.ndarray, cur: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 1e-5)
    try:
        _, warp = cv2.findTransformECC(prev.astype(np.float32), cur.astype(np.float32), warp,
                                       cv2.MOTION_AFFINE, criteria, mask, 1)
    except cv2.error as exc:  # no convergence on flat frames: keep the identity
        log.debug("ECC did not converge: %s", exc)
        return None
    return warp


def box_mask(shape: tuple[int, int], xyxy: np.ndarray) -> np.ndarray:
    """uint8 mask, 255 everywhere except inside the boxes (the moving players)."""
    h, w = shape
    mask = np.full((h, w), 255, np.uint8)
    b = np.asarray(xyxy, np.float64).reshape(-1, 4)
    b = b[np.isfinite(b).all(axis=1)]
    if len(b):
        x1 = np.clip(np.floor(b[:, 0]), 0, w).astype(int)
        y1 = np.clip(np.floor(b[:, 1]), 0, h).astype(int)
        x2 = np.clip(np.ceil(b[:, 2]), 0, w).astype(int)
        y2 = np.clip(np.ceil(b[:, 3]), 0, h).astype(int)
        for a, b_, c, d in zip(x1, y1, x2, y2, strict=True):  # a fill per box, not per pair
            mask[b_:d, a:c] = 0
    return mask


class CameraMotion:
    """Stateful per-sequence estimator: feed each frame with its detections in order."""

    def __init__(self, method: str = "sparse", downscale: int = 4):
        if method not in METHODS:
            raise InputError(f"cmc must be one of {', '.join(METHODS)}, got {method!r}")
        self.method = method
        self.downscale = max(1, int(downscale))
        self.reset()

    def reset(self) -> None:
        self._prev: np.ndarray | None = None
        self._prev_mask: np.ndarray | None = None

    def __call__(self, frame: np.ndarray | None, xyxy: np.ndarray) -> np.ndarray:
        """Affine from the previous frame given to this one (identity on the first)."""
        if self.method == "none" or frame is None or frame.size == 0:
            return _IDENTITY.copy()
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        mask = box_mask(gray.shape[:2], xyxy)
        prev, prev_mask = self._prev, self._prev_mask
        self._prev, self._prev_mask = gray, mask
        if prev is None:
            return _IDENTITY.copy()
        use_mask = prev_mask if self.method == "sparse" else mask
        return estimate_camera_motion(prev, gray, use_mask > 0, self.method, self.downscale)
