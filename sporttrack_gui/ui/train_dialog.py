"""Run ▸ Train a detector…: YOLO or FairMOT from the project's own (corrected) runs.

The dialog only gathers a :class:`pipeline.training.TrainRequest` and shows what the
worker reports; the training itself is :func:`pipeline.training.train_model`, the function
``sporttrack train`` calls, run on a ``QThread`` that never touches a widget. The loss
curve grows one point per epoch; when a model exists its ``--detector`` spec is shown
and can be copied into the run dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, QSettings, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.pipeline.training import ARCHITECTURES, MAIN_LOSS, TrainRequest, train_model
from sporttrack_gui.ui.workers import Worker, worker_thread

#: run kinds checked by default: boxes a person made or corrected
_LABEL_KINDS = ("gt", "manual")
_ARCH_LABELS = {"yolo": "YOLO (ultralytics) — boxes", "fairmot": "FairMOT — boxes + identities"}


class TrainWorker(Worker):
    """``train_model(request)`` in its thread; one ``epoch`` signal per finished epoch."""

    epoch = Signal(object)  # detect.train.EpochReport
    finished = Signal(object)  # pipeline.training.TrainOutcome

    def __init__(self, request: TrainRequest) -> None:
        super().__init__()
        self.request = request

    def work(self) -> None:
        self.finished.emit(train_model(self.request, progress=self.epoch.emit,
                                       cancel=self.cancel_event))


def training_runs(project: Any) -> list[tuple[str, str, bool]]:
    """(label, run spec, checked by default) for every run of an open project, in
    sequence order; the spec is ``SEQUENCE/RUN`` so equal run names stay distinct."""
    names = {int(s["id"]): s["name"] for s in project.sequences()}
    out = []
    for r in project.runs():
        if r["kind"] == "sot":
            continue  # single-object runs label one target per frame: not a dataset
        seq = names.get(int(r["sequence_id"]), "?")
        out.append((f"{seq} / {r['name']}  ({r['kind']})", f"{seq}/{r['name']}",
                    r["kind"] in _LABEL_KINDS))
    return out


def default_out_dir(project_path: Path, arch: str) -> Path:
    """A fresh folder beside the project: ``<project>-training/<arch>-N``."""
    base = project_path.with_name(project_path.stem + "-training")
    n = 1
    while (base / f"{arch}-{n}").exists():
        n += 1
    return base / f"{arch}-{n}"


class TrainDialog(QDialog):
    """Non-modal: the user keeps working while the model trains."""

    trained = Signal(str)  # detector spec of a finished (or cancelled-with-weights) model

    def __init__(self, project_path: str | Path, runs: list[tuple[str, str, bool]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a detector")
        self.project_path = Path(project_path)
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None
        self.outcome: Any = None
        self.points: dict[str, list[float]] = {}
        self._settings = QSettings()

        self.arch = QComboBox()
        for key in ARCHITECTURES:
            self.arch.addItem(_ARCH_LABELS.get(key, key), key)
        self.runs = QListWidget()
        self.runs.setMinimumHeight(70)
        self.runs.setMaximumHeight(130)
        for label, spec, checked in runs:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, spec)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.runs.addItem(item)
        self.epochs = QSpinBox(minimum=1, maximum=10_000, value=int(
            self._settings.value("train/epochs", 20)))
        self.imgsz = QSpinBox(minimum=0, maximum=4096, singleStep=32, value=0)
        self.imgsz.setSpecialValueText("default for the architecture")
        self.batch = QSpinBox(minimum=1, maximum=256, value=int(
            self._settings.value("train/batch", 8)))
        self.stride = QSpinBox(minimum=1, maximum=10_000, value=int(
            self._settings.value("train/stride", 5)))
        self.stride.setToolTip("Neighbouring frames are near-duplicates: learning from every "
                               "Nth frame is as good and N times faster")
        self.classes = QLineEdit(str(self._settings.value("train/classes", "player")))
        self.out = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        idx = self.arch.findData(self._settings.value("train/arch", "yolo"))
        self.arch.setCurrentIndex(max(idx, 0))
        self.arch.currentIndexChanged.connect(self._arch_changed)
        self._arch_changed()

        form = QFormLayout()
        form.addRow("Architecture", self.arch)
        form.addRow("Runs to learn from", self.runs)
        form.addRow("Epochs", self.epochs)
        form.addRow("Input size (px)", self.imgsz)
        form.addRow("Batch", self.batch)
        form.addRow("Use every Nth frame", self.stride)
        form.addRow("Classes", self.classes)
        form.addRow("Output folder", out_row)

        self.progress = QProgressBar()
        self.status = QLabel("Choose the runs and press Train.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = pg.PlotWidget(background=(36, 38, 44))
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.addLegend(offset=(-10, 10))
        self.plot.setMinimumHeight(200)
        self.curves: dict[str, pg.PlotDataItem] = {}

        self.buttons = QDialogButtonBox()
        self.train_button = self.buttons.addButton("Train", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel training",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button = self.buttons.addButton("Copy detector spec",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.cancel_button.setEnabled(False)
        self.copy_button.setEnabled(False)
        self.train_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self._copy_spec)
        close.clicked.connect(self.close)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.buttons)
        self.resize(560, 640)

    # ---------------------------------------------------------------- request
    def _arch_changed(self) -> None:
        arch = self.arch.currentData()
        self.imgsz.setSpecialValueText(f"default ({ARCHITECTURES[arch]})")
        if not self.out.isModified():
            self.out.setText(str(default_out_dir(self.project_path, arch)))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Output folder", self.out.text())
        if path:
            self.out.setText(path)
            self.out.setModified(True)

    def request(self) -> TrainRequest:
        runs = [self.runs.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.runs.count())
                if self.runs.item(i).checkState() == Qt.CheckState.Checked]
        return TrainRequest(project=str(self.project_path), runs=runs,
                            out=self.out.text().strip(), arch=self.arch.currentData(),
                            epochs=self.epochs.value(), imgsz=self.imgsz.value() or None,
                            batch=self.batch.value(), frame_stride=self.stride.value(),
                            classes=[c.strip() for c in self.classes.text().split(",")
                                     if c.strip()])

    # ---------------------------------------------------------------- running
    def busy(self) -> bool:
        return self.thread is not None

    def start(self) -> bool:
        if self.busy():
            return False
        req = self.request()
        try:
            req.validate()
            if not req.out:
                raise SportTrackError("choose an output folder")
        except SportTrackError as exc:
            self.status.setText(f"<span style='color:#d9534f'>{exc}</span>")
            return False
        for key, value in (("arch", req.arch), ("epochs", req.epochs), ("batch", req.batch),
                           ("stride", req.frame_stride), ("classes", ",".join(req.classes))):
            self._settings.setValue(f"train/{key}", value)
        self.points = {}
        for item in self.curves.values():
            self.plot.removeItem(item)
        self.curves = {}
        self.outcome = None
        self.progress.setRange(0, 0)  # dataset export / model build: no epoch yet
        self.status.setText(f"Preparing {len(req.runs)} run(s) and building the model…")
        worker = TrainWorker(req)
        thread = worker_thread(worker, "train", self._cleanup)
        worker.epoch.connect(self._epoch)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.thread, self.worker = thread, worker
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.copy_button.setEnabled(False)
        thread.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling after the current batch…")

    @Slot(object)
    def _epoch(self, report: Any) -> None:
        self.progress.setRange(0, report.epochs)
        self.progress.setValue(report.epoch)
        arch = self.worker.request.arch if self.worker is not None else "yolo"
        main = MAIN_LOSS[arch]
        shown = [main] + [k for k in ("train/id_loss", "train/cls_loss") if k in report.metrics]
        for key in shown:
            if key not in report.metrics:
                continue
            self.points.setdefault(key, []).append(float(report.metrics[key]))
            if key not in self.curves:
                colour = pg.intColor(len(self.curves), hues=6)
                self.curves[key] = self.plot.plot(name=key.split("/")[-1],
                                                  pen=pg.mkPen(colour, width=2), symbol="o",
                                                  symbolSize=5, symbolBrush=colour)
            ys = self.points[key]
            self.curves[key].setData(list(range(1, len(ys) + 1)), ys)
        per_epoch = report.elapsed_s / max(report.epoch, 1)
        left = per_epoch * (report.epochs - report.epoch)
        self.status.setText(f"Epoch {report.epoch} / {report.epochs} · "
                            f"{main.split('/')[-1]} {report.metrics.get(main, float('nan')):.3f}"
                            f" · about {left:.0f} s left")

    @Slot(object)
    def _finished(self, outcome: Any) -> None:
        self.outcome = outcome
        spec = outcome.detector_spec
        state = "Trained" if outcome.status == "complete" else \
            f"Cancelled after {outcome.epochs_done} epoch(s)"
        if spec is None:
            self.status.setText(f"{state}: no epoch finished, so there is no model.")
            return
        extra = ""
        if outcome.arch == "yolo" and outcome.details.get("predict_imgsz"):
            extra = f" (run it at input size {outcome.details['predict_imgsz']} px)"
        self.status.setText(f"{state} in {outcome.wall_s:.0f} s. Use it in Run ▸ Run tracker… "
                            f"as detector <b>{spec}</b>{extra}.")
        self.copy_button.setEnabled(True)
        self.trained.emit(spec)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#d9534f'>Training failed: {message}</span>")

    def _cleanup(self) -> None:
        if self.thread is not None:
            self.thread.wait()
        self.thread, self.worker = None, None
        self.progress.setRange(0, max(self.progress.maximum(), 1))
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _copy_spec(self) -> None:
        if self.outcome is not None and self.outcome.detector_spec:
            QApplication.clipboard().setText(self.outcome.detector_spec)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Closing does not stop a training; only Cancel does (the dialog hides)."""
        if self.busy():
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)

    def wait(self, timeout_ms: int = 600_000) -> None:
        """Block until the worker thread ended (tests, window close)."""
        if self.thread is not None:
            self.thread.wait(timeout_ms)
        QApplication.processEvents()


def open_train_dialog(window: QObject) -> TrainDialog | None:
    """Run ▸ Train a detector…: one dialog per window, kept while it trains."""
    session = getattr(window, "session", None)
    if session is None:
        window.statusBar().showMessage("Open a project first", 4000)
        return None
    dlg = getattr(window, "_train_dialog", None)
    if dlg is None or Path(dlg.project_path) != Path(session.path):
        if dlg is not None and dlg.busy():
            dlg.show()
            dlg.raise_()
            return dlg
        dlg = TrainDialog(session.path, training_runs(session.project), window)
        window._train_dialog = dlg
    dlg.show()
    dlg.raise_()
    return dlg


__all__ = ["TrainDialog", "TrainWorker", "default_out_dir", "open_train_dialog",
           "training_runs"]
