"""The timeline's lanes at scale (issue 18): scrolling, time-only zoom, the scrollbar,
track colours, tooltips on lanes and ✖ markers, follow-selection and an empty project."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from sporttrack_gui.assist.suspects import Suspect
from sporttrack_gui.ui.lanes import LaneIndex, build_lanes, visible_lanes

pytestmark = pytest.mark.gui

N_TRACKS = 88


def _layout(n_tracks: int = N_TRACKS, frames: int = 750):
    """``n_tracks`` tracks with a gap each, staggered over ``frames``."""
    f, t = [], []
    for k in range(n_tracks):
        a = 1 + (k * 7) % (frames - 120)
        fr = np.arange(a, a + 100)
        fr = fr[fr != a + 25]  # one missing frame: two stretches, one gap
        f.append(fr)
        t.append(np.full(len(fr), k + 1))
    f, t = np.concatenate(f), np.concatenate(t)
    order = np.argsort(f, kind="stable")
    return build_lanes(f[order], t[order], suspects=[])


@pytest.fixture
def plot(qtbot):
    from sporttrack_gui.ui.timeline import LanesPlot

    p = LanesPlot()
    qtbot.addWidget(p)
    p.resize(1000, 300)
    p.show()
    qtbot.waitExposed(p)
    p.set_layout(_layout(), 750)
    return p


def _wheel(plot, delta: int, ctrl: bool = False, x_frac: float = 0.5) -> None:
    from PySide6.QtWidgets import QApplication

    vb = plot.getPlotItem().getViewBox()
    r = vb.sceneBoundingRect()
    pos = plot.mapFromScene(QPointF(r.left() + r.width() * x_frac, r.center().y()))
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    ev = QWheelEvent(QPointF(pos), QPointF(plot.mapToGlobal(pos)), QPoint(0, 0), QPoint(0, delta),
                     Qt.MouseButton.NoButton, mods, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), ev)
    QApplication.processEvents()


def _wheel_sideways(plot, delta: int) -> None:
    from PySide6.QtWidgets import QApplication

    vb = plot.getPlotItem().getViewBox()
    pos = plot.mapFromScene(vb.sceneBoundingRect().center())
    ev = QWheelEvent(QPointF(pos), QPointF(plot.mapToGlobal(pos)), QPoint(0, 0), QPoint(delta, 0),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                     Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), ev)
    QApplication.processEvents()


def test_lane_index_slices_and_visible_rows():
    lay = _layout(5)
    idx = LaneIndex.of(lay)
    for lane in range(lay.n_lanes):
        a, b = idx.segments(lane)
        assert len(a) == 2 and (b > a).all()
        x, y, conn = idx.curve(lane)
        assert (y == lane).all() and conn.tolist() == [True, False] * 2
    assert visible_lanes(-0.5, 15.5, 88) == range(0, 16)
    assert visible_lanes(70.2, 90.0, 88) == range(70, 88)
    assert visible_lanes(-0.5, 3.0, 0) == range(0, 0)


def test_wheel_scrolls_lanes_and_ctrl_wheel_zooms_time_only(plot):
    vb = plot.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()
    assert x0 >= 0.5 and y0 == pytest.approx(-0.5)
    rows = y1 - y0
    assert rows < N_TRACKS  # 88 lanes do not fit: they scroll
    _wheel(plot, -120)  # one notch down: three lanes further
    (nx0, nx1), (ny0, ny1) = vb.viewRange()
    assert ny0 == pytest.approx(y0 + 3) and ny1 - ny0 == pytest.approx(rows)
    assert (nx0, nx1) == pytest.approx((x0, x1))
    assert plot.scrollbar.value() == 3 and plot.scrollbar.maximum() > 0
    _wheel(plot, 120, ctrl=True)  # zoom in: fewer frames, same lanes
    (zx0, zx1), (zy0, zy1) = vb.viewRange()
    assert zx1 - zx0 < (x1 - x0) * 0.95
    assert (zy0, zy1) == pytest.approx((ny0, ny1))
    _wheel_sideways(plot, -120)  # a trackpad swipe pans time, lanes stay
    (px0, px1), (py0, py1) = vb.viewRange()
    assert px0 > zx0 and px1 - px0 == pytest.approx(zx1 - zx0)
    assert (py0, py1) == pytest.approx((zy0, zy1))
    for _ in range(30):  # zooming out never shows frames before the first one
        _wheel(plot, -120, ctrl=True, x_frac=0.05)
    (ox0, ox1), (oy0, oy1) = vb.viewRange()
    assert ox0 >= 0.5 and ox1 <= 750 + 2 and oy1 - oy0 == pytest.approx(rows)
    for _ in range(100):  # scrolling stops at the last lane
        _wheel(plot, -120)
    assert vb.viewRange()[1][1] == pytest.approx(N_TRACKS - 0.5)
    assert plot.visible()[-1] == N_TRACKS - 1


def test_scrollbar_moves_lanes_and_only_visible_lanes_are_drawn(plot):
    plot.scrollbar.setValue(40)
    assert plot.top_lane() == pytest.approx(40)
    drawn = [c for c in plot.curves if c.isVisible()]
    assert len(drawn) == len(plot.visible()) < N_TRACKS
    assert int(drawn[0].yData[0]) == 40


def test_lanes_use_the_track_colour_of_the_overlay(plot):
    from sporttrack_gui.ui.painting import track_qcolor

    plot.scrollbar.setValue(10)
    for c, lane in zip(plot.curves, plot.visible(), strict=False):
        tid = int(plot.layout_.track_ids[lane])
        assert c.opts["pen"].color() == track_qcolor(tid)


def test_selected_lane_is_brought_into_view(plot):
    lay = plot.layout_
    track = int(lay.track_ids[80])
    assert 80 not in plot.visible()
    plot.set_selected(track)
    assert 80 in plot.visible()
    assert plot.selected.yData is not None and set(plot.selected.yData.tolist()) == {80.0}


def test_tooltips_on_lanes_and_suspect_markers(plot):
    from sporttrack_gui.ui.timeline import Timeline  # noqa: F401 - same module as the plot

    lay = plot.layout_
    track = int(lay.track_ids[0])
    a, b = LaneIndex.of(lay).segments(0)
    text = plot.tooltip_at(float(a[0]) + 5, 0.0)
    assert f"Track {track}" in text and f"frames {int(a[0])}–{int(b[-1]) - 1}" in text
    assert "1 gap" in text
    sus = Suspect("id_switch", int(a[0]) + 30, (track, track + 1), 0.83, "boxes swap places",
                  {"op": "swap", "a": track, "b": track + 1, "from_frame": int(a[0]) + 30})
    plot.suspects = [sus]
    tip = plot.tooltip_at(float(a[0]) + 30.4, 0.1)
    assert "id switch" in tip and "0.83" in tip and f"frame {int(a[0]) + 30}" in tip
    assert f"tracks {track}, {track + 1}" in tip
    assert plot.tooltip_at(float(a[0]) + 5, 0.0).startswith("Track")  # away from the ✖
    assert plot.tooltip_at(10.0, -3.0) == ""
    # hovering shows it
    vb = plot.getPlotItem().getViewBox()
    plot._hovered(vb.mapViewToScene(QPointF(float(a[0]) + 30, 0.0)))
    assert "id switch" in plot.last_tooltip


def test_empty_project_axis_is_sane(qtbot):
    from sporttrack_gui.ui.lanes import LaneLayout
    from sporttrack_gui.ui.timeline import LanesPlot

    p = LanesPlot()
    qtbot.addWidget(p)
    p.resize(800, 200)
    p.show()
    p.set_layout(LaneLayout.empty(), 0)
    (x0, x1), (y0, y1) = p.getPlotItem().getViewBox().viewRange()
    assert x0 >= 0.5 and x1 - x0 >= 9  # whole frames, not 0.6…1.4
    assert p.getPlotItem().getAxis("left")._tickLevels == [[], []]
    assert p.empty_text.textItem.toPlainText() == "No sequence shown"
    assert not p.scrollbar.isEnabled()


def test_window_selection_scrolls_the_timeline(window, qtbot):
    lanes = window.timeline.lanes
    lay = lanes.layout_
    assert lay.n_lanes > 0
    window.timeline.resize(window.timeline.width(), 120)
    qtbot.wait(50)
    last = int(lay.track_ids[-1])
    lanes.scroll_to_lane(0)
    window.select_track(last, source="list")
    assert lay.n_lanes - 1 in lanes.visible()
