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

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui import settings
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.run_index import RunIndex
from sporttrack_gui.ui.tools import DrawBoxTool
from sporttrack_gui.ui.workers import (
    CallWorker,
    JobRunner,
    PipelineWorker,
    ProgressWorker,
    SotRequest,
    SotWorker,
)

LANES_EVERY_S = 1.5

if TYPE_CHECKING:
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
        a = window.actions_
        a["run_tracker"].triggered.connect(self.open_run_dialog)
        a["track_box"].triggered.connect(self.start_drawing)
        a["evaluate"].triggered.connect(self.evaluate_shown_run)
        window.plots.compare.evaluateAllRequested.connect(self.evaluate_all_sequences)
        a["cancel"].triggered.connect(self.cancel)
        window.view.boxDrawn.connect(self.box_drawn)

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
        self.runner.cancel()
        self.runner.wait()

    def _busy_changed(self, busy: bool) -> None:
        a = self.w.actions_
        a["cancel"].setEnabled(busy)
        for key in ("run_tracker", "track_box", "evaluate", "open", "new", "add_media",
                    "add_folder"):
            a[key].setEnabled(not busy)

    def _need_sequence(self) -> bool:
        s = self.w.session
        if s is None or s.sequence is None:
            QMessageBox.information(self.w, "SportTrack", "Open a project with a sequence first.")
            return False
        return True

    # ---- tracker runs -------------------------------------------------------------------
    def open_run_dialog(self) -> RunDialog | None:
        from sporttrack_gui.track import DEFAULT_TRACKER, tracker_specs
        from sporttrack_gui.ui.run_dialog import RunDialog
        from sporttrack_gui.ui.run_request import detection_choices

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
        # the choices of the last run come back (QSettings): model, stride
        dialog.yolo_edit.setText(str(settings.value("run/yolo_model", "") or ""))
        dialog.stride.setValue(int(settings.value("run/stride", 1) or 1))
        dialog.startRequested.connect(self.start_run_from_dialog)
        dialog.cancelRequested.connect(self.runner.cancel)
        self.dialog = dialog
        dialog.show()
        return dialog

    def start_run_from_dialog(self) -> bool:
        from sporttrack_gui.ui.run_request import build_config

        d, s = self.dialog, self.w.session
        if d is None or s is None or s.sequence is None:
            return False
        try:
            detector = d.detection().spec(s.project, d.yolo_edit.text())
            config = build_config(project_path=s.path, sequence=s.sequence, detector=detector,
                                  tracker=d.tracker(), params=d.tracker_params(),
                                  stride=d.stride.value(), run_name=d.run_name.text().strip())
        except SportTrackError as exc:
            show_error(d, exc, "start the run")
            return False
        live = None
        gt = s.gt_run()
        if d.live_eval.isChecked() and gt is not None:
            from sporttrack_gui.ui.live_eval import LiveEvaluator

            live = LiveEvaluator(RunIndex.from_table(s.project.boxes(gt["id"])))
            self.w.plots.live.clear(f"{d.tracker()} against “{gt['name']}”", s.frame_count())
            self.w.plots.setCurrentWidget(self.w.plots.live)
            self.w.docks["plots"].raise_()
        settings.set_value("run/last_tracker", d.tracker())
        settings.set_value("run/stride", d.stride.value())
        if d.yolo_edit.text().strip():
            settings.set_value("run/yolo_model", d.yolo_edit.text().strip())
        self.start_pipeline(config, live)
        return True

    def start_pipeline(self, config: Any, live: Any = None) -> PipelineWorker:
        """Run ``config`` in a worker; the viewer shows its boxes as they arrive."""
        s = self.w.session
        assert s is not None
        worker = PipelineWorker(config, live)
        worker.progress.connect(self._pipeline_progress)
        worker.metrics.connect(self.w.plots.live.add_point)
        worker.finished.connect(self._pipeline_finished)
        worker.failed.connect(self._pipeline_failed)
        # show the growing run in place of the current one; come back here at the end
        self._start_live()
        if self.dialog is not None:
            self.dialog.set_running(True)
        self.w.statusBar().showMessage(f"Running {config.tracker}…")
        self.runner.start(worker)
        return worker

    def _pipeline_progress(self, p: Any) -> None:
        s = self.w.session
        if s is None:
            return
        for frame, tracks in p.tracks:
            self.live.add(frame, tracks.xyxy, tracks.track_id, tracks.cls, tracks.conf)
        if self.dialog is not None:
            self.dialog.show_progress(p.done, p.total, p.frame, p.fps, p.eta_s, p.stage_ms)
        self.w.statusBar().showMessage(f"Running: frame {p.frame} ({p.done}/{p.total})")
        if not self._showing_job():
            return  # the user works elsewhere: the job only reports progress
        now = time.monotonic()
        if self.follow() and p.tracks and now - self._last_follow > 0.2:
            self._last_follow = now
            self.w.playback.seek(p.tracks[-1][0])  # the play head follows the writer
        if now - self._last_lanes > LANES_EVERY_S:  # lanes grow with the run, less often:
            self._last_lanes = now  # re-laying millions of boxes costs ~0.5 s
            self.w.refresh_tracks()

    def _pipeline_finished(self, result: Any) -> None:
        self.last_result = result
        s = self.w.session
        text = (f"{result.status}: {result.frames}/{result.frames_total} frames, "
                f"{result.boxes} boxes, {result.ids} ids, {result.fps:.1f} frames/s")
        warning = ""
        if result.boxes == 0 and result.frames:
            warning = ("no boxes: the detector found nothing on these frames (check the model, "
                       "its confidence threshold and classes)")
            text = f"{text} — {warning}"
        if self.dialog is not None:
            self.dialog.show_result(result.status, text, warning=bool(warning))
        showing = self._showing_job()
        if s is not None and result.run_id is not None:
            if result.status == "complete":
                self._evaluate(result.run_id)
            if showing:
                s.select_run(result.run_id)
        self.w.refresh_runs()  # the job's sequence's list if shown; else it is re-read on return
        if showing:
            self.w.playback.seek(self._home_frame, force=True)
        self._finish_notice(f"Run {result.run_name} {text}")
        self._job_seq = None
        self.jobFinished.emit("pipeline", result.status)

    # Worker signals must reach bound methods of this QObject (queued into the GUI
    # thread); a lambda would run in the worker's thread and touch widgets from there.
    def _pipeline_failed(self, message: str) -> None:
        self._failed("run the tracker", message)

    def _sot_failed(self, message: str) -> None:
        self._failed("track the box", message)

    def _demo_failed(self, message: str) -> None:
        self._failed("prepare the demo match", message)

    def _demo_message(self, message: str) -> None:
        self.w.statusBar().showMessage(message)

    def _failed(self, doing: str, message: str) -> None:
        if self.dialog is not None and doing == "run the tracker":
            self.dialog.show_result("failed", message)
        self.w.statusBar().clearMessage()  # no "Running …" left behind
        show_error(self.w, message, doing)
        s = self.w.session
        if s is not None and s.sequence is not None and self._showing_job():
            s.select_sequence(s.sequence["id"])  # drop the half-shown live run
            self.w.refresh_runs()
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

    def box_drawn(self, x: float, y: float, w: float, h: float) -> None:
        from sporttrack_gui.track.single import single_tracker_info
        from sporttrack_gui.ui.sot_dialog import SotDialog

        self.w.view.set_tool(None)
        s = self.w.session
        if s is None or s.sequence is None:
            return
        frame = self.w.view.frame_number
        last = s.frames_on_disk() or s.frame_count()  # the tracker needs pixels
        dialog = SotDialog(frame, (x, y, w, h), last, single_tracker_info(),
                           str(settings.value("sot/last_tracker", "csrt")), self.w)
        if dialog.exec() != SotDialog.DialogCode.Accepted:
            self.w.statusBar().showMessage("Tracking cancelled", 3000)
            return
        settings.set_value("sot/last_tracker", dialog.tracker())
        self.start_sot(SotRequest(project=str(s.path), sequence_id=int(s.sequence["id"]),
                                  source=str(s.source()), tracker=dialog.tracker(),
                                  init_frame=frame, xywh=(x, y, w, h),
                                  recover=dialog.recover.isChecked(),
                                  end_frame=dialog.end_frame.value()))

    def start_sot(self, request: SotRequest) -> SotWorker:
        s = self.w.session
        assert s is not None
        worker = SotWorker(request)
        worker.step.connect(self._sot_step)
        worker.finished.connect(self._sot_finished)
        worker.failed.connect(self._sot_failed)
        self._start_live()
        self.w.statusBar().showMessage(f"Tracking with {request.tracker.upper()}… (Esc stops)")
        self.runner.start(worker)
        return worker

    def _sot_step(self, frame: int, ok: bool, xywh: tuple) -> None:
        s = self.w.session
        if s is None or not ok:
            return
        x, y, w, h = xywh
        self.live.add(frame, np.array([[x, y, x + w, y + h]], np.float32), np.array([1]))
        now = time.monotonic()
        if self._showing_job() and now - self._last_follow > 0.05:
            self._last_follow = now
            self.w.playback.seek(frame)

    def _sot_finished(self, run_id: int, result: Any) -> None:
        self.last_result = result
        s = self.w.session
        if s is not None and self._showing_job():
            s.select_run(run_id)
            self.w.select_track(1)
            self._sot_curves(run_id, result)
        self.w.refresh_runs()
        self.w.refresh_overlay()
        state = "stopped" if result.cancelled else "done"
        self._finish_notice(
            f"{result.tracker.upper()} {state}: {len(result.ok)} frames, {result.lost_frames} lost, "
            f"{result.fps:.0f} updates/s")
        self._job_seq = None
        self.jobFinished.emit("sot", "incomplete" if result.cancelled else "complete")

    def _sot_curves(self, run_id: int, result: Any) -> None:
        """Success/precision curves against the gt track the start box overlaps most."""
        from sporttrack_gui.eval.sot import PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS, evaluate_sot
        from sporttrack_gui.ui.sot_match import gt_track_for_box

        s = self.w.session
        assert s is not None
        gt = s.gt_run()
        if gt is None or not len(result.ok):
            return
        gt_index = RunIndex.from_table(s.project.boxes(gt["id"]))
        frames = result.frames
        target = gt_track_for_box(gt_index, int(frames[0]), result.xywh[0])
        if target is None:
            return
        gt_boxes = np.full((len(frames), 4), np.nan)
        tbl = s.project.boxes(gt["id"], track=target)
        pos = np.searchsorted(frames, tbl.frame)
        ok = (pos < len(frames)) & (frames[np.minimum(pos, len(frames) - 1)] == tbl.frame)
        gt_boxes[pos[ok]] = tbl.xywh[ok]
        m = evaluate_sot(result.xywh, gt_boxes, times=result.times)
        self.w.plots.sot.add_curves(f"{result.tracker} vs gt {target}", SUCCESS_THRESHOLDS,
                                    m.success_curve, m.auc, PRECISION_THRESHOLDS,
                                    m.precision_curve, m.precision_20)
        s.project.set_run_metrics(run_id, {**m.summary(), "gt_track": target})

    # ---- demo -----------------------------------------------------------------------
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

