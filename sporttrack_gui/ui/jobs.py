"""The window's tracker runs as a queue: one worker at a time, jobs listed in the Jobs panel.

Why: a detector run over a match takes hours on a CPU and "run the tracker on every
sequence" is several of them. The queue itself is Qt-free (``pipeline.job_queue``); this
module only runs its jobs on a ``QThread`` (the window's ``JobRunner``, so a queued run
never overlaps a single-object track or an export); the jobs are built from the run
dialog's choices by ``pipeline.run_request.queue_runs``.
"""

from __future__ import annotations

from typing import Any

from sporttrack_gui.pipeline.job_queue import Job, JobQueue
from sporttrack_gui.ui.workers import PipelineWorker


class QueueWorker(PipelineWorker):
    """Runs one job of ``queue`` in the worker thread; ``finished`` carries the ``Job``
    (its state says complete / cancelled / failed and why). Cancel is the job's own event,
    so the Jobs panel, Esc and the dialog all stop the same run."""

    def __init__(self, queue: JobQueue, job: Job, live_eval: Any | None = None) -> None:
        super().__init__(None, live_eval)
        self.queue, self.job = queue, job
        self.cancel_event = job.cancel

    def work(self) -> None:
        self.queue.run(self.job, progress=self._job_progress)
        self.finished.emit(self.job)

    def _job_progress(self, _job: Job, p: Any) -> None:
        self._on_progress(p)
