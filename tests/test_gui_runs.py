"""Runs you can manage, ground truth you cannot break by accident (issue #17, pytest-qt)."""

from __future__ import annotations

import numpy as np
import pytest
from gui_testutil import when_modal
from PySide6.QtWidgets import QMessageBox

pytestmark = pytest.mark.gui


def _names(window) -> set[str]:
    return {r["name"] for r in window.session.runs()}


def test_ground_truth_is_read_only_until_unlocked(window, qtbot):
    s = window.session
    gt = s.run
    assert gt["kind"] == "gt"
    before = s.project.boxes(gt["id"])
    track = int(before.track_id[0])
    lock = window.actions_["gt_lock"]
    assert lock.isEnabled() and lock.isChecked()  # visible in the Track menu
    assert window.runs_panel.runs_model.data(window.runs_panel.runs_model.index(0, 1)) == "gt (locked)"
    # the editor, the track list and the assistant all meet the one gate
    assert not window.editor.delete_track(track)
    assert not window.editor.set_track_field(track, "label", "renamed")
    assert not window.push_edit("swap", lambda: pytest.fail("a locked run was edited"))
    assert "locked" in window.statusBar().currentMessage()
    assert s.project.boxes(gt["id"]).equals(before)
    assert window.undo_stack.count() == 0
    # unlocked from the Track menu: now it is the user's deliberate choice
    lock.trigger()
    assert not lock.isChecked() and not window.run_menu.actions["gt_lock"].isChecked()
    assert window.editor.delete_track(track)
    assert (s.project.boxes(gt["id"]).track_id != track).all()
    window.run_menu.set_locked(True)
    assert lock.isChecked() and not window.editor.delete_track(int(before.track_id[-1]))


def test_assistant_keys_act_only_while_it_is_visible(window, qtbot):
    apply = window.actions_["assist_apply"]
    window.docks["plots"].raise_()
    qtbot.wait(50)
    assert not apply.isEnabled() and not window.actions_["assist_next"].isEnabled()
    window.docks["assistant"].raise_()
    qtbot.waitUntil(apply.isEnabled, timeout=3000)


def test_a_box_drawn_on_locked_gt_starts_a_manual_run(window, qtbot):
    s = window.session
    gt = s.run
    n_gt = len(s.project.boxes(gt["id"]))
    window.select_track(int(s.project.boxes(gt["id"], frame=1).track_id[0]))
    window.editor.start_draw()
    assert window.editor.box_drawn(100, 100, 40, 80)
    assert len(s.project.boxes(gt["id"])) == n_gt  # gt untouched
    assert s.run["kind"] == "manual" and s.run["name"] == "manual"
    boxes = s.project.boxes(s.run["id"])
    assert len(boxes) == 1 and boxes.frame.tolist() == [window.playback.frame]
    # the next box goes to the same (editable) run
    window.select_track(None)
    assert window.editor.box_drawn(300, 100, 40, 80)
    assert len(s.project.boxes(s.run["id"])) == 2 and "manual-2" not in _names(window)


def test_copy_rename_delete_from_the_run_menu(window, qtbot):
    s = window.session
    gt = s.run
    menu = window.run_menu.context_menu(int(gt["id"]))
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Show", "Save corrected copy as…", "Rename…", "Delete…",
                     "Locked (read-only)"]
    copy = window.run_menu.copy(name="fixed")
    assert s.run["id"] == copy and s.run["kind"] == "manual"  # the copy is shown, editable
    assert np.array_equal(s.project.boxes(copy).xywh, s.project.boxes(gt["id"]).xywh)
    assert window.editor.delete_track(int(s.project.boxes(copy).track_id[0]))
    assert window.run_menu.rename(copy, "fixed-v2") and "fixed-v2" in _names(window)
    assert s.run["name"] == "fixed-v2"
    assert not window.run_menu.rename(copy, "gt")  # refused: taken; shown, not raised
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "already has a run" in box.text()
    box.close()
    # delete asks first; Cancel keeps the run
    timer = when_modal(QMessageBox, lambda d: d.button(QMessageBox.StandardButton.Cancel).click())
    assert not window.run_menu.delete(copy)
    timer.stop()
    assert "fixed-v2" in _names(window)
    timer = when_modal(QMessageBox, lambda d: d.button(QMessageBox.StandardButton.Yes).click())
    assert window.run_menu.delete(copy)
    timer.stop()
    assert "fixed-v2" not in _names(window) and "gt" in _names(window)
    assert s.run is None


def test_mot_export_class_1_for_tracker_rows_and_confirmed_overwrite(window, qtbot, tmp_path):
    from sporttrack_gui.formats.mot import read_mot

    s = window.session
    p = s.project
    gt = p.boxes(s.run["id"])
    # a tracker-like run: the gt boxes with class 0 (COCO person) and detector scores
    run = p.create_run(s.sequence["id"], "bytetrack", kind="tracker", status="complete")
    from dataclasses import replace

    p.append_boxes(run, replace(gt, cls=np.zeros_like(gt.cls), conf=np.full_like(gt.conf, 0.4)))
    window.show_run(run)
    out = tmp_path / "mot"
    info = window.exports.export_mot(out)
    table = read_mot(info["file"], kind="gt")
    assert len(table) == len(gt) and set(table.cls.tolist()) == {1}  # TrackEval keeps class 1
    assert set(table.conf.tolist()) == {1.0}
    # the file exists now: Cancel keeps it, Yes replaces it
    target = out / "gt" / "gt.txt"
    target.write_text("original\n")
    timer = when_modal(QMessageBox, lambda d: d.button(QMessageBox.StandardButton.Cancel).click())
    assert window.exports.export_mot(out) is None
    timer.stop()
    assert target.read_text() == "original\n"
    timer = when_modal(QMessageBox, lambda d: d.button(QMessageBox.StandardButton.Yes).click())
    assert window.exports.export_mot(out) is not None
    timer.stop()
    assert len(read_mot(target, kind="gt")) == len(gt)


