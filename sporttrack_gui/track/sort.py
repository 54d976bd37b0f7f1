"""SORT (Bewley et al., 2016): Kalman prediction, IoU cost, one Hungarian assignment.

Differences from the reference code, on purpose: the shared (cx, cy, a, h) Kalman filter,
``max_age`` in frames at 30 fps scaled to the source frame rate (the reference's
``max_age=1`` drops a player at the first missed detection, i.e. on every crossing), and a
track once confirmed stays reported whenever it is matched (the reference re-hides it for
``min_hits`` frames after every miss).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST


class SortTracker(KalmanMotTracker):
    name = "sort"

    def __init__(self, **overrides: Any):
        super().__init__(**overrides)
        p = self.params
        self.iou_threshold = float(p["iou_threshold"])
        self.min_hits = int(p["min_hits"])
        self.max_age = self.scaled(p["max_age"])
        self.min_conf = float(p["min_conf"])
        self.new_thresh = float(p["new_track_thresh"])

    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        s = self.store
        cols_all = np.flatnonzero(dets.conf >= self.min_conf)
        cost = matching.iou_cost(s.xyxy(), dets.xyxy[cols_all])
        m, u_rows, u_cols = matching.assign(cost, 1.0 - self.iou_threshold)
        self._apply_matches(m[:, 0], dets, cols_all[m[:, 1]], feats)
        s.misses[u_rows] += 1
        s.streak[u_rows] = 0
        s.state[u_rows] = LOST
        s.confirmed |= s.streak >= self.min_hits
        s.keep(s.misses <= self.max_age)
        early = self.frame_id <= self.min_hits  # the first frames report at once, as SORT does
        new = cols_all[u_cols]
        self._spawn(dets, new[dets.conf[new] >= self.new_thresh], feats, confirmed=False)
        if early:
            s.confirmed[s.misses == 0] = True

    def _visible(self) -> np.ndarray:
        s = self.store
        return np.flatnonzero((s.misses == 0) & s.confirmed)
