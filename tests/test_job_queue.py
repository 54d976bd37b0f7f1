"""The Qt-free job queue (issue #17): runs in order, one failing job does not stop the
rest, queued jobs cancel at once, the detector phase comes before the frame count."""

from __future__ import annotations

import threading

import pytest

from sporttrack_gui.pipeline.job_queue import (
    CANCELLED,
    COMPLETE,
    FAILED,
    NO_BOXES,
    QUEUED,
    JobQueue,
)
from sporttrack_gui.pipeline.run_request import RunChoices, prepare_config
from sporttrack_gui.project import Project

N_FRAMES = 120


def make_project(path, names=("a", "b", "c"), gt_on=("a", "b"), n_frames=N_FRAMES):
    """Sequences without media whose gt run serves as detections (nothing is decoded)."""
    from sporttrack_gui.media.synthetic import MatchConfig, simulate_match

    gt = simulate_match(MatchConfig(n_frames=n_frames, seed=3)).gt
    with Project.open(path, create=True) as p:
        for name in names:
            sid = p.add_sequence(name, "", kind="images", width=1280, height=720, fps=25.0,
                                 frame_count=n_frames)
            if name in gt_on:
                p.append_boxes(p.create_run(sid, "gt", kind="gt", status="complete"), gt)
    return path


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "q.stp")


def _queue_all(queue, project, choices):
    from sporttrack_gui.pipeline.run_request import queue_runs

    with Project.open(project, readonly=True) as p:
        seqs = p.sequences()
    return queue_runs(queue, str(project), seqs, choices)


def test_queue_runs_in_order_and_a_failure_does_not_stop_it(project):
    seen = []
    queue = JobQueue(on_change=lambda j: seen.append((j.id, j.state)))
    choices = RunChoices(detection=("gt", "gt"), tracker="sort", run_name="all")
    # c has no gt run: that job fails with a message naming the sequence
    jobs = _queue_all(queue, project, choices)
    jobs.insert(1, jobs.pop())  # run order a, c, b: the failure sits between two runs
    queue._jobs[:] = jobs  # noqa: SLF001 - reorder for the test
    assert [j.state for j in jobs] == [QUEUED] * 3
    ran = queue.run_all()
    assert [j.sequence for j in ran] == ["a", "c", "b"]
    assert [j.state for j in ran] == [COMPLETE, FAILED, COMPLETE]
    assert "“c”" in ran[1].error and "gt run “gt”" in ran[1].error
    starts = [j.started for j in ran]
    assert starts == sorted(starts)
    assert all(j.ended >= j.started for j in ran)
    with Project.open(project, readonly=True) as p:
        for name in ("a", "b"):
            run = next(r for r in p.runs(name) if r["name"] == "all")
            assert run["status"] == "complete" and p.run_stats(run["id"])["boxes"] > 0
        assert not [r for r in p.runs("c") if r["name"] == "all"]
    assert ran[0].result.frames == N_FRAMES and ran[0].done == ran[0].total == N_FRAMES
    # states were reported as they changed, queued -> running -> end
    a_states = [s for i, s in seen if i == ran[0].id]
    assert a_states[0] == QUEUED and a_states[1] == "running" and a_states[-1] == COMPLETE


def test_cancel_queued_and_running_jobs(project):
    queue = JobQueue()
    choices = RunChoices(detection=("gt", "gt"), tracker="sort")
    a, b, c = _queue_all(queue, project, choices)
    assert queue.cancel(c.id) and c.state == CANCELLED  # queued: done with at once
    assert not queue.cancel(c.id)
    phases = []

    def progress(job, p):
        phases.append((p.phase, p.done, p.total))
        if p.done >= 30:
            queue.cancel(job.id)  # running: it stops between frames

    a.prepare = _slow(a.prepare)
    queue.run(a, progress)
    assert a.state == CANCELLED and 30 <= a.result.frames < N_FRAMES
    with Project.open(project, readonly=True) as p:
        assert p.run(a.result.run_id)["status"] == "incomplete"
    # the phase before the frames, then frames with the real total from the start
    assert phases[0] == ("reading detections", 0, 0)
    assert phases[1] == ("frames", 0, N_FRAMES)
    assert queue.remove(c.id) and queue.get(c.id) is None
    assert [j.id for j in queue.run_all()] == [b.id] and b.state == COMPLETE
    assert queue.clear_finished() == 2 and queue.jobs() == []