def _tracker_run(window, name: str = "bytetrack-1") -> int:
    """A finished tracker run (the gt boxes as a tracker's raw output), shown."""
    from dataclasses import replace

    s = window.session
    gt = s.project.boxes(s.gt_run()["id"])
    run = s.project.create_run(s.sequence["id"], name, kind="tracker",
                               params={"tracker": "bytetrack"})
    s.project.append_boxes(run, replace(gt, cls=np.zeros_like(gt.cls)))
    s.project.set_run_status(run, "complete")
    window.show_run(run)
    return run


@pytest.fixture
def ask_raw():
    """Copy-on-first-edit asks (no remembered choice), before and after the test."""
    from sporttrack_gui.ui import copy_on_edit

    copy_on_edit.remember(None)
    yield
    copy_on_edit.remember(None)


def test_first_edit_of_tracker_output_works_on_a_copy(window, qtbot, ask_raw):
    from sporttrack_gui.ui.copy_on_edit import CopyOnEditDialog

    s = window.session
    run = _tracker_run(window)
    raw_before = s.project.boxes(run)
    track = int(raw_before.track_id[0])
    seen = {}

    def choose_copy(d):
        seen.update(copy=d.copy.isChecked(), name=d.name.text(),
                    text=d.raw.text().replace("&&", "&"))
        d.accept()  # the default: "Edit a copy named … (recommended)"

    timer = when_modal(CopyOnEditDialog, choose_copy)
    assert window.editor.delete_track(track)
    timer.stop()
    assert seen == {"copy": True, "name": "bytetrack-1-fixed",
                    "text": "Edit the raw run “bytetrack-1”"}
    # the copy is shown and carries the edit; the raw output is kept under its name
    assert s.run["name"] == "bytetrack-1-fixed" and s.run["kind"] == "manual"
    assert (s.project.boxes(s.run["id"]).track_id != track).all()
    raw = s.project.run_id("bytetrack-1", s.sequence["id"])
    assert s.project.boxes(raw).equals(raw_before)
    assert s.project.run(raw)["kind"] == "tracker"
    assert {"bytetrack-1", "bytetrack-1-fixed"} <= _names(window)
    # undo/redo act on the copy; later edits do not ask again
    window.undo_stack.undo()
    assert int((s.project.boxes(s.run["id"]).track_id == track).sum()) == \
        int((raw_before.track_id == track).sum())
    window.undo_stack.redo()
    assert window.editor.delete_track(int(raw_before.track_id[-1]))
    assert window.run_menu.copy_on_edit.dialog is None
    assert s.project.boxes(raw).equals(raw_before)


def test_cancel_or_edit_raw_and_the_remembered_choice(window, qtbot, ask_raw):
    from sporttrack_gui.ui.copy_on_edit import CopyOnEditDialog

    s = window.session
    run = _tracker_run(window)
    before = s.project.boxes(run)
    track = int(before.track_id[0])
    timer = when_modal(CopyOnEditDialog, lambda d: d.reject())
    assert not window.editor.delete_track(track)  # cancelled: nothing changed
    timer.stop()
    assert s.project.boxes(run).equals(before) and s.run["name"] == "bytetrack-1"

    def raw_and_remember(d):
        d.raw.setChecked(True)
        d.remember.setChecked(True)
        d.accept()

    timer = when_modal(CopyOnEditDialog, raw_and_remember)
    assert window.editor.delete_track(track)
    timer.stop()
    assert s.run["id"] == run and s.run["name"] == "bytetrack-1"  # edited in place
    assert (s.project.boxes(run).track_id != track).all()
    assert not window.run_menu.actions["edit_ask_raw"].isChecked()
    # remembered: another raw run is edited in place without asking
    other = _tracker_run(window, "sort-1")
    assert window.push_edit("delete", lambda: None)
    assert s.run["id"] == other and window.run_menu.copy_on_edit.dialog is None
    # Run ▸ Ask before editing raw output asks again
    window.run_menu.actions["edit_ask_raw"].trigger()
    third = _tracker_run(window, "sort-2")
    timer = when_modal(CopyOnEditDialog, lambda d: d.accept())
    assert window.editor.delete_track(track)
    timer.stop()
    assert s.run["id"] == third and s.run["name"] == "sort-2-fixed"


def test_deleted_run_can_be_restored_until_the_project_closes(window, qtbot, tmp_path):
    import sqlite3

    s = window.session
    run = _tracker_run(window)
    before = s.project.boxes(run)
    restore = window.run_menu.actions["run_restore"]
    assert not restore.isEnabled()
    assert window.run_menu.delete(run, confirm=False)
    assert "bytetrack-1" not in _names(window) and s.run is None
    assert restore.isEnabled() and "bytetrack-1" in restore.text()
    assert window.run_menu.restore() == run
    assert "bytetrack-1" in _names(window) and s.run["id"] == run
    assert s.project.boxes(run).equals(before) and not restore.isEnabled()
    # deleted again, then the project closes: gone for good (no undo after closing)
    assert window.run_menu.delete(run, confirm=False)
    path = s.path
    assert window.open_project(tmp_path / "other.stp", create=True)  # closes the match
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM runs WHERE id = ?", (run,)).fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ?", (run,)).fetchone() == (0,)
    assert not restore.isEnabled()
