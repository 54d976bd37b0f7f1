"""Run management shared by the GUI's run menu and the CLI (issue #17)."""

from __future__ import annotations

import pytest

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import Project, run_admin


def _project(tmp_path) -> tuple[Project, int, int]:
    p = Project.open(tmp_path / "p.stp", create=True)
    seq = p.add_sequence("s", "", kind="images", frame_count=10)
    gt = p.create_run(seq, "gt", kind="gt", status="complete")
    return p, seq, gt


def test_gt_is_locked_until_unlocked(tmp_path):
    p, seq, gt = _project(tmp_path)
    assert run_admin.is_locked(p.run(gt))
    assert not run_admin.is_locked(run_admin.set_locked(p, gt, False))
    assert run_admin.is_locked(run_admin.set_locked(p, gt, True))
    manual = run_admin.new_manual_run(p, seq)
    assert not run_admin.is_locked(p.run(manual))
    with pytest.raises(ProjectError, match="not ground truth"):
        run_admin.set_locked(p, manual, True)
    assert p.run(run_admin.new_manual_run(p, seq))["name"] == "manual-2"


def test_copy_rename_delete(tmp_path):
    p, seq, gt = _project(tmp_path)
    copy = run_admin.copy_run(p, gt, "fixed")
    assert p.run(copy)["kind"] == "manual"
    with pytest.raises(ProjectError, match="already has a run 'gt'"):
        run_admin.rename_run(p, copy, "gt")
    with pytest.raises(ProjectError, match="empty"):
        run_admin.copy_run(p, gt, "  ")
    run_admin.rename_run(p, copy, "fixed-v2")
    assert p.run(copy)["name"] == "fixed-v2"
    running = p.create_run(seq, "live")
    with pytest.raises(ProjectError, match="still running"):
        run_admin.delete_run(p, running)
    run_admin.delete_run(p, copy)
    assert {r["name"] for r in p.runs(seq)} == {"gt", "live"}
    p.close()


def test_cli_manages_runs_like_the_gui(tmp_path, capsys):
    from sporttrack_gui.cli.main import main

    p, _seq, gt = _project(tmp_path)
    p.close()
    path = str(tmp_path / "p.stp")
    assert main(["project", "runs", path, "--run", "gt", "--copy", "fixed"]) == 0
    assert main(["project", "runs", path, "--run", "fixed", "--rename", "fixed-v2", "--json"]) == 0
    assert '"new_name": "fixed-v2"' in capsys.readouterr().out
    assert main(["project", "runs", path, "--run", "gt", "--unlock"]) == 0
    assert main(["project", "runs", path, "--run", "fixed-v2", "--rename", "gt"]) == 2
    assert main(["project", "runs", path, "--run", "gt"]) == 2  # no action: usage
    assert main(["project", "runs", path, "--run", "fixed-v2", "--delete"]) == 0
    with Project.open(path) as q:
        assert [(r["name"], run_admin.is_locked(r)) for r in q.runs()] == [("gt", False)]


def _tracker_run(p: Project, seq: int, name: str = "bytetrack-1") -> int:
    import numpy as np

    from sporttrack_gui.formats.mot_table import MotTable

    run = p.create_run(seq, name, kind="tracker", params={"tracker": "bytetrack"})
    frame = np.repeat(np.arange(1, 6), 2)
    track = np.tile([1, 2], 5)
    xywh = np.column_stack([track * 50.0, frame * 2.0, np.full(10, 20.0), np.full(10, 40.0)])
    p.append_boxes(run, MotTable(frame=frame, track_id=track, xywh=xywh,
                                              conf=np.full(10, 0.7), cls=np.zeros(10), vis=np.ones(10)))
    p.set_run_status(run, "complete")
    p.set_run_metrics(run, {"mota": 0.5})
    return run


def test_first_edit_of_raw_output_forks_a_copy_with_the_same_id(tmp_path):
    from sporttrack_gui.project import ops

    p, seq, gt = _project(tmp_path)
    run = _tracker_run(p, seq)
    before = p.boxes(run)
    assert run_admin.is_untouched_raw(p, p.run(run))
    assert not run_admin.is_untouched_raw(p, p.run(gt))
    assert run_admin.edit_copy_name(p, p.run(run)) == "bytetrack-1-fixed"
    raw = run_admin.fork_for_edit(p, run, "bytetrack-1-fixed")
    # the raw output is intact under its name, kind, params and metrics
    kept = p.run(raw)
    assert (kept["name"], kept["kind"], kept["status"]) == ("bytetrack-1", "tracker", "complete")
    assert kept["params"] == {"tracker": "bytetrack"} and kept["metrics"] == {"mota": 0.5}
    assert p.boxes(raw).equals(before)
    # the shown id is the editable copy: edits by box id land there
    copy = p.run(run)
    assert (copy["name"], copy["kind"]) == ("bytetrack-1-fixed", "manual")
    assert copy["params"]["copied_from"] == "bytetrack-1" and copy["metrics"] == {}
    assert not run_admin.is_untouched_raw(p, copy)
    ops.Delete(1).apply(p, run)
    assert set(p.boxes(run).track_id.tolist()) == {2}
    assert p.boxes(raw).equals(before)
    assert p.run_id("bytetrack-1", seq) == raw
    # a raw run edited once (or chosen to be edited in place) is not asked about again
    other = _tracker_run(p, seq, "sort-1")
    run_admin.allow_raw_edits(p, other)
    assert not run_admin.is_untouched_raw(p, p.run(other))
    third = _tracker_run(p, seq, "sort-2")
    ops.Delete(2).apply(p, third)
    assert not run_admin.is_untouched_raw(p, p.run(third))
    with pytest.raises(ProjectError, match="already has a run"):
        run_admin.fork_for_edit(p, third, "sort-1")
    p.close()


