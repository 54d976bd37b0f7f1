"""Starting, following and finishing the window's long jobs.

One job at a time (``JobRunner``): a tracker run from the run dialog, a draw-to-track
single-object run, evaluation of the shown run, or building the demo. Everything the
jobs do is a Qt-free function of another room; this module wires dialogs, workers and
the window's views together and turns errors into message boxes.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.pipeline.job_queue import CANCELLED, COMPLETE, FAILED, Job, JobQueue
from sporttrack_gui.pipeline.progress import FRAMES
from sporttrack_gui.ui import settings
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.run_index import RunIndex
from sporttrack_gui.ui.run_settings import restore_run_settings, save_run_settings
from sporttrack_gui.ui.tools import DrawBoxTool
from sporttrack_gui.ui.workers import (
    CallWorker,
    JobRunner,
    ProgressWorker,
)

LANES_EVERY_S = 1.5

if TYPE_CHECKING:
    from sporttrack_gui.ui.jobs import QueueWorker
    from sporttrack_gui.ui.main_window import MainWindow
    from sporttrack_gui.ui.run_dialog import RunDialog


def _evaluate_project(path: str, run: str, rules: str, *, progress: Any, cancel: Any) -> Any:
    """``eval.split.evaluate_project`` with ``ProgressWorker``'s two-number progress."""
    from sporttrack_gui.eval.split import evaluate_project

    return evaluate_project(path, run, rules=rules, cancel=cancel,
                            progress=lambda done, total, _name: progress(done, total))


