"""FairMOT's association (Zhang et al., IJCV 2021) on detections that carry embeddings.

Per frame: (1) tracked and lost tracks meet the detections on the cosine distance of
their EMA embedding, fused with the Kalman motion term (``lambda * cos + (1 - lambda) *
maha / chi2``) and gated by the chi-square 0.95 Mahalanobis gate; (2) tracked tracks left
over meet the left-over detections on IoU; (3) one-frame-old tracks get an IoU round to
be confirmed. Unmatched detections above ``new_track_thresh`` start tracks; lost tracks
expire after ``track_buffer`` frames. The embedding comes from the detector
(``fairmot:<weights.pt>``) at no extra cost; without ``dets.feat`` an ``embedder`` may
supply one, and without either stage (1) falls back to motion only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.core.kalman import CHI2INV95, xyxy_to_xyah
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST, TRACKED


class FairMOTTracker(KalmanMotTracker):
    name = "fairmot"

    def __init__(self, **overrides: Any):
        super().__init__(**overrides)
        p = self.params
        self.conf = float(p["conf_thresh"])
        self.new_thresh = float(p["new_track_thresh"])
        self.emb_thresh = float(p["embedding_thresh"])
        self.lam = float(p["lambda_appearance"])
        self.iou_thresh = float(p["iou_thresh"])
        self.unconfirmed_thresh = float(p["unconfirmed_thresh"])
        self.momentum = float(p["feature_momentum"])
        self.max_time_lost = self.scaled(p["track_buffer"])
        self.gate = CHI2INV95[4]

    def _embedding_cost(self, rows: np.ndarray, dets: Detections, cols: np.ndarray,
                        feats: np.ndarray | None) -> np.ndarray:
        s = self.store
        maha = self.kf.gating_distance(s.mean[rows], s.cov[rows], xyxy_to_xyah(dets.xyxy[cols]))
        motion = maha / self.gate
        if feats is None or not len(feats) or "feat" not in s.cols:
            cost = motion
        else:
            app = matching.cosine_cost(s.feat[rows], feats[cols])
            cost = self.lam * app + (1 - self.lam) * motion
        return np.where(maha > self.gate, np.inf, cost)

    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        s, t = self.store, self.frame_id
        keep_det = np.flatnonzero(dets.conf >= self.conf)
        dets = dets.subset(keep_det)
        feats = None if feats is None else feats[keep_det]
        all_cols = np.arange(len(dets))
        pool = np.flatnonzero(s.confirmed)
        unconf = np.flatnonzero(~s.confirmed)

        m1, u_pool, u_det = matching.assign(self._embedding_cost(pool, dets, all_cols, feats),
                                            self.emb_thresh)
        rows1, cols1 = pool[m1[:, 0]], all_cols[m1[:, 1]]
        rest = pool[u_pool]
        rest = rest[s.state[rest] == TRACKED]
        left = all_cols[u_det]
        m2, u_rest, u_left = matching.assign(matching.iou_cost(s.xyxy(rest), dets.xyxy[left]),
                                             self.iou_thresh)
        rows2, cols2 = rest[m2[:, 0]], left[m2[:, 1]]
        left = left[u_left]
        m3, u_unc, u_left3 = matching.assign(
            matching.iou_cost(s.xyxy(unconf), dets.xyxy[left]), self.unconfirmed_thresh)
        rows = np.concatenate([rows1, rows2, unconf[m3[:, 0]]]).astype(np.int64)
        cols = np.concatenate([cols1, cols2, left[m3[:, 1]]]).astype(np.int64)
        self._apply_matches(rows, dets, cols, feats, self.momentum)
        s.confirmed[unconf[m3[:, 0]]] = True

        missed = np.ones(len(s), bool)
        missed[rows] = False
        s.misses[missed] += 1
        s.streak[missed] = 0
        s.state[missed] = LOST
        keep = np.ones(len(s), bool)
        keep[unconf[u_unc]] = False  # a one-frame track not seen again was noise
        keep &= ~((s.state == LOST) & (t - s.last > self.max_time_lost))
        s.keep(keep)
        new = left[u_left3]
        self._spawn(dets, new[dets.conf[new] >= self.new_thresh], feats, confirmed=(t == 1))

    def _visible(self) -> np.ndarray:
        s = self.store
        return np.flatnonzero((s.state == TRACKED) & s.confirmed)