def test_trashed_run_is_hidden_restorable_and_purged(tmp_path):
    p, seq, gt = _project(tmp_path)
    run = _tracker_run(p, seq)
    before = p.boxes(run)
    run_admin.trash_run(p, run)
    assert [r["name"] for r in p.runs(seq)] == ["gt"]
    with pytest.raises(ProjectError, match="no run named"):
        p.run_id("bytetrack-1")
    # the name is free again meanwhile; the restored run then gets the next free name
    again = p.create_run(seq, "bytetrack-1", kind="tracker", status="complete")
    restored = run_admin.restore_run(p, run)
    assert restored["name"] == "bytetrack-1-2" and "trashed" not in restored["params"]
    assert p.boxes(run).equals(before)
    with pytest.raises(ProjectError, match="not in the trash"):
        run_admin.restore_run(p, run)
    run_admin.trash_run(p, again)
    assert run_admin.purge_trashed(p, owner="someone else") == []
    assert run_admin.purge_trashed(p, exclude_owner="someone else") == [again]
    assert run_admin.trashed_runs(p) == []
    # a crash leaves trashed runs behind: the next process to open the project purges them
    run_admin.trash_run(p, run)
    p.close()
    from sporttrack_gui.project import lock

    token = lock.PROCESS_TOKEN
    try:
        lock.PROCESS_TOKEN = "another-process"
        with Project.open(tmp_path / "p.stp") as q:
            assert run_admin.trashed_runs(q) == [] and {r["name"] for r in q.runs()} == {"gt"}
    finally:
        lock.PROCESS_TOKEN = token


def test_add_a_tracked_box_to_an_annotation_run(tmp_path):
    import numpy as np

    from sporttrack_gui.errors import EditConflict
    from sporttrack_gui.project import history
    from sporttrack_gui.track.sot_store import store_sot_run

    p, seq, gt = _project(tmp_path)
    manual = _tracker_run(p, seq, "manual-1")
    boxes = np.array([[10, 10, 20, 40], [np.nan] * 4, [14, 10, 20, 40]], float)
    sot = store_sot_run(p, seq, "csrt-2", 2, boxes, np.ones(3), {"tracker": "csrt"})
    before = p.boxes(manual)
    tid, result = run_admin.add_track_to_run(p, sot, manual)
    assert tid == 3  # the next free id: tracks 1 and 2 exist
    added = p.boxes(manual, track=tid)
    assert added.frame.tolist() == [2, 4] and added.xywh[:, 0].tolist() == [10, 14]
    assert result.delta is not None
    history.undo(p, manual)  # one undoable edit
    assert p.boxes(manual).equals(before)
    with pytest.raises(EditConflict):  # an id in use on those frames is refused
        run_admin.add_track_to_run(p, sot, manual, new_id=1)
    other = p.add_sequence("t", "", kind="images", frame_count=10)
    with pytest.raises(ProjectError, match="different sequences"):
        run_admin.add_track_to_run(p, sot, p.create_run(other, "m", kind="manual"))
    p.close()
    from sporttrack_gui.cli.main import main

    path = str(tmp_path / "p.stp")
    assert main(["project", "runs", path, "--run", "csrt-2", "--add-to", "manual-1"]) == 0
    with Project.open(path, readonly=True) as q:
        assert len(q.boxes(q.run_id("manual-1", "s"), track=3)) == 2
    assert main(["project", "runs", path, "--run", "csrt-2", "--add-to", "nope"]) == 2


def test_sot_score_names_the_gt_track_and_its_frames(tmp_path):
    import numpy as np

    from sporttrack_gui.eval.sot_gt import score_against_gt

    p, seq, gt = _project(tmp_path)
    from sporttrack_gui.formats.mot_table import MotTable

    # gt track 7 on frames 1-4 only, track 8 far away
    frame = np.array([1, 2, 3, 4, 1])
    p.append_boxes(gt, MotTable(frame=frame, track_id=[7, 7, 7, 7, 8],
                                xywh=[[10, 10, 20, 40]] * 4 + [[300, 10, 20, 40]],
                                conf=np.ones(5), cls=np.ones(5), vis=np.ones(5)))
    track = np.array([[10, 10, 20, 40], [11, 10, 20, 40], [np.nan] * 4, [10, 10, 20, 40],
                      [10, 10, 20, 40], [10, 10, 20, 40]], float)
    score = score_against_gt(p, seq, 1, track)
    assert (score.gt_track, score.gt_frames, score.tracked_frames) == (7, 4, 6)
    assert "gt track 7 of “gt” on 4 of 6 frames" in score.describe()
    assert score.metrics()["gt_frames"] == 4 and 0 < score.result.auc < 1
    assert score_against_gt(p, seq, 1, track + [500, 0, 0, 0]) is None  # overlaps no gt box
    p.close()
