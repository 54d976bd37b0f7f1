"""``sporttrack --self-test`` in-process: every step passes here, the output has one line
per step, and a failing step turns the exit code to 1 without hiding the others."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from sporttrack_gui import selftest

pytestmark = pytest.mark.gui  # the last step renders the main window (offscreen)

LINE = re.compile(r"^\[\s*(\d+)/(\d+)\] (\S+)\s+(\d+\.\d+) s  (PASS|FAIL)  (.*)$")


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def test_self_test_passes_end_to_end(capsys, tmp_path, monkeypatch):
    home = tmp_path / "user-home"
    monkeypatch.setenv("SPORTTRACK_HOME", str(home))
    from sporttrack_gui.runtime import apply_runtime_defaults

    apply_runtime_defaults()  # what any start does in the real home (ultralytics config)
    before = _files(home)
    t0 = time.perf_counter()
    code = selftest.run_self_test()
    elapsed = time.perf_counter() - t0
    out = capsys.readouterr().out
    steps = [LINE.match(line) for line in out.splitlines() if line.startswith("[")]
    assert all(steps), out
    assert [m.group(3) for m in steps] == [name for name, _ in selftest.STEPS]
    failed = [m.group(0) for m in steps if m.group(5) != "PASS"]
    assert code == 0 and not failed, out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(f"self-test PASS: {len(selftest.STEPS)}/{len(selftest.STEPS)}")
    mota = float(re.search(r"MOTA (\d\.\d+)", out).group(1))
    assert selftest.MIN_MOTA <= mota <= 1.0
    # the home was redirected into the temp folder and put back; the user's home got no
    # project, settings or log from the self-test; the temp folder is gone
    assert os.environ["SPORTTRACK_HOME"] == str(home)
    assert _files(home) == before
    workdir = Path(re.search(r"working in (\S+)", out).group(1))
    assert not workdir.exists()
    assert elapsed < 60, f"self-test took {elapsed:.1f} s"


def test_a_failing_step_fails_the_run_and_dependents_say_why(tmp_path):
    def produce(ctx: selftest.Context) -> str:
        raise ZeroDivisionError("deliberate")

    def consume(ctx: selftest.Context) -> str:
        return str(ctx.need("value"))

    def fine(ctx: selftest.Context) -> str:
        return "still ran"

    lines: list[str] = []
    results = selftest.run_steps(tmp_path, [("produce", produce), ("consume", consume),
                                            ("fine", fine)], echo=lines.append)
    assert [r.ok for r in results] == [False, False, True]
    assert "ZeroDivisionError: deliberate" in results[0].detail
    assert "test_selftest.py" in results[0].detail  # where it failed
    assert results[1].detail == "needs 'value' from an earlier step that failed"
    assert [LINE.match(x).group(5) for x in lines] == ["FAIL", "FAIL", "PASS"]


def test_run_self_test_exit_code_follows_the_steps(monkeypatch, capsys):
    def bad(ctx: selftest.Context) -> str:
        selftest.check(False, "a check that does not hold")
        return ""

    monkeypatch.setattr(selftest, "STEPS", [("bad", bad)])
    assert selftest.run_self_test() == 1
    out = capsys.readouterr().out
    assert "FAIL  a check that does not hold" in out
    assert "self-test FAIL (bad): 0/1 steps passed" in out
