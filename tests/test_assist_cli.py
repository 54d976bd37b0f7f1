"""``sporttrack assist``: lists suspects with their proposed fix and applies them as
undoable edits (``sporttrack edit ... undo`` reverts the last one)."""

from __future__ import annotations

import json

from test_assist_scan import crossing_run, swap_ids

from sporttrack_gui.cli.main import main
from sporttrack_gui.project import Project


def _project(path) -> None:
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "synthetic", width=1280, height=720, fps=25.0, frame_count=60)
        run = p.create_run("s", "bt", kind="tracker", status="complete")
        p.append_boxes(run, swap_ids(crossing_run(), 1, 2, 31))


def test_assist_lists_applies_and_undoes(tmp_path, capsys):
    path = tmp_path / "p.stp"
    _project(path)
    assert main(["assist", str(path), "--run", "bt", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["fix"] for s in out["suspects"]] == [
        {"op": "swap", "a": 1, "b": 2, "from_frame": 31}]
    assert out["applied"] == []

    assert main(["assist", str(path), "--run", "bt", "--list"]) == 0
    text = capsys.readouterr().out
    assert "swap 1 2 --from 31" in text and "crossing" in text

    assert main(["assist", str(path), "--run", "bt", "--apply-all", "--min-score", "0.1",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["applied"]) == 1 and out["remaining"] == []
    with Project.open(path, readonly=True) as p:
        assert p.boxes(p.run_id("bt")).equals(crossing_run())

    assert main(["edit", str(path), "--run", "bt", "undo"]) == 0
    capsys.readouterr()
    with Project.open(path, readonly=True) as p:
        assert p.boxes(p.run_id("bt")).equals(swap_ids(crossing_run(), 1, 2, 31))


def test_assist_rejects_unknown_kind(tmp_path, capsys):
    path = tmp_path / "p.stp"
    _project(path)
    assert main(["assist", str(path), "--run", "bt", "--kinds", "crossing,teleport"]) == 2
    assert "teleport" in capsys.readouterr().err
