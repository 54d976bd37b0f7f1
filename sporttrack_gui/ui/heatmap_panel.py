"""Heatmap dock: where the selected track, a team or everyone has been, over the frame.

The density comes from ``track.sot_heatmap.trajectory_heatmap`` (Qt-free, tested there);
this panel only picks whose boxes, colours the grid and lays it over a dimmed frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.track.sot_heatmap import trajectory_heatmap

EVERYONE, SELECTED = "all", "track"


def heat_lut(n: int = 256) -> np.ndarray:
    """Inferno colours whose opacity grows with the value: cold cells show the frame."""
    lut = pg.colormap.get("inferno").getLookupTable(nPts=n, alpha=True).copy()
    ramp = np.clip(np.linspace(0.0, 1.0, n) * 2.5, 0.0, 1.0)
    lut[:, 3] = (ramp * 235).astype(np.uint8)
    return lut


class HeatmapPanel(QWidget):
    """``settingsChanged`` asks the window to call ``show_boxes`` again."""

    settingsChanged = Signal()

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
        self.heat = np.zeros((0, 0), np.float32)
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
        layout.addWidget(self.caption)

    def set_teams(self, teams: list[str]) -> None:
        current = self.who.currentData()
        self.who.blockSignals(True)
        self.who.clear()
        self.who.addItem("Selected track", SELECTED)
        self.who.addItem("Everyone", EVERYONE)
        for t in teams:
            self.who.addItem(f"Team: {t}", f"team:{t}")
        idx = self.who.findData(current)
        self.who.setCurrentIndex(idx if idx >= 0 else 0)
        self.who.blockSignals(False)

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

    def show_boxes(self, xywh: np.ndarray, frame_size: tuple[int, int], caption: str) -> None:
        """Accumulate ``xywh`` boxes (foot points) over a ``(width, height)`` frame."""
        cell = self.cell.value()
        self.heat = trajectory_heatmap(xywh, frame_size, cell=cell, sigma=self.sigma.value())
        rows, cols = self.heat.shape
        self.heat_item.setImage(self.heat, autoLevels=False, levels=(0.0, 1.0))
        self.heat_item.setRect(QRectF(0, 0, cols * cell, rows * cell))
        self.plot.getPlotItem().getViewBox().setRange(QRectF(0, 0, *frame_size), padding=0.01)
        self.caption.setText(f"{caption}: {len(xywh)} positions")

    def heat_at(self, x: float, y: float) -> float:
        """Heat value under image pixel (x, y) (0 outside): what tests and tooltips read."""
        cell = self.cell.value()
        r, c = int(y // cell), int(x // cell)
        if 0 <= r < self.heat.shape[0] and 0 <= c < self.heat.shape[1]:
            return float(self.heat[r, c])
        return 0.0
