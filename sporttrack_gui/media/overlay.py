"""Drawing tracks on frames: one colour per id everywhere (viewer, timeline, exports).

The palette is a golden-ratio walk around the hue circle, so consecutive ids get
well-separated colours and the colour of an id never depends on which other ids exist.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from functools import lru_cache

import cv2
import numpy as np

_GOLDEN = 0.618033988749895


@lru_cache(maxsize=4096)
def track_color(track_id: int) -> tuple[int, int, int]:
    """Stable BGR colour for a track id (negative ids, e.g. detections, are grey)."""
    if track_id < 0:
        return (170, 170, 170)
    hue = (0.11 + track_id * _GOLDEN) % 1.0
    sat = 0.75 if track_id % 2 else 0.95
    r, g, b = colorsys.hsv_to_rgb(hue, sat, 1.0)
    return (int(b * 255), int(g * 255), int(r * 255))


def draw_tracks(frame: np.ndarray, xyxy: np.ndarray, track_ids: np.ndarray,
                labels: Sequence[str] | None = None, thickness: int = 2,
                font_scale: float | None = None) -> np.ndarray:
    """Boxes and id labels drawn in place on a BGR frame (also returned)."""
    boxes = np.asarray(xyxy, np.float64).reshape(-1, 4)
    ids = np.asarray(track_ids).reshape(-1)
    scale = font_scale or max(0.4, frame.shape[0] / 1400)
    for k, (b, tid) in enumerate(zip(boxes, ids, strict=True)):
        if not np.isfinite(b).all():
            continue
        color = track_color(int(tid))
        p1 = (int(round(b[0])), int(round(b[1])))
        p2 = (int(round(b[2])), int(round(b[3])))
        cv2.rectangle(frame, p1, p2, color, thickness, cv2.LINE_AA)
        text = labels[k] if labels is not None else str(int(tid))
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        top = max(p1[1] - th - base - 2, 0)
        cv2.rectangle(frame, (p1[0], top), (p1[0] + tw + 4, top + th + base + 2), color, -1)
        cv2.putText(frame, text, (p1[0] + 2, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (0, 0, 0), 1, cv2.LINE_AA)
    return frame


def draw_trails(frame: np.ndarray, trails: dict[int, np.ndarray], thickness: int = 2) -> np.ndarray:
    """Poly-lines of recent foot points per track id (oldest first), fading with age."""
    for tid, pts in trails.items():
        pts = np.asarray(pts, np.float64).reshape(-1, 2)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if len(pts) < 2:
            continue
        color = np.array(track_color(int(tid)), np.float64)
        n = len(pts)
        for k in range(1, n):  # one segment per past frame of one track (tens), not per box pair
            alpha = 0.25 + 0.75 * k / (n - 1)
            c = tuple(int(v) for v in color * alpha)
            cv2.line(frame, tuple(int(v) for v in pts[k - 1]), tuple(int(v) for v in pts[k]),
                     c, thickness, cv2.LINE_AA)
    return frame


def paste_minimap(frame: np.ndarray, minimap: np.ndarray, corner: str = "bottom-right",
                  width_frac: float = 0.28, margin: int = 12) -> np.ndarray:
    """Scale ``minimap`` to a fraction of the frame width and paste it in a corner."""
    h, w = frame.shape[:2]
    mw = max(16, int(w * width_frac))
    mh = max(9, int(minimap.shape[0] * mw / minimap.shape[1]))
    small = cv2.resize(minimap, (mw, mh), interpolation=cv2.INTER_AREA)
    y = h - mh - margin if "bottom" in corner else margin
    x = w - mw - margin if "right" in corner else margin
    if y < 0 or x < 0:
        return frame
    frame[y:y + mh, x:x + mw] = small
    cv2.rectangle(frame, (x - 1, y - 1), (x + mw, y + mh), (255, 255, 255), 1)
    return frame
