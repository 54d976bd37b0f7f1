"""Box editor, track operations, ID-switch assistant and exports, driven through the window.

pytest-qt, offscreen, on the small synthetic match (150 frames, 12 tracks, exact gt).
Every test asserts on the project's boxes (what an annotator would export), not only on
widget state, and checks that Ctrl+Z brings the previous boxes back exactly.
"""

from __future__ import annotations

import numpy as np
import pytest
from gui_testutil import when_modal
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMessageBox

pytestmark = pytest.mark.gui


def _open(qtbot, path, create: bool = False, media=None):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    assert w.open_project(path, create=create)
    if media is not None:
        with qtbot.waitSignal(w.frameShown, timeout=15000):
            assert w.import_media(media)
    return w


@pytest.fixture
def window(qtbot, tmp_path, synthetic_match):
    """The synthetic match with a hand-correctable copy of its gt shown on frame 1."""
    w = _open(qtbot, tmp_path / "edit.stp", create=True, media=synthetic_match.img_dir)
    s = w.session
    run = s.project.copy_run(s.gt_run()["id"], "corrected")
    w.show_run(run)
    yield w
    if w.jobs.busy():
        w.jobs.shutdown()
    w.close()


def _run(window) -> int:
    return int(window.session.run["id"])


def _boxes(window, **kw):
    return window.session.project.boxes(_run(window), **kw)


def _seek(window, qtbot, frame: int) -> None:
    if window.view.frame_number == frame:
        return
    with qtbot.waitSignal(window.frameShown, timeout=10000):
        window.playback.seek(frame)


def _lonely_track(window, frame: int) -> int:
    """A track whose box on ``frame`` overlaps no other (so clicks hit only it)."""
    from sporttrack_gui.core.iou import iou_matrix_xywh

    fb = _boxes(window, frame=frame)
    iou = iou_matrix_xywh(fb.xywh, fb.xywh)
    np.fill_diagonal(iou, 0)
    big = fb.xywh[:, 3] >= np.median(fb.xywh[:, 3])
    score = np.where(big, iou.max(axis=1), 9)
    return int(fb.track_id[int(np.argmin(score))])


def _drag(qtbot, view, x0, y0, x1, y1):
    a, b = view.mapFromScene(x0, y0), view.mapFromScene(x1, y1)
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)


def _right_click(window, x: float, y: float):
    """A context-menu event on the viewer at image pixel (x, y); returns the menu."""
    vp = window.view.viewport()
    pos = window.view.mapFromScene(x, y)
    ev = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, vp.mapToGlobal(pos))
    QApplication.sendEvent(vp, ev)
    menu = window.editor.last_menu
    assert menu is not None
    return menu


def _menu_action(menu, key: str):
    hits = [a for a in menu.actions() if a.objectName() == f"ctx-{key}"]
    assert hits, [a.objectName() for a in menu.actions()]
    return hits[0]


def _undo(window, qtbot):
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_drag_moves_and_handle_resizes_a_box_with_undo(window, qtbot):
    t = _lonely_track(window, 1)
    before = _boxes(window)
    x, y, w, h = (float(v) for v in _boxes(window, frame=1, track=t).xywh[0])
    tol = 1.5 / window.view.zoom() + 0.5  # one screen pixel, in image pixels
    # click selects the track and shows its handles
    _drag(qtbot, window.view, x + w / 2, y + h / 2, x + w / 2, y + h / 2)
    assert window.selected_track == t
    hr = window.view.handles_rect()
    assert hr is not None and hr.width() == pytest.approx(w, abs=0.01)
    # drag the inside: a move by (40, 25)
    _drag(qtbot, window.view, x + w / 2, y + h / 2, x + w / 2 + 40, y + h / 2 + 25)
    moved = _boxes(window, frame=1, track=t).xywh[0]
    np.testing.assert_allclose(moved, [x + 40, y + 25, w, h], atol=tol)
    assert window.undo_stack.count() == 1 and "move/resize" in window.undo_stack.undoText()
    # the other 1,700 boxes did not change
    after = _boxes(window)
    other = ~((after.frame == 1) & (after.track_id == t))
    np.testing.assert_array_equal(after.xywh[other], before.xywh[other])
    _undo(window, qtbot)
    assert _boxes(window).equals(before)
    # resize by the bottom-right handle
    _drag(qtbot, window.view, x + w, y + h, x + w + 20, y + h + 30)
    resized = _boxes(window, frame=1, track=t).xywh[0]
    np.testing.assert_allclose(resized, [x, y, w + 20, h + 30], atol=tol)
    # and the top-left one: the opposite corner stays
    _drag(qtbot, window.view, x, y, x - 10, y + 5)
    np.testing.assert_allclose(_boxes(window, frame=1, track=t).xywh[0],
                               [x - 10, y + 5, w + 30, h + 25], atol=2 * tol)
    _undo(window, qtbot)
    _undo(window, qtbot)
    assert _boxes(window).equals(before)


