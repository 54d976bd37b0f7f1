"""Per-stage stopwatch. Why a class: stages run on two threads (decode in the prefetch
thread, the rest in the run loop) and their sums overlap in wall time, so each stage keeps
its own total and the result reports ms per processed frame next to the wall-clock fps."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

from sporttrack_gui.pipeline.config import STAGES, StageTiming


class StageClock:
    """Accumulates seconds per stage; safe to add to from several threads."""

    def __init__(self, stages: tuple[str, ...] = STAGES) -> None:
        self._totals = dict.fromkeys(stages, 0.0)
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self._totals[stage] = self._totals.get(stage, 0.0) + seconds

    def move(self, source: str, target: str, seconds: float) -> None:
        """Re-book ``seconds`` measured inside ``source`` as ``target`` (a sub-stage)."""
        if seconds > 0:
            with self._lock:
                self._totals[source] = self._totals.get(source, 0.0) - seconds
                self._totals[target] = self._totals.get(target, 0.0) + seconds

    def time_embedding(self, stage: str, component: object):
        """Time ``stage``; the part ``component`` reports in ``embed_seconds`` (a
        cumulative float, optional) is booked as ``embed``."""
        return _EmbedSplit(self, stage, component)

    @contextmanager
    def time(self, stage: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - t0)

    def ms_per_frame(self, frames: int) -> dict[str, float]:
        with self._lock:
            return {k: (v * 1000.0 / frames if frames else 0.0) for k, v in self._totals.items()}

    def summary(self, frames: int) -> dict[str, StageTiming]:
        with self._lock:
            return {k: StageTiming(total_s=v, ms_per_frame=(v * 1000.0 / frames if frames else 0.0))
                    for k, v in self._totals.items()}


class _EmbedSplit:
    """Context manager behind :meth:`StageClock.time_embedding`."""

    def __init__(self, clock: StageClock, stage: str, component: object) -> None:
        self.clock, self.stage, self.component = clock, stage, component

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()
        self.e0 = float(getattr(self.component, "embed_seconds", 0.0) or 0.0)

    def __exit__(self, *exc: object) -> None:
        self.clock.add(self.stage, time.perf_counter() - self.t0)
        spent = float(getattr(self.component, "embed_seconds", 0.0) or 0.0) - self.e0
        self.clock.move(self.stage, "embed", spent)
