"""Geometry of pointing at boxes, kept out of the view class (labelme style).

Plain numpy and floats: the viewer's draw tool uses ``drag_rect``, the box editor uses
``boxes_at``/``grab_handle`` to select, move and resize, and all of it is unit-tested
without Qt. Tolerances are in *screen* pixels and converted with the view's scale
(screen pixels per image pixel): at fit zoom a player is 20-40 px on screen, and
tolerances in image pixels would make its handles cover it whole.
"""

from __future__ import annotations

from enum import Enum

import numpy as np

PICK_PX = 4.0  # a click this close to a box (screen pixels) still picks it


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


def boxes_at(x: float, y: float, xyxy: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Indices of boxes containing (x, y), smallest area first; then boxes within
    ``tol`` (same units as the boxes) of it, nearest first.

    Smallest first so a player's box can be picked even when a larger box (a group, a
    referee standing behind) encloses the click; the tolerance lets a click a few
    screen pixels off a thin box (the ball, a far player) still pick it.
    """
    b = np.asarray(xyxy, np.float64).reshape(-1, 4)
    dx = np.maximum(np.maximum(b[:, 0] - x, x - b[:, 2]), 0.0)
    dy = np.maximum(np.maximum(b[:, 1] - y, y - b[:, 3]), 0.0)
    dist = np.hypot(dx, dy)
    idx = np.flatnonzero(dist <= max(tol, 0.0))
    area = (b[idx, 2] - b[idx, 0]) * (b[idx, 3] - b[idx, 1])
    return idx[np.lexsort((area, dist[idx]))]


HANDLE_ORDER = (Handle.TOP_LEFT, Handle.TOP_RIGHT, Handle.BOTTOM_RIGHT, Handle.BOTTOM_LEFT,
                Handle.TOP, Handle.RIGHT, Handle.BOTTOM, Handle.LEFT)


def handle_centres(box: tuple[float, float, float, float]) -> dict[Handle, tuple[float, float]]:
    """Where each of the eight handles sits on ``box`` (xyxy): corners and edge middles."""
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return {Handle.TOP_LEFT: (x1, y1), Handle.TOP_RIGHT: (x2, y1),
            Handle.BOTTOM_RIGHT: (x2, y2), Handle.BOTTOM_LEFT: (x1, y2),
            Handle.TOP: (cx, y1), Handle.RIGHT: (x2, cy), Handle.BOTTOM: (cx, y2),
            Handle.LEFT: (x1, cy)}


def grab_handle(x: float, y: float, box: tuple[float, float, float, float], scale: float,
                reach_px: float = 6.0) -> Handle | None:
    """What a press at image point (x, y) grabs of ``box`` (xyxy, image pixels).

    Decided in screen pixels (``scale`` = screen pixels per image pixel): a handle is
    grabbed within ``reach_px`` of its centre -- outside the box at full reach, inside
    it at most a quarter of the box's shorter on-screen side, so the middle half of
    even a 20-px box always moves it. Edges between handles move, never resize:
    resizing is for the handles, as in CVAT and labelme.
    """
    s = scale if scale > 0 else 1.0
    px, py = x * s, y * s
    x1, y1, x2, y2 = (v * s for v in box)
    inside = x1 <= px <= x2 and y1 <= py <= y2
    reach = min(reach_px, min(x2 - x1, y2 - y1) / 4.0) if inside else reach_px
    centres = handle_centres((x1, y1, x2, y2))
    for h in HANDLE_ORDER:
        hx, hy = centres[h]
        if abs(px - hx) <= reach and abs(py - hy) <= reach:
            return h
    return Handle.INSIDE if inside else None


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
