"""The sequence picker (issue 18): focus goes back to the viewer after picking, each
sequence keeps its frame, and a reopened project shows the last sequence and frame."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sporttrack_gui.ui import view_memory

pytestmark = pytest.mark.gui


def _two_sequences(window, qtbot, synthetic_match):
    """SNMOT-116 (from the fixture) plus the synthetic match, shown after its import."""
    with qtbot.waitSignal(window.frameShown, timeout=15000):
        assert window.import_media(synthetic_match.img_dir)
    qtbot.waitUntil(lambda: not window.imports.busy(), timeout=15000)
    seqs = {q["name"]: int(q["id"]) for q in window.session.sequences()}
    assert len(seqs) == 2
    return seqs


def _pick(window, qtbot, seq_id: int) -> None:
    """What a user does: focus the combo box and choose a sequence in it."""
    box = window.runs_panel.sequence_box
    box.setFocus()
    i = box.findData(seq_id)
    with qtbot.waitSignal(window.frameShown, timeout=15000):
        box.setCurrentIndex(i)
        box.activated.emit(i)


def test_picking_a_sequence_gives_focus_back_and_keeps_frames(window, qtbot, synthetic_match):
    window.activateWindow()
    seqs = _two_sequences(window, qtbot, synthetic_match)
    synth = seqs[synthetic_match.img_dir.name]
    snmot = seqs["SNMOT-116"]
    assert int(window.session.sequence["id"]) == synth
    window.playback.seek(40)
    _pick(window, qtbot, snmot)
    assert int(window.session.sequence["id"]) == snmot
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.view, timeout=3000)
    assert not window.runs_panel.sequence_box.hasFocus()
    # Up/Down now reach the viewer, not the combo box: the sequence stays
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Up)
    assert int(window.session.sequence["id"]) == snmot
    window.playback.seek(123)
    _pick(window, qtbot, synth)
    assert window.playback.frame == 40  # where the user left it
    _pick(window, qtbot, snmot)
    assert window.playback.frame == 123


def test_reopening_returns_to_the_last_sequence_and_frame(window, qtbot, synthetic_match):
    from sporttrack_gui.ui.main_window import MainWindow

    seqs = _two_sequences(window, qtbot, synthetic_match)
    snmot = seqs["SNMOT-116"]
    path = window.session.path
    _pick(window, qtbot, snmot)
    window.playback.seek(321)
    window.close()
    assert view_memory.load(path) == {"last": snmot, "frames": {
        seqs[synthetic_match.img_dir.name]: 1, snmot: 321}}
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.frameShown, timeout=15000):
        assert again.open_project(path)
    assert int(again.session.sequence["id"]) == snmot
    assert again.playback.frame == 321
    again.close()


def test_memory_is_per_project_and_tolerates_junk(tmp_path):
    from sporttrack_gui.ui import settings

    a, b = tmp_path / "a.stp", tmp_path / "b.stp"
    view_memory.remember(a, 3, 77)
    assert view_memory.load(a) == {"last": 3, "frames": {3: 77}}
    assert view_memory.load(b) == {"last": None, "frames": {}}
    settings.set_value(view_memory._key(b), "{not json")
    assert view_memory.load(b) == {"last": None, "frames": {}}
