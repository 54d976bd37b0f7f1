"""DeepSORT (Wojke et al., 2017): appearance matching cascade, then IoU.

Per frame: confirmed tracks are matched to detections level by level of time since their
last match (recently seen tracks choose first), on the nearest-neighbour cosine distance
to each track's feature gallery, with pairs outside the Kalman chi-square 0.95 gate
forbidden; then unconfirmed tracks and tracks missed for one frame get an IoU round.
A tentative track missed once is dropped; a confirmed one after ``max_age`` frames.

Without any appearance source (``embedder: none`` and no ``dets.feat``) the cascade uses
the normalised Mahalanobis distance instead, so the tracker still works pixel-free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.core.kalman import CHI2INV95, xyxy_to_xyah
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST


class DeepSortTracker(KalmanMotTracker):
    name = "deepsort"

    def __init__(self, **overrides: Any):
        super().__init__(**overrides)
        p = self.params
        self.max_age = self.scaled(p["max_age"])
        self.n_init = int(p["n_init"])
        self.max_cos = float(p["max_cosine_distance"])
        self.max_iou = float(p["max_iou_distance"])
        self.only_position = bool(p["gating_only_position"])
        self.gate = CHI2INV95[2 if self.only_position else 4]
        self.lam = float(p["lambda_motion"])
        self.min_conf = float(p["min_conf"])
        self.new_thresh = float(p["new_track_thresh"])

    def _gallery_size(self, params: dict[str, Any]) -> int:
        return max(1, int(params["nn_budget"]))  # the gallery IS nn_budget (settable by --param)

    def _cascade_cost(self, rows: np.ndarray, dets: Detections, feats: np.ndarray | None
                      ) -> tuple[np.ndarray, float]:
        s = self.store
        maha = self.kf.gating_distance(s.mean[rows], s.cov[rows], xyxy_to_xyah(dets.xyxy),
                                       self.only_position)
        motion = maha / self.gate
        if feats is None or "gal" not in s.cols:
            cost, thresh = motion, 1.0
        else:
            app = matching.gallery_cost(s.gal[rows], s.gal_n[rows], feats)
            # each cue gates on its own; the mix only ranks the pairs both accept
            cost = np.where(app > self.max_cos, np.inf, self.lam * motion + (1 - self.lam) * app)
            thresh = self.lam + (1 - self.lam) * self.max_cos
        return np.where(maha > self.gate, np.inf, cost), thresh

    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        s = self.store
        keep_det = np.flatnonzero(dets.conf >= self.min_conf)
        dets = dets.subset(keep_det)
        feats = None if feats is None else feats[keep_det]
        confirmed = np.flatnonzero(s.confirmed)
        cost, thresh = self._cascade_cost(confirmed, dets, feats)

        rows_m, cols_m = [], []
        free = np.ones(len(dets), bool)
        for level in np.unique(s.misses[confirmed]):  # loop over age levels, not box pairs
            at = np.flatnonzero(s.misses[confirmed] == level)
            cols = np.flatnonzero(free)
            if len(cols) == 0:
                break
            m, _, _ = matching.assign(cost[np.ix_(at, cols)], thresh)
            rows_m.append(confirmed[at[m[:, 0]]])
            cols_m.append(cols[m[:, 1]])
            free[cols[m[:, 1]]] = False
        matched = np.zeros(len(s), bool)
        if rows_m:
            matched[np.concatenate(rows_m)] = True

        cand = np.flatnonzero(~matched & (~s.confirmed | (s.misses == 0)))
        cols = np.flatnonzero(free)
        m, _, u_cols = matching.assign(matching.iou_cost(s.xyxy(cand), dets.xyxy[cols]),
                                         self.max_iou)
        rows = np.concatenate([*rows_m, cand[m[:, 0]]]).astype(np.int64)
        det_cols = np.concatenate([*cols_m, cols[m[:, 1]]]).astype(np.int64)
        self._apply_matches(rows, dets, det_cols, feats, momentum=0.0)
        s.confirmed |= s.hits >= self.n_init

        missed = np.ones(len(s), bool)
        missed[rows] = False
        s.misses[missed] += 1
        s.streak[missed] = 0
        s.state[missed] = LOST
        s.keep(~(missed & ~s.confirmed) & (s.misses <= self.max_age))
        new = cols[u_cols]
        self._spawn(dets, new[dets.conf[new] >= self.new_thresh], feats, confirmed=False)

    def _visible(self) -> np.ndarray:
        s = self.store
        return np.flatnonzero(s.confirmed & (s.misses == 0))
