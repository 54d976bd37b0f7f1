"""Run dialog: choose detections, tracker and parameters, then watch the run.

The dialog collects choices and shows progress; it does not run anything. The window
turns ``choices()`` into a ``PipelineConfig`` (``pipeline.run_request``) and starts the worker,
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
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.pipeline.progress import FRAMES
from sporttrack_gui.pipeline.run_request import DetectionChoice, RunChoices, parse_param

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
        self._has_gt = has_gt
        self.all_sequences = QCheckBox("Every sequence of the project, one after another")
        self.all_sequences.setToolTip(
            "Queue one run per sequence (Jobs panel); each sequence uses its own detections "
            "run of the same name, or the same YOLO model")
        self.all_sequences.toggled.connect(self._all_toggled)
        self._build_detector_options()

        form = QFormLayout()
        form.addRow("Sequence", self.sequence)
        form.addRow("Detections", self.det_box)
        form.addRow("YOLO model", self.yolo_row)
        form.addRow("Tracker", self.tracker_box)
        form.addRow("Detection stride", self.stride)
        form.addRow("Frames", self.frames_row)
        form.addRow("Run name", self.run_name)
        form.addRow("", self.live_eval)
        form.addRow("", self.all_sequences)
        self.setup = QGroupBox("What to run")
        # the choices scroll rather than squeeze when a long error needs room below
        inner = QWidget()
        setup_layout = QVBoxLayout(inner)
        setup_layout.setContentsMargins(0, 0, 0, 0)
        setup_layout.addLayout(form)
        setup_layout.addWidget(self.det_options)
        setup_layout.addWidget(QLabel("Tracker parameters"))
        self.params.setMinimumHeight(110)
        setup_layout.addWidget(self.params, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        QVBoxLayout(self.setup).addWidget(scroll)

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
        self.resize(540, 720)

    def _build_detector_options(self) -> None:
        """The options ``sporttrack run`` has (--conf, --iou, --imgsz, --classes, --frames)
        with the detector's defaults; model options only apply to a YOLO model."""
        self.conf = QDoubleSpinBox()
        self.conf.setRange(0.0, 1.0)
        self.conf.setSingleStep(0.05)
        self.conf.setDecimals(2)
        self.conf.setValue(0.25)
        self.conf.setToolTip("Confidence threshold: boxes scored lower are dropped (--conf)")
        self.iou = QDoubleSpinBox()
        self.iou.setRange(0.05, 1.0)
        self.iou.setSingleStep(0.05)
        self.iou.setDecimals(2)
        self.iou.setValue(0.5)
        self.iou.setToolTip("Non-maximum suppression IoU threshold (--iou)")
        self.imgsz = QSpinBox()
        self.imgsz.setRange(32, 8192)
        self.imgsz.setSingleStep(32)
        self.imgsz.setValue(640)
        self.imgsz.setToolTip("Inference image size in pixels (--imgsz); larger finds small "
                              "players and the ball, slower")
        self.classes = QLineEdit()
        self.classes.setPlaceholderText("person=player,sports ball=ball  (empty: the model's "
                                        "default map; all: every class)")
        self.classes.setToolTip("Class map, as --classes: model_class=output_class pairs or 'all'")
        self.det_options = QGroupBox("Detector options (YOLO)")
        f = QFormLayout(self.det_options)
        f.addRow("Confidence", self.conf)
        f.addRow("NMS IoU", self.iou)
        f.addRow("Image size", self.imgsz)
        f.addRow("Classes", self.classes)
        self.first_frame = QSpinBox()
        self.first_frame.setRange(1, 10_000_000)
        self.last_frame = QSpinBox()
        self.last_frame.setRange(0, 10_000_000)
        self.last_frame.setSpecialValueText("end")
        self.first_frame.setToolTip("First frame to process (1-based, --frames FIRST-LAST)")
        self.last_frame.setToolTip("Last frame to process (end: the whole sequence)")
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel("from"))
        rl.addWidget(self.first_frame, 1)
        rl.addWidget(QLabel("to"))
        rl.addWidget(self.last_frame, 1)
        self.frames_row = row

    def _all_toggled(self, on: bool) -> None:
        """Live evaluation follows one run in the viewer: not a queue of sequences."""
        self.live_eval.setEnabled(self._has_gt and not on)
        if on:
            self.live_eval.setChecked(False)

    def frame_range(self) -> tuple[int, int] | None:
        first, last = self.first_frame.value(), self.last_frame.value()
        if first == 1 and last == 0:
            return None
        return first, (last if last else 10_000_000)

    def choices(self) -> RunChoices:
        """Everything chosen, as plain values (raises ``InputError`` for a bad
        parameter, a missing model or an empty frame range)."""
        from sporttrack_gui.errors import InputError

        d = self.detection()
        is_yolo = d.kind == "yolo"
        model = self.yolo_edit.text().strip()
        if is_yolo and not model:
            raise InputError("choose a YOLO model file (.pt, .onnx or a model .yaml)")
        if is_yolo and self.classes.text().strip():
            from sporttrack_gui.detect.classes import parse_class_map

            parse_class_map(self.classes.text())  # a malformed map fails here, not queued
        rng = self.frame_range()
        if rng is not None and rng[1] < rng[0]:
            raise InputError(f"frames {rng[0]}-{rng[1]}: the last frame is before the first")
        return RunChoices(
            detection=(d.kind, d.name), tracker=self.tracker(), params=self.tracker_params(),
            yolo_model=model if is_yolo else "", stride=self.stride.value(),
            run_name=self.run_name.text().strip(),
            conf=self.conf.value() if is_yolo else None,
            iou=self.iou.value() if is_yolo else None,
            imgsz=self.imgsz.value() if is_yolo else None,
            classes=self.classes.text().strip() if is_yolo else "", frame_range=rng)

    # ---- choices ----------------------------------------------------------------
    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "YOLO model", "",
                                              "Models (*.pt *.onnx *.yaml);;All files (*)")
        if path:
            self.yolo_edit.setText(path)

    def _det_changed(self, index: int) -> None:
        is_yolo = 0 <= index < len(self.detections) and self.detections[index].kind == "yolo"
        self.yolo_row.setEnabled(is_yolo)
        self.det_options.setEnabled(is_yolo)

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
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("%v / %m frames (%p%)")
            self.status.setText("Starting…")
            self.status.setToolTip("")
            self.eta.setText("ETA –")
            self.stages.setText("")

    def show_progress(self, done: int, total: int, frame: int, fps: float,
                      eta_s: float | None, stage_ms: dict[str, float], phase: str = FRAMES,
                      prefix: str = "") -> None:
        """A pipeline report; before frames are counted (``phase`` "loading model")
        the bar is indeterminate instead of a frozen "0 / N frames"."""
        if phase != FRAMES:
            self.progress.setRange(0, 0)  # busy indicator
            self.status.setText(f"{prefix}{phase}…")
            self.eta.setText("ETA –")
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{prefix}frame {frame} · {fps:.1f} frames/s")
        self.eta.setText(f"ETA {format_eta(eta_s)}")
        self.stages.setText("  ".join(f"{k} {v:.1f} ms" for k, v in stage_ms.items()) + "  per frame")

    def show_result(self, status: str, text: str, warning: bool = False) -> None:
        """The end state; ``warning`` paints it yellow (a "complete" run with zero
        boxes used to look like a success)."""
        self.set_running(False)
        if self.progress.maximum() <= 1 and status != "complete":  # no frame was counted
            self.progress.setRange(0, 1)
            self.progress.setFormat(status)
        self.status.setStyleSheet("background: #f3d35b; color: black; padding: 2px;"
                                  if warning else "")
        self.status.setProperty("warning", warning)
        self.status.setText(fit_message(text))
        self.status.setToolTip(text)
        self.eta.setText("done" if status == "complete" else status)
