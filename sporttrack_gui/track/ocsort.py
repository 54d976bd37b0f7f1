"""OC-SORT (Cao et al., CVPR 2023): observation-centric SORT over the columnar track store.

Three changes to SORT, all aimed at objects that stop being detected and move
non-linearly meanwhile (a player sprinting behind others, then turning):

* **OCM** (observation-centric momentum): the first association adds to IoU a bonus for
  detections lying in the direction the track has been moving, measured between real
  *observations* ``delta_t`` frames apart instead of the noisy filter velocity.
* **OCR** (observation-centric recovery): tracks and detections left over are matched
  once more on the track's *last observation* box, which re-finds an object that stopped
  right where it was last seen while its prediction drifted away.
* **ORU** (observation-centric re-update): when a track is matched again after a gap, the
  filter is rewound to its state at the last observation and re-run over a virtual
  trajectory linearly interpolated to the new detection, so the error accumulated while
  predicting blind does not stay in the velocity.

Optionally (``use_byte``) still-unmatched tracks also get ByteTrack's low-score round.
All steps are vectorised over tracks; the only loops are over ``delta_t`` and over the
length of the longest gap being re-updated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.core.kalman import xyxy_to_xyah
from sporttrack_gui.track import matching
from sporttrack_gui.track.mot_base import KalmanMotTracker
from sporttrack_gui.track.state import LOST


def _centres(xyxy: np.ndarray) -> np.ndarray:
    return (np.asarray(xyxy, np.float64)[:, :2] + np.asarray(xyxy, np.float64)[:, 2:]) / 2


class OcSortTracker(KalmanMotTracker):
    name = "ocsort"

    def __init__(self, **overrides: Any):
        super().__init__(**overrides)
        p = self.params
        self.det_thresh = float(p["det_thresh"])
        self.low_thresh = float(p["low_thresh"])
        self.new_thresh = float(p["new_track_thresh"])
        self.iou_threshold = float(p["iou_threshold"])
        self.min_hits = int(p["min_hits"])
        self.max_age = self.scaled(p["max_age"])
        self.inertia = float(p["inertia"])
        self.use_byte = bool(p["use_byte"])
        self.use_oru = bool(p["use_oru"])

    @property
    def delta_t(self) -> int:
        return max(1, int(self.params["delta_t"]))

    def _extra_columns(self) -> dict[str, tuple[type, tuple[int, ...]]]:
        d = max(1, int(self.params["delta_t"]))
        return {"hist": (np.float32, (d, 4)),  # ring of the last delta_t observations
                "hist_t": (np.int64, (d,)),    # their detector-frame numbers (0: none)
                "vel": (np.float64, (2,)),     # unit direction (dy, dx) between observations
                "saved_mean": (np.float64, (8,)),  # filter state after the last observation
                "saved_cov": (np.float64, (8, 8))}

    # ------------------------------------------------------------------ observations
    def _previous_obs(self, rows: np.ndarray) -> np.ndarray:
        """Per track, the observation from ``delta_t`` frames ago (or the oldest one within
        that window; failing that the last observation), as OC-SORT's ``k_previous_obs``."""
        s, t, d = self.store, self.frame_id, self.delta_t
        out = s.det[rows].astype(np.float64)
        found = np.zeros(len(rows), bool)
        for dt in range(d, 0, -1):  # oldest first: the first hit wins
            f = t - dt
            if f < 1:
                continue
            slot = f % d
            ok = ~found & (s.hist_t[rows, slot] == f)
            out[ok] = s.hist[rows[ok], slot]
            found |= ok
        return out

    def _direction_bonus(self, rows: np.ndarray, dets: Detections, cols: np.ndarray
                         ) -> np.ndarray:
        """OCM for given (track row, detection) PAIRS: ``inertia * score * (pi/2 - angle
        between the track's observed motion and the track->detection direction) / pi``.

        Pairs, not a dense matrix: only pairs that pass the IoU gate need it (a crowd of
        thousands of boxes has few such pairs)."""
        s = self.store
        if len(rows) == 0 or self.inertia == 0:
            return np.zeros(len(rows))
        prev = _centres(self._previous_obs(rows))
        d = _centres(dets.xyxy[cols]) - prev
        norm = np.linalg.norm(d, axis=1) + 1e-6
        vel = s.vel[rows]
        cos = np.clip((vel[:, 0] * d[:, 1] + vel[:, 1] * d[:, 0]) / norm, -1.0, 1.0)
        angle = (np.pi / 2 - np.arccos(cos)) / np.pi
        moving = np.any(vel != 0, axis=1)  # a track without observed motion gets no bonus
        return np.where(moving, angle, 0.0) * self.inertia * dets.conf[cols]

    # ------------------------------------------------------------------ association
    def _match(self, iou: np.ndarray, dets: Detections | None = None,
               rows: np.ndarray | None = None, cols: np.ndarray | None = None
               ) -> tuple[np.ndarray, ...]:
        """Max ``IoU (+ OCM bonus when dets/rows/cols are given)`` matching; pairs below
        ``iou_threshold`` IoU are forbidden.

        Cost ``2 - gain`` <= 2: every allowed pair with a positive gain beats leaving both
        sides unmatched, so this maximises the total gain over the allowed pairs."""
        ok = iou >= self.iou_threshold
        cost = np.where(ok, np.float32(2.0) - iou, np.float32(np.inf))  # float32 like iou
        if dets is not None and rows is not None and cols is not None and self.inertia:
            i, j = np.nonzero(ok)
            cost[i, j] -= self._direction_bonus(rows[i], dets, cols[j])
        return matching.assign(cost, 2.0)

    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        s = self.store
        conf = dets.conf
        hi = np.flatnonzero(conf >= self.det_thresh)
        lo = np.flatnonzero((conf > self.low_thresh) & (conf < self.det_thresh))
        boxes = s.xyxy()
        rows_all = np.arange(len(s))

        m1, u_rows, u_hi = self._match(iou_matrix(boxes, dets.xyxy[hi]), dets, rows_all, hi)
        rows_m, cols_m = [m1[:, 0]], [hi[m1[:, 1]]]
        rest, left = u_rows, hi[u_hi]
        if self.use_byte and len(rest) and len(lo):
            m2, u2, _ = self._match(iou_matrix(boxes[rest], dets.xyxy[lo]))
            rows_m.append(rest[m2[:, 0]])
            cols_m.append(lo[m2[:, 1]])
            rest = rest[u2]
        if len(rest) and len(left):  # OCR: the last observation, not the prediction
            m3, u3, u_left = self._match(iou_matrix(s.det[rest], dets.xyxy[left]))
            rows_m.append(rest[m3[:, 0]])
            cols_m.append(left[m3[:, 1]])
            left = left[u_left]
        rows = np.concatenate(rows_m).astype(np.int64)
        cols = np.concatenate(cols_m).astype(np.int64)

        self._apply_matches(rows, dets, cols, feats)
        missed = np.ones(len(s), bool)
        missed[rows] = False
        s.misses[missed] += 1
        s.streak[missed] = 0
        s.state[missed] = LOST
        s.confirmed |= s.streak >= self.min_hits
        s.keep(s.misses <= self.max_age)
        new = left[conf[left] >= self.new_thresh]
        first = len(s)
        self._spawn(dets, new, feats, confirmed=self.frame_id <= self.min_hits)
        self._observe(np.arange(first, len(s)), dets.xyxy[new])

    def _apply_matches(self, rows: np.ndarray, dets: Detections, cols: np.ndarray,
                       feats: np.ndarray | None, momentum: float = 0.9) -> None:
        if len(rows) == 0:
            return
        s = self.store
        new_obs = dets.xyxy[cols]
        prev = self._previous_obs(rows)
        gap = self.frame_id - s.last[rows]
        if self.use_oru:
            self._reupdate(rows[gap > 1], gap[gap > 1], new_obs[gap > 1])
        d = _centres(new_obs) - _centres(prev)
        norm = np.linalg.norm(d, axis=1, keepdims=True) + 1e-6
        s.vel[rows] = d[:, ::-1] / norm  # (dy, dx)
        super()._apply_matches(rows, dets, cols, feats, momentum)
        self._observe(rows, new_obs)

    def _observe(self, rows: np.ndarray, xyxy: np.ndarray) -> None:
        """Record an observation and the filter state right after it (for ORU)."""
        if len(rows) == 0:
            return
        s = self.store
        slot = self.frame_id % self.delta_t
        s.hist[rows, slot] = xyxy
        s.hist_t[rows, slot] = self.frame_id
        s.saved_mean[rows] = s.mean[rows]
        s.saved_cov[rows] = s.cov[rows]

    def _reupdate(self, rows: np.ndarray, gap: np.ndarray, new_obs: np.ndarray) -> None:
        """ORU: rewind to the last observation and filter a straight virtual path up to
        one step before ``new_obs`` (``_apply_matches`` then applies the real one)."""
        if len(rows) == 0:
            return
        s = self.store
        mean, cov = s.saved_mean[rows].copy(), s.saved_cov[rows].copy()
        start = s.det[rows].astype(np.float64)
        step = (new_obs.astype(np.float64) - start) / gap[:, None]
        for k in range(1, int(gap.max()) + 1):
            act = gap >= k
            m, c = self.kf.predict(mean[act], cov[act])
            virtual = k < gap[act]
            if virtual.any():  # the k-th virtual observation; the last step stays a predict
                z = xyxy_to_xyah(start[act][virtual] + step[act][virtual] * k)
                m[virtual], c[virtual] = self.kf.update(m[virtual], c[virtual], z)
            mean[act], cov[act] = m, c
        s.mean[rows], s.cov[rows] = mean, cov

    def _visible(self) -> np.ndarray:
        s = self.store
        return np.flatnonzero((s.misses == 0) & s.confirmed)