def test_draw_new_box_and_delete_box_are_undoable(window, qtbot):
    before = _boxes(window)
    window.select_track(None)
    window.editor.actions["draw_box"].trigger()
    assert window.view.tool().name == "new-box"
    _drag(qtbot, window.view, 20, 20, 80, 140)
    assert window.view.tool().name == "select"
    new = int(before.track_id.max()) + 1
    added = _boxes(window, track=new)
    assert len(added) == 1 and added.frame[0] == 1
    np.testing.assert_allclose(added.xywh[0], [20, 20, 60, 120], atol=1.5 / window.view.zoom() + 0.5)
    assert window.selected_track == new
    # Del deletes the selected track's box on this frame
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert len(_boxes(window, track=new)) == 0
    _undo(window, qtbot)
    assert len(_boxes(window, track=new)) == 1
    _undo(window, qtbot)
    assert _boxes(window).equals(before)


def test_swap_from_the_current_frame_via_the_context_menu(window, qtbot):
    _seek(window, qtbot, 60)
    before = _boxes(window)
    fb = _boxes(window, frame=60)
    a = _lonely_track(window, 60)
    b = int(next(t for t in fb.track_id if t != a))
    window.select_track(a)
    bx, by, bw, bh = (float(v) for v in fb.xywh[fb.track_id == b][0])
    menu = _right_click(window, bx + bw / 2, by + bh / 2)
    assert window.view.partner_track() == b  # right-clicking B with A selected pairs them
    swap = _menu_action(menu, "swap")
    assert f"{b} ↔ {a}" in swap.text() and "frame 60" in swap.text()
    swap.trigger()
    menu.close()
    after = _boxes(window)
    early = before.frame < 60
    np.testing.assert_array_equal(after.select(after.frame < 60).track_id,
                                  before.select(early).track_id)
    late_before = before.select(~early)
    ids = late_before.track_id.copy()
    ids[late_before.track_id == a], ids[late_before.track_id == b] = b, a
    late_after = after.select(after.frame >= 60)
    for tid in (a, b):  # each id now has the other one's boxes from frame 60 on
        np.testing.assert_array_equal(late_after.xywh[late_after.track_id == tid],
                                      late_before.xywh[ids == tid])
    _undo(window, qtbot)
    assert _boxes(window).equals(before)


def test_split_merge_delete_and_interpolate_via_actions(window, qtbot):
    before = _boxes(window)
    _seek(window, qtbot, 70)
    a = _lonely_track(window, 70)
    track_a = _boxes(window, track=a)
    assert track_a.frame.min() < 70 < track_a.frame.max()
    window.select_track(a)
    window.actions_["split"].trigger()  # Ctrl+K
    new = int(before.track_id.max()) + 1
    assert _boxes(window, track=a).frame.max() == 69
    assert _boxes(window, track=new).frame.min() == 70
    # merge the split-off part back: partner = new, merge into the selected track
    window.editor.set_partner(new)
    window.actions_["merge"].trigger()  # M
    assert _boxes(window).equals(before)
    assert window.undo_stack.count() == 2
    # delete frames 60-80 of a, then interpolate across the hole from frame 70
    assert window.editor.delete_range(a, 60, 80)
    assert not np.isin(np.arange(60, 81), _boxes(window, track=a).frame).any()
    window.actions_["interpolate"].trigger()  # I
    filled = _boxes(window, track=a)
    assert np.isin(np.arange(60, 81), filled.frame).all() and len(filled) == len(track_a)
    # linear between the boxes at 59 and 81
    k59, k81 = (filled.xywh[filled.frame == f][0] for f in (59, 81))
    np.testing.assert_allclose(filled.xywh[filled.frame == 70][0],
                               k59 + (k81 - k59) * (70 - 59) / (81 - 59), atol=0.01)
    window.actions_["delete_track"].trigger()  # Shift+Del
    assert len(_boxes(window, track=a)) == 0 and window.selected_track is None
    for _ in range(3):
        _undo(window, qtbot)
    assert _boxes(window, track=a).equals(track_a)
    for _ in range(2):
        _undo(window, qtbot)
    assert _boxes(window).equals(before) and not window.actions_["undo"].isEnabled()