def _slow(prepare):
    """Reports after every frame so a test can cancel in the middle."""
    def build():
        config = prepare()
        config.progress_interval_s, config.batch_size = 0.0, 1
        return config
    return build


def test_zero_boxes_is_a_warning_and_a_bug_is_a_failed_job(project):
    with Project.open(project) as p:
        p.create_run("c", "gt", kind="gt", status="complete")  # empty gt on c
    queue = JobQueue()
    job = queue.add(lambda: prepare_config(project, 3, RunChoices(("gt", "gt"), "sort")),
                    sequence="c")
    queue.run(job)
    assert job.state == COMPLETE and job.warning == NO_BOXES

    def broken():
        raise ZeroDivisionError("oops")

    bad = queue.add(broken, sequence="a")
    queue.run(bad)  # never raises: the queue goes on
    assert bad.state == FAILED and "ZeroDivisionError: oops" in bad.error


def test_jobs_can_be_read_from_another_thread_while_one_runs(project):
    queue = JobQueue()
    jobs = _queue_all(queue, project, RunChoices(("gt", "gt"), "sort"))
    t = threading.Thread(target=queue.run_all)
    t.start()
    while t.is_alive():
        snaps = queue.snapshots()
        assert len(snaps) == 3 and sum(s.state == "running" for s in snaps) <= 1
    t.join()
    assert [j.state for j in jobs] == [COMPLETE, COMPLETE, FAILED]


def test_cli_queue_runs_every_sequence_and_reports_the_failed_one(project, capsys):
    import json

    from sporttrack_gui.cli.main import main

    code = main(["queue", str(project), "--tracker", "sort", "--detections", "gt",
                 "--run-name", "q", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["counts"] == {"complete": 2, "failed": 1}
    assert [r["sequence"] for r in out["jobs"]] == ["a", "b", "c"]
    assert out["jobs"][0]["run"] == "q" and out["jobs"][0]["frames"] == N_FRAMES
    assert "gt run “gt”" in out["jobs"][2]["error"]
    assert main(["queue", str(project), "--detections", "gt", "--sequences", "a,b",
                 "--json"]) == 0
    capsys.readouterr()
    assert main(["queue", str(project), "--sequences", "zz"]) == 2
    assert main(["queue", str(project), "--detector", "yolo:m.pt", "--classes", "x"]) == 2


def test_a_job_cancelled_after_it_was_handed_to_a_worker_keeps_an_incomplete_run(project):
    """The GUI claims a job before its thread starts: a cancel in between must stop the
    run (stored, incomplete), not silently un-queue it while the worker runs anyway."""
    queue = JobQueue()
    a, *_ = _queue_all(queue, project, RunChoices(("gt", "gt"), "sort"))
    assert queue.claim(a) and not queue.claim(a)
    assert queue.cancel(a.id) and a.state == "running"
    queue.run(a)
    assert a.state == CANCELLED and a.result is not None and a.result.status == "incomplete"
    with Project.open(project, readonly=True) as p:
        assert p.run(a.result.run_id)["status"] == "incomplete"


def test_cli_queue_does_not_load_qt(project):
    """cli/ may import everything below ui/, never Qt (a server has no display libs)."""
    import subprocess
    import sys

    code = ("import sys; from sporttrack_gui.cli.main import main; "
            f"rc = main(['queue', {str(project)!r}, '--detections', 'gt', '--sequences', 'a', "
            "'--json']); assert 'PySide6' not in sys.modules, 'Qt was imported'; "
            "sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr


def test_a_model_detector_reports_loading_before_it_is_built(tmp_path):
    """The run dialog says "loading model…" while weights load (seconds), not "0 / N"."""
    from sporttrack_gui.errors import SportTrackError
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    reports = []
    config = PipelineConfig(source=tmp_path, detector="yolo:no-such-weights.pt",
                            out=tmp_path / "res.txt")
    with pytest.raises(SportTrackError, match="no-such-weights"):
        run_pipeline(config, progress=reports.append)
    assert [(r.phase, r.total) for r in reports] == [("loading model", 0)]
