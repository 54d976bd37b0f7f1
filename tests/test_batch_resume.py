"""Resuming an interrupted run: committed frames untouched, ids carried over, the stitched
run equal to an uninterrupted one (up to the renumbering of tracks born after the stop)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sporttrack_gui.batch.stitch import continue_run, vote_id_map
from sporttrack_gui.batch.synthetic import write_synthetic_match
from sporttrack_gui.eval.mot import evaluate_mot
from sporttrack_gui.formats.mot_table import MotTable
from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
from sporttrack_gui.project import Project


def _config(match, project, **kw):
    return PipelineConfig(source=match, detector=f"det:{match / 'det' / 'det.txt'}",
                          tracker="bytetrack", project=project, sequence="m",
                          run_name="bytetrack", **kw)


@pytest.fixture(scope="module")
def match(tmp_path_factory):
    return write_synthetic_match(tmp_path_factory.mktemp("season") / "m", frames=900,
                                 players=18, seed=3)


@pytest.fixture(scope="module")
def uninterrupted(match, tmp_path_factory):
    path = tmp_path_factory.mktemp("full") / "full.stp"
    run_pipeline(_config(match, path))
    with Project.open(path, readonly=True) as p:
        return p.boxes(p.run_id("bytetrack"))


def _as_reference(table: MotTable) -> MotTable:
    """A run used as ground truth: its conf column is the detector's score, which gt
    readers take as the 0/1 "consider" flag (TrackEval truncates 0.8 to 0): mark all 1."""
    ref = table.select(np.ones(len(table), bool))
    ref.conf[:] = 1
    return ref


def _interrupted(match, path, stop_at: int):
    """A run cancelled once it has passed ``stop_at`` (committed batches kept)."""
    cancel = threading.Event()

    def progress(p):
        if p.frame >= stop_at:
            cancel.set()

    res = run_pipeline(_config(match, path, progress_interval_s=0.0), progress, cancel)
    assert res.status == "incomplete"


@pytest.mark.parametrize("stop_at", [310, 555])
def test_resumed_run_equals_uninterrupted(match, uninterrupted, tmp_path, stop_at):
    path = tmp_path / "p.stp"
    _interrupted(match, path, stop_at)
    with Project.open(path, readonly=True) as p:
        run = p.run_id("bytetrack")
        before = p.boxes(run)
    committed = int(before.frame.max())
    assert stop_at <= committed < 900

    res = continue_run(path, "bytetrack", warmup=60)
    assert res.status == "complete" and res.resumed_after == committed
    with Project.open(path, readonly=True) as p:
        run = p.run(p.run_id("bytetrack"))
        after = p.boxes(run["id"])
    assert run["status"] == "complete" and run["metrics"]["resumes"] == 1
    assert run["metrics"]["frames"] == 900
    # nothing committed before the stop changed
    assert after.select(after.frame <= committed).equals(before)
    # ids carried across the stop: no identity switch where the parts meet
    assert res.carried_ids >= 15
    m = evaluate_mot(_as_reference(uninterrupted), after)
    assert m["num_switches"] <= 2, m["num_switches"]
    assert m["idf1"] >= 0.99 and m["recall"] >= 0.995 and m["precision"] >= 0.995


def test_complete_run_is_left_alone(match, tmp_path):
    path = tmp_path / "p.stp"
    run_pipeline(_config(match, path))
    with Project.open(path, readonly=True) as p:
        before = p.boxes(p.run_id("bytetrack"))
    res = continue_run(path, "bytetrack")
    assert res.skipped
    with Project.open(path, readonly=True) as p:
        assert p.boxes(p.run_id("bytetrack")).equals(before)


def test_chunks_stitch_into_one_run(match, uninterrupted, tmp_path):
    """``run --frames 1-450`` then ``resume --frames 1-900``: one run, ids continuous."""
    path = tmp_path / "p.stp"
    run_pipeline(_config(match, path, frame_range=(1, 450)))
    res = continue_run(path, "bytetrack", overrides={"frame_range": (1, 900)})
    assert res.status == "complete"
    with Project.open(path, readonly=True) as p:
        after = p.boxes(p.run_id("bytetrack"))
    m = evaluate_mot(_as_reference(uninterrupted), after)
    assert m["num_switches"] <= 2 and m["idf1"] >= 0.99


def test_vote_map_is_one_to_one_and_needs_agreement():
    xywh = np.array([[0, 0, 10, 20], [100, 0, 10, 20]], float)
    stored = MotTable.from_arrays([1, 1, 2, 2, 3, 3], [7, 9, 7, 9, 7, 9], np.r_[xywh, xywh, xywh])
    new = MotTable.from_arrays([1, 1, 2, 2, 3], [1, 2, 1, 2, 1], np.r_[xywh, xywh, xywh[:1]])
    assert vote_id_map(new, stored) == {1: 7, 2: 9}
    assert vote_id_map(new, stored, min_votes=3) == {1: 7}
    assert vote_id_map(new, MotTable.empty()) == {}


def test_resume_refuses_non_tracker_runs(match, tmp_path):
    from sporttrack_gui.errors import ProjectError
    from sporttrack_gui.project.importer import import_source

    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        import_source(p, match, name="m")
    with pytest.raises(ProjectError, match="gt run"):
        continue_run(path, "gt")


def test_next_chunk_restarts_a_warmup_before_the_stop_not_at_frame_1(match, tmp_path):
    """``resume --frames 1-900`` after a ``--frames 1-450`` chunk (the documented way to
    extend a chunked run) re-tracks ``warmup`` frames, not the whole committed chunk."""
    path = tmp_path / "p.stp"
    run_pipeline(_config(match, path, frame_range=(1, 450)))
    res = continue_run(path, "bytetrack", warmup=60, overrides={"frame_range": (1, 900)})
    assert res.status == "complete"
    assert res.restart_frame == res.resumed_after - 60 + 1
    with Project.open(path, readonly=True) as p:
        run = p.run(p.run_id("bytetrack"))
    assert run["metrics"]["frames"] == 900 and run["params"]["frame_range"] == [1, 900]


def test_run_with_nothing_committed_restarts_at_its_own_first_frame(match, tmp_path):
    path = tmp_path / "p.stp"
    cancel = threading.Event()
    cancel.set()  # stopped before the first commit
    res = run_pipeline(_config(match, path, frame_range=(500, 900)), cancel=cancel)
    assert res.status == "incomplete"
    with Project.open(path, readonly=True) as p:
        assert len(p.boxes(p.run_id("bytetrack"))) == 0
    res = continue_run(path, "bytetrack")
    assert res.status == "complete" and res.restart_frame == 500
    with Project.open(path, readonly=True) as p:
        assert int(p.boxes(p.run_id("bytetrack")).frame.min()) >= 500


def test_continuation_keeps_boxes_without_an_id_as_detections(tmp_path):
    """A (plugin) tracker may emit boxes with id -1 (no identity). The stitched part must
    keep them as -1, not give all of them one fresh id (two boxes of one track in a frame
    would then be refused and the resumed run would fail)."""
    from sporttrack_gui.batch.stitch import ResumePoint, StitchSink

    xywh = np.array([[0, 0, 10, 20], [100, 0, 10, 20], [200, 0, 10, 20]], float)
    with Project.open(tmp_path / "p.stp", create=True) as p:
        seq = p.add_sequence("m", "", kind="video")
        run = p.create_run(seq, "t")
        p.append_boxes(run, MotTable.from_arrays([1, 2], [7, 7], xywh[[0, 0]]))
        sink = StitchSink(p, ResumePoint(run, committed=2, max_id=7, last=4), restart=1,
                          settle=0)
        sink.write(MotTable.from_arrays([1, 2, 3, 3, 3, 4, 4], [1, 1, 1, -1, -1, -1, -1],
                                        xywh[[0, 0, 0, 1, 2, 1, 2]]))
        sink.finish("complete", {})
        after = p.boxes(run)
    tail = after.select(after.frame > 2)
    assert sorted(tail.track_id.tolist()) == [-1, -1, -1, -1, 7]


def test_vote_map_ignores_boxes_without_an_id():
    xywh = np.array([[0, 0, 10, 20]], float)
    stored = MotTable.from_arrays([1, 2, 3], [-1, -1, -1], np.r_[xywh, xywh, xywh])
    new = MotTable.from_arrays([1, 2, 3], [4, 4, 4], np.r_[xywh, xywh, xywh])
    assert vote_id_map(new, stored) == {}  # never "new id 4 is stored id -1"
    assert vote_id_map(stored, new) == {}


def test_complete_run_without_boxes_at_its_end_is_left_alone(tmp_path):
    """A complete run whose last frames hold no box (empty pitch, the detector saw
    nothing) is done: resuming it must not re-track its end (or, with no box at all,
    the whole match) nor count a resume."""
    from sporttrack_gui.formats.mot import read_mot, write_mot

    match = write_synthetic_match(tmp_path / "m", frames=200, players=4, seed=1)
    det = read_mot(match / "det" / "det.txt", kind="det")
    write_mot(match / "det" / "det.txt", det.select(det.frame <= 150), kind="det")
    path = tmp_path / "p.stp"
    assert run_pipeline(_config(match, path)).status == "complete"
    with Project.open(path, readonly=True) as p:
        before = p.boxes(p.run_id("bytetrack"))
        metrics = p.run(p.run_id("bytetrack"))["metrics"]
    assert int(before.frame.max()) < 200
    res = continue_run(path, "bytetrack")
    assert res.skipped
    with Project.open(path, readonly=True) as p:
        assert p.run(p.run_id("bytetrack"))["metrics"] == metrics
