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
