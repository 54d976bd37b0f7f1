"""Validation of what a user hands a single-object tracker: the frame and the start box.

Why a module of its own: OpenCV answers a bad box with a C++ assertion or, worse, tracks
garbage; the CLI, the GUI session and the trackers all need the same clear message
("box ... lies outside the 640x360 frame") before anything reaches cv2.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from sporttrack_gui.errors import InputError

Xywh = tuple[float, float, float, float]

#: smallest side (pixels) a tracker can learn anything from after clipping to the frame
MIN_SIDE = 4.0


def as_bgr(frame: object, where: str = "frame") -> np.ndarray:
    """The frame as a contiguous BGR uint8 image (grey and BGRA are converted)."""
    if not isinstance(frame, np.ndarray) or frame.ndim not in (2, 3) or frame.size == 0:
        shape = getattr(frame, "shape", None)
        raise InputError(f"{where}: expected an HxW or HxWx3 image array, got "
                         f"{type(frame).__name__} with shape {shape}")
    if frame.dtype != np.uint8:
        raise InputError(f"{where}: expected uint8 pixels, got {frame.dtype}")
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    channels = frame.shape[2]
    if channels == 3:
        return np.ascontiguousarray(frame)
    if channels == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    if channels == 1:
        return cv2.cvtColor(frame[:, :, 0], cv2.COLOR_GRAY2BGR)
    raise InputError(f"{where}: expected 1, 3 or 4 channels, got {channels}")


def check_init_box(xywh: object, frame_shape: tuple[int, ...], where: str = "init box") -> Xywh:
    """Validate a start box against the frame and clip it to the frame.

    A box partly outside the frame is clipped (a player entering at the edge is a normal
    start); one with no usable part inside, a non-positive size or non-numbers is refused.
    """
    try:
        vals = [float(v) for v in np.asarray(xywh, dtype=np.float64).reshape(-1)]
    except (TypeError, ValueError):
        raise InputError(f"{where}: expected 4 numbers x,y,w,h, got {xywh!r}") from None
    if len(vals) != 4:
        raise InputError(f"{where}: expected 4 numbers x,y,w,h, got {len(vals)}")
    if not all(math.isfinite(v) for v in vals):
        raise InputError(f"{where}: {tuple(vals)} contains a non-finite number")
    x, y, w, h = vals
    if w <= 0 or h <= 0:
        raise InputError(f"{where}: width and height must be positive, got {w:g}x{h:g}")
    fh, fw = int(frame_shape[0]), int(frame_shape[1])
    x0, y0 = max(0.0, x), max(0.0, y)
    x1, y1 = min(float(fw), x + w), min(float(fh), y + h)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        raise InputError(f"{where}: ({x:g}, {y:g}, {w:g}, {h:g}) lies outside the {fw}x{fh} "
                         f"frame (needs at least {MIN_SIDE:g}x{MIN_SIDE:g} px inside)")
    return (x0, y0, x1 - x0, y1 - y0)


def inside_fraction(xywh: Xywh, frame_shape: tuple[int, ...]) -> float:
    """Share of the box's area that lies inside the frame (0 for degenerate boxes)."""
    x, y, w, h = xywh
    if not (w > 0 and h > 0) or not all(math.isfinite(v) for v in xywh):
        return 0.0
    fh, fw = frame_shape[0], frame_shape[1]
    iw = max(0.0, min(fw, x + w) - max(0.0, x))
    ih = max(0.0, min(fh, y + h) - max(0.0, y))
    return float(iw * ih / (w * h))