def test_conflicting_merge_shows_the_frames_and_changes_nothing(window, qtbot):
    before = _boxes(window)
    fb = _boxes(window, frame=1)
    a, b = (int(t) for t in fb.track_id[:2])  # both on frame 1: merging must be refused
    depth = window.undo_stack.count()
    assert not window.editor.merge(a, b)
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "refused" in box.text() and "frame(s) 1" in box.text()
    assert _boxes(window).equals(before)
    assert window.undo_stack.count() == depth
    box.close()


def test_track_list_cells_set_name_team_class_undoably(window, qtbot):
    model = window.runs_panel.tracks_model
    t = int(model.rows[0]["track"])
    col = [k for k, _ in model.columns].index("label")
    assert model.flags(model.index(0, col)) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(model.index(0, col), "Keeper")
    meta = window.session.project.track_meta(_run(window))
    assert meta[t]["label"] == "Keeper"
    row = next(r for r in model.rows if r["track"] == t)
    assert row["label"] == "Keeper"  # the list shows the stored value
    team = [k for k, _ in model.columns].index("team")
    model.setData(model.index(0, team), "home")
    assert window.session.project.track_meta(_run(window))[t]["team"] == "home"
    _undo(window, qtbot)
    _undo(window, qtbot)
    assert not (window.session.project.track_meta(_run(window)).get(t) or {}).get("label")


def test_undo_survives_closing_and_reopening_the_project(qtbot, tmp_path, synthetic_match):
    path = tmp_path / "reopen.stp"
    w = _open(qtbot, path, create=True, media=synthetic_match.img_dir)
    s = w.session
    run = s.project.copy_run(s.gt_run()["id"], "corrected")
    w.show_run(run)
    before = _boxes(w)
    a, b = (int(t) for t in np.unique(before.track_id)[:2])
    assert w.editor.swap(a, b, 40)
    assert w.editor.split(a, 100)
    w.undo_stack.undo()  # the split is undone: it must come back as redo-able
    swapped = _boxes(w)
    w.close()

    w2 = _open(qtbot, path)
    w2.show_run(run)
    assert w2.undo_stack.count() == 2 and w2.undo_stack.index() == 1
    assert "swap" in w2.undo_stack.undoText() and "split" in w2.undo_stack.redoText()
    assert _boxes(w2).equals(swapped)
    w2.undo_stack.redo()
    assert _boxes(w2, track=a).frame.max() == 99
    w2.actions_["undo"].trigger()
    w2.actions_["undo"].trigger()
    assert _boxes(w2).equals(before)
    w2.close()


