"""File ▸ Export: corrected MOTChallenge gt.txt + seqinfo.ini, YOLO dataset, demo video,
and one entry per ``menu`` item of the format registry (CVAT for video, COCO, plugins').

Each entry asks which run (the shown one preselected), where (``ui.export_dialogs``:
a folder is created on demand) and how, then calls a Qt-free function: ``project.exporter``
directly for the quick MOT export, ``ui.export_jobs`` / ``exporter.export_format_job``
in a ``QThread`` worker for the rest. Workers get plain values -- the project path, run
id, labels, a loaded calibration -- and never touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui.actions import ActionSpec, add_actions
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.export_dialogs import ExportDialog, RunPicker, YoloDialog, remember_dir
from sporttrack_gui.ui.export_jobs import demo_video_job, yolo_job
from sporttrack_gui.ui.workers import CallWorker, ProgressWorker

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

EXPORT_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("export_yolo", "Export &YOLO dataset…", ("Ctrl+Shift+E",), "",
               "Write the shown run as a YOLO detection dataset (images, labels, data.yaml)",
               "File"),
    ActionSpec("export_video", "Export demo &video (mp4)…", ("Ctrl+Alt+E",), "video-x-generic",
               "Render the shown run with ids, trails and an optional minimap", "File"),
)


def registry_menu() -> list[tuple[ActionSpec, str, dict[str, Any]]]:
    """(action, format name, options) for every File ▸ Export entry a registered format
    asks for (``FormatSpec.menu``); built-ins first, then plugins' formats."""
    from sporttrack_gui.formats.registry import format_specs

    out = []
    for spec in format_specs().values():
        if spec.export is None:
            continue
        for i, (text, options) in enumerate(spec.menu):
            out.append((ActionSpec(f"export_fmt_{spec.name}_{i}", f"Export {text}", (), "",
                                   spec.description, "File"), spec.name, dict(options)))
    return out


def _browse_row(edit: QLineEdit, pick: Any) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    button = QPushButton("Browse…")
    button.clicked.connect(pick)
    row.addWidget(button)
    return row


