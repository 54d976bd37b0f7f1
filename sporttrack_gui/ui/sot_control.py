"""Run ▸ Track a box: follow one drawn box with a single-object tracker, in a worker.

What the user sees: the box moving frame by frame, the percentage done with an ETA in
the status bar, after Esc "cancelled at frame N" (the frames tracked so far kept as an
incomplete run), and when there is ground truth, success/precision curves that name
the gt track and the number of frames they were scored on.

Why the worker does everything after tracking too (storing the run, finding the gt
track under the start box, scoring): doing the scoring on the GUI thread loaded the
whole gt run there when the track ended (the freeze at the end; seconds on a match).
The GUI thread only plots the curves the worker computed. Tracking is
``track.sot_session``, storing ``track.sot_store``, scoring ``eval.sot_gt``: all
Qt-free. The job shares the window's one ``JobRunner`` (one job at a time).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui import settings
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.import_worker import format_eta
from sporttrack_gui.ui.run_index import RunIndex
from sporttrack_gui.ui.workers import SotRequest, Worker

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

PROGRESS_EVERY_S = 0.2  # status-bar text at most 5 times a second


def progress_text(tracker: str, frame: int, done: int, total: int, elapsed_s: float) -> str:
    """"CSRT: frame 34 (34 of 100, 34 %) · 12 frames/s · 0:05 left — Esc stops"."""
    pct = 100.0 * done / total if total else 0.0
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    eta = (total - done) / rate if rate > 0 and done >= 3 else None
    return (f"{tracker.upper()}: frame {frame} ({done} of {total}, {pct:.0f} %) · "
            f"{rate:.1f} frames/s · {format_eta(eta)} — Esc stops")


def finish_text(run_name: str, result: Any, score: Any) -> str:
    """The status-bar line after the track ended (cancelled or done)."""
    n = len(result.ok)
    last = result.start_frame + n - 1
    t = result.tracker.upper()
    if result.cancelled:
        head = (f"{t} cancelled at frame {last}: {n} frame(s) tracked from frame "
                f"{result.start_frame}, kept as “{run_name}” (incomplete)")
    else:
        head = (f"{t} done: frames {result.start_frame}–{last} ({n}), {result.lost_frames} "
                f"lost, {result.fps:.0f} updates/s, run “{run_name}”")
    if score is not None:
        head += f"; AUC {score.result.auc:.3f} {score.describe()}"
    return head + " — Run ▸ Add tracked box to run… merges it into an annotation run"


class SotJobWorker(Worker):
    """Tracks, stores the run and scores it against gt, all in its thread."""

    step = Signal(int, bool, object)  # frame, ok, (x, y, w, h)
    progress = Signal(int, int, int, float)  # frame, done, total, seconds since start
    finished = Signal(int, str, object, object)  # run id, run name, SotTrack, SotGtScore|None

    def __init__(self, request: SotRequest) -> None:
        super().__init__()
        self.request = request

    def work(self) -> None:
        from sporttrack_gui.eval.sot_gt import score_against_gt
        from sporttrack_gui.media.source import open_source
        from sporttrack_gui.project import Project, run_admin
        from sporttrack_gui.track.sot_session import SotSession
        from sporttrack_gui.track.sot_store import store_sot_result

        r = self.request
        started = time.perf_counter()
        cancelled = False
        source = open_source(r.source)
        try:
            session = SotSession(source, r.tracker, r.init_frame, r.xywh, recover=r.recover,
                                 end_frame=r.end_frame)
            total = session.frame_count
            done = 0
            while not session.done:
                if self.cancel_event.is_set():
                    cancelled = True
                    break
                s = session.step()
                if s is None:
                    break
                done += 1
                self.step.emit(s.frame_number, s.ok, s.xywh)
                self.progress.emit(s.frame_number, done, total, time.perf_counter() - started)
            result = replace(session.result(), cancelled=cancelled)
        finally:
            source.close()
        with Project.open(Path(r.project)) as project:
            name = run_admin.free_name(project, r.sequence_id,
                                       r.run_name or f"{result.tracker}-{r.init_frame}")
            run_id = store_sot_result(project, r.sequence_id, name, result)
            if cancelled:
                project.set_run_status(run_id, "incomplete")
            score = score_against_gt(project, r.sequence_id, result.start_frame, result.xywh,
                                     result.times) if len(result.ok) else None
            if score is not None:
                project.set_run_metrics(run_id, {**project.run(run_id)["metrics"],
                                                 **score.metrics()})
        self.finished.emit(run_id, name, result, score)


class SotControl(QObject):
    """Draw-to-track: the dialog, the worker, progress, the end (``finished(run, status)``)."""

    finished = Signal(int, str)  # run id, "complete" | "incomplete"

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        window.view.boxDrawn.connect(self.box_drawn)
        self.live = RunIndex.empty()
        self.worker: SotJobWorker | None = None
        self.last: tuple[int, Any, Any] | None = None  # run id, SotTrack, score
        self._seq: int | None = None  # the sequence the job tracks in
        self._home_frame = 1
        self._last_text = 0.0
        self._last_seek = 0.0
        self._tracker = ""

    # ---- start ----------------------------------------------------------------------------
    def box_drawn(self, x: float, y: float, w: float, h: float) -> SotJobWorker | None:
        from sporttrack_gui.track.single import single_tracker_info
        from sporttrack_gui.ui.sot_dialog import SotDialog

        self.w.view.set_tool(None)
        s = self.w.session
        if s is None or s.sequence is None:
            return None
        frame = self.w.view.frame_number
        last = s.frames_on_disk() or s.frame_count()  # the tracker needs pixels
        dialog = SotDialog(frame, (x, y, w, h), last, single_tracker_info(),
                           str(settings.value("sot/last_tracker", "csrt")), self.w)
        if dialog.exec() != SotDialog.DialogCode.Accepted:
            self.w.statusBar().showMessage("Tracking cancelled", 3000)
            return None
        settings.set_value("sot/last_tracker", dialog.tracker())
        return self.start(SotRequest(project=str(s.path), sequence_id=int(s.sequence["id"]),
                                     source=str(s.source()), tracker=dialog.tracker(),
                                     init_frame=frame, xywh=(x, y, w, h),
                                     recover=dialog.recover.isChecked(),
                                     end_frame=dialog.end_frame.value()))

    def start(self, request: SotRequest) -> SotJobWorker | None:
        s = self.w.session
        if s is None or s.sequence is None:
            return None
        if self.w.jobs.busy():
            self.w.statusBar().showMessage("Another job is running; try again when it ends.", 5000)
            return None
        worker = SotJobWorker(request)
        # bound slots of this GUI-thread object: queued into the GUI thread
        worker.step.connect(self._step)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.worker, self._tracker = worker, request.tracker
        self._seq = int(s.sequence["id"])
        self._home_frame = self.w.playback.frame
        self.live = RunIndex.empty()
        s.run, s.index, s.meta = None, self.live, {}  # the growing track is what is shown
        self.w.refresh_runs()
        self.w.statusBar().showMessage(f"Tracking with {request.tracker.upper()}… (Esc stops)")
        self.w.jobs.runner.start(worker)
        return worker

    def _showing(self) -> bool:
        """The window still shows the job's growing track (same sequence, live model)."""
        s = self.w.session
        return (s is not None and s.sequence is not None and self._seq is not None
                and int(s.sequence["id"]) == self._seq and s.index is self.live)

    # ---- while tracking -------------------------------------------------------------------
    @Slot(int, bool, object)
    def _step(self, frame: int, ok: bool, xywh: Any) -> None:
        if not ok:
            return
        x, y, w, h = xywh
        self.live.add(frame, np.array([[x, y, x + w, y + h]], np.float32), np.array([1]))
        now = time.monotonic()
        if self._showing() and now - self._last_seek > 0.05:
            self._last_seek = now
            self.w.playback.seek(frame)

    @Slot(int, int, int, float)
    def _progress(self, frame: int, done: int, total: int, elapsed: float) -> None:
        now = time.monotonic()
        if now - self._last_text < PROGRESS_EVERY_S and done < total:
            return
        self._last_text = now
        self.w.statusBar().showMessage(progress_text(self._tracker, frame, done, total, elapsed))

    # ---- the end ---------------------------------------------------------------------------
    @Slot(int, str, object, object)
    def _finished(self, run_id: int, name: str, result: Any, score: Any) -> None:
        self.last = (run_id, result, score)
        s = self.w.session
        showing = self._showing()
        if s is not None and showing:
            s.select_run(run_id)  # one small track: loaded inline
            self.w.select_track(1)
        if score is not None:
            self._plot(result, score)
        self.w.refresh_runs()
        self.w.refresh_overlay()
        text = finish_text(name, result, score)
        if s is not None and not showing and self._seq is not None:
            with contextlib.suppress(SportTrackError):
                text = f"{s.project.sequence(self._seq)['name']}: {text}"
        self.w.statusBar().showMessage(text, 15000)
        self._seq, self.worker = None, None
        status = "incomplete" if result.cancelled else "complete"
        self.finished.emit(run_id, status)
        self.w.jobs.jobFinished.emit("sot", status)  # the window's one "a job ended" signal

    def _plot(self, result: Any, score: Any) -> None:
        from sporttrack_gui.eval.sot import PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS

        m = score.result
        name = f"{result.tracker.upper()}@{result.start_frame} vs gt {score.gt_track}"
        self.w.plots.sot.add_curves(
            name, SUCCESS_THRESHOLDS, m.success_curve, m.auc, PRECISION_THRESHOLDS,
            m.precision_curve, m.precision_20,
            detail=f"{result.tracker.upper()} from frame {result.start_frame} scored "
                   f"{score.describe()}")

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.w.statusBar().clearMessage()
        show_error(self.w, message, "track the box")
        s = self.w.session
        if s is not None and s.sequence is not None and self._showing():
            s.select_sequence(s.sequence["id"])  # drop the half-shown live track
            self.w.refresh_runs()
        self._seq, self.worker = None, None
        self.w.jobs.jobFinished.emit("track the box", "failed")