def test_assistant_finds_a_planted_swap_and_apply_fix_repairs_it(window, qtbot):
    from sporttrack_gui.eval.mot import evaluate_mot
    from sporttrack_gui.project import edits, history

    s = window.session
    p = s.project
    gt = p.boxes(s.gt_run()["id"])
    # plant an ID switch at frame 80 between two players far apart, baked into the run
    fb = gt.select(gt.frame == 80)
    d = np.linalg.norm(fb.xywh[:, None, :2] - fb.xywh[None, :, :2], axis=2)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    a, b = int(fb.track_id[i]), int(fb.track_id[j])
    planted = p.copy_run(s.gt_run()["id"], "planted")
    edits.swap_tracks(p, planted, a, b, 80)
    history.clear_history(p, planted)
    window.show_run(planted)
    idf1_bad = evaluate_mot(gt, p.boxes(planted))["idf1"]
    assert idf1_bad < 0.95

    sus = window.assistant.suspects
    assert window.assistant_panel.model.rowCount() == len(sus) > 0
    hits = [k for k, x in enumerate(sus) if x.fix.get("op") == "swap"
            and set(x.tracks) == {a, b} and abs(x.frame - 80) <= 1]
    assert hits, [x.to_dict() for x in sus]
    # timeline markers come from the same list
    assert (80 in window.timeline.lanes.layout_.switch_x.astype(int).tolist()
            or 79 in window.timeline.lanes.layout_.switch_x.astype(int).tolist())
    # one key (N) steps to it: frame jumps, both tracks selected (the assistant's keys
    # act only while its dock is visible)
    window.docks["assistant"].raise_()
    qtbot.waitUntil(window.actions_["assist_next"].isEnabled, timeout=3000)
    window.view.setFocus()
    for _ in range(len(sus)):
        qtbot.keyClick(window.view, Qt.Key.Key_N)
        if window.assistant.current == hits[0]:
            break
    assert window.assistant.current == hits[0]
    assert window.playback.frame == sus[hits[0]].frame
    assert {window.selected_track, window.view.partner_track()} == {a, b}
    assert "swap" in window.assistant_panel.detail.text()
    qtbot.mouseClick(window.assistant_panel.apply_button, Qt.MouseButton.LeftButton)
    idf1_fixed = evaluate_mot(gt, p.boxes(planted))["idf1"]
    assert idf1_fixed > idf1_bad and idf1_fixed == pytest.approx(1.0)
    # rescanned after the edit: the swap is no longer suspected
    assert not [x for x in window.assistant.suspects if x.fix.get("op") == "swap"
                and set(x.tracks) == {a, b}]
    _undo(window, qtbot)
    assert evaluate_mot(gt, p.boxes(planted))["idf1"] == pytest.approx(idf1_bad)

    # Reject: the proposal leaves the list, is remembered in the project, and a fresh
    # scan of the run (another session) does not bring it back
    from sporttrack_gui.assist import Assistant
    from sporttrack_gui.assist.rejected import rejected_keys

    def swap_rows():
        return [k for k, x in enumerate(window.assistant.suspects)
                if x.fix.get("op") == "swap" and set(x.tracks) == {a, b}]

    qtbot.waitUntil(lambda: bool(swap_rows()), timeout=20_000)
    n = len(window.assistant.suspects)
    window.assistant.go_to(swap_rows()[0])
    qtbot.mouseClick(window.assistant_panel.reject_button, Qt.MouseButton.LeftButton)
    assert not swap_rows() and len(window.assistant.suspects) == n - 1
    assert window.assistant_panel.model.rowCount() == n - 1
    assert any(k.startswith("crossing|") or "swap" in k for k in rejected_keys(p, planted))
    assert not [x for x in Assistant(p, planted).suspects
                if x.fix.get("op") == "swap" and set(x.tracks) == {a, b}]


def test_exports_write_files_that_read_back(window, qtbot, tmp_path):
    import cv2
    import yaml

    from sporttrack_gui.formats.mot import read_mot, read_seqinfo

    a, b = (int(t) for t in np.unique(_boxes(window).track_id)[:2])
    assert window.editor.swap(a, b, 30)
    info = window.exports.export_mot(tmp_path / "mot")
    table = read_mot(tmp_path / "mot" / "gt" / "gt.txt", kind="gt")
    want = _boxes(window)
    assert len(table) == len(want)
    order = np.lexsort((table.track_id, table.frame))
    np.testing.assert_array_equal(table.frame[order], want.frame)
    np.testing.assert_array_equal(table.track_id[order], want.track_id)
    np.testing.assert_allclose(table.xywh[order], want.xywh, atol=0.01)
    seq = read_seqinfo(tmp_path / "mot" / "seqinfo.ini")
    assert seq.seq_length == 150 and (seq.width, seq.height) == (1280, 720)
    assert info["boxes"] == len(want)

    out = tmp_path / "demo.mp4"
    with qtbot.waitSignal(window.exports.exported, timeout=60000) as done:
        worker = window.exports.export_video(out, trail=10, frame_range=(11, 40))
        assert worker is not None and window.jobs.busy()
    kind, result = done.args
    assert kind == "video" and result["frames"] == 30
    cap = cv2.VideoCapture(str(out))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    assert n == 30
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)

    with qtbot.waitSignal(window.exports.exported, timeout=60000) as done:
        window.exports.export_yolo(tmp_path / "yolo", ["player"])
    kind, result = done.args
    assert kind == "yolo"
    # ``exported`` comes before the worker's thread has ended: let it end (closing a
    # window while a job runs asks the user first)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
    data = yaml.safe_load((tmp_path / "yolo" / "data.yaml").read_text())
    assert list(data["names"].values() if isinstance(data["names"], dict) else data["names"]) \
        == ["player"]
    labels = list((tmp_path / "yolo" / "labels").rglob("*.txt"))
    assert len(labels) == 150
    rows = sum(len(f.read_text().splitlines()) for f in labels)
    assert rows == len(want)


