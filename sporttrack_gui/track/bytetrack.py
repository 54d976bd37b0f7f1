"""ByteTrack (Zhang et al., 2022) over the columnar track store.

Per frame: (1) confirmed and lost tracks vs high-score boxes on (score-fused) IoU, plus
appearance when an embedder is set — optionally on buffered IoU (``buffer_first``) and
followed by a second high-score round on a larger buffer for what is left
(``buffer_cascade``: C-BIoU's cascade, which the ``cbiou`` tracker turns on); (2) still-unmatched *tracked* tracks vs low-score
boxes on IoU alone, so occluded players whose detector score dropped keep their id;
(3) one-frame-old (unconfirmed) tracks vs the remaining high boxes; (4) new tracks from
what is left above ``new_track_thresh``; (5) lost tracks older than the buffer and
tracked/lost duplicates are dropped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST, TRACKED

_NO_MATCH = np.zeros((0, 2), np.int64)


class ByteTracker(KalmanMotTracker):
    name = "bytetrack"

    def __init__(self, **overrides: Any):
        super().__init__(**overrides)
        p = self.params
        self.high, self.low = float(p["track_high_thresh"]), float(p["track_low_thresh"])
        self.new_thresh = float(p["new_track_thresh"])
        self.match_thresh = float(p["match_thresh"])
        self.second_thresh = float(p["second_match_thresh"])
        self.unconfirmed_thresh = float(p["unconfirmed_match_thresh"])
        self.max_time_lost = self.scaled(p["track_buffer"])
        self.fuse = bool(p["fuse_score"])
        self.decay = float(p["lost_velocity_decay"])
        self.duplicate_iou = float(p["duplicate_iou"])
        self.buffer_first = float(p["buffer_first"])
        self.buffer_cascade = float(p["buffer_cascade"])
        self.cascade_thresh = float(p["cascade_match_thresh"])
        self.buffer_low = float(p["buffer_low"])
        self.alpha, self.app_thresh = float(p["appearance_alpha"]), float(p["appearance_thresh"])
        self.app_reject = float(p["appearance_reject"])
        self.reid_radius, self.momentum = float(p["reid_radius"]), float(p["feature_momentum"])

    def _damp_lost(self, lost: np.ndarray) -> None:
        if self.decay != 1.0:
            self.store.mean[lost, 4:6] *= self.decay

    def _cost(self, rows: np.ndarray, boxes: np.ndarray, dets: Detections, cols: np.ndarray,
              feats: np.ndarray | None, fuse: bool = True, buffer: float = 0.0) -> np.ndarray:
        if len(rows) == 0 or len(cols) == 0:  # common (nothing left over): skip the numpy calls
            return np.zeros((len(rows), len(cols)), np.float32)
        sim = matching.buffered_iou(boxes[rows], dets.xyxy[cols], buffer)
        if self.fuse and fuse:  # ByteTrack's score fusion: cost = 1 - IoU * score
            sim *= dets.conf[cols]
        cost = 1.0 - sim
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
        is_hi = conf >= self.high
        hi = np.flatnonzero(is_hi)
        lo = np.flatnonzero(~is_hi & (conf > self.low))
        confirmed = s.confirmed.copy()
        pool = np.flatnonzero(confirmed)
        unconf = np.flatnonzero(~confirmed)

        m1, u_pool, u_hi = matching.assign(
            self._cost(pool, boxes, dets, hi, feats, buffer=self.buffer_first), self.match_thresh)
        rows1, cols1 = pool[m1[:, 0]], hi[m1[:, 1]]
        rest, left = pool[u_pool], hi[u_hi]
        if self.buffer_cascade > 0 and len(rest) and len(left):  # C-BIoU: what is left meets again with a bigger buffer
            mc, u_rest, u_left = matching.assign(
                self._cost(rest, boxes, dets, left, feats, buffer=self.buffer_cascade),
                self.cascade_thresh)
            rows1 = np.concatenate([rows1, rest[mc[:, 0]]])
            cols1 = np.concatenate([cols1, left[mc[:, 1]]])
            rest, left = rest[u_rest], left[u_left]
        rest = rest[s.state[rest] == TRACKED]
        if len(rest) and len(lo):
            cost2 = matching.buffered_iou_cost(boxes[rest], dets.xyxy[lo], self.buffer_low)
            if feats is not None and len(feats) and "feat" in s.cols:  # veto other-kit boxes
                app = matching.cosine_cost(s.feat[rest], feats[lo])
                cost2 = np.where(np.any(s.feat[rest] != 0, axis=1)[:, None]
                                 & (app > self.app_reject), np.inf, cost2)
            m2, u_rest, _ = matching.assign(cost2, self.second_thresh)
        else:
            m2, u_rest = _NO_MATCH, np.arange(len(rest))
        m3, u_unc, u_left = matching.assign(self._cost(unconf, boxes, dets, left, feats),
                                              self.unconfirmed_thresh)

        rows = np.concatenate([rows1, rest[m2[:, 0]], unconf[m3[:, 0]]])
        cols = np.concatenate([cols1, lo[m2[:, 1]], left[m3[:, 1]]])
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


class CBIoUTracker(ByteTracker):
    """C-BIoU (Yang et al., WACV 2023): ByteTrack's stages on cascaded buffered IoU.

    Same code path as ByteTrack; only the defaults differ (``resources/trackers/cbiou.yaml``
    turns the buffers on), so the two cannot drift apart.
    """

    name = "cbiou"
