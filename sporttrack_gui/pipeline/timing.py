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
