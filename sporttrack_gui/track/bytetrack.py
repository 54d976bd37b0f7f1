"""ByteTrack (Zhang et al., 2022) over the columnar track store.

Per frame: (1) confirmed and lost tracks vs high-score boxes on (score-fused) IoU, plus
appearance when an embedder is set; (2) still-unmatched *tracked* tracks vs low-score
boxes on IoU alone, so occluded players whose detector score dropped keep their id;
(3) one-frame-old (unconfirmed) tracks vs the remaining high boxes; (4) new tracks from
what is left above ``new_track_thresh``; (5) lost tracks older than the buffer and
tracked/lost duplicates are dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST, TRACKED


class ByteTracker(KalmanMotTracker):
    name = "bytetrack"

    def __init__(self, *, track_high_thresh: float = 0.5, track_low_thresh: float = 0.1,
                 new_track_thresh: float = 0.6, match_thresh: float = 0.8,
                 second_match_thresh: float = 0.5, unconfirmed_match_thresh: float = 0.7,
                 track_buffer: int = 30, fuse_score: bool = True, lost_velocity_decay: float = 1.0,
                 duplicate_iou: float = 0.85, appearance_alpha: float = 0.5,
                 appearance_thresh: float = 0.35, appearance_reject: float = 0.6,
                 reid_radius: float = 1.5,
                 feature_momentum: float = 0.9, **base: Any):
        super().__init__(**base)
        self.high, self.low = float(track_high_thresh), float(track_low_thresh)
        self.new_thresh = float(new_track_thresh)
        self.match_thresh = float(match_thresh)
        self.second_thresh = float(second_match_thresh)
        self.unconfirmed_thresh = float(unconfirmed_match_thresh)
        self.max_time_lost = self.scaled(track_buffer)
        self.fuse = bool(fuse_score)
        self.decay = float(lost_velocity_decay)
        self.duplicate_iou = float(duplicate_iou)
        self.alpha, self.app_thresh = float(appearance_alpha), float(appearance_thresh)
        self.app_reject = float(appearance_reject)
        self.reid_radius, self.momentum = float(reid_radius), float(feature_momentum)

    def _damp_lost(self, lost: np.ndarray) -> None:
        if self.decay != 1.0:
            self.store.mean[lost, 4:6] *= self.decay

    def _cost(self, rows: np.ndarray, boxes: np.ndarray, dets: Detections, cols: np.ndarray,
              feats: np.ndarray | None, fuse: bool = True) -> np.ndarray:
        cost = matching.iou_cost(boxes[rows], dets.xyxy[cols])
        if self.fuse and fuse:
            cost = matching.fuse_score(cost, dets.conf[cols])
        if feats is None or not len(feats) or "feat" not in self.store.cols:
            return cost
        s = self.store
        app = matching.cosine_cost(s.feat[rows], feats[cols])
        has = np.any(s.feat[rows] != 0, axis=1)
        app[~has] = 1.0  # a track without a feature gets no appearance bonus...
        lost = s.state[rows] == LOST
        near = lost[:, None] & (matching.centre_distance(boxes[rows], dets.xyxy[cols])
                                < self.reid_radius)
        fused = matching.fused_appearance_cost(cost, app, self.alpha, self.app_thresh, near,
                                               self.app_reject)
        return np.where(has[:, None], fused, cost)  # ...and no appearance veto either

    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        s, t = self.store, self.frame_id
        boxes = s.xyxy()
        conf = dets.conf
        hi = np.flatnonzero(conf >= self.high)
        lo = np.flatnonzero((conf > self.low) & (conf < self.high))
        confirmed = s.confirmed.copy()
        pool = np.flatnonzero(confirmed)
        unconf = np.flatnonzero(~confirmed)

        m1, u_pool, u_hi = linear_assignment(self._cost(pool, boxes, dets, hi, feats),
                                             self.match_thresh)
        rest = pool[u_pool]
        rest = rest[s.state[rest] == TRACKED]
        cost2 = matching.iou_cost(boxes[rest], dets.xyxy[lo])
        if feats is not None and len(feats) and "feat" in s.cols:  # veto other-kit boxes only
            app = matching.cosine_cost(s.feat[rest], feats[lo])
            cost2 = np.where(np.any(s.feat[rest] != 0, axis=1)[:, None] & (app > self.app_reject),
                             np.inf, cost2)
        m2, u_rest, _ = linear_assignment(cost2, self.second_thresh)
        left = hi[u_hi]
        m3, u_unc, u_left = linear_assignment(self._cost(unconf, boxes, dets, left, feats),
                                              self.unconfirmed_thresh)

        rows = np.concatenate([pool[m1[:, 0]], rest[m2[:, 0]], unconf[m3[:, 0]]])
        cols = np.concatenate([hi[m1[:, 1]], lo[m2[:, 1]], left[m3[:, 1]]])
        self._apply_matches(rows, dets, cols, feats, self.momentum)
        s.confirmed[unconf[m3[:, 0]]] = True
        missed = np.ones(len(s), bool)
        missed[rows] = False
        s.misses[missed] += 1
        s.streak[missed] = 0
        s.state[rest[u_rest]] = LOST

        keep = np.ones(len(s), bool)
        keep[unconf[u_unc]] = False  # a one-frame track that is not seen again was noise
        keep &= ~((s.state == LOST) & (t - s.last > self.max_time_lost))
        s.keep(keep)

        new = left[u_left]
        self._spawn(dets, new[conf[new] >= self.new_thresh], feats, confirmed=(t == 1))
        self._drop_duplicates()

    def _drop_duplicates(self) -> None:
        """A lost track overlapping a tracked one this much is the same object twice:
        keep whichever has the longer history (as ByteTrack does)."""
        s = self.store
        tracked = np.flatnonzero((s.state == TRACKED) & s.confirmed)
        lost = np.flatnonzero(s.state == LOST)
        if len(tracked) == 0 or len(lost) == 0:
            return
        boxes = s.xyxy()
        iou = iou_matrix(boxes[tracked], boxes[lost])
        a, b = np.nonzero(iou > self.duplicate_iou)
        if len(a) == 0:
            return
        ta, tb = tracked[a], lost[b]
        age_a = s.last[ta] - s.start[ta]
        age_b = s.last[tb] - s.start[tb]
        drop = np.where(age_a > age_b, tb, ta)
        keep = np.ones(len(s), bool)
        keep[drop] = False
        s.keep(keep)

    def _visible(self) -> np.ndarray:
        s = self.store
        return np.flatnonzero((s.state == TRACKED) & s.confirmed)
