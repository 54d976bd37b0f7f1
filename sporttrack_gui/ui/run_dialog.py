"""Run dialog: choose detections, tracker and parameters, then watch the run.

The dialog collects choices and shows progress; it does not run anything. The window
turns ``choices()`` into a ``PipelineConfig`` (``ui.run_request``) and starts the worker,
then feeds ``show_progress``/``show_result`` back. Non-modal, so the viewer stays usable
while boxes appear.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui.run_request import DetectionChoice, parse_param

#: longest message shown in the dialog itself; the whole text is the label's tooltip
MAX_SHOWN_CHARS = 400


def fit_message(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters with break opportunities (zero-width spaces)
    in long unbroken runs, so a word-wrapped label never widens its dialog: a missing
    model path or a traceback used to make the run dialog 2,500 px wide."""
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    out, run = [], 0
    for ch in text:
        out.append(ch)
        run = 0 if ch.isspace() else run + 1
        if run >= 40 or ch in "/\\_,;":
            out.append("\u200b")
            run = 0
    return "".join(out)


def _wrapping_label(text: str = "") -> QLabel:
    """A label that wraps and never asks for more width than the dialog has."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(100)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, int(round(seconds)))
    m, s = divmod(seconds, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class RunDialog(QDialog):
    """``startRequested`` when the user presses Run; ``cancelRequested`` on Cancel."""

    startRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, sequence_name: str, detections: list[DetectionChoice],
                 trackers: dict[str, dict[str, Any]], last_tracker: str,
                 has_gt: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run tracker")
        self.setModal(False)
        self.trackers = trackers
        self.detections = detections
        self.sequence = QLabel(sequence_name)
        self.det_box = QComboBox()
        for d in detections:
            self.det_box.addItem(d.label)
        self.yolo_edit = QLineEdit()
        self.yolo_edit.setPlaceholderText("yolov8n.pt, a .onnx file, a model .yaml or fairmot:best.pt")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_model)
        yolo_row = QWidget()
        yl = QHBoxLayout(yolo_row)
        yl.setContentsMargins(0, 0, 0, 0)
        yl.addWidget(self.yolo_edit, 1)
        yl.addWidget(browse)
        self.yolo_row = yolo_row
        self.det_box.currentIndexChanged.connect(self._det_changed)
        self.tracker_box = QComboBox()
        for name, spec in trackers.items():
            self.tracker_box.addItem(name, name)
            self.tracker_box.setItemData(self.tracker_box.count() - 1, spec.get("description", ""),
                                         Qt.ItemDataRole.ToolTipRole)
        idx = self.tracker_box.findData(last_tracker)
        self.tracker_box.setCurrentIndex(max(idx, 0))
        self.tracker_box.currentIndexChanged.connect(self._fill_params)
        self.params = QTableWidget(0, 2)
        self.params.setHorizontalHeaderLabels(["Parameter", "Value"])
        self.params.verticalHeader().hide()
        self.params.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.params.horizontalHeader().setStretchLastSection(True)
        self.stride = QSpinBox()
        self.stride.setRange(1, 30)
        self.stride.setToolTip("Detect on every k-th frame; the tracker predicts in between")
        self.run_name = QLineEdit()
        self.run_name.setPlaceholderText("automatic (<tracker>, <tracker>-2, …)")
        self.live_eval = QCheckBox("Evaluate live against the ground truth")
        self.live_eval.setChecked(has_gt)
        self.live_eval.setEnabled(has_gt)

        form = QFormLayout()
        form.addRow("Sequence", self.sequence)
        form.addRow("Detections", self.det_box)
        form.addRow("YOLO model", self.yolo_row)
        form.addRow("Tracker", self.tracker_box)
        form.addRow("Detection stride", self.stride)
        form.addRow("Run name", self.run_name)
        form.addRow("", self.live_eval)
        self.setup = QGroupBox("What to run")
        setup_layout = QVBoxLayout(self.setup)
        setup_layout.addLayout(form)
        setup_layout.addWidget(QLabel("Tracker parameters"))
        setup_layout.addWidget(self.params, 1)

        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m frames (%p%)")
        self.status = _wrapping_label("Ready.")
        self.eta = QLabel("ETA –")
        self.stages = _wrapping_label("")
        status_box = QGroupBox("Progress")
        sl = QVBoxLayout(status_box)
        sl.addWidget(self.progress)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.eta)
        sl.addLayout(row)
        sl.addWidget(self.stages)

        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.startRequested)
        self.cancel_button = QPushButton("Cancel run")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.run_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.setup, 1)
        layout.addWidget(status_box)
        layout.addLayout(buttons)
        self._fill_params()
        self._det_changed(self.det_box.currentIndex())
        self.resize(520, 620)

    # ---- choices ----------------------------------------------------------------
    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "YOLO model", "",
                                              "Models (*.pt *.onnx *.yaml);;All files (*)")
        if path:
            self.yolo_edit.setText(path)

    def _det_changed(self, index: int) -> None:
        is_yolo = 0 <= index < len(self.detections) and self.detections[index].kind == "yolo"
        self.yolo_row.setEnabled(is_yolo)

    def _fill_params(self) -> None:
        spec = self.trackers.get(self.tracker_box.currentData() or "", {})
        defaults = spec.get("defaults", {})
        self.params.setRowCount(0)
        for key, value in defaults.items():
            if isinstance(value, dict | list):
                continue  # nested settings are edited in the tracker's yaml, not here
            r = self.params.rowCount()
            self.params.insertRow(r)
            name = QTableWidgetItem(key)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name.setData(Qt.ItemDataRole.UserRole, value)
            self.params.setItem(r, 0, name)
            self.params.setItem(r, 1, QTableWidgetItem("" if value is None else str(value)))

    def detection(self) -> DetectionChoice:
        return self.detections[self.det_box.currentIndex()]

    def tracker(self) -> str:
        return str(self.tracker_box.currentData())

    def tracker_params(self) -> dict[str, Any]:
        """Only the values the user changed (the registry supplies the rest)."""
        out: dict[str, Any] = {}
        for r in range(self.params.rowCount()):
            key = self.params.item(r, 0).text()
            default = self.params.item(r, 0).data(Qt.ItemDataRole.UserRole)
            text = self.params.item(r, 1).text()
            if text == ("" if default is None else str(default)):
                continue
            try:
                out[key] = parse_param(text, default)
            except SportTrackError as exc:
                raise type(exc)(f"tracker parameter {key}: {exc}") from None
        return out

    # ---- progress -------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.setup.setEnabled(not running)
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)
            self.status.setText("Starting…")
            self.status.setToolTip("")
            self.eta.setText("ETA –")
            self.stages.setText("")

    def show_progress(self, done: int, total: int, frame: int, fps: float,
                      eta_s: float | None, stage_ms: dict[str, float]) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"frame {frame} · {fps:.1f} frames/s")
        self.eta.setText(f"ETA {format_eta(eta_s)}")
        self.stages.setText("  ".join(f"{k} {v:.1f} ms" for k, v in stage_ms.items()) + "  per frame")

    def show_result(self, status: str, text: str, warning: bool = False) -> None:
        """The end state; ``warning`` paints it yellow (a "complete" run with zero
        boxes used to look like a success)."""
        self.set_running(False)
        self.status.setStyleSheet("background: #f3d35b; color: black; padding: 2px;"
                                  if warning else "")
        self.status.setProperty("warning", warning)
        self.status.setText(fit_message(text))
        self.status.setToolTip(text)
        self.eta.setText("done" if status == "complete" else status)
