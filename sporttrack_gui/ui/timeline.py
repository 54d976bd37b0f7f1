"""Timeline: transport controls, scrub slider and one lane per track (pyqtgraph).

Lanes have a fixed pitch and scroll (wheel, scrollbar, drag); Ctrl+wheel zooms the frame
axis only. Only the lanes on screen are drawn, each one ``PlotCurveItem`` (segment pairs +
``connect`` mask) in its track's colour, taken from a small pool; gaps and suspected ID
switches are one ``ScatterPlotItem`` each. So 500 tracks over 135,000 frames stay a
handful of items however long the match (see benchmarks/bench_gui_timeline.py). Lane
geometry and tooltips come from the Qt-free ``ui.lanes``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QCursor, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollBar,
    QSlider,
    QSpinBox,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.ui.lanes import (
    LaneIndex,
    LaneLayout,
    SuspectIndex,
    lane_tooltip,
    suspect_tooltip,
    visible_lanes,
)
from sporttrack_gui.ui.painting import track_qcolor
from sporttrack_gui.ui.playback import SPEEDS, Playback, format_time

LANE_PEN = pg.mkPen((150, 160, 175), width=5)  # untracked detections (id < 0)
SELECTED_PEN = pg.mkPen((255, 210, 60), width=9)
MAX_TICKS = 300  # beyond this many lanes, label every k-th lane
LANE_PX = 16  # lane pitch on screen; the wheel and the scrollbar scroll the lanes
LANE_WIDTH = 6  # pen width of a lane (px)
WHEEL_LANES = 3  # lanes scrolled per wheel notch
MARKER_PX = 7  # a ✖ marker's tooltip is shown within this many pixels of it


class LaneViewBox(pg.ViewBox):
    """The lanes' view: the wheel scrolls lanes, Ctrl+wheel zooms time (never the lane
    axis), a left drag pans, right drags do nothing (right click is the track menu)."""

    def wheelEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph API
        delta = ev.delta() if hasattr(ev, "delta") else ev.angleDelta().y()
        horizontal = hasattr(ev, "orientation") and ev.orientation() == Qt.Orientation.Horizontal
        if horizontal:  # a trackpad's sideways swipe pans time
            (x0, x1), _ = self.viewRange()
            self.translateBy(x=-(x1 - x0) * delta / 1200.0)
        elif ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            center = self.mapSceneToView(ev.scenePos()) if hasattr(ev, "scenePos") else None
            s = 1.02 ** (delta * self.state["wheelScaleFactor"])  # <1: zoom in
            self.scaleBy(x=s, y=1.0, center=center)
        else:
            self.translateBy(y=-WHEEL_LANES * delta / 120.0)
        ev.accept()

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        super().mouseDragEvent(ev, axis)


class LanesPlot(pg.PlotWidget):
    """The lanes: x = frame, y = lane index (first-seen order, top to bottom).

    Only the lanes on screen are drawn, each a curve in its track's colour (the overlay's
    colour, ``painting.track_qcolor``) from a pool of curve items: scrolling costs
    O(visible lanes) whatever the match. ``scrollbar`` (placed by ``Timeline``) mirrors the
    lane scroll position.
    """

    laneClicked = Signal(object, int)  # track id or None, frame
    laneDoubleClicked = Signal(object, int)
    laneMenuRequested = Signal(object, int, QPoint)  # track or None, frame, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=(36, 38, 44), viewBox=LaneViewBox())
        self.layout_ = LaneLayout.empty()
        self.index_ = LaneIndex.of(self.layout_)
        self._suspects: list = []
        self._suspect_index: SuspectIndex | None = None  # built on the first hover
        self.names: dict[int, str] = {}
        self.last_tooltip = ""
        item = self.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        item.showGrid(x=True, y=False, alpha=0.15)
        vb = item.getViewBox()
        vb.invertY(True)
        vb.setMouseEnabled(x=True, y=True)
        vb.disableAutoRange()
        item.setLabel("bottom", "frame")
        self.selected = pg.PlotCurveItem(pen=SELECTED_PEN, antialias=False)
        self.gaps = pg.ScatterPlotItem(size=7, symbol="t1", pen=None,
                                       brush=pg.mkBrush(240, 240, 240, 200))
        self.switches = pg.ScatterPlotItem(size=11, symbol="x", pen=pg.mkPen(255, 70, 70, width=2),
                                           brush=pg.mkBrush(255, 70, 70))
        self.playhead = pg.InfiniteLine(pos=1, angle=90, pen=pg.mkPen(255, 255, 255, width=1))
        self.empty_text = pg.TextItem("", color=(160, 166, 178), anchor=(0, 0))
        self.curves: list[pg.PlotCurveItem] = []  # pool: one per visible lane
        self._pens: dict[int, QPen] = {}
        self.addItem(self.selected)
        for it in (self.gaps, self.switches, self.playhead, self.empty_text):
            self.addItem(it)
            it.setZValue(10)
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical)
        self.scrollbar.setToolTip("Scroll the lanes (or the mouse wheel over them)")
        self.scrollbar.valueChanged.connect(self._scrolled)
        vb.sigYRangeChanged.connect(self._y_changed)
        self.scene().sigMouseClicked.connect(self._clicked)
        self.scene().sigMouseMoved.connect(self._hovered)
        self._frame_count = 1
        self._selected: int | None = None
        self._lane_ids = np.zeros(0, np.int64)
        self._drawn: range = range(0)
        self.set_layout(self.layout_, 0)

    # ---- layout ------------------------------------------------------------------------
    def set_layout(self, layout: LaneLayout, frame_count: int, keep_view: bool = False) -> None:
        """Draw ``layout``; ``keep_view`` (after an edit) keeps the user's zoom and scroll
        when the lanes fit the same range."""
        keep_view = keep_view and max(1, frame_count) == self._frame_count \
            and layout.n_lanes == self.layout_.n_lanes
        self.layout_ = layout
        self.index_ = LaneIndex.of(layout)
        self._frame_count = max(1, frame_count)
        n = layout.n_lanes
        if not (keep_view and np.array_equal(layout.track_ids, self._lane_ids)):
            self._lane_ids = layout.track_ids.copy()
            step = max(1, int(np.ceil(n / MAX_TICKS)))
            ticks = [(float(k), str(int(layout.track_ids[k]))) for k in range(0, n, step)]
            self.getPlotItem().getAxis("left").setTicks([ticks, []])
        vb = self.getPlotItem().getViewBox()
        # the frame axis never runs below the first frame nor past the last; the lane
        # axis is never zoomed (LANE_PX per lane), only scrolled
        last = max(self._frame_count, 10) + 1
        vb.setLimits(xMin=0.5, xMax=last + 0.5, minXRange=min(10.0, last - 0.5),
                     maxXRange=last)
        self.empty_text.setText("" if n else "No tracks in this run" if frame_count
                                else "No sequence shown")
        self.empty_text.setPos(1, -0.5)
        if not keep_view:
            vb.setRange(xRange=(1, last), padding=0)
            self._fit_lanes(top=-0.5)
        else:
            self._fit_lanes()
        self._drawn = range(0)
        self._draw_visible()
        self.set_selected(self._selected, reveal=False)

    def rows(self) -> float:
        """How many lanes fit on screen at ``LANE_PX`` each."""
        h = self.getPlotItem().getViewBox().height()
        return max(3.0, h / LANE_PX) if h > 0 else 12.0

    def _fit_lanes(self, top: float | None = None) -> None:
        """Show ``rows()`` lanes from ``top`` (default: current), within the lanes."""
        item = self.getPlotItem()
        if item is None or not hasattr(self, "layout_"):
            return  # resize during construction
        vb = item.getViewBox()
        if top is None:
            top = vb.viewRange()[1][0]
        rows = self.rows()
        n = self.layout_.n_lanes
        bottom_limit = max(n, rows) - 0.5
        vb.setLimits(yMin=-0.5, yMax=bottom_limit, minYRange=rows, maxYRange=rows)
        top = min(max(top, -0.5), bottom_limit - rows)
        vb.setYRange(top, top + rows, padding=0)
        self._sync_scrollbar()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_lanes()

    # ---- scrolling -----------------------------------------------------------------------
    def top_lane(self) -> float:
        return float(self.getPlotItem().getViewBox().viewRange()[1][0]) + 0.5

    def scroll_to_lane(self, lane: float) -> None:
        """Put ``lane`` at the top of the view (clamped to the lanes)."""
        self._fit_lanes(top=float(lane) - 0.5)

    def visible(self) -> range:
        y0, y1 = self.getPlotItem().getViewBox().viewRange()[1]
        return visible_lanes(y0, y1, self.layout_.n_lanes)

    def _sync_scrollbar(self) -> None:
        n, rows = self.layout_.n_lanes, int(self.rows())
        bar = self.scrollbar
        bar.blockSignals(True)
        bar.setRange(0, max(0, n - rows))
        bar.setPageStep(max(1, rows))
        bar.setValue(int(round(self.top_lane())))
        bar.blockSignals(False)
        bar.setEnabled(n > rows)

    def _scrolled(self, value: int) -> None:
        self.scroll_to_lane(value)

    def _y_changed(self, *_args) -> None:
        self._sync_scrollbar()
        self._draw_visible()

    def _pen(self, track_id: int) -> QPen:
        pen = self._pens.get(track_id)
        if pen is None:
            pen = LANE_PEN if track_id < 0 else pg.mkPen(track_qcolor(track_id), width=LANE_WIDTH)
            self._pens[track_id] = pen
        return pen

    def refresh_markers(self) -> None:
        """Gap and ✖ markers of the lanes on screen only: a long match can have tens of
        thousands, and a scatter item's cost grows with all its points, seen or not."""
        lanes = self.visible()
        lay = self.layout_
        for item, x, y in ((self.gaps, lay.gap_x, lay.gap_y),
                           (self.switches, lay.switch_x, lay.switch_y)):
            on = (y >= lanes.start) & (y < lanes.stop)
            item.setData(x[on], y[on])

    def _draw_visible(self) -> None:
        """(Re)draw the lanes on screen from the pool; lanes already drawn are kept."""
        lanes = self.visible()
        if lanes == self._drawn:
            return
        self._drawn = lanes
        self.refresh_markers()
        while len(self.curves) < len(lanes):
            c = pg.PlotCurveItem(antialias=False)
            c.setZValue(5)
            self.addItem(c)
            self.curves.append(c)
        for c, lane in zip(self.curves, lanes, strict=False):
            x, y, conn = self.index_.curve(lane)
            c.setPen(self._pen(int(self.layout_.track_ids[lane])))
            c.setData(x, y, connect=conn)
            c.setVisible(True)
        for c in self.curves[len(lanes):]:
            c.setData([], [])
            c.setVisible(False)

    @property
    def suspects(self) -> list:
        """The assistant's suspects the ✖ markers stand for (their tooltips)."""
        return self._suspects

    @suspects.setter
    def suspects(self, suspects: list) -> None:
        self._suspects = list(suspects)
        self._suspect_index = None

    # ---- selection, playhead -------------------------------------------------------------
    def set_selected(self, track_id: int | None, reveal: bool = True) -> None:
        """Highlight ``track_id``'s lane; ``reveal`` scrolls it into view when off screen."""
        self._selected = track_id
        lane = None if track_id is None else self.layout_.lane_of(track_id)
        if lane is None:
            self.selected.setData([], [])
            return
        x, y, conn = self.index_.curve(lane)
        self.selected.setData(x, y, connect=conn)
        if reveal and lane not in self.visible():
            self.scroll_to_lane(lane - self.rows() / 2 + 0.5)

    def set_playhead(self, frame: int) -> None:
        self.playhead.setValue(frame)

    # ---- mouse ---------------------------------------------------------------------------
    def tooltip_at(self, x: float, y: float) -> str:
        """The tooltip for plot point (frame ``x``, lane ``y``): a ✖ marker's suspects
        (kind, frames, tracks, score) when one is within ``MARKER_PX``, else the lane's
        track and frames; empty outside the lanes."""
        track = self.layout_.track_at(y)
        if track is None:
            return ""
        vb = self.getPlotItem().getViewBox()
        (x0, x1), _ = vb.viewRange()
        per_px = (x1 - x0) / max(1.0, vb.width())
        if self._suspect_index is None:
            self._suspect_index = SuspectIndex(self._suspects)
        near = self._suspect_index.near(track, x, MARKER_PX * per_px)
        if near:
            return suspect_tooltip(near[:3])
        lane = self.layout_.lane_of(track)
        assert lane is not None
        return lane_tooltip(self.layout_, self.index_, lane, self.names.get(track, ""))

    def _hovered(self, scene_pos: QPointF) -> None:
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            text = ""
        else:
            pt = vb.mapSceneToView(scene_pos)
            text = self.tooltip_at(pt.x(), pt.y())
        if text != self.last_tooltip:
            self.last_tooltip = text
            if text:
                QToolTip.showText(QCursor.pos(), text, self)
            else:
                QToolTip.hideText()

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
        lanes_row = QHBoxLayout()
        lanes_row.setContentsMargins(0, 0, 0, 0)
        lanes_row.setSpacing(0)
        lanes_row.addWidget(self.lanes, 1)
        lanes_row.addWidget(self.lanes.scrollbar)
        col.addLayout(lanes_row, 1)

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
        self.lanes.suspects = self._suspects
        self.lanes.layout_ = self.lanes.layout_.with_suspects(suspects)
        self.lanes.refresh_markers()

    def set_selected(self, track_id: int | None) -> None:
        """Highlight the track's lane and scroll it into view."""
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
