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
