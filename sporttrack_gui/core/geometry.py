"""Homographies between the image and the pitch, and chaining them through camera motion.

A calibration is fitted once (4+ clicked point pairs, RANSAC) on one frame; a panning
broadcast camera then moves the image under it, so for frame t the image->pitch mapping
is ``H_0 @ inv(M_t)`` where ``M_t`` is the accumulated image motion from the calibrated
frame to frame t (the per-frame 2x3 affines the camera-motion estimator produces).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.errors import InputError


def apply_homography(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through a 3x3 homography (points at infinity become NaN)."""
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    hom = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ np.asarray(h, np.float64).T
    with np.errstate(divide="ignore", invalid="ignore"):
        out = hom[:, :2] / hom[:, 2:3]
    out[~np.isfinite(out).all(axis=1)] = np.nan
    return out


def affine_to_homography(a: np.ndarray) -> np.ndarray:
    """2x3 affine as a 3x3 matrix, so camera motion chains with a calibration."""
    h = np.eye(3)
    h[:2, :] = np.asarray(a, np.float64).reshape(2, 3)
    return h


@dataclass
class HomographyFit:
    """Result of a calibration: the mapping both ways and how well it explains the clicks."""

    image_to_pitch: np.ndarray
    pitch_to_image: np.ndarray
    inliers: np.ndarray  # bool per point pair
    reprojection_error_px: np.ndarray  # per pair, pitch point projected into the image
    pitch_error_m: np.ndarray  # per pair, image point projected onto the pitch

    @property
    def rms_px(self) -> float:
        e = self.reprojection_error_px[self.inliers]
        return float(np.sqrt(np.mean(e**2))) if len(e) else float("nan")

    @property
    def rms_m(self) -> float:
        e = self.pitch_error_m[self.inliers]
        return float(np.sqrt(np.mean(e**2))) if len(e) else float("nan")


def _degenerate(pts: np.ndarray, rel_tol: float = 1e-3) -> bool:
    """True when every point, or every point but one, lies on one line.

    Then every 4-subset has 3 collinear points and no unique homography exists, although
    RANSAC would still return one (fitted to noise).
    """
    n = len(pts)
    scale = max(float(np.ptp(pts, axis=0).max()), 1e-12)
    i, j = np.triu_indices(n, 1)
    d = pts[j] - pts[i]  # one candidate line per pair (n <= a few dozen clicks)
    norm = np.linalg.norm(d, axis=1)
    usable = norm > rel_tol * scale
    if not usable.any():
        return True
    d, base = d[usable] / norm[usable, None], pts[i[usable]]
    rel = pts[None, :, :] - base[:, None, :]
    dist = np.abs(rel[..., 0] * d[:, None, 1] - rel[..., 1] * d[:, None, 0])
    on_line = (dist <= rel_tol * scale * 10).sum(axis=1)
    return bool(on_line.max() >= n - 1)


def fit_homography(image_pts, pitch_pts, *, ransac_px: float = 8.0) -> HomographyFit:
    """Fit image->pitch from point pairs; RANSAC when there are more than four.

    Raises InputError when the points cannot define a homography (fewer than four,
    collinear, or duplicated), because a silently degenerate calibration would put
    every player in the wrong place.
    """
    import cv2

    img = np.asarray(image_pts, np.float64).reshape(-1, 2)
    pit = np.asarray(pitch_pts, np.float64).reshape(-1, 2)
    if len(img) != len(pit):
        raise InputError(f"calibration needs pairs: {len(img)} image points, {len(pit)} pitch points")
    if len(img) < 4:
        raise InputError(f"calibration needs at least 4 point pairs, got {len(img)}")
    if not (np.isfinite(img).all() and np.isfinite(pit).all()):
        raise InputError("calibration points must be finite numbers")
    for name, pts in (("image", img), ("pitch", pit)):
        if _degenerate(pts):
            raise InputError(f"calibration {name} points are (nearly) collinear: a homography needs "
                             "4 points with no 3 on one line; add points off the line you clicked")
    # fit pitch->image (pixels) so the RANSAC threshold is in pixels, then invert
    method = cv2.RANSAC if len(img) > 4 else 0
    p2i, mask = cv2.findHomography(pit, img, method, ransac_px)
    if p2i is None or not np.isfinite(p2i).all() or abs(np.linalg.det(p2i)) < 1e-12:
        raise InputError("calibration points do not define a homography")
    i2p = np.linalg.inv(p2i)
    i2p /= i2p[2, 2]
    inliers = np.ones(len(img), bool) if mask is None else mask.ravel().astype(bool)
    err_px = np.linalg.norm(apply_homography(p2i, pit) - img, axis=1)
    err_m = np.linalg.norm(apply_homography(i2p, img) - pit, axis=1)
    return HomographyFit(i2p, p2i, inliers, err_px, err_m)


def accumulate_affines(affines: np.ndarray) -> np.ndarray:
    """Per-frame motion ``A_t`` (frame t-1 -> t, (T, 2, 3)) to cumulative ``M_t`` (frame 0 -> t).

    ``affines[0]`` is ignored (identity for the first frame).
    """
    a = np.asarray(affines, np.float64).reshape(-1, 2, 3)
    out = np.empty((len(a), 3, 3))
    cur = np.eye(3)
    for t in range(len(a)):  # a T-long recurrence over 3x3 matrices, not over boxes
        if t > 0:
            cur = affine_to_homography(a[t]) @ cur
        out[t] = cur
    return out


def chain_homographies(h_ref: np.ndarray, affines: np.ndarray, ref_index: int = 0) -> np.ndarray:
    """Image->pitch homography for every frame from one calibration at ``ref_index``."""
    cum = accumulate_affines(affines)  # M_t: frame-0 image -> frame-t image
    # a point seen in frame t sits at M_ref @ inv(M_t) @ p in the calibrated frame
    to_ref = cum[ref_index][None] @ np.linalg.inv(cum)
    return np.asarray(h_ref, np.float64)[None] @ to_ref
