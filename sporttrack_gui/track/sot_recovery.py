"""Re-acquisition after loss: a Kalman motion prior plus an appearance search.

Why: in sport the usual failure is a full occlusion (a player runs behind another, the
ball behind a leg) after which the target reappears a little away from where it vanished.
While the wrapped :class:`MonitoredTracker` is confident its boxes feed a constant-velocity
Kalman filter; once it reports LOST the filter predicts where the target should be, and
every frame candidates are scored — detector boxes when the caller has them, otherwise
peaks of the initial template matched over a window that grows with the time lost — by
appearance similarity plus motion plausibility. The best one above threshold restarts the
OpenCV tracker there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.core.boxes import as_boxes, xyxy_to_xywh
from sporttrack_gui.core.kalman import KalmanBoxFilter, xyah_to_xyxy, xyxy_to_xyah
from sporttrack_gui.errors import InputError
from sporttrack_gui.track.sot_checks import Xywh, as_bgr, inside_fraction
from sporttrack_gui.track.sot_monitor import MonitoredTracker, TrackState
from sporttrack_gui.track.sot_rivals import RivalMemory


@dataclass
class RecoveryConfig:
    """Search and acceptance settings; distances are in box diagonals so one setting fits a
    far-away player and a close-up. The search disc is also the gate for detector boxes: a
    team-mate in the same kit further away than the target could have run is never
    considered; inside the disc the motion prior is narrower than the disc, so a look-alike
    at its edge loses to a less perfect match near the prediction."""

    search_base: float = 1.0        # search radius (and gate) when just lost ...
    search_growth: float = 0.1      # ... growing per frame lost (~ a player's run)
    search_max: float = 6.0         # cap on the search radius
    motion_sigma: float = 0.5       # motion-prior width when just lost ...
    motion_growth: float = 0.02     # ... widening per frame lost
    scales: tuple[float, ...] = (0.85, 1.0, 1.18)
    peaks_per_scale: int = 3
    appearance_weight: float = 0.5
    accept_appearance: float = 0.5  # candidate must look like the target at least this much
    accept_total: float = 0.55
    velocity_decay: float = 0.95    # damp the predicted velocity while lost
    search_fallback: bool = True    # search around the prediction when no detector box fits
    confirm_frames: int = 2         # consecutive frames a candidate must be re-found in ...
    confirm_distance: float = 0.5   # ... within this many box diagonals
    initial_only: bool = True       # judge candidates against the first frame's template only
    reject_rivals: bool = True      # never accept a look-alike first seen where it could not be


@dataclass
class Candidate:
    xywh: Xywh
    appearance: float
    motion: float
    total: float


class RecoveringTracker:
    """``SingleTracker`` that re-finds its target; ``update(frame, candidates_xyxy=None)``."""

    def __init__(self, base: MonitoredTracker, config: RecoveryConfig | None = None):
        self.base = base
        self.config = config or RecoveryConfig()
        self.kf = KalmanBoxFilter()
        self.mean = np.zeros((1, 8))
        self.cov = np.eye(8)[None]
        self.frames_lost = 0
        self.recoveries = 0
        self.last_candidate: Candidate | None = None
        self._pending: Candidate | None = None
        self._pending_count = 0
        self.rivals = RivalMemory()

    @property
    def name(self) -> str:
        return self.base.name

    @property
    def state(self) -> TrackState:
        return self.base.state

    def init(self, frame: np.ndarray, xywh: Xywh) -> None:
        self.base.init(frame, xywh)
        self._restart_filter(self.base.box)
        self.frames_lost = 0
        self.recoveries = 0
        self.last_candidate, self._pending, self._pending_count = None, None, 0
        self.rivals.clear()

    def _restart_filter(self, xywh: Xywh) -> None:
        x, y, w, h = xywh
        self.mean, self.cov = self.kf.initiate(xyxy_to_xyah([[x, y, x + w, y + h]]))

    def predicted_box(self) -> Xywh:
        xyxy = xyah_to_xyxy(self.mean[:, :4])
        return tuple(float(v) for v in xyxy_to_xywh(xyxy)[0])  # type: ignore[return-value]

    def update(self, frame: np.ndarray, candidates_xyxy: np.ndarray | None = None
               ) -> tuple[bool, Xywh, float]:
        frame = as_bgr(frame)
        self.mean, self.cov = self.kf.predict(self.mean, self.cov)
        if self.base.state != TrackState.LOST:
            ok, box, score = self.base.update(frame)
            if ok:
                if self.base.state == TrackState.TRACKING:
                    x, y, w, h = box
                    self.mean, self.cov = self.kf.update(
                        self.mean, self.cov, xyxy_to_xyah([[x, y, x + w, y + h]]))
                return ok, box, score
            self.frames_lost = 0
        return self._while_lost(frame, candidates_xyxy)

    def _while_lost(self, frame: np.ndarray, candidates_xyxy: np.ndarray | None
                    ) -> tuple[bool, Xywh, float]:
        cfg = self.config
        self.frames_lost += 1
        # keep the size, slow the motion: a lost player rarely keeps full speed for long
        self.mean[:, 4:6] *= cfg.velocity_decay
        self.mean[:, 6:8] = 0.0
        pred = self.predicted_box()
        best = self._best_candidate(frame, pred, candidates_xyxy)
        self.last_candidate = best
        if self._confirmed(best):
            assert best is not None
            self._pending, self._pending_count = None, 0
            try:
                self.base.reinit(frame, best.xywh)
            except InputError:  # e.g. a detector box too small for this back-end
                self.base.box = pred
                return False, pred, best.appearance
            self._restart_filter(self.base.box)
            self.frames_lost = 0
            self.rivals.clear()
            self.recoveries += 1
            return True, self.base.box, best.appearance
        self.base.box = pred
        return False, pred, (best.appearance if best is not None else 0.0)

    def _confirmed(self, best: Candidate | None) -> bool:
        """True once a passing candidate has been seen ``confirm_frames`` times in a row at
        nearby places: one lucky match on a look-alike must not restart the tracker."""
        if not self._passes(best):
            self._pending, self._pending_count = None, 0
            return False
        assert best is not None
        prev = self._pending
        if prev is not None:
            diag = max(math.hypot(best.xywh[2], best.xywh[3]), 1.0)
            d = math.hypot(best.xywh[0] + best.xywh[2] / 2 - prev.xywh[0] - prev.xywh[2] / 2,
                           best.xywh[1] + best.xywh[3] / 2 - prev.xywh[1] - prev.xywh[3] / 2)
            self._pending_count = self._pending_count + 1 \
                if d <= self.config.confirm_distance * diag else 1
        else:
            self._pending_count = 1
        self._pending = best
        return self._pending_count >= max(1, self.config.confirm_frames)

    def _best_candidate(self, frame: np.ndarray, pred: Xywh,
                        candidates_xyxy: np.ndarray | None) -> Candidate | None:
        cfg = self.config
        boxes: list[Xywh] = []
        if candidates_xyxy is not None:
            for row in xyxy_to_xywh(as_boxes(candidates_xyxy)):
                if row[2] > 0 and row[3] > 0 and inside_fraction(tuple(row), frame.shape) > 0.5:
                    boxes.append(tuple(float(v) for v in row))  # type: ignore[arg-type]
        scored = self._score(frame, pred, boxes)
        if (candidates_xyxy is None or cfg.search_fallback) \
                and not any(self._passes(c) for c in scored):
            scored += self._search(frame, pred)
        diag = max(math.hypot(pred[2], pred[3]), 1.0)
        rivals = self.rivals.flag(scored, diag, self.frames_lost, cfg.accept_appearance) \
            if cfg.reject_rivals else set()
        return max((c for i, c in enumerate(scored) if i not in rivals),
                   key=lambda c: c.total, default=None)

    def _passes(self, c: Candidate | None) -> bool:
        cfg = self.config
        return c is not None and c.appearance >= cfg.accept_appearance \
            and c.total >= cfg.accept_total

    def _search(self, frame: np.ndarray, pred: Xywh) -> list[Candidate]:
        cfg = self.config
        diag = math.hypot(pred[2], pred[3])
        radius = diag * self._radius()
        centre = (pred[0] + pred[2] / 2, pred[1] + pred[3] / 2)
        assert self.base.appearance is not None
        hits = self.base.appearance.search(frame, centre, (pred[2], pred[3]), radius,
                                           cfg.scales, cfg.peaks_per_scale)
        return self._score(frame, pred, [h.xywh for h in hits])

    def _radius(self) -> float:
        """Search radius in box diagonals: how far the target may have got by now."""
        cfg = self.config
        return min(cfg.search_max, cfg.search_base + cfg.search_growth * self.frames_lost)

    def _sigma(self) -> float:
        """Width of the motion prior in box diagonals: grows linearly with the time lost."""
        return self.config.motion_sigma + self.config.motion_growth * self.frames_lost

    def _score(self, frame: np.ndarray, pred: Xywh, boxes: list[Xywh]) -> list[Candidate]:
        """Appearance (vs the target's templates) blended with a Gaussian motion prior whose
        width grows with the time lost, so a long occlusion allows a longer way back; boxes
        outside the search disc are dropped."""
        cfg = self.config
        assert self.base.appearance is not None
        diag = max(math.hypot(pred[2], pred[3]), 1.0)
        sigma = self._sigma()
        pcx, pcy = pred[0] + pred[2] / 2, pred[1] + pred[3] / 2
        out: list[Candidate] = []
        for b in boxes:
            d = math.hypot(b[0] + b[2] / 2 - pcx, b[1] + b[3] / 2 - pcy) / diag
            if d > self._radius():
                continue
            size_ratio = max(b[3] / max(pred[3], 1e-6), pred[3] / max(b[3], 1e-6))
            motion = math.exp(-0.5 * (d / sigma) ** 2) / size_ratio
            app = (self.base.appearance.similarity_initial(frame, b) if cfg.initial_only
                   else self.base.appearance.similarity(frame, b))
            total = cfg.appearance_weight * app + (1 - cfg.appearance_weight) * motion
            out.append(Candidate(b, app, motion, total))
        return out
