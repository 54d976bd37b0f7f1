"""Storing a single-object track as a project run (kind ``sot``, one track).

Why lost frames are left out instead of stored with a flag: every consumer of a run (the
timeline lanes, MOT export, metrics) reads "no box" as "not seen", which is what a lost
target is; the per-frame score goes into the box's ``conf`` so the GUI can colour doubt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sporttrack_gui.errors import InputError

if TYPE_CHECKING:  # the project room is imported by the caller; keep track/ light
    from sporttrack_gui.project import Project
    from sporttrack_gui.track.sot_session import SotTrack

#: the one track a SOT run holds
SOT_TRACK_ID = 1


def store_sot_run(project: Project, sequence_id: int | str, name: str, start_frame: int,
                  boxes: np.ndarray, scores: np.ndarray, params: dict[str, Any],
                  metrics: dict[str, Any] | None = None) -> int:
    """Create a ``sot`` run holding ``boxes`` (N, 4 xywh; NaN rows = lost, not stored) for
    frames ``start_frame .. start_frame + N - 1``; returns the run id.

    Scores outside [0, 1] or NaN (trackers without a confidence) are stored as 1.0/clipped
    so that ``conf`` stays a valid probability for every reader.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    scores = np.asarray(scores, np.float64).reshape(-1)
    if len(scores) != len(boxes):
        raise InputError(f"SOT run {name!r}: {len(boxes)} boxes but {len(scores)} scores")
    if int(start_frame) < 1:
        raise InputError(f"SOT run {name!r}: start frame must be >= 1, got {start_frame}")
    frames = np.arange(int(start_frame), int(start_frame) + len(boxes), dtype=np.int64)
    keep = np.isfinite(boxes).all(axis=1) & (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
    conf = np.clip(np.nan_to_num(scores[keep], nan=1.0), 0.0, 1.0)
    run = project.create_run(sequence_id, name, kind="sot", params=params)
    try:
        project.append_boxes(run, {
            "frame": frames[keep],
            "track_id": np.full(int(keep.sum()), SOT_TRACK_ID, np.int64),
            "xywh": boxes[keep],
            "conf": conf,
        })
        if metrics:
            project.set_run_metrics(run, metrics)
        project.set_run_status(run, "complete")
    except BaseException:
        project.set_run_status(run, "incomplete")
        raise
    return run


def store_sot_result(project: Project, sequence_id: int | str, name: str, result: SotTrack,
                     metrics: dict[str, Any] | None = None) -> int:
    """:func:`store_sot_run` for a :class:`SotTrack` (params and fps recorded with it)."""
    params = {**result.params, "start_frame": result.start_frame,
              "recoveries": result.recoveries, "lost_frames": result.lost_frames}
    all_metrics = {"fps": result.fps, **(metrics or {})}
    return store_sot_run(project, sequence_id, name, result.start_frame, result.xywh,
                         result.scores, params, all_metrics)
