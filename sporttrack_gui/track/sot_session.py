"""A Qt-free single-object tracking session, driven frame by frame (GUI) or to the end (CLI).

Why: the GUI needs to step one frame, draw, and let the user stop or correct; the CLI and
the benchmark need the same loop run flat out with timings. Both use this object, so the
lost/recovery logic, the timing (tracker time only, decode excluded, as OTB reports fps)
and the error messages exist once. Frames are numbered 1-based like everything stored.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.track.single import (
    AnyTracker,
    PlainTracker,
    RecoveringTracker,
    create_single_tracker,
)
from sporttrack_gui.track.sot_checks import Xywh, check_init_box
from sporttrack_gui.track.sot_monitor import TrackState

#: ``candidates(frame_number, frame) -> xyxy (N, 4) or None``: detector boxes for recovery
CandidateFn = Callable[[int, np.ndarray], np.ndarray | None]


class FrameSource(Protocol):
    """What the session reads: ``len`` and 0-based ``[i] -> BGR``; ``VideoSource`` fits."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> np.ndarray: ...


class SotStep(NamedTuple):
    frame_number: int
    ok: bool
    xywh: Xywh
    score: float
    state: str


@dataclass
class SotTrack:
    """Per-frame output from ``start_frame`` on; ``xywh`` rows are NaN where the target was
    lost (``predicted`` keeps where the tracker looked, for drawing a dashed box)."""

    tracker: str
    start_frame: int
    xywh: np.ndarray
    predicted: np.ndarray
    ok: np.ndarray
    scores: np.ndarray
    states: list[str]
    times: np.ndarray  # tracker seconds per frame (init included; decoding excluded)
    total_seconds: float
    recoveries: int = 0
    cancelled: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> np.ndarray:
        return np.arange(self.start_frame, self.start_frame + len(self.ok), dtype=np.int64)

    @property
    def track_seconds(self) -> float:
        return float(self.times.sum())

    @property
    def fps(self) -> float:
        """Frames per second of tracker time (init included, decoding excluded), as OTB."""
        total = self.track_seconds
        return len(self.times) / total if total > 0 else math.nan

    @property
    def lost_frames(self) -> int:
        return int((~self.ok).sum())


