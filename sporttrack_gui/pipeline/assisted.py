"""Tracker-assisted interpolation: fill a track's gap by running a single-object tracker
(CSRT by default) forward from keyframe F and backward from keyframe G, blended.

Why blend two passes: a tracker drifts with distance from its initial box, so the
forward estimate is trusted near F and the backward one near G (weights fall linearly);
where one pass lost the object the other is used, and where both lost it the straight
line between the keyframes is. The boxes are then written by the undoable
:func:`edits.insert_boxes`, so this is one undo step like any other edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import edits
from sporttrack_gui.project.store import Project

TrackerFactory = Callable[[], Any]  # -> object with init(frame, xywh) and update(frame)


def _pass(read_frame: Callable[[int], np.ndarray], frames: list[int], box: np.ndarray,
          factory: TrackerFactory) -> tuple[np.ndarray, np.ndarray]:
    """Track through ``frames`` (first is the keyframe); boxes and ok flags of the rest."""
    trk = factory()
    trk.init(read_frame(frames[0]), tuple(float(v) for v in box))
    out = np.zeros((len(frames) - 1, 4))
    ok = np.zeros(len(frames) - 1, dtype=bool)
    for i, f in enumerate(frames[1:]):
        good, xywh, _score = trk.update(read_frame(f))
        ok[i] = bool(good) and np.all(np.asarray(xywh)[2:] > 0)
        out[i] = xywh if ok[i] else np.nan
    return out, ok


def tracked_boxes(read_frame: Callable[[int], np.ndarray], f0: int, box0: np.ndarray,
                  f1: int, box1: np.ndarray, factory: TrackerFactory) -> np.ndarray:
    """Boxes (xywh) for frames f0+1 .. f1-1: blended forward/backward tracker passes."""
    inner = list(range(f0 + 1, f1))
    fwd, ok_f = _pass(read_frame, [f0, *inner], box0, factory)
    bwd, ok_b = _pass(read_frame, [f1, *inner[::-1]], box1, factory)
    bwd, ok_b = bwd[::-1], ok_b[::-1]
    w = ((np.asarray(inner) - f0) / (f1 - f0))[:, None]  # 0 near F, 1 near G
    linear = (1 - w) * box0 + w * box1
    both = (ok_f & ok_b)[:, None]
    blended = np.where(both, (1 - w) * np.nan_to_num(fwd) + w * np.nan_to_num(bwd), linear)
    blended = np.where((ok_f & ~ok_b)[:, None], fwd, blended)
    return np.where((ok_b & ~ok_f)[:, None], bwd, blended)


def interpolate_with_tracker(project: Project, run: int, track: int, from_frame: int,
                             to_frame: int, source: Any, tracker: str = "csrt",
                             factory: TrackerFactory | None = None) -> edits.EditResult:
    """Fill the frames of ``track`` missing between two keyframes using a tracker.

    ``source`` is a media ``VideoSource`` (``read_frame(1-based)``); ``factory`` overrides
    the tracker (default: ``create_single_tracker(tracker)``).
    """
    f0, f1 = int(from_frame), int(to_frame)
    if f1 <= f0 + 1:
        raise ProjectError(f"interpolate needs keyframes at least 2 frames apart, got {f0}, {f1}")
    keys = project.boxes(run, track=track, frame_range=(f0, f1))
    have = set(keys.frame.tolist())
    for f in (f0, f1):
        if f not in have:
            raise ProjectError(f"track {track} has no box in keyframe {f} to interpolate from")
    if factory is None:
        from sporttrack_gui.track.single import create_single_tracker

        def factory() -> Any:
            return create_single_tracker(tracker)

    box0 = keys.xywh[keys.frame == f0][0].astype(np.float64)
    box1 = keys.xywh[keys.frame == f1][0].astype(np.float64)
    boxes = tracked_boxes(source.read_frame, f0, box0, f1, box1, factory)
    frames = np.arange(f0 + 1, f1)
    missing = ~np.isin(frames, keys.frame)
    if not missing.any():
        raise ProjectError(f"nothing to change: track {track} has a box in every frame "
                           f"{f0}-{f1}")
    return edits.insert_boxes(project, run, track, frames[missing], boxes[missing],
                              label=f"{tracker} interpolate track {track} frames {f0}-{f1}")
