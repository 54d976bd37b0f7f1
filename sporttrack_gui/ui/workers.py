"""Long jobs on a ``QThread``: a tracker run (pipeline) and a single-object track.

The rule (ARCHITECTURE.md): plain values in, signals out. A worker gets a
``PipelineConfig`` or a few numbers and paths, opens its own project connection and frame
source in its thread, and never reads a widget. Cancel sets a ``threading.Event`` that
the pipeline/session polls, so it works while the worker is busy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from sporttrack_gui.errors import SportTrackError

log = logging.getLogger(__name__)


def _message(exc: BaseException) -> str:
    if isinstance(exc, SportTrackError):
        return str(exc)
    log.exception("worker failed")
    return f"internal error: {type(exc).__name__}: {exc}"


class Worker(QObject):
    """Base: ``run`` in the thread; ``done`` always fires last (success, failure or cancel)."""

    failed = Signal(str)
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Thread-safe: called from the GUI thread while ``run`` is busy."""
        self.cancel_event.set()

    @Slot()
    def run(self) -> None:
        try:
            self.work()
        except Exception as exc:  # noqa: BLE001 - reported to the user, never lost
            self.failed.emit(_message(exc))
        finally:
            self.done.emit()

    def work(self) -> None:
        raise NotImplementedError


class PipelineWorker(Worker):
    """Runs ``run_pipeline(config)``; optional live evaluation against a gt run.

    ``live_eval`` is a ``ui.live_eval.LiveEvaluator`` over plain gt arrays, fed here in
    the worker thread with each batch of tracks the pipeline reports, so the GUI thread
    only receives a small metrics dict.
    """

    progress = Signal(object)  # pipeline.Progress
    metrics = Signal(int, object)  # last frame, dict of live metrics
    finished = Signal(object)  # pipeline.PipelineResult

    def __init__(self, config: Any, live_eval: Any | None = None) -> None:
        super().__init__()
        self.config = config
        self.live_eval = live_eval

    def _on_progress(self, p: Any) -> None:
        self.progress.emit(p)
        if self.live_eval is not None and p.tracks:
            for frame, tracks in p.tracks:
                self.live_eval.add(frame, tracks.track_id, tracks.xyxy)
            self.metrics.emit(self.live_eval.last_frame, self.live_eval.summary())

    def work(self) -> None:
        from sporttrack_gui.pipeline import run_pipeline

        result = run_pipeline(self.config, progress=self._on_progress, cancel=self.cancel_event)
        self.finished.emit(result)


@dataclass(frozen=True)
class SotRequest:
    """Everything a single-object track needs, as plain values."""

    project: str
    sequence_id: int
    source: str
    tracker: str
    init_frame: int
    xywh: tuple[float, float, float, float]
    recover: bool = True
    end_frame: int | None = None
    run_name: str = ""


def worker_thread(worker: Worker, name: str, on_ended: Callable[[], None]) -> QThread:
    """A not yet started ``QThread`` that runs ``worker.run`` and quits when the worker is
    done, calling ``on_ended`` (in the GUI thread) once the thread has finished: the one
    wiring every long job uses (connect the worker's own signals, then ``start()``)."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit)
    thread.finished.connect(on_ended)
    return thread


class JobRunner(QObject):
    """Owns at most one worker thread at a time; ``busy`` tells the window to disable Run."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: QThread | None = None
        self.worker: Worker | None = None

    def busy(self) -> bool:
        return self.thread is not None

    def start(self, worker: Worker) -> None:
        if self.busy():
            raise RuntimeError("a job is already running")
        thread = worker_thread(worker, type(worker).__name__, self._cleanup)
        self.thread, self.worker = thread, worker
        self.busyChanged.emit(True)
        thread.start()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def wait(self, ms: int = 30000) -> bool:
        """Block until the job ends (shutdown only)."""
        return self.thread.wait(ms) if self.thread is not None else True

    def _cleanup(self) -> None:
        thread, self.thread, self.worker = self.thread, None, None
        if thread is not None:
            thread.deleteLater()
        self.busyChanged.emit(False)


class CallWorker(Worker):
    """Runs one Qt-free callable (e.g. building the demo) and emits its return value.

    The callable receives a ``status(str)`` function that emits ``message``.
    """

    message = Signal(str)
    finished = Signal(object)

    def __init__(self, fn: Any, *args: Any) -> None:
        super().__init__()
        self.fn, self.args = fn, args

    def work(self) -> None:
        self.finished.emit(self.fn(*self.args, status=self.message.emit))


class ProgressWorker(Worker):
    """Runs ``fn(*args, progress=, cancel=, **kwargs)`` (a Qt-free export job).

    ``progress(done, total)`` becomes the ``progress`` signal; ``cancel()`` polls the
    worker's cancel event, so Esc / Cancel stops a long export between frames.
    """

    progress = Signal(int, int)
    finished = Signal(object)

    def __init__(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs

    def work(self) -> None:
        self.finished.emit(self.fn(*self.args, progress=self.progress.emit,
                                   cancel=self.cancel_event.is_set, **self.kwargs))
