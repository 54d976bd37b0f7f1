"""End-to-end GUI tests (pytest-qt, offscreen) on the real SoccerNet sequence.

They drive the window as a user would (actions, keys, mouse drags, dialogs) and assert
on the project file's contents and on widget state.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_testutil import when_modal
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui


def _run_rows(window):
    return {r["name"]: r for r in window.session.project.runs()}


def _start_run(window, qtbot, tracker: str = "bytetrack", cancel_at_once: bool = False):
    dialog = window.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Detections run" in t))
    dialog.tracker_box.setCurrentIndex(dialog.tracker_box.findData(tracker))
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
        assert window.jobs.busy() and dialog.cancel_button.isEnabled()
        if cancel_at_once:
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    return dialog, finished.args


def test_open_sequence_shows_frame_boxes_lanes_and_tracks(window):
    s = window.session
    assert s.sequence["name"] == "SNMOT-116" and s.frame_count() == 750
    assert s.run["kind"] == "gt"
    assert window.view.has_image() and window.view.image_size() == (1920, 1080)
    gt_frame1 = s.project.boxes(s.run["id"], frame=1)
    shown = window.view.visible_box_items()
    assert len(shown) == len(gt_frame1) > 10
    assert sorted(i.track_id for i in shown) == sorted(gt_frame1.track_id.tolist())
    lanes = window.timeline.lanes.layout_
    assert lanes.n_lanes == len(np.unique(s.project.boxes(s.run["id"]).track_id))
    assert window.runs_panel.tracks_model.rowCount() == lanes.n_lanes
    # SoccerNet names from gameinfo.ini reach the labels
    labels = {i.track_id: i._label for i in shown}  # noqa: SLF001 - painted text
    assert any("player" in t for t in labels.values())
    assert window.status_frame.text() == "frame 1 / 750"


def test_keyboard_shortcuts_move_the_play_head_and_zoom(window, qtbot):
    pb = window.playback
    window.view.setFocus()
    for key, mod, expect in ((Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier, 2),
                             (Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier, 12),
                             (Qt.Key.Key_L, Qt.KeyboardModifier.NoModifier, 37),
                             (Qt.Key.Key_J, Qt.KeyboardModifier.NoModifier, 12),
                             (Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier, 11),
                             (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier, 750),
                             (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier, 1)):
        qtbot.keyClick(window.view, key, mod)
        assert pb.frame == expect, QKeySequenceText(key, mod)
    zoom = window.view.zoom()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus)
    assert window.view.zoom() == pytest.approx(zoom * 1.25)
    qtbot.keyClick(window.view, Qt.Key.Key_0)
    assert window.view.zoom() == pytest.approx(zoom)
    # a Space tap in the viewer plays, a second one pauses
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert pb.is_playing()
    qtbot.waitUntil(lambda: pb.frame > 3, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert not pb.is_playing()


def QKeySequenceText(key, mod) -> str:  # noqa: N802 - message helper
    return f"key {key} with {mod}"


def test_help_lists_the_shortcuts_of_the_real_actions(window):
    from sporttrack_gui.ui.shortcuts_dialog import shortcut_rows

    rows = {cmd: keys for _g, cmd, keys in shortcut_rows(window.all_actions())}
    assert rows["Play / pause"] == "Space"
    assert rows["Undo"].startswith("Ctrl+Z")
    assert "Ctrl+Shift+Z" in rows["Redo"]
    assert rows["Back 1 second"] == "J" and rows["Forward 1 second"] == "L"
    assert "F1" in rows["Keyboard shortcuts"]
    # changing an action's keys changes the help: it is generated, not written
    window.actions_["goto"].setShortcut("Ctrl+Alt+G")
    assert {c: k for _g, c, k in shortcut_rows(window.all_actions())}["Go to frame"] == "Ctrl+Alt+G"


def test_bytetrack_run_in_worker_then_cancelled_run(window, qtbot):
    dialog, (kind, status) = _start_run(window, qtbot)
    assert (kind, status) == ("pipeline", "complete")
    runs = _run_rows(window)
    run = runs["bytetrack"]
    assert run["kind"] == "tracker" and run["status"] == "complete"
    stats = window.session.project.run_stats(run["id"])
    assert stats["boxes"] > 10000 and stats["last_frame"] == 750
    # evaluated against the gt on completion: the stored numbers are the eval room's
    from sporttrack_gui.eval.mot import evaluate_mot

    p = window.session.project
    expect = evaluate_mot(p.boxes(p.run_id("gt")), p.boxes(run["id"]))
    assert run["metrics"]["mota"] == pytest.approx(expect["mota"])
    assert run["metrics"]["idf1"] == pytest.approx(expect["idf1"])
    assert run["metrics"]["mota"] > 0.9  # det.txt = gt boxes without ids
    # live metrics were plotted while it ran
    assert window.plots.live.point_count() > 0
    assert np.nanmax(window.plots.live.curves["mota"].yData) > 0.9
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "ms" in dialog.stages.text() and "track" in dialog.stages.text()
    # the window now shows the new run, with its lanes
    assert window.session.run["id"] == run["id"]
    assert window.timeline.lanes.layout_.n_lanes == stats["tracks"]
    assert "bytetrack" in window.plots.compare.names

    _dialog, (_kind, status2) = _start_run(window, qtbot, cancel_at_once=True)
    assert status2 == "incomplete"
    second = _run_rows(window)["bytetrack-2"]
    assert second["status"] == "incomplete"
    assert window.session.project.run_stats(second["id"])["boxes"] < stats["boxes"]


def _drag(qtbot, view, x0, y0, x1, y1):
    """Drag in image pixels on the viewer with the left button."""
    a = view.mapFromScene(x0, y0)
    b = view.mapFromScene(x1, y1)
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)


def test_draw_a_box_and_track_it_with_csrt(window, qtbot):
    s = window.session
    gt = s.project.boxes(s.gt_run()["id"], frame=1)
    k = int(np.argmax(gt.xywh[:, 3]))  # the tallest player on frame 1
    x, y, w, h = (float(v) for v in gt.xywh[k])

    from sporttrack_gui.ui.sot_dialog import SotDialog

    def accept_dialog(dlg):
        dlg.tracker_box.setCurrentIndex(dlg.tracker_box.findData("csrt"))
        dlg.end_frame.setValue(30)
        dlg.accept()

    window.actions_["track_box"].trigger()
    assert window.view.tool().name == "draw"
    _timer = when_modal(SotDialog, accept_dialog)  # noqa: F841 - kept alive until the end
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as finished:
        _drag(qtbot, window.view, x, y, x + w, y + h)
    assert finished.args == ["sot", "complete"]
    assert window.view.tool().name == "select"
    sot = [r for r in s.project.runs() if r["kind"] == "sot"]
    assert len(sot) == 1 and sot[0]["status"] == "complete"
    boxes = s.project.boxes(sot[0]["id"])
    assert len(boxes) >= 25 and boxes.frame.min() == 1 and boxes.frame.max() <= 30
    np.testing.assert_allclose(boxes.xywh[0], [x, y, w, h], atol=window.view.zoom() ** -1 + 2)
    # it followed the player: overlap with that gt track on frame 30
    from sporttrack_gui.core.iou import iou_matrix_xywh

    gt30 = s.project.boxes(s.gt_run()["id"], frame=int(boxes.frame.max()),
                           track=int(gt.track_id[k]))
    assert iou_matrix_xywh(boxes.xywh[-1:], gt30.xywh)[0, 0] > 0.4
    assert window.session.run["id"] == sot[0]["id"]
    # SOT curves against the gt track the start box overlaps (found by IoU, not given)
    stored = s.project.run(sot[0]["id"])["metrics"]
    assert stored["gt_track"] == int(gt.track_id[k]) and 0.3 < stored["auc"] <= 1.0
    (success, precision), = window.plots.sot.curves.values()
    assert len(success.yData) == 21 and success.yData[0] == pytest.approx(1.0)
    assert precision.yData[-1] >= precision.yData[0]


def test_heatmap_and_metrics_panels_show_the_data(window, qtbot):
    s = window.session
    track = int(window.timeline.lanes.layout_.track_ids[0])
    window.heatmap.set_selection("track")
    window.runs_panel.trackChosen.emit(track)
    assert window.selected_track == track
    heat = window.heatmap.heat
    assert heat.max() == pytest.approx(1.0)
    pts = s.index.track_points(track)
    inside = [window.heatmap.heat_at(px, py - 1) for px, py in pts[:: max(1, len(pts) // 20)]]
    assert min(inside) > 0.0  # hot wherever the track stood
    others = s.index.track_points(None)
    far = np.array([1900.0, 20.0])  # the top-right corner: stands, nobody plays there
    assert np.linalg.norm(others - far, axis=1).min() > 100
    assert window.heatmap.heat_at(*far) == 0.0
    with qtbot.waitSignal(window.heatmap.heatmapShown, timeout=20000):  # a worker's job
        window.heatmap.set_selection("all")
    assert window.heatmap.caption.text().startswith("everyone") and \
        str(len(s.index.track_points(None))) in window.heatmap.caption.text()
    teams = s.teams()
    assert "left" in teams
    with qtbot.waitSignal(window.heatmap.heatmapShown, timeout=20000):
        window.heatmap.set_selection("team:left")
    assert window.heatmap.heat.max() == pytest.approx(1.0)
    # metrics: evaluate the gt against itself via the menu: a perfect bar
    window.actions_["evaluate"].trigger()
    gt = s.gt_run()
    assert s.project.run(gt["id"])["metrics"]["mota"] == pytest.approx(1.0)
    assert window.plots.compare.names == ["gt"]
    assert window.plots.compare.bars[0].opts["height"][0] == pytest.approx(1.0)


def test_bad_project_file_is_reported_not_raised(window, qtbot, tmp_path):
    bad = tmp_path / "broken.stp"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    assert not window.open_project(bad)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and str(bad) in box.text()
    assert window.session.sequence["name"] == "SNMOT-116"  # the open project stays


def test_frames_without_images_show_boxes_on_a_blank_canvas(window, qtbot):
    # SNMOT-116 ships images for frames 1-150 only; gt covers 750
    window.playback.seek(400)  # (a late frameShown of frame 1 may still be queued: wait for 400)
    qtbot.waitUntil(lambda: window.view.frame_number == 400, timeout=10000)
    assert len(window.view.visible_box_items()) == len(
        window.session.project.boxes(window.session.run["id"], frame=400))
    assert window.status_frame.text() == "frame 400 / 750 · no image"
    window.playback.seek(100)
    qtbot.waitUntil(lambda: window.view.frame_number == 100, timeout=10000)
    assert window.status_frame.text() == "frame 100 / 750"


def test_edits_go_through_the_undo_stack_and_its_shortcuts(window, qtbot):
    from sporttrack_gui.project import edits

    s = window.session
    run = s.project.copy_run(s.run["id"], "corrected")
    window.show_run(run)
    before = s.project.boxes(run)
    a, b = (int(t) for t in np.unique(before.track_id)[:2])
    assert window.push_edit(f"swap {a} and {b}",
                            lambda: edits.swap_tracks(s.project, run, a, b, from_frame=1))
    swapped = s.project.boxes(run)
    assert (swapped.track_id == a).sum() == (before.track_id == b).sum()
    assert window.actions_["undo"].isEnabled()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert s.project.boxes(run).equals(before)
    assert s.index.at(1).track_id.tolist() == sorted(before.select(before.frame == 1).track_id.tolist())
    qtbot.keyClick(window.view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert s.project.boxes(run).equals(swapped)
    # a refused edit is reported and never reaches the stack
    depth = window.undo_stack.count()
    assert not window.push_edit("merge into itself", lambda: edits.merge_tracks(s.project, run, a, a))
    assert window.undo_stack.count() == depth


def test_timeline_lane_click_selects_and_double_click_jumps(window, qtbot):
    lanes = window.timeline.lanes
    lay = lanes.layout_
    lane, frame = 2, 100
    vb = lanes.getPlotItem().getViewBox()
    pos = lanes.mapFromScene(vb.mapViewToScene(QPointF(frame, lane)))
    qtbot.mouseClick(lanes.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert window.selected_track == int(lay.track_ids[lane])
    assert window.view.selected_track() == window.selected_track
    assert lanes.selected.xData is not None and len(lanes.selected.xData) > 0
    # a real double click: press, release, double-click press, release
    qtbot.mouseClick(lanes.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(lanes.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(lanes.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert abs(window.playback.frame - frame) <= 2
    # and the recent-projects menu remembers the project
    from sporttrack_gui.ui import settings

    assert settings.recent_projects()[0] == str(window.session.path.resolve())


def test_dropping_a_video_imports_it(window, qtbot, soccer_video):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(soccer_video))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)  # the import runs in a worker; the frame follows it
    qtbot.waitUntil(lambda: window.session.sequence["name"] == soccer_video.stem,
                    timeout=30000)
    qtbot.waitUntil(lambda: window.view.image_size() == (1280, 720), timeout=15000)
    s = window.session
    assert s.frame_count() == 630  # what decodes, not the header's 772
    assert window.view.image_size() == (1280, 720)
    assert window.runs_panel.sequence_box.count() == 2