def test_help_menu_opens_about_and_plugins_and_lists_editor_keys(window, qtbot):
    from sporttrack_gui.ui.about_dialog import AboutDialog
    from sporttrack_gui.ui.plugins_dialog import PluginsDialog
    from sporttrack_gui.ui.shortcuts_dialog import shortcut_rows

    rows = {cmd: keys for _g, cmd, keys in shortcut_rows(window.all_actions())}
    assert rows["Swap ids from here"] == "X" and rows["Split at this frame"] == "Ctrl+K"
    assert rows["Next suspect"].startswith("N") and "F3" in rows["Next suspect"]
    assert rows["Delete box"] in ("Del", "Delete")
    menus = {m.title().replace("&", ""): m for m in window.menuBar().findChildren(type(window.recent_menu))}
    assert window.actions_["swap"] in menus["Track"].actions()
    window.actions_["about"].trigger()
    about = window.findChild(AboutDialog)
    assert about is not None and about.isVisible() and "SportTrack" in about.title.text()
    about.close()
    window.actions_["plugins"].trigger()
    plugins = window.findChild(PluginsDialog)
    assert plugins is not None and plugins.isVisible() and plugins.table.rowCount() > 0
    plugins.close()


def test_tracker_assisted_interpolation_runs_in_a_worker_and_undoes(window, qtbot):
    _seek(window, qtbot, 35)
    a = _lonely_track(window, 35)
    full = _boxes(window, track=a)
    assert window.editor.delete_range(a, 31, 40)
    window.select_track(a)
    with qtbot.waitSignal(window.editor.edited, timeout=60000) as done:
        worker = window.editor.interpolate_with_tracker()  # Shift+I, CSRT
        assert worker is not None and window.jobs.busy()
    assert done.args[0].startswith("csrt interpolate")
    filled = _boxes(window, track=a)
    assert np.isin(np.arange(31, 41), filled.frame).all()
    # CSRT followed the player: every filled box overlaps the original one
    from sporttrack_gui.core.iou import iou_pairs

    mask = np.isin(full.frame, np.arange(31, 41))
    got = filled.xywh[np.isin(filled.frame, np.arange(31, 41))]
    xyxy = lambda b: np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)  # noqa: E731
    assert iou_pairs(xyxy(got), xyxy(full.xywh[mask])).min() > 0.3
    assert window.undo_stack.undoText().startswith("csrt interpolate")
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
    _undo(window, qtbot)
    _undo(window, qtbot)
    assert _boxes(window, track=a).equals(full)


def test_gui_start_installs_the_crash_handler(qtbot, tmp_path, monkeypatch):
    import sys
    import threading

    from sporttrack_gui.ui.crash_dialog import CrashHandler
    from sporttrack_gui.ui.launch import start

    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    before = sys.excepthook
    app, window = start([str(tmp_path / "empty.stp")])
    qtbot.addWidget(window)
    handler = app.findChild(CrashHandler, "sporttrackCrashHandler")
    assert handler is not None and sys.excepthook is not before
    assert window.session is not None and window.session.path.name == "empty.stp"
    window.close()


