"""A queue of tracker runs executed one after another (Qt-free; the GUI's Jobs panel).

Why a queue of plain requests: "run the tracker on every sequence of the project" is a
list of independent ``run_pipeline`` calls. Running them one at a time keeps a 2-core
laptop usable and keeps one writer per project file. Each job carries its own cancel
event and progress fields; a job that fails records its message and the queue goes on
with the next one -- one sequence without detections must not stop the others.

The queue itself starts no thread: the caller runs ``run(job)`` wherever it likes (the
GUI in a worker thread, the CLI or a test in its own thread, ``run_all``). Reads of the
job list are safe from another thread (one lock guards the list and every state change).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.pipeline.config import PipelineConfig, PipelineResult
from sporttrack_gui.pipeline.progress import Progress

log = logging.getLogger(__name__)

QUEUED, RUNNING, COMPLETE, FAILED, CANCELLED = "queued", "running", "complete", "failed", "cancelled"
FINISHED = frozenset({COMPLETE, FAILED, CANCELLED})

#: text of a run that completed without a single box (shown as a warning, not a success)
NO_BOXES = ("no boxes: the detector found nothing on these frames (check the model, its "
            "confidence threshold and classes)")

Prepare = Callable[[], PipelineConfig]


@dataclass
class Job:
    """One queued run and what is known about it so far (plain values).

    ``prepare`` builds the ``PipelineConfig`` in the thread that runs the job, so slow
    preparation (exporting a detections run to a file) never runs where the request was
    made. ``phase``: "" before start, then the pipeline's phases ("loading model",
    "frames"). ``warning``: a complete run that is suspicious (zero boxes).
    """

    id: int
    sequence: str
    tracker: str
    detector: str
    prepare: Prepare
    run_name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    state: str = QUEUED
    phase: str = ""
    done: int = 0
    total: int = 0
    fps: float = 0.0
    eta_s: float | None = None
    error: str = ""
    warning: str = ""
    result: PipelineResult | None = None
    started: float | None = None
    ended: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def snapshot(self) -> Job:
        """A copy for another thread to read while this one keeps changing."""
        return replace(self, meta=dict(self.meta))


def _fixed(config: PipelineConfig) -> Prepare:
    return lambda: config


class JobQueue:
    """Jobs in submission order; ``on_change(job)`` after every state or progress change
    (called in the thread that made the change)."""

    def __init__(self, on_change: Callable[[Job], None] | None = None) -> None:
        self._jobs: list[Job] = []
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.on_change = on_change

    # ---- building the queue ---------------------------------------------------------------
    def add(self, prepare: Prepare | PipelineConfig, *, sequence: str = "", tracker: str = "",
            detector: str = "", run_name: str = "", meta: dict[str, Any] | None = None) -> Job:
        """Queue a run; ``prepare`` is a config or a function returning one."""
        if isinstance(prepare, PipelineConfig):
            cfg = prepare
            sequence = sequence or str(cfg.sequence or cfg.source or "")
            tracker = tracker or cfg.tracker
            detector = detector or cfg.detector
            run_name = run_name or (cfg.run_name or "")
            prepare = _fixed(cfg)
        with self._lock:
            job = Job(next(self._ids), sequence, tracker, detector, prepare, run_name,
                      dict(meta or {}))
            self._jobs.append(job)
        self._changed(job)
        return job

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs)

    def snapshots(self) -> list[Job]:
        """Copies of every job taken under one lock: a consistent picture for another
        thread (at most one of them is running)."""
        with self._lock:
            return [j.snapshot() for j in self._jobs]

    def snapshot(self, job_id: int) -> Job | None:
        with self._lock:
            job = self.get(job_id)
            return None if job is None else job.snapshot()

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs if j.id == job_id), None)

    def next_queued(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs if j.state == QUEUED), None)

    def running(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs if j.state == RUNNING), None)

    def pending(self) -> int:
        """Jobs not finished yet (queued or running)."""
        with self._lock:
            return sum(1 for j in self._jobs if not j.finished)

    def remove(self, job_id: int) -> bool:
        """Drop a queued or finished job from the list; a running one must be cancelled."""
        with self._lock:
            job = self.get(job_id)
            if job is None or job.state == RUNNING:
                return False
            self._jobs.remove(job)
        self._changed(job)
        return True

    def clear_finished(self) -> int:
        with self._lock:
            gone = [j for j in self._jobs if j.finished]
            self._jobs = [j for j in self._jobs if not j.finished]
        for job in gone:
            self._changed(job)
        return len(gone)

    def cancel(self, job_id: int) -> bool:
        """A queued job is cancelled at once (never starts); a running one is asked to
        stop (its run keeps what it wrote, marked incomplete)."""
        with self._lock:
            job = self.get(job_id)
            if job is None or job.finished:
                return False
            job.cancel.set()
            if job.state == QUEUED:
                job.state, job.ended = CANCELLED, time.monotonic()
        self._changed(job)
        return True

    def cancel_all(self) -> int:
        return sum(self.cancel(j.id) for j in self.jobs() if not j.finished)

    # ---- running -----------------------------------------------------------------------------
    def claim(self, job: Job) -> bool:
        """Mark a queued job running before it is handed to another thread, so a cancel
        in between stops its run (kept, incomplete) instead of un-queueing it."""
        with self._lock:
            if job.state != QUEUED:
                return False
            job.state, job.started, job.phase = RUNNING, time.monotonic(), "starting"
        self._changed(job)
        return True

    def run(self, job: Job, progress: Callable[[Job, Progress], None] | None = None,
            run_pipeline: Callable[..., PipelineResult] | None = None) -> Job:
        """Run ``job`` to its end in this thread; never raises for a failing run.

        ``progress(job, p)`` sees every pipeline report (with its boxes, for a live view).
        """
        if run_pipeline is None:
            from sporttrack_gui.pipeline.run import run_pipeline
        if not self.claim(job) and job.state != RUNNING:
            return job  # cancelled (or run) before it started

        def report(p: Progress) -> None:
            with self._lock:
                job.phase, job.done, job.total = p.phase, p.done, p.total
                job.fps, job.eta_s = p.fps, p.eta_s
            if progress is not None:
                progress(job, p)
            self._changed(job)

        try:
            config = job.prepare()
            if config.run_name and not job.run_name:
                job.run_name = config.run_name
            result = run_pipeline(config, progress=report, cancel=job.cancel)
        except Exception as exc:  # noqa: BLE001 - the job fails, the queue goes on
            message = str(exc) if isinstance(exc, SportTrackError) else \
                f"internal error: {type(exc).__name__}: {exc}"
            if not isinstance(exc, SportTrackError):
                log.exception("job %d (%s on %s) failed", job.id, job.tracker, job.sequence)
            with self._lock:
                job.state, job.error, job.ended = FAILED, message, time.monotonic()
            self._changed(job)
            return job
        with self._lock:
            job.result = result
            job.run_name = result.run_name or job.run_name
            job.done, job.total = result.frames, result.frames_total
            job.eta_s = 0.0 if result.status == "complete" else None
            job.state = COMPLETE if result.status == "complete" else CANCELLED
            if job.state == COMPLETE and result.boxes == 0 and result.frames:
                job.warning = NO_BOXES
            job.ended = time.monotonic()
        self._changed(job)
        return job

    def run_all(self, progress: Callable[[Job, Progress], None] | None = None) -> list[Job]:
        """Run every queued job in order (the CLI's way); returns the jobs run."""
        ran = []
        while (job := self.next_queued()) is not None:
            ran.append(self.run(job, progress))
        return ran

    def _changed(self, job: Job) -> None:
        if self.on_change is not None:
            self.on_change(job)
