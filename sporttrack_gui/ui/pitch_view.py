"""Pitch dock and calibration tool: a run's players on a top-down pitch.

The numbers come from ``sporttrack_gui.pitch`` (Qt-free, tested there): the analysis is
``pitch.workflow.run_pitch_analysis``, the same function ``sporttrack pitch`` and the demo
video export call. This module only collects clicks, runs that function on a worker
thread (plain values in, signals out, as ``ui.workers`` requires) and paints the results:
a minimap that follows the play head (and the camera), a pitch heatmap, and a sortable
table of distance and speed per track. A calibration stored with the sequence (the demo
ships one) is adopted when the sequence opens and the run is shown on the pitch at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QImage, QMouseEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.errors import InputError, SportTrackError
from sporttrack_gui.pitch.calibration import (
    Calibration,
    calibrate,
    calibration_from_json,
    load_calibration,
    save_calibration,
)
from sporttrack_gui.pitch.render import MinimapPainter, draw_pitch, render_pitch_heatmap
from sporttrack_gui.pitch.template import PitchTemplate, load_template
from sporttrack_gui.pitch.workflow import (
    SEQUENCE_KEY,
    PitchRequest,
    PitchResult,
    run_pitch_analysis,
)
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.pitch_models import TRACK_ROLE, PitchStatsModel, sorted_stats_model
from sporttrack_gui.ui.workers import JobRunner, ProgressWorker

MINIMAP_PX = 420
TEMPLATE_PX = 630
MARGIN = 10
EVERYONE, SELECTED = "all", "track"
#: analyses up to this many positions redraw their heatmap inline (a few ms); more in a worker
INLINE_POSITIONS = 200_000


# ---- pure helpers (testable without a display) ------------------------------------------
def bgr_to_pixmap(img: np.ndarray) -> QPixmap:
    """A deep-copied pixmap: the numpy buffer may be freed right after."""
    rgb = np.ascontiguousarray(img[..., ::-1])
    h, w = rgb.shape[:2]
    qimg = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimg.copy())


def template_scale(template: PitchTemplate, width_px: int = TEMPLATE_PX, margin: int = MARGIN) -> float:
    """Pixels per metre of ``draw_pitch`` at this width (the same formula it uses)."""
    return (width_px - 2 * margin) / template.length


def template_px_to_m(px: tuple[float, float], scale: float, margin: int = MARGIN) -> tuple[float, float]:
    """A click on the drawn template to pitch metres."""
    return ((px[0] - margin) / scale, (px[1] - margin) / scale)


def m_to_template_px(xy: tuple[float, float], scale: float, margin: int = MARGIN) -> tuple[float, float]:
    return (xy[0] * scale + margin, xy[1] * scale + margin)


def snap_to_keypoint(template: PitchTemplate, xy_m: tuple[float, float],
                     tol_m: float) -> tuple[str, tuple[float, float]] | None:
    """Nearest named keypoint within ``tol_m``: clicks are imprecise, line crossings are not."""
    best: tuple[str, tuple[float, float]] | None = None
    best_d = tol_m
    for name, pt in template.keypoints.items():
        d = float(np.hypot(pt[0] - xy_m[0], pt[1] - xy_m[1]))
        if d <= best_d:
            best, best_d = (name, (float(pt[0]), float(pt[1]))), d
    return best


# ---- what the window has open ------------------------------------------------------------
@dataclass(frozen=True)
class PitchContext:
    """What the window has open, as plain values captured when the panel needs them."""

    project: str
    run_id: int
    run_name: str
    source: str | None
    fps: float
    sequence_id: int = 0
    stored_calibration: dict | None = field(default=None, compare=False)
    run_state: tuple[str, str] = ("", "")  # (status, updated): a finished or edited run differs

    @classmethod
    def from_session(cls, session: Any) -> PitchContext | None:
        """``None`` when no project or run is open (the panel then shows a hint)."""
        if session is None or getattr(session, "run", None) is None:
            return None
        seq = getattr(session, "sequence", None) or {}
        stored = (seq.get("meta") or {}).get(SEQUENCE_KEY)
        run = session.run
        return cls(str(session.path), int(run["id"]), str(run["name"]),
                   session.source(), float(session.fps()), int(seq.get("id") or 0),
                   stored if isinstance(stored, dict) else None,
                   (str(run.get("status") or ""), str(run.get("updated") or "")))

    def request(self, calibration: Calibration, *, cmc: str, assign_teams: bool) -> PitchRequest:
        """The workflow's request for this run (``pitch.workflow.run_pitch_analysis``)."""
        return PitchRequest(self.project, self.run_id, calibration=calibration, cmc=cmc,
                            assign_teams=assign_teams, source=self.source)