def test_track_list_and_lane_context_menus_and_the_reassign_dialog(window, qtbot):
    from PySide6.QtWidgets import QInputDialog

    from sporttrack_gui.ui.track_dialogs import RangeDialog

    before = _boxes(window)
    t = int(window.runs_panel.tracks_model.rows[0]["track"])
    # right-click on a lane: the play head goes there and the menu is for that track
    window.timeline.lanes.laneMenuRequested.emit(t, 40, QPoint(200, 200))
    assert window.playback.frame == 40 and window.selected_track == t
    menu = window.editor.last_menu
    assert f"Split {t} at frame 40" in _menu_action(menu, "split").text()
    menu.close()
    # right-click a row of the tracks list: same menu; reassign asks for the id
    window.runs_panel.trackMenuRequested.emit(t, QPoint(100, 100))
    menu = window.editor.last_menu
    new = int(before.track_id.max()) + 1

    def choose_new(dlg: QInputDialog) -> None:
        assert "(new id)" in dlg.comboBoxItems()
        dlg.setTextValue("(new id)")
        dlg.accept()

    _timer = when_modal(QInputDialog, choose_new)  # noqa: F841
    _menu_action(menu, "reassign").trigger()
    menu.close()
    assert _boxes(window, track=t).frame.max() == 39
    assert _boxes(window, track=new).frame.min() == 40
    # delete a frame range through its dialog
    _timer2 = when_modal(RangeDialog, lambda d: (d.first.setValue(10), d.last.setValue(12),  # noqa: F841
                                                 d.accept()))
    assert window.editor.delete_range(t)
    assert not np.isin([10, 11, 12], _boxes(window, track=t).frame).any()
    assert window.undo_stack.count() == 2
    window.actions_["undo"].trigger()
    window.actions_["undo"].trigger()
    assert _boxes(window).equals(before)


def test_pitch_view_is_wired_and_its_calibration_gives_the_demo_video_a_minimap(window, qtbot,
                                                                                tmp_path):
    import cv2

    from sporttrack_gui.pitch import calibrate

    assert window.docks["pitch"].widget() is window.pitch
    view_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and a.menu().title().replace("&", "") == "View")
    assert any(a.objectName() == "pitch_calibration" for a in view_menu.actions())
    # the whole frame is the pitch: a calibration as the pitch view would emit it
    cal = calibrate([[0, 0], [1280, 0], [1280, 720], [0, 720]],
                    [[0, 0], [105, 0], [105, 68], [0, 68]])
    window.pitch.set_calibration(cal)
    assert window.exports.calibration is cal
    out = tmp_path / "minimap.mp4"
    with qtbot.waitSignal(window.exports.exported, timeout=60000) as done:
        window.exports.export_video(out, trail=0, frame_range=(1, 5), calibration=cal)
    _kind, result = done.args
    assert result["minimap"] and result["frames"] == 5
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
    cap = cv2.VideoCapture(str(out))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape[:2] == (720, 1280)


def test_demo_video_dialog_exports_the_run_picked_not_the_shown_one(window, qtbot, tmp_path):
    """File ▸ Export demo video… has a run picker like the other exports: a copy that is
    not shown is rendered (and its frames, not the shown run's, reach the video)."""
    from gui_testutil import when_modal

    from sporttrack_gui.project import edits
    from sporttrack_gui.ui.exports import DemoVideoDialog

    s = window.session
    other = s.project.copy_run(s.run["id"], "for-video")
    first = s.project.boxes(other, frame=1)
    edits.delete_track(s.project, other, int(first.track_id[0]))  # the copy differs
    want = sum(len(s.project.boxes(other, frame=f)) for f in range(1, 6))
    shown = sum(len(s.project.boxes(s.run["id"], frame=f)) for f in range(1, 6))
    assert want < shown
    window.refresh_runs()
    out = tmp_path / "picked.mp4"

    def fill(dlg: DemoVideoDialog) -> None:
        assert dlg.runs is not None and dlg.runs.run_id() == int(s.run["id"])  # shown first
        dlg.runs.select(other)
        dlg.out.setText(str(out))
        dlg.first.setValue(1)
        dlg.last.setValue(5)
        dlg.minimap.setChecked(False)
        dlg.accept()

    timer = when_modal(DemoVideoDialog, fill)
    with qtbot.waitSignal(window.exports.exported, timeout=60000) as done:
        assert window.exports.export_video() is not None
    timer.stop()
    kind, result = done.args
    assert kind == "video" and result["frames"] == 5 and out.is_file()
    assert result["boxes"] == want  # the picked run's boxes, not the shown run's
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