class SotSession:
    """One target followed through ``source`` from ``init_frame`` (1-based) with ``xywh``.

    ``source`` is any object with ``len`` and 0-based ``[i]`` (a ``VideoSource``, a list of
    frames); opening files is the caller's job, so track/ stays free of media/.

    ``tracker`` is a name for :func:`create_single_tracker` or a ready tracker object.
    ``step()`` returns one :class:`SotStep` per frame (the first is the start box) and
    ``None`` at the end; ``run(progress, cancel)`` steps to the end.
    """

    def __init__(self, source: FrameSource, tracker: str | AnyTracker = "csrt",
                 init_frame: int = 1, xywh: Xywh | None = None, *, recover: bool = True,
                 end_frame: int | None = None, candidates: CandidateFn | None = None,
                 monitor: bool = True, **tracker_params: Any):
        if not hasattr(source, "__len__") or not hasattr(source, "__getitem__"):
            raise InputError(f"frame source must support len() and [index], got "
                             f"{type(source).__name__}")
        self.source = source
        self.source_name = str(getattr(source, "path", None) or type(source).__name__)
        self.init_frame, self.end_frame = _frame_range(
            len(source), init_frame, end_frame, self.source_name)
        if xywh is None:
            raise InputError("a start box x,y,w,h is needed to start single-object tracking")
        self.tracker = _make_tracker(tracker, recover, monitor, tracker_params)
        self.params = {"tracker": self.tracker.name,
                       "recover": isinstance(self.tracker, RecoveringTracker),
                       "monitor": not isinstance(self.tracker, PlainTracker),
                       **{k: v for k, v in tracker_params.items() if _plain(v)}}
        self.init_box = xywh
        self.candidates = candidates
        self._next = self.init_frame
        self._steps: list[SotStep] = []
        self._predicted: list[Xywh] = []
        self._times: list[float] = []
        self._started = time.perf_counter()
        self._cancelled = False
        self._recoveries_before = 0  # recoveries counted before a user correction

    @property
    def frame_count(self) -> int:
        """Frames this session will produce, the start frame included."""
        return self.end_frame - self.init_frame + 1

    @property
    def done(self) -> bool:
        return self._next > self.end_frame or self._cancelled

    def _read(self, frame_number: int) -> np.ndarray:
        return self.source[frame_number - 1]

    def step(self) -> SotStep | None:
        if self.done:
            return None
        fn = self._next
        frame = self._read(fn)
        t0 = time.perf_counter()
        if fn == self.init_frame:
            where = f"start box on frame {fn} of {self.source_name}"
            box = check_init_box(self.init_box, frame.shape, where=where)
            self.tracker.init(frame, box)
            ok, score, state = True, 1.0, TrackState.INIT.value
        elif isinstance(self.tracker, RecoveringTracker) and self.candidates is not None:
            ok, box, score = self.tracker.update(frame, self.candidates(fn, frame))
            state = self.tracker.state.value
        else:
            ok, box, score = self.tracker.update(frame)
            state = self.tracker.state.value
        self._times.append(time.perf_counter() - t0)
        self._next += 1
        box = tuple(float(v) for v in box)  # type: ignore[assignment]
        self._predicted.append(box)
        step = SotStep(fn, bool(ok), box if ok else (math.nan,) * 4, float(score), state)
        self._steps.append(step)
        return step

    def correct(self, xywh: Xywh) -> SotStep:
        """The user redrew the box on the last frame stepped: restart the tracker there
        (new templates: the user's box is the truth) and replace that frame's result."""
        if not self._steps:
            raise InputError("nothing to correct yet: step() at least once first")
        fn = self._steps[-1].frame_number
        frame = self._read(fn)
        box = check_init_box(xywh, frame.shape, where=f"corrected box on frame {fn}")
        self._recoveries_before += getattr(self.tracker, "recoveries", 0)
        t0 = time.perf_counter()
        self.tracker.init(frame, box)
        self._times[-1] = time.perf_counter() - t0
        step = SotStep(fn, True, tuple(float(v) for v in box), 1.0,  # type: ignore[arg-type]
                       TrackState.INIT.value)
        self._steps[-1] = step
        self._predicted[-1] = step.xywh
        return step

    def run(self, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> SotTrack:
        """Step to the end. ``progress(done, total)`` after each frame; ``cancel()`` returning
        True stops early and the partial result is returned with ``cancelled=True``."""
        total = self.frame_count
        while not self.done:
            if cancel is not None and cancel():
                self._cancelled = True
                break
            self.step()
            if progress is not None:
                progress(len(self._steps), total)
        return self.result()

    def result(self) -> SotTrack:
        """Everything tracked so far (also after an exception or a cancel)."""
        steps = self._steps
        return SotTrack(
            tracker=self.tracker.name,
            start_frame=self.init_frame,
            xywh=np.array([s.xywh for s in steps], np.float64).reshape(-1, 4),
            predicted=np.array(self._predicted, np.float64).reshape(-1, 4),
            ok=np.array([s.ok for s in steps], bool),
            scores=np.array([s.score for s in steps], np.float64),
            states=[s.state for s in steps],
            times=np.array(self._times, np.float64),
            total_seconds=time.perf_counter() - self._started,
            recoveries=self._recoveries_before + getattr(self.tracker, "recoveries", 0),
            cancelled=self._cancelled,
            params=dict(self.params),
        )


def _frame_range(n: int, init_frame: object, end_frame: object, name: str) -> tuple[int, int]:
    """Check the 1-based start/end frames against a source of ``n`` frames."""
    if isinstance(init_frame, bool) or not isinstance(init_frame, int | np.integer) \
            or init_frame < 1:
        raise InputError(f"start frame must be a 1-based frame number, got {init_frame!r}")
    if n < 1:
        raise InputError(f"{name} has no frames")
    if init_frame > n:
        raise InputError(f"start frame {init_frame} is beyond the end of {name} ({n} frames)")
    last = n if end_frame is None else int(end_frame)  # type: ignore[call-overload]
    if last < init_frame:
        raise InputError(f"end frame {last} is before the start frame {init_frame}")
    if last > n:
        raise InputError(f"end frame {last} is beyond the end of {name} ({n} frames)")
    return int(init_frame), last


def _make_tracker(tracker: str | AnyTracker, recover: bool, monitor: bool,
                  params: dict[str, Any]) -> AnyTracker:
    if isinstance(tracker, str):
        return create_single_tracker(tracker, recover=recover, monitor=monitor, **params)
    if params:
        raise InputError("tracker parameters are given with a tracker name, not an object")
    return tracker


def _plain(v: Any) -> bool:
    return isinstance(v, str | int | float | bool) or v is None
