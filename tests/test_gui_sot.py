"""Run ▸ Track a box (issue #17): progress with ETA, "cancelled at frame N" after Esc,
no whole-gt read on the GUI thread at the end, curves that name their gt track and
frames, and "Add tracked box to run…" (pytest-qt)."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def _request(window, end_frame: int):
    from sporttrack_gui.ui.workers import SotRequest

    s = window.session
    gt = s.project.boxes(s.gt_run()["id"], frame=1)
    k = int(np.argmax(gt.xywh[:, 3]))  # the tallest player on frame 1
    return int(gt.track_id[k]), SotRequest(
        project=str(s.path), sequence_id=int(s.sequence["id"]), source=str(s.source()),
        tracker="csrt", init_frame=1, xywh=tuple(float(v) for v in gt.xywh[k]),
        recover=True, end_frame=end_frame)


def test_track_a_box_shows_progress_and_names_the_gt_it_was_scored_on(window, qtbot,
                                                                      monkeypatch):
    s = window.session
    gt_id = int(s.gt_run()["id"])
    target, request = _request(window, 12)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    reads = []
    real_boxes = s.project.boxes

    def boxes(run, *args, **kwargs):
        reads.append((run, args, kwargs))
        return real_boxes(run, *args, **kwargs)

    with qtbot.waitSignal(window.sot.finished, timeout=120000) as done:
        assert window.sot.start(request) is not None
        # the worker reads gt in its own connection; the GUI thread must not read it whole
        monkeypatch.setattr(s.project, "boxes", boxes)
    run_id, status = done.args
    assert status == "complete"
    progress = [m for m in messages if m.startswith("CSRT: frame")]
    assert progress and re.match(r"CSRT: frame \d+ \(\d+ of 12, \d+ %\) · [\d.]+ frames/s · "
                                 r"(estimating…|\d+ s left|\d+:\d\d left) — Esc stops",
                                 progress[-1]), progress[-1]
    assert "(12 of 12, 100 %)" in progress[-1]
    end = window.statusBar().currentMessage()
    assert end.startswith("CSRT done: frames 1–12 (12)") and "Add tracked box to run" in end
    assert not [r for r in reads if r[0] == gt_id]  # no gt read on the GUI thread
    metrics = s.project.run(run_id)["metrics"]
    assert metrics["gt_track"] == target and metrics["gt_frames"] == 12
    assert f"gt track {target} of “gt” on 12 of 12 frames" in window.plots.sot.note.text()
    assert s.run["id"] == run_id and s.project.run(run_id)["status"] == "complete"

    # Add tracked box to run…: into a new manual run, as one undoable edit
    from sporttrack_gui.ui.run_menu import RunMenu

    assert window.run_menu.actions["run_add_to"].isEnabled()
    menu = window.run_menu.context_menu(run_id)
    assert "Add to run…" in [a.text() for a in menu.actions()]
    track = window.run_menu.add_to_run(target=RunMenu.NEW_RUN)
    assert track == 1 and s.run["kind"] == "manual" and window.selected_track == 1
    assert len(s.project.boxes(s.run["id"], track=1)) == 12
    window.undo_stack.undo()
    assert len(s.project.boxes(s.run["id"])) == 0


def test_esc_cancels_and_says_at_which_frame(window, qtbot):
    _target, request = _request(window, 150)
    steps = []
    with qtbot.waitSignal(window.sot.finished, timeout=120000) as done:
        worker = window.sot.start(request)
        worker.step.connect(lambda *a: steps.append(a))
        qtbot.waitUntil(lambda: len(steps) >= 3, timeout=60000)
        window.actions_["cancel"].trigger()  # Esc
    run_id, status = done.args
    assert status == "incomplete"
    s = window.session
    boxes = s.project.boxes(run_id)
    last = int(boxes.frame.max())
    assert 3 <= len(boxes) < 150 and s.project.run(run_id)["status"] == "incomplete"
    end = window.statusBar().currentMessage()
    assert end.startswith(f"CSRT cancelled at frame {last}:"), end
    assert "done" not in end.split("—")[0]
    _run, result, _score = window.sot.last
    assert result.cancelled