class JobControl(QObject):
    """``jobFinished(kind, status)`` fires after the window has been refreshed."""

    jobFinished = Signal(str, str)
    jobChanged = Signal(int)  # a queued job's state or progress (any thread emits it)
    jobsQueued = Signal(int)  # runs were queued behind another job: show the Jobs panel

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.runner = JobRunner(self)
        self.runner.busyChanged.connect(self._busy_changed)
        self.dialog: RunDialog | None = None
        self.last_result: Any = None
        self._last_follow = 0.0
        self._job_seq: int | None = None  # the sequence the running job writes to
        self._last_lanes = 0.0
        self._home_frame = 1
        self.live = RunIndex.empty()  # boxes of the running job, as they arrive
        self._split_run = ""  # run name being scored on all sequences
        # tracker runs wait in a Qt-free queue; jobChanged is emitted from the worker thread
        # too, its receivers are queued onto the GUI thread by Qt
        self.queue = JobQueue(on_change=lambda job: self.jobChanged.emit(job.id))
        self._job: Job | None = None  # the queued job running now
        self._dialog_jobs: list[int] = []  # jobs the open run dialog submitted
        self._live_evals: dict[int, Any] = {}  # job id -> LiveEvaluator
        self.jobChanged.connect(self._queue_changed)
        a = window.actions_
        a["run_tracker"].triggered.connect(self.open_run_dialog)
        a["track_box"].triggered.connect(self.start_drawing)
        a["evaluate"].triggered.connect(self.evaluate_shown_run)
        window.plots.compare.evaluateAllRequested.connect(self.evaluate_all_sequences)
        a["cancel"].triggered.connect(self.cancel)

    def busy(self) -> bool:
        return self.runner.busy()

    def follow(self) -> bool:
        """"Follow the running job" (Run menu): opt-in, off by default."""
        return self.w.actions_["follow_run"].isChecked()

    def _showing_job(self) -> bool:
        """Whether the window still shows the running job's growing run (same sequence,
        the live model): only then may the job move the play head or reselect runs."""
        s = self.w.session
        return (s is not None and s.sequence is not None and self._job_seq is not None
                and int(s.sequence["id"]) == self._job_seq and s.index is self.live)

    def _start_live(self) -> None:
        """Show the job's growing run in place of the current one (the job belongs to the
        shown sequence; switching sequence later leaves the job running on its own)."""
        s = self.w.session
        assert s is not None and s.sequence is not None
        self._job_seq = int(s.sequence["id"])
        self._home_frame = self.w.playback.frame
        self.live = RunIndex.empty()
        s.run, s.index, s.meta = None, self.live, {}
        self.w.refresh_runs()

    def _finish_notice(self, text: str) -> None:
        """Status-bar notice naming the job's sequence when another one is shown."""
        s = self.w.session
        if (s is not None and self._job_seq is not None
                and (s.sequence is None or int(s.sequence["id"]) != self._job_seq)):
            with contextlib.suppress(SportTrackError):  # sequence deleted meanwhile
                text = f"{s.project.sequence(self._job_seq)['name']}: {text}"
        self.w.statusBar().showMessage(text, 10000)

    def cancel(self) -> None:
        if isinstance(self.w.view.tool(), DrawBoxTool):
            self.w.view.set_tool(None)
            self.w.statusBar().showMessage("Box drawing cancelled", 3000)
        self.runner.cancel()

    def shutdown(self) -> None:
        self.queue.cancel_all()
        self.runner.cancel()
        self.runner.wait()

    def _busy_changed(self, busy: bool) -> None:
        """Run tracker stays available (a run started meanwhile waits in the queue);
        other jobs wait for the worker; no other project while runs are queued."""
        a = self.w.actions_
        a["cancel"].setEnabled(busy)
        for key in ("track_box", "evaluate"):
            a[key].setEnabled(not busy)
        idle = not busy and self.queue.pending() == 0
        for key in ("open", "new", "add_media", "add_folder"):
            a[key].setEnabled(idle)
        if not busy:  # the worker is free: the next queued run starts
            QTimer.singleShot(0, self._start_next)

    def _queue_changed(self, _job_id: int) -> None:
        if not self.runner.busy():
            self._busy_changed(False)

    def _need_sequence(self) -> bool:
        s = self.w.session
        if s is None or s.sequence is None:
            QMessageBox.information(self.w, "SportTrack", "Open a project with a sequence first.")
            return False
        return True

    # ---- tracker runs (a queue: one worker at a time, see ui.jobs) ----------------------
    def open_run_dialog(self, all_sequences: bool = False) -> RunDialog | None:
        from sporttrack_gui.pipeline.run_request import detection_choices
        from sporttrack_gui.track import DEFAULT_TRACKER, tracker_specs
        from sporttrack_gui.ui.run_dialog import RunDialog

        if not self._need_sequence():
            return None
        s = self.w.session
        assert s is not None and s.sequence is not None
        trackers = {n: {"defaults": sp.defaults, "description": sp.description}
                    for n, sp in sorted(tracker_specs().items())}
        if self.dialog is not None:
            self.dialog.close()
        dialog = RunDialog(s.sequence["name"], detection_choices(s.sequence, s.runs()), trackers,
                           str(settings.value("run/last_tracker", DEFAULT_TRACKER)),
                           has_gt=s.gt_run() is not None, parent=self.w)
        restore_run_settings(dialog)  # model, stride, detector options (QSettings)
        dialog.all_sequences.setChecked(all_sequences)
        dialog.startRequested.connect(self.start_run_from_dialog)
        dialog.cancelRequested.connect(self.cancel_dialog_jobs)
        self.dialog = dialog
        self._dialog_jobs = []
        dialog.show()
        return dialog

    def start_run_from_dialog(self) -> bool:
        """Queue the dialog's run: on the shown sequence (shown live when nothing else
        runs) or, with "every sequence", one job per sequence of the project."""
        from sporttrack_gui.pipeline.run_request import queue_runs

        d, s = self.dialog, self.w.session
        if d is None or s is None or s.sequence is None:
            return False
        try:
            choices = d.choices()
        except SportTrackError as exc:
            show_error(d, exc, "start the run")
            return False
        save_run_settings(d)
        every = d.all_sequences.isChecked()
        sequences = s.sequences() if every else [s.sequence]
        live_eval = None
        gt = s.gt_run()
        if not every and d.live_eval.isChecked() and gt is not None:
            from sporttrack_gui.ui.live_eval import LiveEvaluator

            live_eval = LiveEvaluator(RunIndex.from_table(s.project.boxes(gt["id"])))
            self.w.plots.live.clear(f"{choices.tracker} against “{gt['name']}”", s.frame_count())
            self.w.plots.setCurrentWidget(self.w.plots.live)
            self.w.docks["plots"].raise_()
        live = not every and not self.busy() and self.queue.pending() == 0
        jobs = queue_runs(self.queue, str(s.path), sequences, choices,
                          meta={"dialog": True, "live": live})
        if live_eval is not None:
            self._live_evals[jobs[0].id] = live_eval
        self._dialog_jobs = [j.id for j in jobs]
        if not live:
            self.jobsQueued.emit(len(jobs))  # the Jobs panel comes forward
            d.set_running(True)
            d.status.setText(f"{len(jobs)} run(s) queued; see the Jobs panel")
        self._start_next()
        return True

    def start_pipeline(self, config: Any, live: Any = None) -> Job:
        """Queue ``config`` (a run of the shown sequence); shown live when nothing else runs."""
        s = self.w.session
        assert s is not None and s.sequence is not None
        job = self.queue.add(config, sequence=str(s.sequence["name"]),
                             meta={"sequence_id": int(s.sequence["id"]), "project": str(s.path),
                                   "live": not self.busy() and self.queue.pending() == 0})
        if live is not None:
            self._live_evals[job.id] = live
        self._start_next()
        return job

    def _start_next(self) -> QueueWorker | None:
        """Start the next queued job when the window's worker is free."""
        from sporttrack_gui.ui.jobs import QueueWorker

        if self.runner.busy():
            return None
        job = self.queue.next_queued()
        if job is None:
            return None
        if not self.queue.claim(job):  # cancelled meanwhile
            return None
        worker = QueueWorker(self.queue, job, self._live_evals.pop(job.id, None))
        worker.progress.connect(self._pipeline_progress)
        worker.metrics.connect(self.w.plots.live.add_point)
        worker.finished.connect(self._job_finished)
        worker.failed.connect(self._pipeline_failed)
        self._job = job
        s = self.w.session
        shown = (s is not None and s.sequence is not None
                 and int(s.sequence["id"]) == job.meta.get("sequence_id"))
        if job.meta.get("live") and shown:
            self._start_live()  # the growing run in place of the shown one
        else:
            self._job_seq = job.meta.get("sequence_id")
            self.live = RunIndex.empty()
        if self.dialog is not None and job.id in self._dialog_jobs:
            self.dialog.set_running(True)
        if self._showing_job():
            self.w.statusBar().showMessage(f"Running {job.tracker}…")
        self.runner.start(worker)
        return worker

    def _dialog_prefix(self, job: Job) -> str:
        n = len(self._dialog_jobs)
        return "" if n <= 1 else \
            f"{job.sequence} ({self._dialog_jobs.index(job.id) + 1}/{n}): "

    def _pipeline_progress(self, p: Any) -> None:
        s, job = self.w.session, self._job
        if s is None or job is None:
            return
        showing = self._showing_job()
        if showing:  # a job nobody watches keeps no copy of its boxes (a match: millions)
            for frame, tracks in p.tracks:
                self.live.add(frame, tracks.xyxy, tracks.track_id, tracks.cls, tracks.conf)
        if self.dialog is not None and job.id in self._dialog_jobs:
            self.dialog.show_progress(p.done, p.total, p.frame, p.fps, p.eta_s, p.stage_ms,
                                      p.phase, self._dialog_prefix(job))
        if not showing:
            return  # the user works elsewhere: the Jobs panel and its status label report
        self.w.statusBar().showMessage(f"Running: frame {p.frame} ({p.done}/{p.total})"
                                       if p.phase == FRAMES else f"Running: {p.phase}…")
        now = time.monotonic()
        if self.follow() and p.tracks and now - self._last_follow > 0.2:
            self._last_follow = now
            self.w.playback.seek(p.tracks[-1][0])  # the play head follows the writer
        if now - self._last_lanes > LANES_EVERY_S:  # lanes grow with the run, less often:
            self._last_lanes = now  # re-laying millions of boxes costs ~0.5 s
            self.w.refresh_tracks()

    def _job_finished(self, job: Job) -> None:
        self._job = None
        if job.state == FAILED:
            self._failed("run the tracker", job.error, job)
        else:
            self._pipeline_finished(job)
        self._dialog_step(job)

    def _pipeline_finished(self, job: Job) -> None:
        result = job.result
        if result is None:  # cancelled before its run began: nothing was written
            self._drop_live()
            self._finish_notice(f"{job.tracker} on {job.sequence} cancelled before it started")
            self._job_seq = None
            self.jobFinished.emit("pipeline", "incomplete")
            return
        self.last_result = result
        s = self.w.session
        text = (f"{result.status}: {result.frames}/{result.frames_total} frames, "
                f"{result.boxes} boxes, {result.ids} ids, {result.fps:.1f} frames/s")
        if job.warning:
            text = f"{text} — {job.warning}"
        job.meta["text"] = text
        showing = self._showing_job()
        same_project = s is not None and str(s.path) == job.meta.get("project", str(s.path))
        if s is not None and same_project and result.run_id is not None:
            if result.status == "complete":
                try:
                    self._evaluate(result.run_id)
                except SportTrackError as exc:  # a damaged gt must not lose the run
                    self.w.statusBar().showMessage(f"could not score the run: {exc}", 10000)
            if showing:
                s.select_run(result.run_id)
        self.w.refresh_runs()  # the job's sequence's list if shown; else it is re-read on return
        if showing:
            self.w.playback.seek(self._home_frame, force=True)
        self._finish_notice(f"Run {result.run_name} {text}")
        self._job_seq = None
        self.jobFinished.emit("pipeline", result.status)

    def _drop_live(self) -> None:
        """Stop showing the job's half-grown live run (it failed or never started)."""
        s = self.w.session
        if s is not None and s.sequence is not None and self._showing_job():
            s.select_sequence(s.sequence["id"])
            self.w.refresh_runs()

    def _dialog_step(self, job: Job) -> None:
        """The dialog's summary once the last of its jobs has ended."""
        d = self.dialog
        if d is None or job.id not in self._dialog_jobs:
            return
        jobs = [j for j in (self.queue.get(i) for i in self._dialog_jobs) if j is not None]
        if any(not j.finished for j in jobs):
            d.status.setText(f"{self._dialog_prefix(job)}{job.state}; next run queued")
            return
        if len(jobs) <= 1:
            d.show_result(job.state if job.state != CANCELLED else "incomplete",
                          job.error or job.meta.get("text", job.state), warning=bool(job.warning))
            return
        counts: dict[str, int] = {}
        for j in jobs:
            counts[j.state] = counts.get(j.state, 0) + 1
        text = f"{len(jobs)} runs: " + ", ".join(f"{n} {k}" for k, n in counts.items())
        bad = [j for j in jobs if j.state == FAILED or j.warning]
        if bad:
            text += " — " + "; ".join(f"{j.sequence}: {j.error or j.warning}" for j in bad)
        d.show_result("complete" if counts.get(COMPLETE) == len(jobs) else "done", text,
                      warning=bool(bad))

    def cancel_dialog_jobs(self) -> None:
        """The dialog's Cancel: its running run stops, its queued ones never start."""
        for job_id in self._dialog_jobs:
            self.queue.cancel(job_id)

    def cancel_job(self, job_id: int) -> None:
        """Cancel one job (Jobs panel); a queued one is done with at once."""
        job = self.queue.get(job_id)
        if job is not None and self.queue.cancel(job_id) and job.state == CANCELLED:
            self._dialog_step(job)
            self._busy_changed(self.runner.busy())

    # Worker signals must reach bound methods of this QObject (queued into the GUI
    # thread); a lambda would run in the worker's thread and touch widgets from there.
    def _pipeline_failed(self, message: str) -> None:
        """The worker itself broke (a bug: a failing run is a job state, not this)."""
        self._job = None
        if self.dialog is not None:
            self.dialog.show_result("failed", message)
        self._failed("run the tracker", message)

    def _demo_failed(self, message: str) -> None:
        self._failed("prepare the demo match", message)

    def _demo_message(self, message: str) -> None:
        self.w.statusBar().showMessage(message)

    def _failed(self, doing: str, message: str, job: Job | None = None) -> None:
        self.w.statusBar().clearMessage()  # no "Running …" left behind
        if job is None or job.meta.get("live"):
            show_error(self.w, message, doing)  # the run the user watches: say it loudly
        else:  # a queued run: the Jobs panel keeps the error; the queue goes on
            self._finish_notice(f"run {job.tracker} failed: {message.splitlines()[0]}")
        self._drop_live()
        self._job_seq = None
        self.jobFinished.emit(doing, "failed")

    # ---- evaluation ---------------------------------------------------------------------
    def _evaluate(self, run_id: int) -> dict[str, Any] | None:
        """Score ``run_id`` against the ground truth of *its* sequence (not the shown one)."""
        from sporttrack_gui.eval.project_metrics import evaluate_and_store

        s = self.w.session
        assert s is not None
        # stored with the edit state scored, so the metrics table can tell when it is stale
        return evaluate_and_store(s.project, run_id, self.w.plots.compare.rules())

    def evaluate_shown_run(self) -> None:
        s = self.w.session
        if not self._need_sequence() or s is None:
            return
        if s.run is None or s.gt_run() is None:
            QMessageBox.information(self.w, "SportTrack", "Evaluation needs a shown run and a "
                                    "ground-truth run in the same sequence.")
            return
        try:
            m = self._evaluate(s.run["id"])
        except SportTrackError as exc:
            show_error(self.w, exc, f"evaluate run {s.run['name']}")
            return
        self.w.refresh_runs()
        self.w.plots.setCurrentWidget(self.w.plots.compare)
        self.w.docks["plots"].raise_()
        if m:
            self.w.statusBar().showMessage(
                f"{s.run['name']}: MOTA {m.get('mota', float('nan')):.3f}, "
                f"IDF1 {m.get('idf1', float('nan')):.3f}", 10000)

    def evaluate_all_sequences(self, rules: str) -> ProgressWorker | None:
        """The shown run's name scored on every sequence of the project (worker thread)."""
        s = self.w.session
        if s is None or s.run is None:
            QMessageBox.information(self.w, "SportTrack", "Show a run first: its name is "
                                    "evaluated on every sequence that has it and a ground truth.")
            return None
        if self.busy():
            self.w.statusBar().showMessage("Another job is running; try again when it ends.", 5000)
            return None
        self._split_run = name = str(s.run["name"])
        worker = ProgressWorker(_evaluate_project, str(s.project.path), name, rules)
        # bound methods (not lambdas): Qt queues them onto the GUI thread
        worker.progress.connect(self._split_progress)
        worker.finished.connect(self._split_done)
        worker.failed.connect(self._split_failed)
        self.runner.start(worker)
        return worker

    def _split_progress(self, done: int, total: int) -> None:
        self.w.statusBar().showMessage(
            f"Evaluating “{self._split_run}”: sequence {min(done + 1, total)} of {total}…")

    def _split_failed(self, message: str) -> None:
        show_error(self.w, message, f"evaluate {self._split_run} on all sequences")

    def _split_done(self, res: Any) -> None:
        self.w.plots.compare.show_split(self._split_run, res.rules, res.rows())
        self.w.plots.setCurrentWidget(self.w.plots.compare)
        self.w.statusBar().showMessage(
            f"“{self._split_run}” on {len(res.sequences)} sequence(s): "
            f"HOTA {res.combined['hota']:.3f}, MOTA {res.combined['mota']:.3f}", 10000)

    # ---- draw to track --------------------------------------------------------------------
    def start_drawing(self) -> None:
        if not self._need_sequence():
            return
        self.w.playback.pause()
        self.w.view.set_tool(DrawBoxTool())
        self.w.view.setFocus()
        self.w.statusBar().showMessage("Drag a box around the target (Esc cancels)")

    def build_demo(self) -> CallWorker:
        from sporttrack_gui.ui.demo import demo_project

        worker = CallWorker(demo_project)
        worker.message.connect(self._demo_message)
        worker.finished.connect(self._demo_ready)
        worker.failed.connect(self._demo_failed)
        self.w.statusBar().showMessage("Preparing the demo match (first start only)…")
        self.runner.start(worker)
        return worker

    def _demo_ready(self, path: Any) -> None:
        if self.w.open_project(path):
            self.w.statusBar().showMessage(
                "Demo match loaded. Press Ctrl+R and run ByteTrack on the ground truth "
                "to see tracking, live metrics and heatmaps.", 15000)
        self.jobFinished.emit("demo", "complete")

