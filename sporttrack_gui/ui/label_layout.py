"""Which box labels to draw on a crowded frame, and what each label mode shows.

Qt-free: the view measures its tags (screen pixels) and asks :func:`place_labels`
which ones fit; the greedy placement is tested without a display. Why greedy by
priority: the selected and partner tracks must always keep their tags, then the
larger (nearer) players, and a tag that would land on one already drawn is skipped
instead of piling up into an unreadable block, as annotation tools do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

FULL, IDS, NONE = "full", "ids", "none"
MODES = (FULL, IDS, NONE)
MODE_TEXT = {FULL: "&Full labels (id, class, name)", IDS: "&Ids only", NONE: "&No labels"}


def next_mode(mode: str) -> str:
    """The mode after ``mode`` in full → ids → none → full (the cycling shortcut)."""
    i = MODES.index(mode) if mode in MODES else -1
    return MODES[(i + 1) % len(MODES)]


def label_texts(mode: str, track_ids: Sequence[int] | np.ndarray,
                full: Callable[[], list[str]]) -> list[str]:
    """Tags for one frame's boxes: ``full()`` (id, class, name), the id alone, or none.

    ``full`` is called only in full mode (it looks up track metadata per box).
    """
    if mode == NONE:
        return ["" for _ in range(len(track_ids))]
    if mode == IDS:
        return [str(int(t)) if int(t) >= 0 else "det" for t in track_ids]
    return full()


def place_labels(left: np.ndarray, top: np.ndarray, width: np.ndarray, height: np.ndarray,
                 priority: np.ndarray, gap: float = 1.0) -> np.ndarray:
    """Mask of the label rects to draw: taken in ``priority`` order (lower first), a rect
    is kept unless it overlaps one already kept (by more than ``gap`` pixels).

    Rects are ``left, top, width, height`` in screen pixels; empty labels (width 0)
    are never kept and never block. O(N^2) on one frame's boxes (tens).
    """
    n = len(left)
    keep = np.zeros(n, bool)
    x1 = np.asarray(left, np.float64)
    y1 = np.asarray(top, np.float64)
    x2 = x1 + np.asarray(width, np.float64)
    y2 = y1 + np.asarray(height, np.float64)
    placed: list[int] = []
    for i in np.argsort(np.asarray(priority, np.float64), kind="stable"):
        if width[i] <= 0:
            continue
        if placed:
            p = np.asarray(placed)
            overlap = ((np.minimum(x2[p], x2[i]) - np.maximum(x1[p], x1[i]) > gap) &
                       (np.minimum(y2[p], y2[i]) - np.maximum(y1[p], y1[i]) > gap))
            if overlap.any():
                continue
        keep[i] = True
        placed.append(int(i))
    return keep
