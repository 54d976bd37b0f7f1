"""A pipeline process killed with SIGKILL mid-run leaves a sound project behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
from sporttrack_gui.project import Project

CHILD = textwrap.dedent("""
    import sys, time
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    def report(p):
        print(p.committed, flush=True)
        time.sleep(0.01)  # slow enough for the parent to kill it mid-way

    cfg = PipelineConfig(source=None, detector="gt:" + sys.argv[1], tracker="bytetrack",
                         project=sys.argv[2], sequence="s", run_name="killed",
                         frame_range=(1, 750), batch_size=2, commit_every=10,
                         progress_interval_s=0.0)
    run_pipeline(cfg, progress=report)
    print("finished", flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_mid_run_leaves_consistent_project(snmot116, tmp_path):
    gt = str(snmot116 / "gt" / "gt.txt")
    project = tmp_path / "p.sqlite"
    child = subprocess.Popen([sys.executable, "-c", CHILD, gt, str(project)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    committed = 0
    deadline = time.monotonic() + 60
    try:
        for line in child.stdout:
            if line.strip() == "finished":
                pytest.fail("child finished before it could be killed")
            committed = max(committed, int(line))
            if committed >= 200 or time.monotonic() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, child.stderr.read()
    assert 200 <= committed < 750

    with Project.open(project) as p:  # opening for writing retires the orphaned run
        assert p.integrity_check() == "ok"
        run_id = p.run_id("killed")
        assert p.run(run_id)["status"] == "incomplete"
        killed = p.boxes(run_id)
    # every batch reported committed is there, identical to an uninterrupted run's boxes
    ref = run_pipeline(PipelineConfig(source=None, detector=f"gt:{gt}", tracker="bytetrack",
                                      out=tmp_path / "ref.txt", frame_range=(1, committed)))
    assert ref.status == "complete"
    from sporttrack_gui.formats.mot import read_mot

    expected = read_mot(tmp_path / "ref.txt", kind="results").sorted()
    got = killed.select(killed.frame <= committed).sorted()
    assert len(got) == len(expected) > 0
    np.testing.assert_array_equal(got.frame, expected.frame)
    np.testing.assert_array_equal(got.track_id, expected.track_id)
    np.testing.assert_allclose(got.xywh, expected.xywh, atol=0.01)
