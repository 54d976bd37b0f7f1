"""File ▸ Add… in the background: a worker thread; progress, ETA and Cancel in the status bar.

Why its own thread (not the window's ``JobRunner``): an import may start while a tracker
run is busy and must not wait for it or block it. The worker gets plain values (project
path, source path), calls the Qt-free ``pipeline.import_job.run_import`` and reports with
signals; the GUI thread only updates the dialog, so the window never stalls while a
long video is indexed. Cancel stops indexing between packets; the project is untouched
until the single import transaction, which runs only when nothing was cancelled.

The progress lives in the status bar (built once, shown while busy) rather than in a
dialog: the first show of a dialog costs a few hundred ms of polishing on the GUI thread,
the very stall this module exists to avoid.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from sporttrack_gui.errors import Cancelled

# imported here, on the GUI thread at start: a first import inside the worker thread
# would hold the GIL (extension modules) and stall the window
from sporttrack_gui.pipeline.import_job import run_import
from sporttrack_gui.ui.workers import Worker, worker_thread


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d} left" if seconds >= 60 else f"{seconds} s left"


class ImportWorker(Worker):
    """Runs ``run_import`` in its thread; exactly one of finished/cancelled/failed, then done."""

    progress = Signal(object)  # pipeline.import_job.ImportProgress
    finished = Signal(object)  # ImportSummary
    cancelled = Signal(str)

    def __init__(self, project_path: str, source: str, name: str | None = None) -> None:
        super().__init__()
        self.project_path, self.source, self.name = project_path, source, name

    def work(self) -> None:
        # ``run`` (the base's slot) calls this in the worker thread; overriding ``run``
        # itself would make PySide6 call it in the GUI thread
        try:
            summary = run_import(self.project_path, self.source, progress=self.progress.emit,
                                 cancel=self.cancel_event.is_set, name=self.name)
        except Cancelled as exc:
            self.cancelled.emit(str(exc))
            return
        self.finished.emit(summary)


class ImportProgressBar(QWidget):
    """Label, bar and Cancel button for the status bar (hidden while no import runs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importProgress")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setMaximumHeight(16)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the import; the project stays as it was")
        for w in (self.label, self.bar, self.cancel_button):
            lay.addWidget(w)
        self.hide()


class ImportController(QObject):
    """One import at a time: ``start(project, source)``; ``imported(summary)`` on success,
    ``ended(status, message)`` always ("done", "cancelled" or "failed")."""

    imported = Signal(object)
    ended = Signal(str, str)
    workerStarting = Signal(object)  # the ImportWorker, before its thread starts (tests, logs)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.thread: QThread | None = None
        self.worker: ImportWorker | None = None
        self.widget = ImportProgressBar(window)
        window.statusBar().addWidget(self.widget)
        self.widget.cancel_button.clicked.connect(self.cancel)
        self._status = ("failed", "")
        self._name = ""

    def busy(self) -> bool:
        return self.thread is not None

    def start(self, project_path: str | Path, source: str | Path, name: str | None = None) -> bool:
        """Import ``source`` (sequence ``name``: the importer's default when None)."""
        if self.busy():
            return False
        worker = ImportWorker(str(project_path), str(source), name)
        thread = worker_thread(worker, "import", self._cleanup)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.cancelled.connect(lambda m: self._set_status("cancelled", m))
        worker.failed.connect(lambda m: self._set_status("failed", m))
        self.thread, self.worker = thread, worker
        self._status = ("failed", "the import ended without a result")
        self._name = name or Path(source).name
        w = self.widget
        w.label.setText(f"Reading {self._name}…")
        w.bar.setRange(0, 0)
        w.cancel_button.setEnabled(True)
        w.show()
        self.workerStarting.emit(worker)
        thread.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.widget.cancel_button.setEnabled(False)
            self.widget.label.setText(f"Cancelling the import of {self._name}…")

    def _progress(self, p) -> None:
        w = self.widget
        if self.worker is None or self.worker.cancel_event.is_set():
            return
        if p.stage == "indexing":
            w.bar.setRange(0, max(1, p.total))
            w.bar.setValue(min(p.done, p.total))
            w.label.setText(f"Indexing {self._name}: {p.done:,} / {p.total:,} frames, "
                            f"{format_eta(p.eta_s)}")
        else:
            w.bar.setRange(0, 0)
            w.label.setText(f"Importing {self._name} into the project…")

    def _finished(self, summary) -> None:
        self._set_status("done", f"{summary.frame_count} frames")
        self.imported.emit(summary)

    def _set_status(self, status: str, message: str) -> None:
        self._status = (status, message)

    def _cleanup(self) -> None:
        thread, self.thread, self.worker = self.thread, None, None
        self.widget.hide()
        if thread is not None:
            thread.deleteLater()
        self.ended.emit(*self._status)

    def shutdown(self, ms: int = 30000) -> None:
        """Cancel and wait (window closing)."""
        if self.thread is not None:
            self.cancel()
            self.thread.wait(ms)
