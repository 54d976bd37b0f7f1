"""Live MOT metrics while a run proceeds: the eval room's ``MotAccumulator`` fed per frame.

Qt-free; the pipeline worker calls ``add`` from its thread for each batch of tracks. Frames
the tracker reports nothing for still count (every gt box there is a miss), so frames
between two reports are fed with empty predictions before the reported one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.eval.mot import MotAccumulator
from sporttrack_gui.ui.run_index import RunIndex

EMPTY = (np.zeros(0, np.int64), np.zeros((0, 4), np.float32))


class LiveEvaluator:
    """Metrics of a growing prediction against a fixed ground-truth run."""

    def __init__(self, gt: RunIndex, iou_threshold: float = 0.5) -> None:
        self.gt = gt
        self.acc = MotAccumulator(iou_threshold, keep_pairs=False)
        self.last_frame = 0

    def _gt_rows(self, frame: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.gt.at(frame)
        return s.track_id, s.xywh

    def add(self, frame: int, track_id: np.ndarray, xyxy: np.ndarray) -> None:
        """One frame of tracker output (xyxy pixels, as ``Tracks`` holds them)."""
        if frame <= self.last_frame:
            return  # a repeated report (the pipeline's final flush) adds nothing
        for f in range(self.last_frame + 1, frame):
            self.acc.update(f, self._gt_rows(f), EMPTY)
        xywh = np.asarray(xyxy, np.float32).reshape(-1, 4).copy()
        xywh[:, 2:] -= xywh[:, :2]
        self.acc.update(frame, self._gt_rows(frame), (np.asarray(track_id, np.int64), xywh))
        self.last_frame = frame

    def summary(self) -> dict[str, Any]:
        return self.acc.summary()