class DemoVideoDialog(QDialog):
    """Output mp4, trail length, frame range, optional minimap from a calibration file."""

    def __init__(self, frame_count: int, calibration_path: str = "",
                 parent: QWidget | None = None, *, loaded: bool = False,
                 runs: list[dict[str, Any]] | None = None, shown: int | None = None) -> None:
        """``loaded``: the pitch view has a calibration (used when no file is given);
        ``runs``: the sequence's runs to pick from (``shown`` preselected)."""
        super().__init__(parent)
        self.setObjectName("demoVideoDialog")
        self.setWindowTitle("Export demo video")
        self.runs = RunPicker(runs, shown, self) if runs else None
        self.out = QLineEdit()
        self.trail = QSpinBox()
        self.trail.setRange(0, 500)
        self.trail.setValue(25)
        self.trail.setSuffix(" frames")
        self.first, self.last = QSpinBox(), QSpinBox()
        for box, value in ((self.first, 1), (self.last, frame_count)):
            box.setRange(1, max(1, frame_count))
            box.setValue(value)
        self.minimap = QCheckBox("Minimap from pitch calibration" +
                                 (" (the Pitch view's, or a file)" if loaded else " (file)"))
        self.calibration = QLineEdit(calibration_path)
        self.minimap.setChecked(bool(calibration_path) or loaded)
        form = QFormLayout(self)
        if self.runs is not None:
            form.addRow("Run", self.runs)
        form.addRow("Video file", _browse_row(self.out, self._pick))
        form.addRow("Trails", self.trail)
        form.addRow("From frame", self.first)
        form.addRow("To frame", self.last)
        form.addRow(self.minimap)
        form.addRow("Calibration", _browse_row(self.calibration, self._pick_calibration))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, 0)

    def _pick(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Demo video", "demo.mp4", "MP4 video (*.mp4)")
        if path:
            self.out.setText(path if path.lower().endswith(".mp4") else path + ".mp4")

    def _pick_calibration(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Pitch calibration", "",
                                              "Calibration (*.json);;All files (*)")
        if path:
            self.calibration.setText(path)
            self.minimap.setChecked(True)

    def frame_range(self) -> tuple[int, int]:
        return self.first.value(), max(self.first.value(), self.last.value())


class ExportControl(QObject):
    """The export menu entries; ``exported(kind, summary)`` after each finished export."""

    exported = Signal(str, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.actions = add_actions(window, EXPORT_SPECS)
        self.progress: QProgressDialog | None = None
        self.calibration: Any = None  # the pitch view's calibration (``pitch.Calibration``)
        self.dialog: QDialog | None = None  # the open export dialog (tests drive it)
        self.summary: QMessageBox | None = None  # the last YOLO export's summary
        self._first = 1
        self._what = ""
        window.actions_["export"].triggered.connect(lambda: self.export_mot())
        self.actions["export_yolo"].triggered.connect(lambda: self.export_yolo())
        self.actions["export_video"].triggered.connect(lambda: self.export_video())
        self.format_entries = registry_menu()
        self.actions.update(add_actions(window, tuple(e[0] for e in self.format_entries)))
        for spec, name, options in self.format_entries:
            self.actions[spec.key].triggered.connect(
                lambda _c=False, n=name, o=options: self.export_format(n, o))

    def set_calibration(self, calibration: Any) -> None:
        """The pitch view loaded or made a calibration: offer the minimap from it."""
        self.calibration = calibration

    def menu_actions(self) -> list[Any]:
        return [self.w.actions_["export"], self.actions["export_yolo"], self.actions["export_video"],
                *(self.actions[spec.key] for spec, _, _ in self.format_entries)]

    def _shown_run(self) -> dict[str, Any] | None:
        s = self.w.session
        if s is None or s.run is None:
            QMessageBox.information(self.w, "SportTrack", "Show a run first (double-click it).")
            return None
        return s.run

    def _run(self, run: int | None) -> dict[str, Any] | None:
        """Run ``run`` (a script's or test's choice), else the shown run."""
        s = self.w.session
        if run is not None and s is not None:
            return s.project.run(int(run))
        return self._shown_run()

    def _has_runs(self) -> bool:
        s = self.w.session
        if s is None or s.sequence is None or not s.runs():
            QMessageBox.information(self.w, "SportTrack", "This sequence has no run to export.")
            return False
        return True

    def _ask(self, dialog: ExportDialog) -> tuple[dict[str, Any], str] | None:
        """(run row, output path) from an export dialog, None when cancelled."""
        self.dialog = dialog
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.target():
                return None
            run = dialog.runs.run()
            if run is None:
                return None
            remember_dir(dialog.target())
            return run, dialog.target()
        finally:
            self.dialog = None

    def _run_and_target(self, out: str | Path | None, run: int | None,
                        dialog: Callable[[], ExportDialog]) -> tuple[dict[str, Any], Any] | None:
        """(run row, output) for an export: the caller's (a script, a test), else what the
        user picks in ``dialog()``; None when there is nothing to export or it is cancelled."""
        if out is None:
            return self._ask(dialog()) if self._has_runs() else None
        row = self._run(run)
        return None if row is None else (row, out)

    def _plain_dialog(self, title: str, layout: str, suffix: str = "",
                      patterns: str = "") -> ExportDialog:
        s = self.w.session
        assert s is not None and s.sequence is not None
        dialog = ExportDialog(title, s.runs(), int(s.run["id"]) if s.run else None,
                              layout=layout, sequence=str(s.sequence["name"]), suffix=suffix,
                              patterns=patterns, parent=self.w)
        dialog.finish()
        return dialog

    def _confirm_replace(self, path: Path, run: dict[str, Any]) -> bool:
        return QMessageBox.question(
            self.w, "Replace existing file?",
            f"{path} exists (it may be a dataset's original ground truth, or someone's "
            f"work). Replace it with run “{run['name']}”?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel) == QMessageBox.StandardButton.Yes

    # ---- MOTChallenge ---------------------------------------------------------------
    def export_mot(self, out: str | Path | None = None, overwrite: bool | None = None,
                   run: int | None = None) -> dict[str, Any] | None:
        """``OUT/gt/gt.txt`` + ``OUT/seqinfo.ini`` of a run (default: the shown, corrected
        one; the dialog offers every run of the sequence); ``OUT`` is created when it does
        not exist. An existing gt.txt is replaced only after the user confirms
        (``overwrite=None`` asks; True/False answer for scripts and tests)."""
        from sporttrack_gui.project.exporter import export_mot, mot_target

        picked = self._run_and_target(out, run, lambda: self._plain_dialog(
            "Export run as a MOTChallenge folder", "folder"))
        if picked is None:
            return None
        row, out = picked
        s = self.w.session
        assert s is not None
        target = mot_target(s.project, int(row["id"]), out)
        existing = [p for p in (target, Path(out) / "seqinfo.ini", Path(out) / "gameinfo.ini")
                    if p.is_file() and (p == target or target.parent != Path(out))]
        if existing:
            if overwrite is None:
                overwrite = self._confirm_replace(existing[0], row)
            if not overwrite:
                self.w.statusBar().showMessage(f"Export cancelled: {existing[0]} kept", 6000)
                return None
        try:
            info = export_mot(s.project, int(row["id"]), out, overwrite=bool(existing))
        except (SportTrackError, OSError) as exc:
            show_error(self.w, exc, f"export run {row['name']}")
            return None
        self.w.statusBar().showMessage(
            f"Exported {info.get('boxes', 0)} boxes of “{row['name']}” to {info['file']}", 8000)
        self.exported.emit("mot", info)
        return info

    # ---- registry formats (CVAT, COCO, plugins) --------------------------------------------
    def export_format(self, fmt: str, options: dict[str, Any] | None = None,
                      out: str | Path | None = None, run: int | None = None,
                      overwrite: bool | None = None) -> CallWorker | None:
        """A run (default: the shown one) in format ``fmt`` (a registry name), written in
        a worker. An existing file is replaced only after the user confirms."""
        from sporttrack_gui.formats.registry import get_format, output_path
        from sporttrack_gui.project.exporter import export_format_job

        s = self.w.session
        if s is None or not self._idle():
            return None
        spec = get_format(fmt, need="export")
        suffix = spec.extensions[0] if spec.extensions else ""
        patterns = " ".join(f"*{e}" for e in spec.extensions) or "*"
        picked = self._run_and_target(out, run, lambda: self._plain_dialog(
            f"Export run as {spec.name}", spec.layout, suffix,
            f"{spec.name} ({patterns});;All files (*)"))
        if picked is None:
            return None
        row, out = picked
        options = dict(options or {})
        target = output_path(spec, str(out))
        if spec.layout != "folder" and Path(target).is_file() and not options.get("overwrite"):
            if overwrite is None:
                overwrite = self._confirm_replace(Path(target), row)
            if not overwrite:
                self.w.statusBar().showMessage(f"Export cancelled: {target} kept", 6000)
                return None
            options["overwrite"] = True
        worker = CallWorker(export_format_job, str(s.path), int(row["id"]), fmt, str(out),
                            options)
        worker.message.connect(self._message)
        self._start(worker, spec.name, total=0)
        return worker

    # ---- YOLO ---------------------------------------------------------------------------
    def export_yolo(self, out: str | Path | None = None, classes: list[str] | None = None,
                    overwrite: bool = False, *, runs: list[int] | None = None,
                    images: str = "copy") -> ProgressWorker | None:
        """A YOLO dataset of ``runs`` (default: the shown run; the dialog offers any run
        of the sequence, or its name in every sequence split by sequence). The summary
        and every warning are shown when it is written (``lastSummary``)."""
        from sporttrack_gui.project.exporter import default_class_names

        s = self.w.session
        if s is None or not self._idle():
            return None
        if out is None:
            if not self._has_runs():
                return None
            dialog = YoloDialog(
                s.runs(), int(s.run["id"]) if s.run else None, str(s.sequence["name"]),
                lambda ids: default_class_names(s.project, ids),
                lambda name: [r for r in s.project.runs() if r["name"] == name], self.w)
            self.dialog = dialog
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.target():
                    return None
                out, classes, runs = dialog.target(), dialog.class_names(), dialog.run_ids()
                overwrite, images = dialog.overwrite.isChecked(), dialog.image_mode()
                remember_dir(out)
            finally:
                self.dialog = None
        if runs is None:
            row = self._shown_run()
            if row is None:
                return None
            runs = [int(row["id"])]
        worker = ProgressWorker(yolo_job, str(s.path), list(runs), str(out), classes,
                                overwrite, images=images)
        worker.progress.connect(self._count_progress)
        self._start(worker, "YOLO dataset", total=0)
        return worker

    # ---- demo video ---------------------------------------------------------------------
    def export_video(self, out: str | Path | None = None, *, trail: int = 25,
                     frame_range: tuple[int, int] | None = None,
                     calibration: Any = None, minimap: bool = True,
                     run_id: int | None = None) -> ProgressWorker | None:
        """Render a run (``run_id``, the dialog's choice, else the shown run) to an mp4 in
        a worker (Esc or the dialog cancels).

        ``calibration``: a calibration file path or a loaded ``pitch.Calibration``
        (minimap, pitch-pinned trails), None for the sequence's stored one (if any); the
        dialog offers the pitch view's one. ``minimap`` False draws none.
        """
        s = self.w.session
        if s is None or not self._idle() or (out is None and not self._has_runs()):
            return None
        run = self._run(run_id) if out is not None or s.run is not None else None
        if not s.source():
            QMessageBox.information(self.w, "SportTrack", "This sequence has no frames to render.")
            return None
        if out is None:
            dialog = DemoVideoDialog(s.frame_count(), "", self.w,
                                     loaded=self.calibration is not None, runs=s.runs(),
                                     shown=int(s.run["id"]) if s.run else None)
            self.dialog = dialog
            try:
                if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.out.text().strip():
                    return None
            finally:
                self.dialog = None
            run = dialog.runs.run() if dialog.runs is not None else run
            out, trail, frame_range = dialog.out.text().strip(), dialog.trail.value(), \
                dialog.frame_range()
            calibration = dialog.calibration.text().strip() or self.calibration
            minimap = dialog.minimap.isChecked()
        cal = calibration if calibration is not None and not isinstance(calibration, str) else None
        if isinstance(calibration, str) and calibration:
            from sporttrack_gui.pitch import load_calibration

            try:
                cal = load_calibration(calibration)
            except SportTrackError as exc:
                show_error(self.w, exc, f"read the calibration {calibration}")
                return None
        if run is None:
            return None
        labels = None  # another run than the shown one: the workflow labels by track id
        if s.run is not None and int(run["id"]) == int(s.run["id"]):
            labels = {int(t): s.label(int(t), 0) for t in s.index.track_ids()}
        worker = ProgressWorker(demo_video_job, str(s.path), int(run["id"]), str(s.source()),
                                str(out), labels=labels, trail=int(trail), calibration=cal,
                                minimap=minimap, frame_range=frame_range)
        worker.progress.connect(self._progress)
        first, last = frame_range or (1, s.frame_count())
        self._first = first
        self._start(worker, "demo video", total=max(1, last - first + 1))
        return worker

    # ---- worker plumbing ------------------------------------------------------------------
    def _idle(self) -> bool:
        if self.w.jobs.busy():
            QMessageBox.information(self.w, "SportTrack", "Wait for the running job to finish.")
            return False
        return True

    def _start(self, worker: Any, what: str, total: int) -> None:
        dialog = QProgressDialog(f"Exporting {what}…", "Cancel", 0, total, self.w)
        dialog.setObjectName("exportProgress")
        dialog.setWindowTitle("Export")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(worker.cancel)
        self.progress = dialog
        self._what = what
        # bound slots of this GUI-thread object (queued), never lambdas (worker thread)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        worker.done.connect(self._done)
        self.w.jobs.runner.start(worker)

    @Slot(str)
    def _message(self, message: str) -> None:
        self.w.statusBar().showMessage(message)

    @Slot(str)
    def _failed(self, message: str) -> None:
        show_error(self.w, message, f"export the {self._what}")

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        """``media.writer`` reports (frame number, last frame): show frames written."""
        if self.progress is not None:
            self.progress.setValue(min(self.progress.maximum(), max(0, done - self._first + 1)))

    @Slot(int, int)
    def _count_progress(self, done: int, total: int) -> None:
        """Images written of all (YOLO): a bar with a known end instead of a busy one."""
        if self.progress is not None:
            self.progress.setMaximum(max(1, total))
            self.progress.setValue(min(done, total))

    def _show_summary(self, title: str, headline: str, warnings: list[str]) -> QMessageBox:
        """A readable result with every warning (not modal: work goes on meanwhile)."""
        box = QMessageBox(QMessageBox.Icon.Warning if warnings else QMessageBox.Icon.Information,
                          title, headline, QMessageBox.StandardButton.Ok, self.w)
        box.setObjectName("exportSummary")
        if warnings:
            box.setInformativeText("Warnings:\n" + "\n".join(f"• {w}" for w in warnings))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.summary = box
        return box

    @Slot(object)
    def _finished(self, result: dict[str, Any]) -> None:
        if self._what == "YOLO dataset":
            from sporttrack_gui.project.export_report import yolo_report

            headline, warnings = yolo_report(result)
            self._show_summary("YOLO dataset exported", headline, warnings)
            self.w.statusBar().showMessage(headline.splitlines()[0], 10000)
            self.exported.emit("yolo", result)
            return
        what = self._what
        where = result.get("file") or result.get("out") or ""
        n = result.get("frames", result.get("images"))
        count = f"{n} frames" if n is not None else f"{result.get('boxes', 0)} boxes"
        self.w.statusBar().showMessage(f"Exported the {what} {where} ({count})", 10000)
        self.exported.emit(result.get("format") or
                           ("video" if what == "demo video" else "yolo"), result)

    @Slot()
    def _done(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
