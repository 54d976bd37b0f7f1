"""Trajectory heatmaps: where a tracked target (or everyone) spent its time on screen.

Why here and not in the GUI: the density is plain numpy (binning + Gaussian smoothing), so
it is tested headless and reused by the CLI; the GUI only colours the array. Foot points
(bottom-centre) are the default because for players that is where they stand on the
pitch; centres suit the ball.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import cv2
import numpy as np

from sporttrack_gui.errors import InputError


def _stack_boxes(xywh: np.ndarray | Iterable[np.ndarray]) -> np.ndarray:
    """One (N, 4) array from a single track (N, 4), stacked tracks (T, K, 4) or a list of
    per-track arrays; NaN rows (lost frames) are dropped."""
    arrays = [xywh] if isinstance(xywh, np.ndarray) else list(xywh)
    parts = []
    for a in arrays:
        a = np.asarray(a, np.float64)
        if a.size == 0:
            continue
        if a.shape[-1] != 4:
            raise InputError(f"heatmap boxes must be x,y,w,h rows, got shape {a.shape}")
        parts.append(a.reshape(-1, 4))
    if not parts:
        return np.zeros((0, 4))
    boxes = np.concatenate(parts)
    return boxes[np.isfinite(boxes).all(axis=1)]


def trajectory_heatmap(xywh: np.ndarray | Iterable[np.ndarray], frame_size: tuple[int, int],
                       cell: int = 8, sigma: float = 2.0,
                       point: Literal["foot", "centre"] = "foot",
                       normalize: Literal["max", "sum"] | None = "max") -> np.ndarray:
    """Gaussian-smoothed density of box reference points on a grid over the frame.

    ``frame_size`` is (width, height) in pixels; the result has shape
    (ceil(height / cell), ceil(width / cell)), float32. ``sigma`` is in cells (0: none).
    ``normalize``: ``"max"`` scales the peak to 1 (for colouring), ``"sum"`` makes it a
    probability map, ``None`` leaves frame counts. Points outside the frame are ignored.
    """
    width, height = (int(v) for v in frame_size)
    if width <= 0 or height <= 0:
        raise InputError(f"heatmap frame size must be positive, got {width}x{height}")
    if int(cell) < 1:
        raise InputError(f"heatmap cell size must be >= 1 pixel, got {cell}")
    if sigma < 0:
        raise InputError(f"heatmap sigma must be >= 0, got {sigma}")
    if point not in ("foot", "centre"):
        raise InputError(f"heatmap point must be 'foot' or 'centre', got {point!r}")
    cell = int(cell)
    rows, cols = -(-height // cell), -(-width // cell)
    boxes = _stack_boxes(xywh)
    px = boxes[:, 0] + boxes[:, 2] / 2
    py = boxes[:, 1] + (boxes[:, 3] if point == "foot" else boxes[:, 3] / 2)
    # a foot point on the bottom edge (y == height) still counts: players stand there
    keep = (px >= 0) & (px <= width) & (py >= 0) & (py <= height)
    c = np.minimum((px[keep] // cell).astype(np.int64), cols - 1)
    r = np.minimum((py[keep] // cell).astype(np.int64), rows - 1)
    grid = np.bincount(r * cols + c, minlength=rows * cols).astype(np.float32)
    grid = grid.reshape(rows, cols)
    if sigma > 0 and grid.any():
        grid = cv2.GaussianBlur(grid, (0, 0), sigmaX=float(sigma), sigmaY=float(sigma),
                                borderType=cv2.BORDER_CONSTANT)
    if normalize == "max" and grid.max() > 0:
        grid /= grid.max()
    elif normalize == "sum" and grid.sum() > 0:
        grid /= grid.sum()
    return grid
