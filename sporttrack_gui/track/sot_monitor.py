"""A single-object tracker that knows when it has lost its target.

Why: plain CSRT always returns a box, so after an occlusion it sits on the occluder or the
grass and the user only notices when scrubbing. :class:`MonitoredTracker` scores every
frame (OpenCV's own score where it has a real one, else an appearance check against the
target's templates) and switches to LOST with hysteresis: a weak score for ``patience``
frames in a row, a box that leaves the frame, or OpenCV reporting failure. While lost,
``update`` returns ``ok=False``; the plain tracker leaves LOST only after the score has
been strong again for ``patience`` frames (recovery proper is ``RecoveringTracker``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from sporttrack_gui.track.sot_appearance import AppearanceModel
from sporttrack_gui.track.sot_checks import Xywh, as_bgr, check_init_box, inside_fraction
from sporttrack_gui.track.sot_opencv import OpenCvBackend


class TrackState(StrEnum):
    """Per-frame state; a ``str`` so it serialises to JSON and the project as-is."""

    INIT = "init"
    TRACKING = "tracking"
    UNCERTAIN = "uncertain"  # weak score, not yet for ``patience`` frames
    LOST = "lost"
    RECOVERED = "recovered"  # re-acquired on this frame


@dataclass
class LostPolicy:
    """When a target counts as lost. Defaults measured on OTB Bolt (CSRT's appearance score
    stays >= 0.38 while on target) and on full occlusions (< 0.25 on the occluder)."""

    threshold: float = 0.30
    patience: int = 5
    min_inside: float = 0.5
    resume_threshold: float = 0.45
    learn_threshold: float = 0.45
    #: the crop must also resemble the first frame's template this much to be learnt
    learn_initial: float = 0.38

    @classmethod
    def for_native_score(cls) -> LostPolicy:
        """DNN trackers' own scores: VitTrack's default acceptance threshold is 0.2."""
        return cls(threshold=0.2, resume_threshold=0.35, learn_threshold=0.35)


class MonitoredTracker:
    """OpenCV back-end + confidence + lost state; implements ``SingleTracker``."""

    def __init__(self, backend: OpenCvBackend, policy: LostPolicy | None = None):
        self.backend = backend
        if policy is None:
            policy = LostPolicy.for_native_score() if backend.spec.native_score else LostPolicy()
        self.policy = policy
        self.appearance: AppearanceModel | None = None
        self.state = TrackState.INIT
        self.score = math.nan
        self.box: Xywh = (math.nan,) * 4  # type: ignore[assignment]
        self._weak = 0
        self._strong = 0

    @property
    def name(self) -> str:
        return self.backend.name

    def init(self, frame: np.ndarray, xywh: Xywh) -> None:
        frame = as_bgr(frame)
        box = check_init_box(xywh, frame.shape)
        self.backend.init(frame, box)
        self.appearance = AppearanceModel(frame, box)
        self._reset(box, TrackState.INIT)

    def reinit(self, frame: np.ndarray, xywh: Xywh) -> None:
        """Restart the back-end at ``xywh`` keeping the target's templates (after recovery)."""
        if self.appearance is None:
            raise RuntimeError("reinit() before init()")
        frame = as_bgr(frame)
        box = check_init_box(xywh, frame.shape, where="re-acquired box")
        self.backend = self.backend.fresh()
        self.backend.init(frame, box)
        self._reset(box, TrackState.RECOVERED)

    def _reset(self, box: Xywh, state: TrackState) -> None:
        self.box = box
        self.state = state
        self.score = 1.0
        self._weak = self._strong = 0

    def score_box(self, frame: np.ndarray, xywh: Xywh) -> float:
        """Confidence that ``xywh`` holds the target: OpenCV's score or the appearance one."""
        if self.backend.score is not None:
            return self.backend.score
        assert self.appearance is not None
        return self.appearance.similarity(frame, xywh)

    def update(self, frame: np.ndarray) -> tuple[bool, Xywh, float]:
        if self.appearance is None:
            raise RuntimeError("update() before init()")
        frame = as_bgr(frame)
        ok, box = self.backend.update(frame)
        inside = inside_fraction(box, frame.shape) if ok else 0.0
        score = self.score_box(frame, box) if ok and inside > 0 else 0.0
        self.box, self.score = box, score
        p = self.policy
        if not ok or inside < p.min_inside:
            self.state = TrackState.LOST  # hard failure: no hysteresis
            self._weak, self._strong = p.patience, 0
        elif self.state == TrackState.LOST:
            self._strong = self._strong + 1 if score >= p.resume_threshold else 0
            if self._strong >= p.patience:
                self.state, self._weak = TrackState.TRACKING, 0
        else:
            self._weak = self._weak + 1 if score < p.threshold else 0
            if self._weak >= p.patience:
                self.state, self._strong = TrackState.LOST, 0
            else:
                self.state = TrackState.UNCERTAIN if self._weak else TrackState.TRACKING
        if self.state == TrackState.TRACKING and score >= p.learn_threshold:
            self.appearance.learn(frame, box, p.learn_initial)
        return self.state != TrackState.LOST, box, score


class PlainTracker:
    """The bare OpenCV tracker (no lost state): the baseline the monitor is measured against.

    ``score`` is OpenCV's own where it has one, else NaN: nothing is computed that the
    bare tracker would not compute, so its fps is OpenCV's.
    """

    def __init__(self, backend: OpenCvBackend):
        self.backend = backend
        self.state = TrackState.INIT

    @property
    def name(self) -> str:
        return self.backend.name

    def init(self, frame: np.ndarray, xywh: Xywh) -> None:
        frame = as_bgr(frame)
        self.backend.init(frame, check_init_box(xywh, frame.shape))
        self.state = TrackState.INIT

    def update(self, frame: np.ndarray) -> tuple[bool, Xywh, float]:
        ok, box = self.backend.update(as_bgr(frame))
        self.state = TrackState.TRACKING if ok else TrackState.LOST
        score = self.backend.score if self.backend.score is not None else math.nan
        return ok, box, score
