"""Homography helpers: fit image<->pitch mappings and apply them to points."""

from __future__ import annotations

import numpy as np


def apply_homography(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through a 3x3 homography."""
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    hom = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ np.asarray(h, np.float64).T
    with np.errstate(divide="ignore", invalid="ignore"):
        return hom[:, :2] / hom[:, 2:3]


def affine_to_homography(a: np.ndarray) -> np.ndarray:
    """2x3 affine as a 3x3 homography (for chaining camera motion with a calibration)."""
    h = np.eye(3)
    h[:2, :] = np.asarray(a, np.float64).reshape(2, 3)
    return h