# ---- the analysis as the panel shows it (Qt-free: runs in worker threads) -------------------
@dataclass
class PanelData:
    """A result plus the O(N) parts of showing it, prepared in the worker thread: the
    frame-sorted positions behind the minimap and the whole-run heatmap."""

    result: PitchResult
    painter: MinimapPainter
    heat_everyone: np.ndarray


def analyse_for_panel(request: PitchRequest, progress: Callable[[int, int], None] | None = None,
                      cancel: Callable[[], bool] | None = None) -> PanelData:
    """The workflow (``pitch.workflow.run_pitch_analysis``), then what the panel draws."""
    result = run_pitch_analysis(request, progress, cancel)
    painter = MinimapPainter(load_template(result.template), result.analysis.positions,
                             result.teams, MINIMAP_PX, MARGIN)
    return PanelData(result, painter, render_heatmap(result, EVERYONE, None, MINIMAP_PX))


def heatmap_positions(result: PitchResult, key: str, track: int | None) -> tuple[np.ndarray, str]:
    """Positions for a heatmap selector key ("all", "team:A", "track") and a caption."""
    pos = result.analysis.positions
    if key.startswith("team:"):
        team = key[5:]
        members = [t for t, k in result.teams.items() if k == team]
        return pos.xy[np.isin(pos.track_id, members)], f"team {team}"
    if key == SELECTED:
        return pos.xy[pos.track_id == (track if track is not None else -1)], f"track {track}"
    return pos.xy, "everyone"


def render_heatmap(result: PitchResult, key: str, track: int | None,
                   width_px: int = MINIMAP_PX) -> np.ndarray:
    xy, _ = heatmap_positions(result, key, track)
    return render_pitch_heatmap(load_template(result.template), xy, width_px=width_px,
                                margin=MARGIN)


def write_heatmap(path: str | Path, result: PitchResult, key: str, track: int | None) -> None:
    if not cv2.imwrite(str(path), render_heatmap(result, key, track, TEMPLATE_PX)):
        raise InputError("could not write the image (unknown extension?)", str(path))


