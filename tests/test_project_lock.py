"""Cross-process safety: a second writer is refused; a SIGKILLed run leaves a sound file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.errors import ProjectLockedError
from sporttrack_gui.project import Project

REPO = Path(__file__).resolve().parent.parent

HOLDER = """
import sys
from sporttrack_gui.project import Project
p = Project.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
p.close()
"""

APPENDER = """
import sys
import numpy as np
from sporttrack_gui.project import Project
p = Project.open(sys.argv[1])
run = p.create_run(p.add_sequence("s", "/s"), "bytetrack-1")
print("run", run, flush=True)
k = 0
while True:
    f = np.repeat(np.arange(k * 50 + 1, k * 50 + 51), 20)
    t = np.tile(np.arange(1, 21), 50)
    p.append_boxes(run, {"frame": f, "track_id": t, "xywh": np.ones((len(f), 4))})
    k += 1
    print("batch", k, flush=True)
"""


def _spawn(code: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)


def _rows(path: Path) -> list:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT * FROM boxes ORDER BY id").fetchall()
    finally:
        con.close()


def test_second_writer_process_refused(tmp_path):
    path = tmp_path / "shared.stp"
    with Project.open(path, create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "gt", kind="gt", status="complete")
        p.append_boxes(run, {"frame": [1, 2], "track_id": [1, 1], "xywh": np.ones((2, 4))})
    before = _rows(path)
    holder = _spawn(HOLDER, path)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(ProjectLockedError) as err:
            Project.open(path)
        assert "shared.stp" in str(err.value) and f"pid {holder.pid}" in str(err.value)
        with Project.open(path, readonly=True) as ro:  # reading needs no lock
            assert len(ro.boxes(run)) == 2
    finally:
        holder.communicate("done\n", timeout=30)
    assert _rows(path) == before
    with Project.open(path) as p:  # lock released with the holder
        assert p.run(run)["status"] == "complete"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_run_leaves_committed_batches(tmp_path):
    path = tmp_path / "killed.stp"
    Project.open(path, create=True).close()
    proc = _spawn(APPENDER, path)
    committed = 0
    try:
        run = int(proc.stdout.readline().split()[1])
        while committed < 8:
            committed = int(proc.stdout.readline().split()[1])
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    with Project.open(path) as p:
        assert p.integrity_check() == "ok"
        n = len(p.boxes(run))
        assert n >= committed * 1000 and n % 1000 == 0  # whole batches only
        assert p.run(run)["status"] == "incomplete"
