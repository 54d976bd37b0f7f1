"""Timeline: transport controls, scrub slider and one lane per track (pyqtgraph).

All lanes are a single ``PlotCurveItem`` (segment pairs + ``connect`` mask), gaps and
suspected ID switches one ``ScatterPlotItem`` each, so 500 tracks over 135,000 frames are
a handful of items however long the match (see benchmarks/bench_gui_timeline.py). Lane
geometry comes from the Qt-free ``ui.lanes``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.ui.lanes import LaneLayout
from sporttrack_gui.ui.painting import track_qcolor
from sporttrack_gui.ui.playback import SPEEDS, Playback, format_time

LANE_PEN = pg.mkPen((150, 160, 175), width=5)
SELECTED_PEN = pg.mkPen((255, 210, 60), width=7)
MAX_TICKS = 300  # beyond this many lanes, label every k-th lane
LANE_PX = 16  # lane pitch on screen; drag or wheel the lanes to see the others


class LanesPlot(pg.PlotWidget):
    """The lanes: x = frame, y = lane index (first-seen order, top to bottom)."""

    laneClicked = Signal(object, int)  # track id or None, frame
    laneDoubleClicked = Signal(object, int)
    laneMenuRequested = Signal(object, int, QPoint)  # track or None, frame, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=(36, 38, 44))
        self.layout_ = LaneLayout.empty()
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=False, alpha=0.15)
        item.getViewBox().invertY(True)
        item.getViewBox().setMouseEnabled(x=True, y=True)
        item.setLabel("bottom", "frame")
        self.lanes = pg.PlotCurveItem(pen=LANE_PEN, antialias=False)
        self.selected = pg.PlotCurveItem(pen=SELECTED_PEN, antialias=False)
        self.swatches = pg.ScatterPlotItem(size=9, pen=None, symbol="s")
        self.gaps = pg.ScatterPlotItem(size=7, symbol="t1", pen=None,
                                       brush=pg.mkBrush(240, 240, 240, 200))
        self.switches = pg.ScatterPlotItem(size=11, symbol="x", pen=pg.mkPen(255, 70, 70, width=2),
                                           brush=pg.mkBrush(255, 70, 70))
        self.playhead = pg.InfiniteLine(pos=1, angle=90, pen=pg.mkPen(255, 255, 255, width=1))
        for it in (self.lanes, self.selected, self.swatches, self.gaps, self.switches, self.playhead):
            self.addItem(it)
        self.scene().sigMouseClicked.connect(self._clicked)
        self._frame_count = 1
        self._selected: int | None = None
        self._lane_ids = np.zeros(0, np.int64)

    def set_layout(self, layout: LaneLayout, frame_count: int, keep_view: bool = False) -> None:
        """Draw ``layout``; ``keep_view`` (after an edit) keeps the user's zoom and scroll
        when the lanes fit the same range."""
        keep_view = keep_view and max(1, frame_count) == self._frame_count \
            and layout.n_lanes == self.layout_.n_lanes
        self.layout_ = layout
        self._frame_count = max(1, frame_count)
        same_lanes = keep_view and np.array_equal(layout.track_ids, self._lane_ids)
        self.lanes.setData(layout.seg_x, layout.seg_y, connect=layout.connect)
        n = layout.n_lanes
        if not same_lanes:  # colour swatches and id ticks only change with the lanes
            self._lane_ids = layout.track_ids.copy()
            self.swatches.setData(np.zeros(n), np.arange(n, dtype=float),
                                  brush=[pg.mkBrush(track_qcolor(int(t))) for t in layout.track_ids])
            step = max(1, int(np.ceil(n / MAX_TICKS)))
            ticks = [(float(k), str(int(layout.track_ids[k]))) for k in range(0, n, step)]
            self.getPlotItem().getAxis("left").setTicks([ticks, []])
        self.gaps.setData(layout.gap_x, layout.gap_y)
        self.switches.setData(layout.switch_x, layout.switch_y)
        if not keep_view:
            vb = self.getPlotItem().getViewBox()
            vb.setLimits(xMin=-0.02 * self._frame_count, xMax=self._frame_count * 1.02 + 1,
                         yMin=-1.5, yMax=max(n, 1) + 0.5)
            vb.setRange(xRange=(1, self._frame_count + 1), padding=0)
            self._fit_lanes(top=-0.5)
        self.set_selected(self._selected)

    def _fit_lanes(self, top: float | None = None) -> None:
        """Show as many lanes as fit at ``LANE_PX`` each, from ``top`` (default: current)."""
        item = self.getPlotItem()
        if item is None or not hasattr(self, "layout_"):
            return  # resize during construction
        vb = item.getViewBox()
        if top is None:
            top = vb.viewRange()[1][0]
        rows = max(3.0, vb.height() / LANE_PX) if vb.height() > 0 else 12.0
        rows = min(rows, max(self.layout_.n_lanes, 1))
        vb.setYRange(top, top + rows, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_lanes()

    def set_selected(self, track_id: int | None) -> None:
        self._selected = track_id
        lane = None if track_id is None else self.layout_.lane_of(track_id)
        if lane is None:
            self.selected.setData([], [])
            return
        mask = self.layout_.seg_y == lane
        self.selected.setData(self.layout_.seg_x[mask], self.layout_.seg_y[mask],
                              connect=self.layout_.connect[mask])

    def set_playhead(self, frame: int) -> None:
        self.playhead.setValue(frame)

    def _clicked(self, event) -> None:
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        pt: QPointF = vb.mapSceneToView(event.scenePos())
        frame = int(min(max(round(pt.x()), 1), self._frame_count))
        track = self.layout_.track_at(pt.y())
        if event.button() == Qt.MouseButton.RightButton:
            sp = event.screenPos()
            self.laneMenuRequested.emit(track, frame, QPoint(int(sp.x()), int(sp.y())))
            return
        if event.double():
            self.laneDoubleClicked.emit(track, frame)
        else:
            self.laneClicked.emit(track, frame)


class Timeline(QWidget):
    """Transport row + lanes; talks to a ``Playback`` and emits track selections."""

    trackSelected = Signal(object)  # int or None
    trackMenuRequested = Signal(object, int, QPoint)  # right-click on a lane

    def __init__(self, playback: Playback, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.playback = playback
        self.play_button = self._button("media-playback-start", "Play / pause (Space)", playback.toggle)
        self.start_button = self._button("media-skip-backward", "First frame (Home)", playback.first)
        self.back_button = self._button("media-seek-backward", "Previous frame (Left)",
                                        lambda: playback.step(-1))
        self.fwd_button = self._button("media-seek-forward", "Next frame (Right)",
                                       lambda: playback.step(1))
        self.end_button = self._button("media-skip-forward", "Last frame (End)", playback.last)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(1)
        self.slider.setToolTip("Scrub through the sequence")
        self.slider.valueChanged.connect(playback.seek)
        self.frame_box = QSpinBox()
        self.frame_box.setMinimum(1)
        self.frame_box.setToolTip("Jump to frame")
        self.frame_box.setKeyboardTracking(False)
        self.frame_box.valueChanged.connect(playback.seek)
        self.time_label = QLabel("0:00.00")
        self.time_label.setMinimumWidth(80)
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Playback speed")
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}×", s)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.currentIndexChanged.connect(
            lambda i: playback.set_speed(self.speed_box.itemData(i)))
        self.lanes = LanesPlot()
        self.lanes.laneClicked.connect(self._lane_clicked)
        self.lanes.laneDoubleClicked.connect(self._lane_double_clicked)
        self.lanes.laneMenuRequested.connect(self.trackMenuRequested)

        row = QHBoxLayout()
        row.setContentsMargins(4, 2, 4, 2)
        for w in (self.start_button, self.back_button, self.play_button, self.fwd_button,
                  self.end_button):
            row.addWidget(w)
        row.addWidget(self.slider, 1)
        row.addWidget(self.frame_box)
        row.addWidget(self.time_label)
        row.addWidget(self.speed_box)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addLayout(row)
        col.addWidget(self.lanes, 1)

        playback.frameChanged.connect(self._on_frame)
        playback.rangeChanged.connect(self._on_range)
        playback.playingChanged.connect(self._on_playing)

    def _button(self, theme: str, tip: str, slot) -> QToolButton:
        from sporttrack_gui.ui.icons import icon

        b = QToolButton()
        b.setIcon(icon(theme))
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    def set_lanes(self, layout: LaneLayout, keep_view: bool = False) -> None:
        """New lanes (after an edit: the model's cached layout, ``keep_view``); the
        assistant's markers stay until its next list arrives."""
        suspects = getattr(self, "_suspects", None)
        if suspects:
            layout = layout.with_suspects(suspects)
        self.lanes.set_layout(layout, self.playback.frame_count, keep_view)

    def set_suspects(self, suspects: list) -> None:
        """Markers of the ID-switch assistant's suspects (``assist.Suspect`` list)."""
        self._suspects = list(suspects)
        lay = self.lanes.layout_.with_suspects(suspects)
        self.lanes.layout_ = lay
        self.lanes.switches.setData(lay.switch_x, lay.switch_y)

    def set_selected(self, track_id: int | None) -> None:
        self.lanes.set_selected(track_id)

    def _on_range(self, count: int) -> None:
        for w in (self.slider, self.frame_box):
            w.blockSignals(True)
            w.setMaximum(max(1, count))
            w.blockSignals(False)
        self.frame_box.setSuffix(f" / {count}")

    def _on_frame(self, frame: int) -> None:
        for w in (self.slider, self.frame_box):
            w.blockSignals(True)
            w.setValue(frame)
            w.blockSignals(False)
        self.time_label.setText(format_time(frame, self.playback.fps))
        self.lanes.set_playhead(frame)

    def _on_playing(self, playing: bool) -> None:
        from sporttrack_gui.ui.icons import icon

        self.play_button.setIcon(icon("media-playback-pause" if playing else "media-playback-start"))

    def _lane_clicked(self, track: int | None, frame: int) -> None:
        self.set_selected(track)
        self.trackSelected.emit(track)

    def _lane_double_clicked(self, track: int | None, frame: int) -> None:
        self.playback.seek(frame)
