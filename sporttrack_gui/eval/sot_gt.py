"""Score a single-object track against the ground-truth track it started on.

Why here and reading only two small slices: the user drew a box, not an id, so the
gt track is the one overlapping the start box most on the start frame (IoU >= 0.3,
one frame read); its boxes are one track read. Loading the whole gt run to find them
took the GUI thread ~0.2 s on a 750-frame clip and would take seconds on a match, at
the moment the track finished. The result says which gt run and track were used and
on how many frames, because a curve scored on 3 frames of a 1-frame gt track (a box
drawn into gt by accident) looks as good as a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sporttrack_gui.core.iou import iou_matrix_xywh
from sporttrack_gui.eval.sot import SotResult, evaluate_sot


@dataclass
class SotGtScore:
    """The curves of one track against gt track ``gt_track`` of run ``gt_run``."""

    gt_run: str
    gt_track: int
    gt_frames: int  # tracked frames that have a gt box of that track (the curves' base)
    tracked_frames: int  # frames the tracker ran over (start frame included)
    result: SotResult

    def metrics(self) -> dict[str, Any]:
        """Scalars for the run's stored metrics."""
        return {**self.result.summary(), "gt_run": self.gt_run, "gt_track": self.gt_track,
                "gt_frames": self.gt_frames, "tracked_frames": self.tracked_frames}

    def describe(self) -> str:
        return (f"against gt track {self.gt_track} of “{self.gt_run}” on "
                f"{self.gt_frames} of {self.tracked_frames} frames")


def gt_track_at(project: Any, gt_run: int, frame: int, xywh: Any,
                min_iou: float = 0.3) -> int | None:
    """Id of the gt track whose box on ``frame`` overlaps ``xywh`` most (IoU >= ``min_iou``)."""
    fb = project.frame_boxes(gt_run, int(frame))
    keep = fb["track"] >= 0
    if not keep.any():
        return None
    ious = iou_matrix_xywh(np.asarray(xywh, np.float32).reshape(1, 4),
                           np.asarray(fb["xywh"], np.float32)[keep])[0]
    best = int(np.argmax(ious))
    return int(fb["track"][keep][best]) if ious[best] >= min_iou else None


def score_against_gt(project: Any, sequence_id: int, start_frame: int, xywh: np.ndarray,
                     times: np.ndarray | None = None) -> SotGtScore | None:
    """Curves of the track (rows = frames ``start_frame`` on, NaN where lost) against the
    gt track under its start box; None without a gt run, a matching track or gt boxes."""
    gts = [r for r in project.runs(sequence_id) if r["kind"] == "gt"]
    xywh = np.asarray(xywh, np.float64).reshape(-1, 4)
    if not gts or not len(xywh):
        return None
    gt = gts[-1]
    target = gt_track_at(project, int(gt["id"]), start_frame, xywh[0])
    if target is None:
        return None
    frames = np.arange(start_frame, start_frame + len(xywh), dtype=np.int64)
    tbl = project.boxes(int(gt["id"]), frame_range=(int(frames[0]), int(frames[-1])),
                        track=target)
    gt_boxes = np.full((len(frames), 4), np.nan)
    gt_boxes[tbl.frame - start_frame] = tbl.xywh
    used = int(np.isfinite(gt_boxes).all(axis=1).sum())
    if used == 0:
        return None
    result = evaluate_sot(xywh, gt_boxes, times=times)
    return SotGtScore(str(gt["name"]), target, used, len(frames), result)
