"""Qt-free decisions of the box editor: which frames, which box, which ids.

Kept out of the widgets so they are unit-tested without a display and so the editor's
menu entries, shortcuts and tests all agree on, e.g., which keyframes "interpolate
here" means.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def keyframes_around(frames: np.ndarray, current: int) -> tuple[int, int] | None:
    """The two keyframes of a track's gap at ``current``: the last box before the gap
    and the first after it.

    On a frame without a box: the boxes before and after it. On a box next to a gap
    (the usual place after stepping to the end of a stretch): that box and the first
    box across the gap, the gap after it preferred. None when there is no gap to fill.
    """
    f = np.unique(np.asarray(frames, np.int64))
    if len(f) < 2:
        return None
    i = int(np.searchsorted(f, current))
    on_box = i < len(f) and f[i] == current
    if not on_box:
        if i == 0 or i == len(f):
            return None
        return int(f[i - 1]), int(f[i])
    if i + 1 < len(f) and f[i + 1] > current + 1:
        return int(current), int(f[i + 1])
    if i > 0 and f[i - 1] < current - 1:
        return int(f[i - 1]), int(current)
    return None


def box_id_at(frame_boxes: dict[str, np.ndarray], track: int,
              xywh: np.ndarray | None = None) -> int | None:
    """Project box id of ``track`` in one frame (``Project.frame_boxes`` output).

    Several boxes may share id -1 (unassigned detections): then the one nearest to
    ``xywh`` (the box the user pointed at) is meant.
    """
    rows = np.flatnonzero(frame_boxes["track"] == track)
    if not len(rows):
        return None
    if len(rows) > 1 and xywh is not None:
        d = np.abs(frame_boxes["xywh"][rows] - np.asarray(xywh, np.float32)).sum(axis=1)
        rows = rows[np.argsort(d, kind="stable")]
    return int(frame_boxes["id"][rows[0]])


def nearest_partner(track_id: np.ndarray, xywh: np.ndarray, track: int) -> int | None:
    """The track most likely meant as ``track``'s swap/merge partner on one frame.

    ``track_id`` (N,) and ``xywh`` (N, 4) are one frame's columns of the run model.
    The box overlapping ``track``'s box most (IoU) wins -- an ID switch happens where
    two players cross; with no overlap, the box whose centre is closest, measured in
    ``track``'s box heights so near and far players compare. None when ``track`` has no
    box on the frame or no other real track is there.
    """
    from sporttrack_gui.core.iou import iou_matrix_xywh

    ids = np.asarray(track_id, np.int64)
    boxes = np.asarray(xywh, np.float64).reshape(-1, 4)
    own = np.flatnonzero(ids == track)
    others = np.flatnonzero((ids != track) & (ids >= 0))
    if not len(own) or not len(others):
        return None
    me = boxes[own[0]]
    iou = iou_matrix_xywh(me[None, :], boxes[others])[0]
    if iou.max() > 0:
        return int(ids[others[int(np.argmax(iou))]])
    centre = me[:2] + me[2:] / 2
    d = np.hypot(*(boxes[others, :2] + boxes[others, 2:] / 2 - centre).T) / max(me[3], 1.0)
    return int(ids[others[int(np.argmin(d))]])


def xyxy_to_xywh(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    return (float(x1), float(y1), float(x2 - x1), float(y2 - y1))


def clip_box(box: tuple[float, float, float, float], width: int, height: int,
             min_size: float = 2.0) -> tuple[float, float, float, float] | None:
    """Clip an xyxy box to the frame; None when less than ``min_size`` stays inside
    (a box dragged off the frame is refused rather than stored with negative size)."""
    x1, y1, x2, y2 = box
    if width > 0 and height > 0:
        x1, x2 = min(max(x1, 0.0), width), min(max(x2, 0.0), width)
        y1, y2 = min(max(y1, 0.0), height), min(max(y2, 0.0), height)
    if x2 - x1 < min_size or y2 - y1 < min_size:
        return None
    return (x1, y1, x2, y2)


def fix_summary(fix: dict[str, Any]) -> str:
    """A proposed fix in words for the assistant panel ("swap 3 and 7 from frame 412"):
    its typed operation's ``describe``."""
    from sporttrack_gui.errors import ProjectError
    from sporttrack_gui.project.ops import from_fix

    try:
        return from_fix(fix).describe()
    except ProjectError:
        return str(fix)


def tracker_interpolation(project_path: str, run: int, track: int, f0: int, f1: int,
                          source: str, tracker: str = "csrt", *, status: Any = None) -> Any:
    """Tracker-assisted interpolation in a worker thread: opens its own project
    connection and frame source (plain values in), returns the ``EditResult``.

    The edit lands in the run's log like any other, so the GUI only has to push the
    matching undo command when the worker reports back.
    """
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.pipeline.assisted import interpolate_with_tracker
    from sporttrack_gui.project import Project

    if status is not None:
        status(f"{tracker.upper()}: tracking {track} between frames {f0} and {f1}…")
    src = open_source(source)
    try:
        with Project.open(project_path) as project:
            return interpolate_with_tracker(project, run, track, f0, f1, src, tracker=tracker)
    finally:
        src.close()