class FitLabel(QLabel):
    """A label that shows its pixmap scaled down to fit, aspect kept.

    Why: a plain QLabel crops a pixmap taller than itself, and in a cramped dock the
    minimap lost both touchlines and the players near them. ``pixmap()`` is the full
    image (what exports and tests compare)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def setPixmap(self, pixmap: QPixmap) -> None:  # noqa: N802 - Qt override
        self._full = QPixmap(pixmap)
        self._fit()

    def pixmap(self) -> QPixmap:
        return self._full

    def clear(self) -> None:
        self._full = QPixmap()
        super().clear()

    def sizeHint(self) -> QSize:  # noqa: N802 - constant: the pixmap must not grow the dock
        return QSize(MINIMAP_PX, 200)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(160, 110)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._full.isNull():
            super().clear()
            return
        size = self.contentsRect().size()
        if self._full.width() <= size.width() and self._full.height() <= size.height():
            super().setPixmap(self._full)
        else:
            super().setPixmap(self._full.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))


# ---- the dock -----------------------------------------------------------------------------
class PitchPanel(QWidget):
    """Minimap + heatmap + figures of one run on the pitch.

    ``computed`` fires (GUI thread) when an analysis is shown; ``calibrationChanged`` when
    a calibration is loaded or made in the dialog.
    """

    computed = Signal(object)  # PitchResult
    calibrationChanged = Signal(object)  # Calibration, or None when it no longer applies

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context_provider: Callable[[], PitchContext | None] = lambda: None
        self.calibration: Calibration | None = None
        self.result: PitchResult | None = None
        self.current_frame = 1
        self.minimap_image: np.ndarray | None = None
        self.heatmap_image: np.ndarray | None = None
        self.painter: MinimapPainter | None = None
        self._template: PitchTemplate | None = None
        self._sequence_key: tuple[str, int] | None = None
        self._from_sequence = False  # the calibration is the sequence's stored one
        self._attempted: tuple | None = None  # (project, run, run state) last auto-computed
        self._heat_everyone: np.ndarray | None = None
        self.jobs = JobRunner(self)  # the analysis: one cancellable job with progress
        self.jobs.busyChanged.connect(self._busy_changed)
        self.background = Background(self)  # heatmaps and file exports of a match
        self.background.finished.connect(self._background_done)
        self.background.failed.connect(self._background_failed)

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.minimap = FitLabel()
        self.heat_who = QComboBox()
        self.heat_who.setToolTip("Whose positions the heatmap accumulates")
        self.heat_who.currentIndexChanged.connect(self.refresh_heatmap)
        self.heatmap = FitLabel()
        self.model = PitchStatsModel(self)
        self.proxy = sorted_stats_model(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.load_button = QPushButton("Load calibration…")
        self.load_button.clicked.connect(self._ask_load_calibration)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip("Map the shown run onto the pitch (in the background)")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.jobs.cancel)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(self._ask_export_csv)
        self.png_button = QPushButton("Export heatmap PNG…")
        self.png_button.clicked.connect(self._ask_export_heatmap)
        self.camera_motion = QCheckBox("Follow camera motion")
        self.camera_motion.setChecked(True)
        self.camera_motion.setToolTip("Chain the calibration through the camera's motion "
                                      "(known, or estimated from the pixels: panning shots); "
                                      "off = fixed camera")
        self.teams_box = QCheckBox("Teams from kit colour")
        self.teams_box.setToolTip("Cluster torso colours into two teams (not saved to the project)")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.hide()

        buttons = QHBoxLayout()
        for b in (self.load_button, self.compute_button, self.cancel_button):
            buttons.addWidget(b)
        options = QHBoxLayout()
        options.addWidget(self.camera_motion)
        options.addWidget(self.teams_box)
        exports = QHBoxLayout()
        exports.addWidget(self.csv_button)
        exports.addWidget(self.png_button)
        heat_row = QHBoxLayout()
        heat_row.addWidget(QLabel("Heatmap"))
        heat_row.addWidget(self.heat_who, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        layout.addLayout(options)
        layout.addWidget(self.progress)
        layout.addWidget(self.hint)
        layout.addWidget(self.minimap)
        layout.addLayout(heat_row)
        layout.addWidget(self.heatmap)
        layout.addWidget(self.table, 1)
        layout.addLayout(exports)
        self._fill_heat_choices({})
        self.refresh_state()

    # ---- state ----------------------------------------------------------------------
    def set_context_provider(self, provider: Callable[[], PitchContext | None]) -> None:
        self.context_provider = provider
        self.refresh_state()

    def refresh_state(self) -> None:
        """Enable what can work now and say what is missing."""
        ctx = self.context_provider()
        busy = self.jobs.busy()
        self.compute_button.setEnabled(ctx is not None and self.calibration is not None and not busy)
        self.cancel_button.setEnabled(busy)
        has = self.result is not None
        self.csv_button.setEnabled(has)
        self.png_button.setEnabled(has)
        if busy:
            return
        if ctx is None:
            self.hint.setText("Open a project and a run to map it onto the pitch.")
        elif self.calibration is None:
            self.hint.setText("Calibrate (View ▸ Pitch calibration…) or load a calibration file.")
        elif self._attempted == (ctx.project, ctx.run_id, ctx.run_state) and self._from_sequence \
                and not has:
            pass  # the automatic analysis failed: keep its message
        elif not has:
            self.hint.setText(f"Calibration ready (RMS {self._rms_text()}); press Compute.")

    def _rms_text(self) -> str:
        fit = self.calibration.fit if self.calibration is not None else None
        return "–" if fit is None else f"{fit.rms_px:.2f} px"

    def set_calibration(self, cal: Calibration, *, from_sequence: bool = False) -> None:
        """Use ``cal`` from now on (``from_sequence``: the sequence's stored one, which
        the panel applies to every run of the sequence by itself)."""
        if cal.fit is None:
            raise InputError("calibration has not been fitted")
        self.calibration = cal
        self._from_sequence = from_sequence
        self.calibrationChanged.emit(cal)
        self.refresh_state()

    def load_calibration_file(self, path: str | Path) -> Calibration:
        cal = load_calibration(path)
        self.set_calibration(cal)
        return cal

    def follow_context(self) -> None:
        """The window's project, sequence or run changed: adopt the calibration stored
        with a newly opened sequence, and while that one is used, show each run shown on
        the pitch at once (the demo's panel works without a click)."""
        ctx = self.context_provider()
        if ctx is None:
            return
        key = (ctx.project, ctx.sequence_id)
        if key != self._sequence_key:
            self._sequence_key = key
            if ctx.stored_calibration is not None:
                try:
                    cal = calibration_from_json(ctx.stored_calibration,
                                                "the sequence's stored calibration")
                except SportTrackError as exc:
                    self.hint.setText(f"The sequence's calibration is unusable: {exc}")
                    return
                self.set_calibration(cal, from_sequence=True)
            elif self._from_sequence:  # the previous sequence's calibration does not apply
                self.calibration, self._from_sequence = None, False
                self.calibrationChanged.emit(None)
                self.clear_result()
        run_key = (ctx.project, ctx.run_id, ctx.run_state)
        if ctx.run_state[0] == "running":
            return  # a run still being written: shown once it is finished
        if self._from_sequence and run_key != self._attempted and not self.jobs.busy():
            self._attempted = run_key
            self.compute()

    # ---- compute ----------------------------------------------------------------------
    def compute(self) -> bool:
        """Start the analysis for the window's current run; ``False`` if it cannot start."""
        ctx = self.context_provider()
        if ctx is None or self.calibration is None or self.jobs.busy():
            self.refresh_state()
            return False
        request = ctx.request(self.calibration,
                              cmc="sparse" if self.camera_motion.isChecked() else "none",
                              assign_teams=self.teams_box.isChecked())
        worker = ProgressWorker(analyse_for_panel, request)
        worker.progress.connect(self._progress)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.hint.setText(f"Mapping run {ctx.run_name!r} onto the pitch…")
        self.jobs.start(worker)
        return True

    def shutdown(self, ms: int = 30000) -> None:
        """Cancel and join the workers (window closing): a half-written export finishes."""
        self.jobs.cancel()
        self.jobs.wait(ms)
        self.background.wait(ms / 1000)

    def _busy_changed(self, busy: bool) -> None:
        if not busy:
            self.progress.hide()
        self.refresh_state()
        if not busy:
            self.follow_context()  # the run may have changed while this one was computed

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat("camera motion %v / %m")

    def _failed(self, message: str) -> None:
        self.hint.setText(f"Pitch mapping failed: {message}")

    def _finished(self, data: PanelData) -> None:
        result = data.result
        self.show_result(result, data.painter, data.heat_everyone)
        n = len(result.analysis.positions)
        extra = f", {result.analysis.unmapped} beyond decoded frames" if result.analysis.unmapped else ""
        camera = {"known": "camera motion known", "none": "fixed camera"}.get(
            result.camera, f"camera motion estimated ({result.camera})")
        self.hint.setText(f"Run {result.run_name!r}: {n} positions mapped{extra}; {camera}.")

    def clear_result(self) -> None:
        self.result, self.painter, self._heat_everyone = None, None, None
        self.minimap.clear()
        self.heatmap.clear()
        self.model.set_rows([], {}, {})
        self.refresh_state()

    def show_result(self, result: PitchResult, painter: MinimapPainter | None = None,
                    heat_everyone: np.ndarray | None = None) -> None:
        """Show an analysis; ``painter``/``heat_everyone`` come from the worker
        (:func:`analyse_for_panel`): the painter sorts positions by frame once, so
        ``set_frame`` is one slice, and nothing of O(positions) runs here."""
        self.result = result
        self._template = load_template(result.template)
        self.painter = painter or MinimapPainter(self._template, result.analysis.positions,
                                                 result.teams, MINIMAP_PX, MARGIN)
        self._heat_everyone = heat_everyone
        self.model.set_rows(result.analysis.kinematics.rows(), result.names, result.teams)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self._fill_heat_choices(result.teams)
        self.set_frame(self.current_frame)
        self.refresh_heatmap()
        self.refresh_state()
        self.computed.emit(result)

    # ---- minimap ----------------------------------------------------------------------
    def set_frame(self, frame: int) -> None:
        """Follow the play head: one slice of the frame-sorted positions, one small drawing."""
        self.current_frame = int(frame)
        if self.painter is None:
            return
        img = self.painter.draw(self.current_frame)
        self.minimap_image = img
        self.minimap.setPixmap(bgr_to_pixmap(img))

    # ---- heatmap ----------------------------------------------------------------------
    def _fill_heat_choices(self, teams: dict[int, str]) -> None:
        current = self.heat_who.currentData()
        self.heat_who.blockSignals(True)
        self.heat_who.clear()
        self.heat_who.addItem("Everyone", EVERYONE)
        for team in sorted(set(teams.values())):
            self.heat_who.addItem(f"Team {team}", f"team:{team}")
        self.heat_who.addItem("Selected track", SELECTED)
        idx = self.heat_who.findData(current)
        self.heat_who.setCurrentIndex(max(idx, 0))
        self.heat_who.blockSignals(False)

    def selected_track(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return int(rows[0].data(TRACK_ROLE))
        if self.proxy.rowCount():
            return int(self.proxy.index(0, 0).data(TRACK_ROLE))
        return None

    def heatmap_choice(self) -> tuple[str, int | None]:
        """(selector key, track) of the heatmap asked for, as plain values for a worker."""
        key = str(self.heat_who.currentData())
        return key, (self.selected_track() if key == SELECTED else None)

    def heatmap_positions(self) -> tuple[np.ndarray, str]:
        """The positions the selector asks for and a caption."""
        assert self.result is not None
        return heatmap_positions(self.result, *self.heatmap_choice())

    def render_heatmap(self, width_px: int = MINIMAP_PX) -> np.ndarray:
        assert self.result is not None
        return render_heatmap(self.result, *self.heatmap_choice(), width_px)

    def refresh_heatmap(self) -> None:
        """Redraw the heatmap: inline for a short run, in the background for a match
        (a histogram over millions of positions would stall the window)."""
        if self.result is None:
            return
        choice = self.heatmap_choice()
        if choice == (EVERYONE, None) and self._heat_everyone is not None:
            self._show_heatmap(self._heat_everyone)
        elif len(self.result.analysis.positions) <= INLINE_POSITIONS:
            self._show_heatmap(self.render_heatmap())
        else:
            self.background.start(("heat", choice), render_heatmap, self.result, *choice,
                                  MINIMAP_PX)

    def _show_heatmap(self, img: np.ndarray) -> None:
        self.heatmap_image = img
        self.heatmap.setPixmap(bgr_to_pixmap(img))

    def _background_done(self, tag: Any, value: Any) -> None:
        if tag[0] == "heat" and tag[1] == self.heatmap_choice():
            self._show_heatmap(value)
        elif tag[0] == "export":
            self.hint.setText(f"Written {tag[1]}.")

    def _background_failed(self, tag: Any, message: str) -> None:
        if tag[0] == "export":
            QMessageBox.warning(self, "SportTrack", f"Could not write {tag[1]}:\n{message}")

    def _selection_changed(self, *_args: Any) -> None:
        if self.heat_who.currentData() == SELECTED:
            self.refresh_heatmap()

    # ---- exports ----------------------------------------------------------------------
    def export_csv(self, path: str | Path) -> None:
        if self.result is None:
            raise InputError("nothing computed yet")
        self.result.analysis.positions.to_csv(path, fps=self.result.fps)

    def export_heatmap(self, path: str | Path) -> None:
        if self.result is None:
            raise InputError("nothing computed yet")
        write_heatmap(path, self.result, *self.heatmap_choice())

    def _ask_load_calibration(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load pitch calibration", "", "Calibration (*.json)")
        if path:
            self._guard(lambda: self.load_calibration_file(path), "load the calibration")

    def _ask_export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export pitch positions", "pitch_positions.csv",
                                              "CSV (*.csv)")
        if path and self.result is not None:  # millions of rows: in the background
            self.hint.setText(f"Writing {path}…")
            self.background.start(("export", path), self.result.analysis.positions.to_csv, path,
                                  self.result.fps)

    def _ask_export_heatmap(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export pitch heatmap", "pitch_heatmap.png",
                                              "PNG image (*.png)")
        if path and self.result is not None:
            self.hint.setText(f"Writing {path}…")
            self.background.start(("export", path), write_heatmap, path, self.result,
                                  *self.heatmap_choice())

    def _guard(self, fn: Callable[[], object], what: str) -> None:
        try:
            fn()
        except (SportTrackError, OSError) as exc:
            QMessageBox.warning(self, "SportTrack", f"Could not {what}:\n{exc}")


# ---- calibration dialog -------------------------------------------------------------------
class ClickView(QGraphicsView):
    """A graphics view that reports left clicks in scene coordinates."""

    clicked = Signal(QPointF)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.pixmap_item = QGraphicsPixmapItem()
        self.scene().addItem(self.pixmap_item)

    def set_image(self, img: np.ndarray) -> None:
        self.pixmap_item.setPixmap(bgr_to_pixmap(img))
        self.scene().setSceneRect(QRectF(0, 0, img.shape[1], img.shape[0]))
        self.fit()

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mousePressEvent(event)


class CalibrationDialog(QDialog):
    """Click pairs (frame point, then the same point on the template) to fit a homography.

    The fit is redone after every change; pairs RANSAC rejects are drawn red. ``calibrated``
    fires with the fitted ``Calibration`` when the user presses "Use calibration".
    """

    calibrated = Signal(object)  # Calibration

    def __init__(self, image: np.ndarray, frame: int = 1, template: str = "football",
                 parent: QWidget | None = None, snap_m: float = 1.5) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Pitch calibration – frame {frame}")
        self.frame = int(frame)
        self.template = load_template(template)
        self.snap_m = snap_m
        self.image_pts: list[tuple[float, float]] = []
        self.pitch_pts: list[tuple[float, float]] = []
        self.labels: list[str] = []
        self.pending: tuple[float, float] | None = None
        self.calibration: Calibration | None = None
        self._markers: list[QGraphicsItem] = []
        self._pending_marker: QGraphicsItem | None = None

        pitch_img, self.scale = draw_pitch(self.template, TEMPLATE_PX, MARGIN)
        self.frame_view = ClickView()
        self.frame_view.set_image(image)
        self.frame_view.clicked.connect(self.image_clicked)
        self.pitch_view = ClickView()
        self.pitch_view.set_image(pitch_img)
        self.pitch_view.clicked.connect(self._pitch_view_clicked)
        splitter = QSplitter()
        splitter.addWidget(self.frame_view)
        splitter.addWidget(self.pitch_view)
        splitter.setSizes([600, 400])

        self.keypoint_box = QComboBox()
        self.keypoint_box.addItem("(named keypoint…)", "")
        for name in sorted(self.template.keypoints):
            self.keypoint_box.addItem(name.replace("_", " "), name)
        self.keypoint_box.activated.connect(self._keypoint_chosen)
        self.snap_box = QCheckBox("Snap to keypoints")
        self.snap_box.setChecked(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Image x, y", "Pitch X, Y (m)", "Keypoint",
                                              "Error px", "Inlier"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rms_label = QLabel()
        self.status = QLabel("Click a point on the frame, then the same point on the pitch.")
        self.remove_button = QPushButton("Remove pair")
        self.remove_button.clicked.connect(self.remove_selected)
        self.load_button = QPushButton("Load…")
        self.load_button.clicked.connect(self._ask_load)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self._ask_save)
        self.use_button = QPushButton("Use calibration")
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(self.use_calibration)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        tools = QHBoxLayout()
        tools.addWidget(self.keypoint_box, 1)
        tools.addWidget(self.snap_box)
        tools.addWidget(self.remove_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rms_label, 1)
        for b in (self.load_button, self.save_button, self.use_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 3)
        layout.addWidget(self.status)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(1200, 760)
        self.refit()

    # ---- adding pairs -----------------------------------------------------------------
    def image_clicked(self, pos: QPointF) -> None:
        """First half of a pair (a click on the frame)."""
        self.pending = (float(pos.x()), float(pos.y()))
        if self._pending_marker is not None:
            self.frame_view.scene().removeItem(self._pending_marker)
        self._pending_marker = self._marker(self.frame_view, self.pending, QColor(255, 220, 0), "?")
        self.status.setText("Now click the same point on the pitch (or pick a named keypoint).")

    def _pitch_view_clicked(self, pos: QPointF) -> None:
        xy = template_px_to_m((pos.x(), pos.y()), self.scale)
        label = ""
        if self.snap_box.isChecked():
            snapped = snap_to_keypoint(self.template, xy, self.snap_m)
            if snapped is not None:
                label, xy = snapped
        self.pitch_clicked(xy, label)

    def _keypoint_chosen(self, index: int) -> None:
        name = str(self.keypoint_box.itemData(index) or "")
        self.keypoint_box.setCurrentIndex(0)
        if name:
            pt = self.template.keypoints[name]
            self.pitch_clicked((float(pt[0]), float(pt[1])), name)

    def pitch_clicked(self, xy_m: tuple[float, float], label: str = "") -> None:
        """Second half of a pair: pitch metres (and the keypoint's name, if any)."""
        if self.pending is None:
            self.status.setText("Click the point on the frame first.")
            return
        self.add_pair(self.pending, xy_m, label)

    def add_pair(self, image_xy: tuple[float, float], pitch_xy: tuple[float, float],
                 label: str = "") -> None:
        self.image_pts.append((float(image_xy[0]), float(image_xy[1])))
        self.pitch_pts.append((float(pitch_xy[0]), float(pitch_xy[1])))
        self.labels.append(label)
        self.pending = None
        if self._pending_marker is not None:
            self.frame_view.scene().removeItem(self._pending_marker)
            self._pending_marker = None
        self.status.setText(f"{len(self.image_pts)} pairs. Click the next point on the frame.")
        self.refit()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.image_pts:
            rows = [len(self.image_pts) - 1]
        for r in rows:
            del self.image_pts[r], self.pitch_pts[r], self.labels[r]
        self.refit()

    def set_calibration(self, cal: Calibration) -> None:
        """Replace the pairs (a loaded file)."""
        self.image_pts = [tuple(map(float, p)) for p in cal.image_pts]  # type: ignore[misc]
        self.pitch_pts = [tuple(map(float, p)) for p in cal.pitch_pts]  # type: ignore[misc]
        self.labels = list(cal.labels) + [""] * (len(cal.image_pts) - len(cal.labels))
        if cal.frame != self.frame:
            self.status.setText(f"Loaded pairs were clicked on frame {cal.frame}; this is frame "
                                f"{self.frame}. Saving keeps frame {cal.frame}.")
            self.frame = int(cal.frame)
        self.refit()

    # ---- fit and display ----------------------------------------------------------------
    def refit(self) -> None:
        """Fit with what is there (needs four pairs); update table, markers and RMS."""
        self.calibration = None
        error = ""
        if len(self.image_pts) >= 4:
            try:
                self.calibration = calibrate(self.image_pts, self.pitch_pts, frame=self.frame,
                                             template=self.template.name, labels=self.labels)
            except SportTrackError as exc:
                error = str(exc)
        fit = self.calibration.fit if self.calibration is not None else None
        if fit is not None:
            n_in = int(fit.inliers.sum())
            self.rms_label.setText(f"RMS {fit.rms_px:.2f} px · {n_in}/{len(fit.inliers)} inliers")
        elif error:
            self.rms_label.setText(f"No fit: {error}")
        else:
            self.rms_label.setText(f"{len(self.image_pts)}/4 pairs needed for a fit")
        self.use_button.setEnabled(fit is not None)
        self.save_button.setEnabled(bool(self.image_pts))
        self._fill_table()
        self._draw_markers()

    def pair_errors(self) -> list[tuple[float, bool]]:
        """Per pair: reprojection error in pixels (NaN without a fit) and inlier flag."""
        fit = self.calibration.fit if self.calibration is not None else None
        if fit is None:
            return [(float("nan"), True)] * len(self.image_pts)
        return [(float(e), bool(k)) for e, k in zip(fit.reprojection_error_px, fit.inliers, strict=True)]

    def _fill_table(self) -> None:
        errors = self.pair_errors()
        self.table.setRowCount(len(self.image_pts))
        for r, (im, pi, lab, (err, inl)) in enumerate(zip(self.image_pts, self.pitch_pts, self.labels,
                                                          errors, strict=True)):
            cells = [f"{im[0]:.1f}, {im[1]:.1f}", f"{pi[0]:.2f}, {pi[1]:.2f}", lab.replace("_", " "),
                     "–" if np.isnan(err) else f"{err:.2f}", "yes" if inl else "outlier"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not inl:
                    item.setForeground(QBrush(QColor(220, 30, 30)))
                self.table.setItem(r, c, item)

    def _marker(self, view: ClickView, xy: tuple[float, float], colour: QColor, text: str) -> QGraphicsItem:
        r = 6.0
        dot = QGraphicsEllipseItem(-r, -r, 2 * r, 2 * r)
        dot.setPos(QPointF(*xy))
        dot.setPen(QPen(QColor(0, 0, 0), 1.5))
        dot.setBrush(QBrush(colour))
        dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        label = QGraphicsSimpleTextItem(text, dot)
        label.setBrush(QBrush(colour))
        label.setPos(r + 1, -2 * r)
        view.scene().addItem(dot)
        return dot

    def _draw_markers(self) -> None:
        for item in self._markers:
            item.scene().removeItem(item)
        self._markers = []
        for i, (im, pi, (_, inl)) in enumerate(zip(self.image_pts, self.pitch_pts, self.pair_errors(),
                                                   strict=True)):
            colour = QColor(0, 220, 90) if inl else QColor(230, 30, 30)
            self._markers.append(self._marker(self.frame_view, im, colour, str(i + 1)))
            self._markers.append(self._marker(self.pitch_view, m_to_template_px(pi, self.scale),
                                              colour, str(i + 1)))

    # ---- files and result ----------------------------------------------------------------
    def use_calibration(self) -> None:
        if self.calibration is None:
            return
        self.calibrated.emit(self.calibration)
        self.accept()

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load pitch calibration", "", "Calibration (*.json)")
        if path:
            try:
                self.set_calibration(load_calibration(path))
            except SportTrackError as exc:
                QMessageBox.warning(self, "SportTrack", f"Could not load the calibration:\n{exc}")

    def save(self, path: str | Path) -> None:
        if self.calibration is not None:
            save_calibration(self.calibration, path)
            return
        # too few pairs to fit: keep the clicks anyway so the work is not lost
        cal = Calibration(np.asarray(self.image_pts, np.float64).reshape(-1, 2),
                          np.asarray(self.pitch_pts, np.float64).reshape(-1, 2), self.frame,
                          self.template.name, list(self.labels))
        save_calibration(cal, path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save pitch calibration", "calibration.json",
                                              "Calibration (*.json)")
        if path:
            try:
                self.save(path)
            except OSError as exc:
                QMessageBox.warning(self, "SportTrack", f"Could not save the calibration:\n{exc}")


# ---- wiring into the main window ---------------------------------------------------------------
class _CloseWatcher(QObject):
    """Joins the panel's worker when the window closes (a running QThread must not be destroyed)."""

    def __init__(self, panel: PitchPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Close and (self.panel.jobs.busy()
                                                  or self.panel.background.busy()):
            self.panel.shutdown()
        return False


def _find_menu(window: QMainWindow, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == title:
            return menu
    return None


def install_pitch_view(window: Any) -> PitchPanel:
    """Add the "Pitch" dock and "Pitch calibration…" to ``window`` (a ``MainWindow``).

    Reads only the window's public surface: ``session``, ``frameShown``,
    ``sessionChanged`` (if present), ``current_frame_image()``, menus and docks.
    """
    panel = PitchPanel()
    dock = QDockWidget("Pitch", window)
    dock.setObjectName("dock-Pitch")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    docks = getattr(window, "docks", None)
    if isinstance(docks, dict) and isinstance(docks.get("plots"), QDockWidget):
        window.tabifyDockWidget(docks["plots"], dock)
    panel.dock = dock  # type: ignore[attr-defined]

    action = QAction("Pitch calibration…", window)
    action.setObjectName("pitch_calibration")
    action.setToolTip("Click point pairs on the current frame and the pitch template")
    menu = _find_menu(window, "View") or window.menuBar().addMenu("&Tools")
    menu.addSeparator()
    menu.addAction(action)
    menu.addAction(dock.toggleViewAction())
    panel.calibration_action = action  # type: ignore[attr-defined]

    panel.set_context_provider(lambda: PitchContext.from_session(getattr(window, "session", None)))

    def refresh() -> None:
        action.setEnabled(PitchContext.from_session(getattr(window, "session", None)) is not None)
        panel.refresh_state()

    def open_dialog() -> CalibrationDialog | None:
        image = window.current_frame_image()
        if image is None:
            QMessageBox.information(window, "SportTrack", "No frame is shown yet to calibrate on.")
            return None
        template = panel.calibration.template if panel.calibration is not None else "football"
        dialog = CalibrationDialog(np.asarray(image), panel.current_frame, template, window)
        if panel.calibration is not None and panel.calibration.frame == panel.current_frame:
            dialog.set_calibration(panel.calibration)
        dialog.calibrated.connect(panel.set_calibration)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        panel.dialog = dialog  # type: ignore[attr-defined]
        dialog.show()
        return dialog

    action.triggered.connect(open_dialog)
    panel.open_calibration_dialog = open_dialog  # type: ignore[attr-defined]
    window.frameShown.connect(panel.set_frame)
    window.frameShown.connect(lambda _f: refresh())
    changed = getattr(window, "sessionChanged", None)
    if changed is not None:
        changed.connect(refresh)
        changed.connect(panel.follow_context)
    window.installEventFilter(_CloseWatcher(panel))
    refresh()
    panel.follow_context()
    return panel
