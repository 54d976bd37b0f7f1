"""Viewer and editor ergonomics (#18, second half): editing at fit zoom, partner
feedback, the proposed swap partner, Space vs panning, label modes, small windows.

The Qt-free decisions (hit-testing in screen pixels, nearest partner, label placement,
layout numbers, status text) are tested directly; the rest through the real window on
the small synthetic match (pytest-qt, offscreen), asserting on the project's boxes.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_testutil import when_modal
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from sporttrack_gui.ui.hit_test import Handle, boxes_at, grab_handle
from sporttrack_gui.ui.label_layout import FULL, IDS, NONE, label_texts, next_mode, place_labels
from sporttrack_gui.ui.selection_status import selection_text
from sporttrack_gui.ui.track_ops import nearest_partner
from sporttrack_gui.ui.window_layout import (
    initial_size,
    side_max_width,
    side_width,
    timeline_height,
)

# ---- Qt-free decisions -------------------------------------------------------------------


def test_small_box_on_screen_moves_from_inside_and_resizes_only_at_handles():
    box = (100.0, 100.0, 140.0, 160.0)  # 40 x 60 image px; at scale 0.5: 20 x 30 on screen
    s = 0.5
    assert grab_handle(120, 130, box, s) is Handle.INSIDE  # the centre
    # a quarter of the width in from the left edge, 6 screen px below the top: still a move
    assert grab_handle(110, 112, box, s) is Handle.INSIDE
    # the corner itself, and 4 screen px outside it, grab the corner
    assert grab_handle(100, 100, box, s) is Handle.TOP_LEFT
    assert grab_handle(92, 92, box, s) is Handle.TOP_LEFT
    assert grab_handle(140, 130, box, s) is Handle.RIGHT
    assert grab_handle(170, 130, box, s) is None  # 15 screen px outside: nothing
    # the reach is in screen pixels: 10 image px off the corner is 5 px at 0.5 (grabbed)
    # but 40 px at 4x zoom (not)
    assert grab_handle(90, 90, box, 0.5) is Handle.TOP_LEFT
    assert grab_handle(90, 90, box, 4.0) is None


def test_middle_half_of_any_box_moves_it():
    rng = np.random.default_rng(3)
    for _ in range(200):
        w, h = rng.uniform(8, 400, 2)
        x, y = rng.uniform(0, 1000, 2)
        scale = rng.uniform(0.05, 8)
        box = (x, y, x + w, y + h)
        px, py = x + w * rng.uniform(0.3, 0.7), y + h * rng.uniform(0.3, 0.7)
        assert grab_handle(px, py, box, scale) is Handle.INSIDE


def test_boxes_at_tolerance_prefers_containing_then_nearest():
    xyxy = np.array([[0, 0, 100, 100], [200, 0, 204, 4], [110, 0, 120, 10]], float)
    assert boxes_at(106, 5, xyxy).tolist() == []
    assert boxes_at(106, 5, xyxy, tol=5).tolist() == [2]  # 6 px from box 0, 4 from box 2
    assert boxes_at(107, 5, xyxy, tol=7).tolist() == [2, 0]  # nearest first
    assert boxes_at(50, 50, xyxy, tol=10).tolist() == [0]


def test_nearest_partner_overlap_first_then_centre_distance():
    ids = np.array([1, 2, 3, 4, -1])
    xywh = np.array([[100, 100, 20, 40], [110, 110, 20, 40], [300, 100, 20, 40],
                     [104, 300, 20, 40], [101, 101, 20, 40]], float)
    assert nearest_partner(ids, xywh, 1) == 2  # overlapping (the detection -1 ignored)
    assert nearest_partner(ids, xywh, 3) == 2  # no overlap: the closest centre
    assert nearest_partner(ids, xywh, 9) is None  # not on the frame
    assert nearest_partner(np.array([5]), np.array([[0, 0, 5, 5]], float), 5) is None


def test_label_placement_keeps_priority_and_never_overlaps():
    left = np.array([0, 10, 100, 15, 300.0])
    top = np.array([0, 5, 0, 0, 0.0])
    w = np.array([50, 50, 50, 0, 20.0])
    h = np.full(5, 14.0)
    keep = place_labels(left, top, w, h, priority=np.array([1, 0, 2, 3, 4]))
    assert keep.tolist() == [False, True, True, False, True]  # 1 beats 0; empty never
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = 40
        x, y = rng.uniform(0, 400, n), rng.uniform(0, 300, n)
        ww, hh = rng.uniform(10, 80, n), np.full(n, 14.0)
        k = np.flatnonzero(place_labels(x, y, ww, hh, rng.permutation(n)))
        for i in k:
            for j in k:
                if i < j:
                    ox = min(x[i] + ww[i], x[j] + ww[j]) - max(x[i], x[j])
                    oy = min(y[i] + hh[i], y[j] + hh[j]) - max(y[i], y[j])
                    assert ox <= 1.0 or oy <= 1.0


def test_label_modes_and_status_text():
    assert [next_mode(m) for m in (FULL, IDS, NONE)] == [IDS, NONE, FULL]
    full = ["7 player Messi", "det"]
    assert label_texts(FULL, [7, -1], lambda: full) == full
    assert label_texts(IDS, [7, -1], lambda: pytest.fail("not needed")) == ["7", "det"]
    assert label_texts(NONE, [7, -1], lambda: pytest.fail("not needed")) == ["", ""]
    assert selection_text(12, 15) == \
        "Track 12 selected · partner 15 (Shift+click another box to change)"
    assert "Shift+click another box to pick a partner" in selection_text(12, None)
    assert selection_text(None, None) == ""


def test_layout_numbers():
    assert side_width(1366, 0.27) == 368 and side_width(800, 0.2) == 200
    assert 190 <= timeline_height(768) <= 300 and timeline_height(600) == 200
    assert side_max_width(800) == 272
    assert initial_size((1366, 738)) == (1311, 693)
    assert initial_size((2560, 1400)) == (1500, 920)


# ---- the window ----------------------------------------------------------------------------

@pytest.fixture
def window(qtbot, tmp_path, synthetic_match, monkeypatch):
    """The synthetic match, a correctable copy of its gt shown on frame 1, fresh settings."""
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    assert w.open_project(tmp_path / "ergo.stp", create=True)
    with qtbot.waitSignal(w.frameShown, timeout=15000):
        assert w.import_media(synthetic_match.img_dir)
    s = w.session
    w.show_run(s.project.copy_run(s.gt_run()["id"], "corrected"))
    yield w
    if w.jobs.busy():
        w.jobs.shutdown()
    w.close()


def _boxes(window, **kw):
    return window.session.project.boxes(int(window.session.run["id"]), **kw)


def _settle(n: int = 10) -> None:
    for _ in range(n):
        QApplication.processEvents()


def _drag(qtbot, view, a: QPoint, b: QPoint, button=Qt.MouseButton.LeftButton,
          modifier=Qt.KeyboardModifier.NoModifier) -> None:
    vp = view.viewport()
    qtbot.mousePress(vp, button, modifier, pos=a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, button, modifier, pos=b)


def _screen_box(view, xywh) -> tuple[QPoint, QPoint]:
    x, y, w, h = (float(v) for v in xywh)
    return view.mapFromScene(QPointF(x, y)), view.mapFromScene(QPointF(x + w, y + h))


def _small_lonely_track(window) -> tuple[int, np.ndarray]:
    """A track whose box on frame 1 overlaps no other, with its xywh."""
    from sporttrack_gui.core.iou import iou_matrix_xywh

    fb = _boxes(window, frame=1)
    iou = iou_matrix_xywh(fb.xywh, fb.xywh)
    np.fill_diagonal(iou, 0)
    i = int(np.argmin(iou.max(axis=1) + (fb.xywh[:, 3] < 20) * 9))
    return int(fb.track_id[i]), fb.xywh[i]


@pytest.mark.gui
def test_drag_from_inside_a_small_box_at_fit_zoom_moves_it(window, qtbot):
    view = window.view
    window.resize(900, 700)  # fit zoom: players are 20-40 px on screen
    _settle()
    view.zoom_fit()
    t, xywh = _small_lonely_track(window)
    tl, br = _screen_box(view, xywh)
    assert br.y() - tl.y() <= 60, "the test wants a box small on screen"
    centre = QPoint((tl.x() + br.x()) // 2, (tl.y() + br.y()) // 2)
    _drag(qtbot, view, centre, centre)  # click: select
    assert window.selected_track == t
    # press 30 % of the way down and across (inside, off the handles), drag 12 px right
    start = QPoint(tl.x() + int(0.3 * (br.x() - tl.x())) + 1, tl.y() + int(0.3 * (br.y() - tl.y())))
    _drag(qtbot, view, start, start + QPoint(12, 8))
    moved = _boxes(window, frame=1, track=t).xywh[0]
    z = view.zoom()
    np.testing.assert_allclose(moved[2:], xywh[2:], atol=0.01)  # same size: a move
    np.testing.assert_allclose(moved[:2], xywh[:2] + np.array([12, 8]) / z, atol=1.5 / z)
    # the bottom-right handle (2 screen px outside the corner) resizes
    tl, br = _screen_box(view, moved)
    _drag(qtbot, view, br + QPoint(2, 2), br + QPoint(12, 12))
    resized = _boxes(window, frame=1, track=t).xywh[0]
    np.testing.assert_allclose(resized[:2], moved[:2], atol=0.01)
    assert resized[2] > moved[2] + 5 / z and resized[3] > moved[3] + 5 / z
    assert window.undo_stack.count() == 2


@pytest.mark.gui
def test_handles_keep_their_screen_size_at_any_zoom(window, qtbot):
    from PySide6.QtGui import QImage, QPainter

    view = window.view
    t, xywh = _small_lonely_track(window)
    window.select_track(t)
    sizes = []
    for zoom in (0.4, 2.0):
        view.set_zoom(zoom)
        view.centerOn(QPointF(xywh[0], xywh[1]))
        _settle()
        img = QImage(view.viewport().size(), QImage.Format.Format_RGB32)
        img.fill(0)
        p = QPainter(img)
        view.render(p)  # the viewport: its handles are white squares
        p.end()
        corner = view.mapFromScene(QPointF(xywh[0], xywh[1]))
        # white run down the top-left handle's column (the left-middle handle is more
        # than 10 px below at both zooms)
        col = [img.pixelColor(corner.x(), y).lightness() > 250
               for y in range(corner.y() - 10, corner.y() + 11)]
        sizes.append(sum(col))
    assert sizes[0] == sizes[1] and 3 <= sizes[0] <= 9


@pytest.mark.gui
def test_shift_click_picks_a_partner_shown_in_a_second_style_and_the_status_bar(window, qtbot):
    view = window.view
    fb = _boxes(window, frame=1)
    a, b = int(fb.track_id[0]), int(fb.track_id[1])
    window.select_track(a)
    assert window.status_selection.full_text().startswith(f"Track {a} selected")
    xb = fb.xywh[1]
    tl, br = _screen_box(view, xb)
    pos = QPoint((tl.x() + br.x()) // 2, (tl.y() + br.y()) // 2)
    if view.track_at(view.mapToScene(pos)) != b:
        pytest.skip("box b is covered by another at its centre on this seed")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, pos)
    assert view.partner_track() == b and window.selected_track == a
    roles = {it.track_id: it.role for it in view.visible_box_items()}
    assert roles[a] == "selected" and roles[b] == "partner"
    assert window.status_selection.full_text() == \
        f"Track {a} selected · partner {b} (Shift+click another box to change)"


@pytest.mark.gui
def test_swap_without_partner_proposes_the_nearest_track(window, qtbot):
    from PySide6.QtWidgets import QInputDialog

    fb = _boxes(window, frame=1)
    a = int(fb.track_id[0])
    near = nearest_partner(fb.track_id, fb.xywh, a)
    assert near is not None
    window.select_track(a)
    window.view.set_partner(None)
    seen = {}

    def accept_default(dlg: QInputDialog) -> None:
        seen["items"] = dlg.comboBoxItems()
        seen["text"] = dlg.textValue()
        seen["label"] = dlg.labelText()
        dlg.accept()

    _timer = when_modal(QInputDialog, accept_default)  # noqa: F841
    before_a = _boxes(window, track=a)
    assert window.editor.swap()
    assert seen["text"] == str(near) and seen["items"][0] == str(near)
    assert f"nearest on frame 1: {near}" in seen["label"]
    after_near = _boxes(window, track=near)
    np.testing.assert_array_equal(after_near.frame, before_a.frame)


@pytest.mark.gui
def test_space_only_plays_and_panning_is_middle_or_empty_drag(window, qtbot):
    view = window.view
    assert not window.actions_["play"].autoRepeat()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.playback.is_playing()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert not window.playback.is_playing()
    # Space held + left drag is no pan any more: the press selects as usual
    view.set_zoom(4.0)
    _settle()
    h0, v0 = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
    centre = QPoint(view.viewport().width() // 2, view.viewport().height() // 2)
    _drag(qtbot, view, centre, centre + QPoint(-60, -40), Qt.MouseButton.MiddleButton)
    h1, v1 = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
    assert (h1 - h0, v1 - v0) == (60, 40)
    # a left drag that starts on no box pans too (CVAT); a click there deselects
    empty = None
    for x in range(5, view.viewport().width() - 5, 15):
        for y in range(5, view.viewport().height() - 5, 15):
            if view.track_at(view.mapToScene(QPoint(x, y)), 6) is None:
                empty = QPoint(x, y)
                break
        if empty is not None:
            break
    assert empty is not None
    t = int(_boxes(window, frame=1).track_id[0])
    window.select_track(t)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert window.selected_track is None
    h1, v1 = view.horizontalScrollBar().value(), view.verticalScrollBar().value()
    _drag(qtbot, view, empty, empty + QPoint(30, 20))
    assert (view.horizontalScrollBar().value(), view.verticalScrollBar().value()) == \
        (h1 - 30, v1 - 20)
    assert window.undo_stack.count() == 0  # nothing was moved


@pytest.mark.gui
def test_label_modes_from_the_menu_and_shortcut_are_remembered(window, qtbot):
    from sporttrack_gui.ui.label_menu import LabelModes

    view = window.view
    modes = window.label_modes
    assert modes.mode() == FULL
    labels = {it.track_id: it.label for it in view.visible_box_items()}
    assert all(lbl.startswith(str(t)) for t, lbl in labels.items())
    window.actions_["labels_ids"].trigger()
    assert {it.track_id: it.label for it in view.visible_box_items()} == \
        {t: str(t) for t in labels}
    window.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert modes.mode() == NONE
    assert all(it.label == "" for it in view.visible_box_items())
    # a second window reads the remembered mode
    assert LabelModes(window).mode() == NONE
    modes.set_mode(FULL)


@pytest.mark.gui
def test_full_labels_do_not_pile_up_on_a_crowded_frame(window, qtbot):
    from sporttrack_gui.ui.painting import label_size
    from sporttrack_gui.ui.scene_items import FrameBoxes

    view = window.view
    view.zoom_fit()
    # 30 boxes on a 120 x 90 px patch: their tags would cover each other
    rng = np.random.default_rng(1)
    xy = rng.uniform(300, 400, (30, 2))
    xyxy = np.hstack([xy, xy + [20, 50]]).astype(np.float32)
    ids = np.arange(100, 130)
    view.set_boxes(FrameBoxes(xyxy, ids, [f"{i} player Someone" for i in ids]))
    items = view.visible_box_items()
    shown = [it for it in items if it.label_shown]
    assert 1 <= len(shown) < len(items)
    z = view.zoom()
    rects = []
    for it in shown:
        w, h = label_size(it.label)
        rects.append((it.rect().left() * z, it.rect().top() * z - h, w, h))
    for i, (x1, y1, w1, h1) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert min(x1 + w1, x2 + w2) - max(x1, x2) <= 1 or min(y1 + h1, y2 + h2) - max(y1, y2) <= 1
    # the selected track keeps its tag whatever it overlaps
    hidden = next(it for it in items if not it.label_shown)
    view.select_track(hidden.track_id, notify=False)
    assert hidden.label_shown
    # ids-only mode draws every tag
    view.set_declutter(False)
    assert all(it.label_shown for it in items)


@pytest.mark.gui
def test_first_launch_shows_plots_and_small_windows_keep_the_video_wide(window, qtbot):
    docks = window.docks
    assert not docks["plots"].visibleRegion().isEmpty()
    assert docks["pitch"].visibleRegion().isEmpty()  # a tab behind Plots
    window.resize(800, 600)
    _settle()
    assert window.size().width() == 800 and window.size().height() == 600
    assert window.layout_policy.compact
    assert window.view.width() >= 0.6 * 800
    assert all(not d.visibleRegion().isEmpty() or d.isHidden() or
               d in window.tabifiedDockWidgets(docks["plots"]) for d in docks.values())
    window.resize(1366, 768)
    _settle()
    assert not window.layout_policy.compact
    assert window.view.width() >= 0.5 * 1366
    assert docks["timeline"].height() >= 190
    assert not docks["runs"].visibleRegion().isEmpty()  # back on the left
    # Reset layout after the user closed docks
    docks["runs"].close()
    docks["pitch"].raise_()
    window.actions_["reset_layout"].trigger()
    _settle()
    assert not docks["runs"].visibleRegion().isEmpty()
    assert not docks["plots"].visibleRegion().isEmpty()


@pytest.mark.gui
def test_shortcuts_dialog_documents_panning(window):
    from sporttrack_gui.ui.shortcuts_dialog import ShortcutsDialog

    dlg = ShortcutsDialog(window.all_actions(), window)
    texts = [dlg.table.item(r, 2).text() for r in range(dlg.table.rowCount())]
    cmds = [dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())]
    pan = texts[cmds.index("Pan")]
    assert "Middle-drag" in pan and "hold Space" not in pan
    assert "Full labels (id, class, name)" in cmds or "Cycle labels: full / ids only / none" in cmds


# ---- heatmap ----------------------------------------------------------------------------------


def test_heatmap_seconds_selection_and_png(tmp_path):
    import cv2

    from sporttrack_gui.track.heatmap_image import (
        HeatmapSpec,
        aggregate,
        heatmap_from_snapshot,
        render_png,
    )
    from sporttrack_gui.ui.run_index import RunIndex

    spec = HeatmapSpec((200, 100), cell=10, sigma=0.0, fps=25.0)
    stay = np.tile([[45.0, 20.0, 10.0, 30.0]], (50, 1))  # foot point (50, 50): 2 s at 25 fps
    data = aggregate(stay, spec, "one")
    assert data.peak == pytest.approx(2.0) and data.seconds[5, 5] == pytest.approx(2.0)
    frame = np.repeat(np.arange(1, 51), 2)
    track = np.tile([1, 2], 50)
    xywh = np.where((track == 1)[:, None], [45.0, 20.0, 10.0, 30.0], [145.0, 20.0, 10.0, 30.0])
    model = RunIndex(frame, track, xywh.astype(np.float32))
    snap = model.snapshot()
    both = heatmap_from_snapshot(snap, None, spec, "everyone")
    only2 = heatmap_from_snapshot(snap, {2}, spec, "team")
    assert both.positions == 100 and only2.positions == 50
    assert only2.seconds[5, 5] == 0 and only2.seconds[5, 15] == pytest.approx(2.0)
    out = render_png(tmp_path / "h.png", both, np.full((100, 200, 3), 90, np.uint8))
    img = cv2.imread(str(out))
    assert img.shape == (144, 200, 3)  # the frame plus the 44-px colour scale
    hot, cold = img[55, 55], img[10, 100]
    assert int(hot.max()) > 200 and abs(int(cold[0]) - 54) <= 2  # dimmed frame where cold


def test_heatmap_binning_equals_trajectory_heatmap():
    from sporttrack_gui.track.heatmap_image import HeatmapSpec, aggregate
    from sporttrack_gui.track.sot_heatmap import trajectory_heatmap

    rng = np.random.default_rng(5)
    xywh = np.column_stack([rng.uniform(-50, 700, 3000), rng.uniform(-50, 400, 3000),
                            rng.uniform(5, 40, 3000), rng.uniform(10, 90, 3000)])
    xywh[::97] = np.nan
    for cell, sigma in ((7, 0.0), (12, 1.5)):
        spec = HeatmapSpec((640, 360), cell=cell, sigma=sigma, fps=30.0)
        want = trajectory_heatmap(xywh, spec.frame_size, cell=cell, sigma=sigma, normalize=None)
        np.testing.assert_allclose(aggregate(xywh, spec).seconds, want / 30.0, rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.gui
def test_heatmap_aggregates_in_a_worker_has_a_scale_exports_and_kit_teams(window, qtbot,
                                                                           monkeypatch, tmp_path):
    import threading

    import cv2

    from sporttrack_gui.ui import heatmap_control

    threads = []
    real = heatmap_control.heatmap_from_snapshot

    def spy(*args):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(heatmap_control, "heatmap_from_snapshot", spy)
    window.docks["heatmap"].raise_()
    panel = window.heatmap
    with qtbot.waitSignal(panel.heatmapShown, timeout=20000):
        panel.set_selection("all")
    assert threads and not any(threads)  # never on the GUI thread
    n = len(window.session.index.track_xywh())
    assert panel.caption.text() == f"everyone: {n} positions"
    assert panel.scale.peak > 0 and panel.scale.text()[1].endswith("s per cell")
    out = window.heatmap_control.export(str(tmp_path / "heat.png"))
    img = cv2.imread(out)
    w, h = window.frame_size
    assert img.shape[:2] == (h + 44, w)
    # kit colours: two teams for a run without team metadata
    with qtbot.waitSignal(panel.heatmapShown, timeout=120000):
        panel.kit_button.click()
    keys = [panel.who.itemData(i) for i in range(panel.who.count())]
    assert "kit:A" in keys and "kit:B" in keys
    assert panel.selection() == "kit:A" and panel.caption.text().startswith("kit colour team A")
    _run, teams = window.heatmap_control._kit  # noqa: SLF001
    # the synthetic match: players 1-5 wear red, 6-10 blue (``media.synthetic``)
    a = {t for t, n in teams.items() if n == "A" and 1 <= t <= 10}
    b = {t for t, n in teams.items() if n == "B" and 1 <= t <= 10}
    red, blue = set(range(1, 6)), set(range(6, 11))
    assert (a, b) in ((red, blue), (blue, red)), teams


@pytest.mark.gui
def test_window_layout_is_remembered_and_a_compact_window_saves_the_wide_one(qtbot, tmp_path,
                                                                             monkeypatch):
    from PySide6.QtCore import Qt as _Qt

    from sporttrack_gui.ui.main_window import MainWindow

    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(1400, 900)
    _settle()
    first.docks["heatmap"].raise_()
    _settle()
    first.resize(800, 600)  # compact now: the side docks share one column
    _settle()
    assert first.layout_policy.compact
    first.close()  # saves geometry and the wide state
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    second.resize(1400, 900)
    _settle()
    assert not second.layout_policy.compact
    assert second.dockWidgetArea(second.docks["runs"]) == _Qt.DockWidgetArea.LeftDockWidgetArea
    assert not second.docks["heatmap"].visibleRegion().isEmpty()  # the raised tab came back
    assert second.docks["plots"].visibleRegion().isEmpty()
    second.close()


def test_dock_tabs_scroll_instead_of_eliding_their_names(qtbot):
    """Five docks share the right column: their tabs keep whole names ("Jobs", not "J…")."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QTabBar

    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()

    def dock_bars():
        return [b for b in w.findChildren(QTabBar) if b.parent() is w]

    qtbot.waitUntil(lambda: bool(dock_bars()), timeout=5000)
    qtbot.waitUntil(lambda: all(b.elideMode() == Qt.TextElideMode.ElideNone
                                for b in dock_bars()), timeout=5000)
    texts = [b.tabText(i) for b in dock_bars() for i in range(b.count())]
    assert "Jobs" in texts and "Heatmap" in texts
    assert all(b.usesScrollButtons() for b in dock_bars())
