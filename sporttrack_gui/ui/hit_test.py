"""Geometry of pointing at boxes, kept out of the view class (labelme style).

Plain numpy and floats in image pixels: the viewer's draw tool uses ``drag_rect``,
the box editor uses ``boxes_at``/``handle_at`` to select, move and resize, and
all of it is unit-tested without Qt.
"""

from __future__ import annotations

from enum import Enum

import numpy as np


class Handle(Enum):
    """Where on a box the pointer is: a corner or edge (resize) or the inside (move)."""

    TOP_LEFT = "tl"
    TOP = "t"
    TOP_RIGHT = "tr"
    RIGHT = "r"
    BOTTOM_RIGHT = "br"
    BOTTOM = "b"
    BOTTOM_LEFT = "bl"
    LEFT = "l"
    INSIDE = "in"


def boxes_at(x: float, y: float, xyxy: np.ndarray) -> np.ndarray:
    """Indices of boxes containing (x, y), smallest area first.

    Smallest first so a player's box can be picked even when a larger box (a group, a
    referee standing behind) encloses the click.
    """
    b = np.asarray(xyxy, np.float64).reshape(-1, 4)
    inside = (b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])
    idx = np.flatnonzero(inside)
    area = (b[idx, 2] - b[idx, 0]) * (b[idx, 3] - b[idx, 1])
    return idx[np.argsort(area, kind="stable")]


def handle_at(x: float, y: float, box: tuple[float, float, float, float],
              tol: float) -> Handle | None:
    """Which handle of ``box`` (xyxy) is within ``tol`` pixels of (x, y), corners first."""
    x1, y1, x2, y2 = box
    if not (x1 - tol <= x <= x2 + tol and y1 - tol <= y <= y2 + tol):
        return None
    near_l, near_r = abs(x - x1) <= tol, abs(x - x2) <= tol
    near_t, near_b = abs(y - y1) <= tol, abs(y - y2) <= tol
    if near_t and near_l:
        return Handle.TOP_LEFT
    if near_t and near_r:
        return Handle.TOP_RIGHT
    if near_b and near_r:
        return Handle.BOTTOM_RIGHT
    if near_b and near_l:
        return Handle.BOTTOM_LEFT
    if near_t:
        return Handle.TOP
    if near_b:
        return Handle.BOTTOM
    if near_l:
        return Handle.LEFT
    if near_r:
        return Handle.RIGHT
    if x1 <= x <= x2 and y1 <= y <= y2:
        return Handle.INSIDE
    return None


def drag_rect(x0: float, y0: float, x1: float, y1: float, width: int, height: int,
              min_size: float = 4.0) -> tuple[float, float, float, float] | None:
    """The ``(x, y, w, h)`` box spanned by a drag, clipped to the frame.

    Returns None for a drag smaller than ``min_size`` in either direction: a click
    is not a box, and a CSRT tracker initialised on a 1-pixel box fails at once.
    """
    left, right = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
    top, bottom = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
    if right - left < min_size or bottom - top < min_size:
        return None
    return (left, top, right - left, bottom - top)


def drag_handle(box: tuple[float, float, float, float], handle: Handle, dx: float, dy: float,
                min_size: float = 2.0) -> tuple[float, float, float, float]:
    """``box`` (xyxy) after dragging ``handle`` by (dx, dy) image pixels.

    ``INSIDE`` moves the whole box; an edge moves one side, a corner two. A side is
    never dragged past the opposite one (the box keeps at least ``min_size``), so a
    resize cannot flip a box inside out, which would make its stored w/h negative.
    """
    x1, y1, x2, y2 = box
    if handle is Handle.INSIDE:
        return (x1 + dx, y1 + dy, x2 + dx, y2 + dy)
    code = handle.value
    if "l" in code:
        x1 = min(x1 + dx, x2 - min_size)
    if "r" in code:
        x2 = max(x2 + dx, x1 + min_size)
    if "t" in code:
        y1 = min(y1 + dy, y2 - min_size)
    if code in ("b", "bl", "br"):
        y2 = max(y2 + dy, y1 + min_size)
    return (x1, y1, x2, y2)
