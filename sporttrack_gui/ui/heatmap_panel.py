"""Heatmap dock: where the selected track, a team or everyone has been, over the frame.

The density comes from ``track.heatmap_image`` (Qt-free, seconds per cell; aggregated
in a worker by ``ui.heatmap_control``); this panel only shows it: the grid over a
dimmed frame, a colour scale with its unit, team choices (track metadata, or kit
colours for tracker runs) and "Export PNG…".
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.track.heatmap_image import HeatmapData, HeatmapSpec, aggregate

EVERYONE, SELECTED = "all", "track"
KIT = "kit:"  # selection keys of kit-colour teams: "kit:A", "kit:B"


def heat_lut(n: int = 256) -> np.ndarray:
    """Inferno colours whose opacity grows with the value: cold cells show the frame."""
    lut = pg.colormap.get("inferno").getLookupTable(nPts=n, alpha=True).copy()
    ramp = np.clip(np.linspace(0.0, 1.0, n) * 2.5, 0.0, 1.0)
    lut[:, 3] = (ramp * 235).astype(np.uint8)
    return lut


class ColourScale(QWidget):
    """The heatmap's legend: the colour ramp from 0 to the peak, in seconds per cell."""

    def __init__(self, lut: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("heatmapScale")
        self._stops = [(i / (len(lut) - 1), QColor(*(int(v) for v in lut[i, :3])))
                       for i in range(0, len(lut), max(1, len(lut) // 16))]
        self.peak = 0.0
        self.setMinimumHeight(22)
        self.setMaximumHeight(26)

    def set_peak(self, seconds: float) -> None:
        self.peak = float(seconds)
        self.setToolTip(f"colour scale: 0 to {self.peak:.1f} seconds per cell")
        self.update()

    def text(self) -> tuple[str, str]:
        """The two end labels, as painted."""
        return "0 s", f"{self.peak:.1f} s per cell"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        lo, hi = self.text()
        fm = p.fontMetrics()
        left, right = fm.horizontalAdvance(lo) + 8, fm.horizontalAdvance(hi) + 8
        bar = QRectF(left, 4, max(10, self.width() - left - right), self.height() - 8)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        for pos, colour in self._stops:
            grad.setColorAt(pos, colour)
        p.fillRect(bar, grad)
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        p.drawText(QRectF(0, 0, left, self.height()), Qt.AlignmentFlag.AlignCenter, lo)
        p.drawText(QRectF(bar.right(), 0, right, self.height()), Qt.AlignmentFlag.AlignCenter, hi)
        p.end()


class HeatmapPanel(QWidget):
    """``settingsChanged`` asks the window for a new heatmap; ``kitRequested`` to find
    teams by kit colour; ``exportRequested`` to save the shown one as PNG;
    ``heatmapShown`` after a heatmap is on screen."""

    settingsChanged = Signal()
    kitRequested = Signal()
    exportRequested = Signal()
    heatmapShown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.who = QComboBox()
        self.who.setToolTip("Whose positions to accumulate")
        self.cell = QSpinBox()
        self.cell.setRange(2, 64)
        self.cell.setValue(12)
        self.cell.setSuffix(" px")
        self.cell.setToolTip("Grid cell size")
        self.sigma = QDoubleSpinBox()
        self.sigma.setRange(0.0, 10.0)
        self.sigma.setValue(1.5)
        self.sigma.setSingleStep(0.5)
        self.sigma.setToolTip("Smoothing (in cells)")
        self._kit: list[str] = []
        self._teams: list[str] = []
        self.data: HeatmapData | None = None
        self.set_teams([])
        for w in (self.who, self.cell, self.sigma):
            sig = w.currentIndexChanged if isinstance(w, QComboBox) else w.valueChanged
            sig.connect(self.settingsChanged)
        self.plot = pg.PlotWidget(background=(20, 20, 24))
        self.plot.getPlotItem().hideAxis("left")
        self.plot.getPlotItem().hideAxis("bottom")
        self.plot.getPlotItem().hideButtons()
        vb = self.plot.getPlotItem().getViewBox()
        vb.invertY(True)
        vb.setAspectLocked(True)
        self.background = pg.ImageItem(axisOrder="row-major")
        self.background.setOpacity(0.6)
        self.heat_item = pg.ImageItem(axisOrder="row-major")
        self.heat_item.setLookupTable(heat_lut())
        self.plot.addItem(self.background)
        self.plot.addItem(self.heat_item)
        self.caption = QLabel("Select a track, a team or everyone.")
        self.caption.setWordWrap(True)
        self.heat = np.zeros((0, 0), np.float32)
        self.scale = ColourScale(heat_lut())
        self.kit_button = QPushButton("Teams by kit colour")
        self.kit_button.setToolTip("Cluster the tracks' torso colours into two teams (for "
                                   "runs whose tracks have no team; decodes a few frames "
                                   "per track in the background)")
        self.kit_button.clicked.connect(self.kitRequested)
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip("Save the heatmap over the frame with its colour scale")
        self.export_button.clicked.connect(self.exportRequested)
        self.export_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.kit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Show"))
        controls.addWidget(self.who, 1)
        controls.addWidget(QLabel("cell"))
        controls.addWidget(self.cell)
        controls.addWidget(QLabel("blur"))
        controls.addWidget(self.sigma)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.scale)
        layout.addWidget(self.caption)
        layout.addLayout(buttons)

    def set_teams(self, teams: list[str]) -> None:
        """Teams of the track metadata (plus kit-colour teams once found)."""
        self._teams = list(teams)
        current = self.who.currentData()
        self.who.blockSignals(True)
        self.who.clear()
        self.who.addItem("Selected track", SELECTED)
        self.who.addItem("Everyone", EVERYONE)
        for t in self._teams:
            self.who.addItem(f"Team: {t}", f"team:{t}")
        for t in self._kit:
            self.who.addItem(f"Kit colour: {t}", f"{KIT}{t}")
        idx = self.who.findData(current)
        self.who.setCurrentIndex(idx if idx >= 0 else 0)
        self.who.blockSignals(False)

    def set_kit_teams(self, names: list[str]) -> None:
        """Offer the kit-colour teams (``[]`` removes them: another run is shown)."""
        self._kit = list(names)
        self.set_teams(self._teams)

    def selection(self) -> str:
        """``"track"``, ``"all"`` or ``"team:<name>"``."""
        return str(self.who.currentData())

    def set_selection(self, key: str) -> None:
        idx = self.who.findData(key)
        if idx >= 0:
            self.who.setCurrentIndex(idx)

    def set_frame(self, bgr: np.ndarray) -> None:
        self.background.setImage(np.ascontiguousarray(bgr[..., ::-1]), autoLevels=False,
                                 levels=(0, 255))
        self.background.setRect(QRectF(0, 0, bgr.shape[1], bgr.shape[0]))

    def show_boxes(self, xywh: np.ndarray, frame_size: tuple[int, int], caption: str,
                   fps: float = 25.0) -> None:
        """Aggregate ``xywh`` boxes (foot points) here: for one track (cheap); the
        window aggregates runs in a worker and calls ``show_data``."""
        self.show_data(aggregate(xywh, self.spec(frame_size, fps), caption))

    def spec(self, frame_size: tuple[int, int], fps: float) -> HeatmapSpec:
        return HeatmapSpec(tuple(frame_size), self.cell.value(), self.sigma.value(), fps)  # type: ignore[arg-type]

    def show_pending(self, caption: str) -> None:
        self.caption.setText(f"{caption}: aggregating…")

    def show_data(self, data: HeatmapData) -> None:
        self.data = data
        cell = data.spec.cell
        self.heat = data.normalised()
        rows, cols = self.heat.shape
        self.heat_item.setImage(self.heat, autoLevels=False, levels=(0.0, 1.0))
        self.heat_item.setRect(QRectF(0, 0, cols * cell, rows * cell))
        self.plot.getPlotItem().getViewBox().setRange(QRectF(0, 0, *data.spec.frame_size),
                                                      padding=0.01)
        self.scale.set_peak(data.peak)
        self.caption.setText(f"{data.caption}: {data.positions} positions")
        self.export_button.setEnabled(data.positions > 0)
        self.heatmapShown.emit()

    def heat_at(self, x: float, y: float) -> float:
        """Heat value under image pixel (x, y) (0 outside): what tests and tooltips read."""
        cell = self.data.spec.cell if self.data is not None else self.cell.value()
        r, c = int(y // cell), int(x // cell)
        if 0 <= r < self.heat.shape[0] and 0 <= c < self.heat.shape[1]:
            return float(self.heat[r, c])
        return 0.0
