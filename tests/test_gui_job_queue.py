"""The Jobs panel and the run queue in the window (issue #17, pytest-qt).

A project of three short sequences without media whose gt runs serve as detections
(nothing is decoded): "every sequence" queues one run per sequence, they run in order in
one worker, a failing one shows its error and the queue goes on, a running one can be
cancelled from the panel, and the view never changes sequence because of a job.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from test_job_queue import N_FRAMES, make_project

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.pipeline.job_queue import CANCELLED, COMPLETE, FAILED, RUNNING

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    from sporttrack_gui.ui.main_window import MainWindow

    path = make_project(tmp_path / "q.stp")
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    assert w.open_project(path)
    yield w
    if w.jobs.busy():
        w.jobs.shutdown()
    w.close()


@pytest.fixture
def clean_run_settings():
    """Remembered dialog options must not leak into later tests of the session."""
    from sporttrack_gui.ui import settings
    from sporttrack_gui.ui.run_settings import DEFAULTS

    yield
    for key, value in DEFAULTS.items():
        settings.set_value(key, value)


def _dialog(window, tracker="sort", every=True):
    dialog = window.jobs.open_run_dialog(all_sequences=every)
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Ground truth" in t))
    dialog.tracker_box.setCurrentIndex(dialog.tracker_box.findData(tracker))
    return dialog


def _wait_idle(window, qtbot, timeout=60000):
    qtbot.waitUntil(lambda: window.jobs.queue.pending() == 0 and not window.jobs.busy(),
                    timeout=timeout)


def _slow_pipeline(monkeypatch, delay=0.01):
    """Every frame reported and a little slower, so a job can be cancelled mid-run."""
    import sporttrack_gui.pipeline.run as run_mod

    real = run_mod.run_pipeline

    def slow(config, progress=None, cancel=None, **kw):
        config.progress_interval_s, config.batch_size = 0.0, 1

        def report(p):
            progress(p)
            time.sleep(delay)
        return real(config, report, cancel, **kw)

    monkeypatch.setattr(run_mod, "run_pipeline", slow)


def test_every_sequence_runs_in_order_and_a_failure_does_not_stop_the_queue(window, qtbot):
    s = window.session
    first = int(s.sequence["id"])
    dialog = _dialog(window)
    dialog.run_name.setText("all")
    panel = window.jobs_dock.panel
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert window.docks["jobs"].isVisible()  # the queue brings its panel forward
    assert panel.table.rowCount() == 3
    # the user goes on working on another sequence meanwhile
    window.show_sequence(first + 1)
    window.playback.seek(7, force=True)
    _wait_idle(window, qtbot)
    jobs = window.jobs.queue.jobs()
    assert [j.sequence for j in jobs] == ["a", "b", "c"]
    assert [j.state for j in jobs] == [COMPLETE, COMPLETE, FAILED]
    assert [j.started for j in jobs] == sorted(j.started for j in jobs)  # one after another
    assert jobs[0].ended <= jobs[1].started
    # the view stayed where the user was
    assert int(window.session.sequence["id"]) == first + 1 and window.playback.frame == 7
    # the panel: states, full progress, the failure's reason
    cells = [[panel.table.item(r, c).text() for c in range(4)] for r in range(3)]
    assert [c[3] for c in cells] == ["complete", "complete", "failed"]
    assert cells[0][1] == "all" and cells[0][2].startswith("sort")
    bar = panel.table.cellWidget(0, 4)
    assert bar.value() == bar.maximum() == N_FRAMES
    assert "has no complete gt run" in panel.table.item(2, 3).toolTip()
    assert "c:" in panel.details.text() and "gt run" in panel.details.text()
    # the shown sequence's run list got its new run; the other one has it on return
    assert any(r["name"] == "all" for r in window._run_rows.values())  # noqa: SLF001
    window.show_sequence(first)
    assert any(r["name"] == "all" and r["status"] == "complete"
               for r in window._run_rows.values())  # noqa: SLF001
    # the dialog sums up, in yellow because one failed
    assert "2 complete" in dialog.status.toolTip() and "1 failed" in dialog.status.toolTip()
    assert dialog.status.property("warning") is True
    assert not window.jobs_dock.status.isVisible()  # nothing left: the status label hides
    # finished jobs can be cleared from the list
    qtbot.mouseClick(panel.findChild(type(dialog.run_button), "clearJobs"),
                     Qt.MouseButton.LeftButton)
    assert panel.table.rowCount() == 0 and window.jobs.queue.jobs() == []


def test_cancel_a_running_job_from_the_panel_and_remove_a_queued_one(window, qtbot,
                                                                     monkeypatch):
    _slow_pipeline(monkeypatch)
    dialog = _dialog(window)
    panel = window.jobs_dock.panel
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    a, b, c = window.jobs.queue.jobs()
    qtbot.waitUntil(lambda: a.state == RUNNING and a.done >= 10, timeout=30000)
    assert window.jobs_dock.status.isVisible() and "Jobs: 3 left" in window.jobs_dock.status.text()
    qtbot.waitUntil(lambda: panel.button_for(a.id).text() == "Cancel", timeout=5000)
    assert panel.button_for(b.id).text() == "Remove"
    qtbot.mouseClick(panel.button_for(b.id), Qt.MouseButton.LeftButton)  # never runs
    assert b.state == CANCELLED and window.jobs.queue.get(b.id) is None
    qtbot.mouseClick(panel.button_for(a.id), Qt.MouseButton.LeftButton)
    _wait_idle(window, qtbot)
    assert a.state == CANCELLED and a.result.frames < N_FRAMES
    assert c.state == FAILED  # the queue went on after the cancelled job
    run = window.session.project.run(a.result.run_id)
    assert run["status"] == "incomplete"
    row = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert row == ["a", "c"]
    assert panel.table.item(0, 3).text() == "cancelled"


def test_a_run_started_while_another_runs_waits_in_the_queue(window, qtbot, monkeypatch):
    _slow_pipeline(monkeypatch, delay=0.005)
    dialog = _dialog(window, every=False)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)  # shown live
    first = window.jobs.queue.jobs()[0]
    assert first.meta["live"] and window.actions_["run_tracker"].isEnabled()
    assert not window.actions_["open"].isEnabled()  # no other project while runs wait
    dialog = _dialog(window, tracker="bytetrack", every=False)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    second = window.jobs.queue.jobs()[1]
    assert not second.meta["live"] and second.state in ("queued", RUNNING)
    _wait_idle(window, qtbot)
    assert first.state == second.state == COMPLETE and first.ended <= second.started
    names = {r["name"] for r in window.session.runs()}
    assert {"sort", "bytetrack"} <= names
    assert window.actions_["open"].isEnabled()


def test_dialog_options_reach_the_run_request_and_are_remembered(window, qtbot,
                                                                 clean_run_settings):
    from sporttrack_gui.pipeline.run_request import prepare_config

    dialog = window.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(labels.index("YOLO model…"))
    assert dialog.det_options.isEnabled()
    dialog.yolo_edit.setText("yolov8n.yaml")
    dialog.conf.setValue(0.4)
    dialog.iou.setValue(0.6)
    dialog.imgsz.setValue(320)
    dialog.classes.setText("person=player,sports ball=ball")
    dialog.first_frame.setValue(5)
    dialog.last_frame.setValue(20)
    dialog.stride.setValue(2)
    choices = dialog.choices()
    config = prepare_config(window.session.path, int(window.session.sequence["id"]), choices)
    assert config.detector == "yolo:yolov8n.yaml" and config.stride == 2
    assert config.frame_range == (5, 20)
    assert config.detector_options == {"conf": 0.4, "iou": 0.6, "imgsz": 320,
                                       "class_map": {"person": "player", "sports ball": "ball"}}
    # the same options as `sporttrack run --conf 0.4 --iou 0.6 --imgsz 320 --classes ...`
    import argparse

    from sporttrack_gui.cli.cmd_run import detector_options
    cli = detector_options(argparse.Namespace(
        detector="yolo:yolov8n.yaml", batch=None, conf=0.4, iou=0.6, imgsz=320, device=None,
        threads=None, classes="person=player,sports ball=ball", onnx=False, min_conf=None))
    assert cli == config.detector_options
    # Run: the sequence has no pixels, so the job fails with the pipeline's reason
    with qtbot.waitSignal(window.jobs.jobFinished, timeout=60000) as done:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert done.args == ["run the tracker", "failed"]
    assert "needs the video frames" in dialog.status.toolTip()
    _wait_idle(window, qtbot)
    again = window.jobs.open_run_dialog()
    assert (again.conf.value(), again.iou.value(), again.imgsz.value()) == (0.4, 0.6, 320)
    assert again.classes.text() == "person=player,sports ball=ball"
    assert again.yolo_edit.text() == "yolov8n.yaml" and again.stride.value() == 2
    # a bad class map is refused before anything is queued
    again.det_box.setCurrentIndex(labels.index("YOLO model…"))
    again.classes.setText("person")
    n = len(window.jobs.queue.jobs())
    with pytest.raises(SportTrackError, match="model_class=output_class"):
        again.choices()
    qtbot.mouseClick(again.run_button, Qt.MouseButton.LeftButton)
    assert len(window.jobs.queue.jobs()) == n
    # file detections take no model options
    again.det_box.setCurrentIndex(0)
    qtbot.waitUntil(lambda: again.isVisible())
    assert not again.det_options.isEnabled() and again.choices().conf is None


def test_dialog_shows_the_loading_phase_then_frames(window, qtbot):
    dialog = _dialog(window, every=False)
    seen = []
    real = dialog.show_progress

    def record(done, total, frame, fps, eta, stages, phase="frames", prefix=""):
        real(done, total, frame, fps, eta, stages, phase, prefix)
        seen.append((phase, total, dialog.progress.maximum(), dialog.status.text()))
    dialog.show_progress = record
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    _wait_idle(window, qtbot)
    assert seen[0] == ("reading detections", 0, 0, "reading detections…")  # busy bar
    assert seen[1][:3] == ("frames", N_FRAMES, N_FRAMES)  # the real total from frame 0
    assert dialog.progress.maximum() == N_FRAMES and dialog.eta.text() == "done"


def test_zero_boxes_is_a_yellow_warning_in_the_panel_and_the_dialog(window, qtbot):
    from sporttrack_gui.pipeline.job_queue import NO_BOXES
    from sporttrack_gui.ui.jobs_panel import WARNING_COLOUR

    p = window.session.project
    p.create_run("c", "gt", kind="gt", status="complete")  # c's gt exists but is empty
    dialog = _dialog(window)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    _wait_idle(window, qtbot)
    panel = window.jobs_dock.panel
    states = [panel.table.item(r, 3) for r in range(3)]
    assert [i.text() for i in states] == ["complete", "complete", "0 boxes"]
    assert states[2].background().color().name() == WARNING_COLOUR
    assert states[2].toolTip() == NO_BOXES
    assert dialog.status.property("warning") is True and "c: no boxes" in dialog.status.toolTip()
