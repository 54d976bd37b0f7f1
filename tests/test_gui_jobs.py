"""Jobs belong to their sequence and run, not to the view (issue #17, pytest-qt).

A tracker run that ends while another sequence is shown updates its own sequence's run
list and says so in the status bar; the play head is only moved by a run when the user
asked for it ("Follow the running job"), never on another sequence.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _second_sequence(window) -> int:
    """A second sequence on the same frames (no gt, no runs)."""
    seq = window.session.sequence
    return window.session.project.add_sequence(
        "other", seq["source"], kind=seq["kind"], width=seq["width"], height=seq["height"],
        fps=seq["fps"], frame_count=seq["frame_count"], meta=seq["meta"])


def _run_dialog(window, tracker: str = "bytetrack"):
    dialog = window.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Detections run" in t))
    dialog.tracker_box.setCurrentIndex(dialog.tracker_box.findData(tracker))
    return dialog


@pytest.mark.parametrize("cancel", [False, True])
def test_run_ending_while_another_sequence_is_shown(window, qtbot, cancel):
    other = _second_sequence(window)
    first = int(window.session.sequence["id"])
    dialog = _run_dialog(window)
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
        assert window.jobs.busy()
        window.show_sequence(other)  # the user goes on working elsewhere
        window.playback.seek(5, force=True)
        if cancel:
            qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert finished.args == ["pipeline", "incomplete" if cancel else "complete"]
    s = window.session
    # the view stays where the user is
    assert int(s.sequence["id"]) == other and s.run is None
    assert window.playback.frame == 5
    # the run is stored (and scored) in its own sequence
    run = next(r for r in s.project.runs(first) if r["name"] == "bytetrack")
    assert run["status"] == ("incomplete" if cancel else "complete")
    if not cancel:
        assert run["metrics"]["mota"] > 0.9
    msg = window.statusBar().currentMessage()
    assert msg.startswith("SNMOT-116: Run bytetrack") and "Running" not in msg
    # back on the first sequence, the new run is listed
    window.show_sequence(first)
    assert any(r["name"] == "bytetrack" for r in window._run_rows.values())  # noqa: SLF001


def test_the_play_head_follows_a_run_only_when_asked(window, qtbot):
    seen: list[int] = []
    window.playback.seek(3, force=True)
    window.playback.frameChanged.connect(seen.append)
    assert not window.actions_["follow_run"].isChecked()  # opt-in
    dialog = _run_dialog(window)
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert set(seen) <= {3}  # never yanked to the run's frame
    assert window.session.run["name"] == "bytetrack"  # the finished run is shown

    window.actions_["follow_run"].setChecked(True)
    seen.clear()
    dialog = _run_dialog(window)
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert any(f > 3 for f in seen)  # followed the writer
    assert window.playback.frame == 3  # and came back home at the end


def test_run_dialog_keeps_its_size_with_a_long_error(window, qtbot):
    dialog = _run_dialog(window)
    qtbot.waitExposed(dialog)
    size = dialog.size()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(labels.index("YOLO model…"))
    missing = "/nonexistent/" + "very_long_folder_name_" * 40 + "/weights.pt"
    dialog.yolo_edit.setText(missing)
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["run the tracker", "failed"]
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    # a longer one still (tracebacks, paths without spaces) straight into the label
    dialog.show_result("failed", "x" * 5000)
    qtbot.wait(50)
    assert dialog.width() <= size.width() + 40 and dialog.height() <= size.height() + 200
    assert dialog.minimumSizeHint().width() < 700
    for button in (dialog.run_button, dialog.close_button):
        right = button.mapTo(dialog, button.rect().bottomRight())
        assert button.isVisible() and dialog.rect().contains(right)
    assert dialog.run_button.isEnabled()
    assert "x" * 5000 in dialog.status.toolTip()  # the whole text stays readable
    assert "Running" not in window.statusBar().currentMessage()


@pytest.fixture
def clean_run_settings():
    """The remembered stride/model must not leak into later tests of the session."""
    from sporttrack_gui.ui import settings

    yield
    settings.set_value("run/stride", 1)
    settings.set_value("run/yolo_model", "")


def test_run_dialog_remembers_settings_and_warns_on_zero_boxes(window, qtbot, clean_run_settings):
    s = window.session
    s.project.create_run(s.sequence["id"], "empty", kind="det", status="complete")
    dialog = window.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(labels.index("Detections run “empty”"))
    dialog.tracker_box.setCurrentIndex(dialog.tracker_box.findData("bytetrack"))
    dialog.stride.setValue(3)
    dialog.yolo_edit.setText("yolo:my-model.pt")
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert finished.args == ["pipeline", "complete"]
    # "complete, 0 boxes" is not shown as a success
    assert dialog.status.property("warning") is True
    assert "no boxes" in dialog.status.toolTip() and "no boxes" in window.statusBar().currentMessage()
    again = window.jobs.open_run_dialog()
    assert again.stride.value() == 3 and again.yolo_edit.text() == "yolo:my-model.pt"
