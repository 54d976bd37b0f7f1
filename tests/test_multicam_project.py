"""Camera groups in a project, the shared workflow, `sporttrack multicam`, global-id edits."""

from __future__ import annotations

import json

import pytest
from multicam_testutil import project_without_pixels as _project

from sporttrack_gui.cli.main import main
from sporttrack_gui.multicam.group import (
    group_names,
    load_group,
    save_group,
)
from sporttrack_gui.project import Project


def test_group_round_trip_in_sequence_meta(tmp_path):
    path, m = _project(tmp_path)
    with Project.open(path) as p:
        assert group_names(p) == ["match"]
        g = load_group(p, "match")
        assert [c.camera for c in g.cameras] == ["main", "opposite", "wide"]
        assert [c.offset for c in g.cameras] == [c.offset for c in m.cameras]
        g.cameras = g.cameras[:2]          # a camera leaves the group
        save_group(p, g)
        assert len(load_group(p, "match").cameras) == 2
        assert "camera_group" not in p.sequence("wide")["meta"]


def test_cli_multicam_writes_runs_csv_and_scores(tmp_path, capsys):
    path, _ = _project(tmp_path)
    out = tmp_path / "global.csv"
    assert main(["multicam", str(path), "--group", "match", "--run", "gt", "--out", str(out),
                 "--fused", str(tmp_path / "fused.csv"), "--offsets", "0,?,?", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["offsets"] == [0, 7, 13]          # estimated from the players' motion
    assert res["metrics"]["global"]["idf1"] >= 0.97
    assert res["metrics"]["conflicts"] == {"two_places": 0, "same_spot": 0}
    assert res["metrics"]["positions"]["fused_median_m"] < 0.05
    rows = out.read_text().splitlines()
    assert rows[0] == "camera,frame,global_frame,local_id,global_id,x_m,y_m"
    assert len(rows) - 1 == res["boxes"]
    with Project.open(path, readonly=True) as p:
        for run in res["global_runs"].values():
            boxes = p.boxes(run)
            assert len(boxes) > 0 and boxes.track_id.max() <= res["global_ids"]
    # a second run refuses to overwrite the global runs (their edits) without --replace
    assert main(["multicam", str(path), "--group", "match"]) == 2
    assert "--replace" in capsys.readouterr().err


def test_bad_input_exits_2_and_leaves_project(tmp_path, capsys):
    path, _ = _project(tmp_path)
    before = path.read_bytes()
    assert main(["multicam", str(path), "--group", "nope"]) == 2
    assert "no camera group 'nope'" in capsys.readouterr().err
    assert main(["multicam", str(path), "--group", "match", "--run", "bytetrack"]) == 2
    assert "has no run 'bytetrack'" in capsys.readouterr().err
    assert main(["multicam", str(path), "--group", "match", "--offsets", "0,x,1"]) == 2
    assert path.read_bytes() == before


def test_global_edits_apply_to_every_camera_and_undo_together(tmp_path, capsys):
    from sporttrack_gui.multicam.edits import apply_global_edit, redo_global, undo_global
    from sporttrack_gui.multicam.workflow import run_multicam

    path, _ = _project(tmp_path)
    res = run_multicam(path, "match", "gt")
    runs = res.global_runs
    with Project.open(path) as p:
        before = {c: p.boxes(r) for c, r in runs.items()}
        both = [c for c, t in before.items() if {1, 2} <= set(t.track_id.tolist())]
        assert len(both) >= 2
        r = apply_global_edit(p, "match", "swap", 1, 2, frame=50)
        assert set(both) <= set(r.cameras)
        for cam in both:
            t, b = p.boxes(runs[cam]), before[cam]
            off = res.offsets[res.cameras.index(next(c for c in res.cameras if c.camera.camera == cam))]
            ids_of = lambda tab: {(int(f), round(float(x), 2)): int(i) for f, x, i in  # noqa: E731
                                  zip(tab.frame, tab.xywh[:, 0], tab.track_id, strict=True)}
            was, now = ids_of(b), ids_of(t)
            for key, i in was.items():
                expect = 3 - i if i in (1, 2) and key[0] >= 50 - off else i
                assert now[key] == expect
        s = apply_global_edit(p, "match", "split", 3, frame=80)
        assert s.new_id is not None and s.new_id > res.association.n_ids
        undo_global(p, "match")
        undo_global(p, "match")
        for cam, r_id in runs.items():
            assert p.boxes(r_id).equals(before[cam])
        assert redo_global(p, "match") is not None
        assert not p.boxes(runs[both[0]]).equals(before[both[0]])
        # a merge of two ids seen together is refused in every camera, nothing changes
        snapshot = {c: p.boxes(r) for c, r in runs.items()}
        with pytest.raises(Exception, match="camera"):
            apply_global_edit(p, "match", "merge", 1, 2)
        for cam, r_id in runs.items():
            assert p.boxes(r_id).equals(snapshot[cam])
