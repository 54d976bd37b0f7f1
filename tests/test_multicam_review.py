"""Bugs found in the review of the multi-camera feature (each test failed before its fix)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from multicam_testutil import project_without_pixels as _project

from sporttrack_gui.cli.main import main
from sporttrack_gui.multicam.group import load_group, save_group
from sporttrack_gui.project import Project


def _forget_offsets(path) -> None:
    with Project.open(path) as p:
        g = load_group(p, "match")
        for c in g.cameras:
            c.offset = None
        save_group(p, g)


def test_delete_at_a_frame_before_a_cameras_clip_leaves_that_camera_alone(tmp_path):
    from sporttrack_gui.multicam.edits import apply_global_edit
    from sporttrack_gui.multicam.workflow import run_multicam

    path, m = _project(tmp_path)                      # offsets 0, 7, 13
    res = run_multicam(path, "match", "gt")
    wide = res.global_runs["wide"]
    with Project.open(path) as p:
        main_t, wide_t = p.boxes(res.global_runs["main"]), p.boxes(wide)
        # an id shown by "main" at global frame 5 and by "wide" on its first frame (global 14)
        gid = next(int(g) for g in np.unique(main_t.track_id[main_t.frame == 5])
                   if g in set(wide_t.track_id[wide_t.frame == 1].tolist()))
        before = p.boxes(wide)
        apply_global_edit(p, "match", "delete", gid, frame=5)
        # global frame 5 is before the wide camera's clip: nothing of it may change
        assert p.boxes(wide).equals(before)


def test_estimated_offsets_are_used_by_global_edits_and_the_view(tmp_path):
    from sporttrack_gui.multicam.edits import apply_global_edit
    from sporttrack_gui.multicam.view_data import load_group_view
    from sporttrack_gui.multicam.workflow import run_multicam

    path, m = _project(tmp_path)
    _forget_offsets(path)
    res = run_multicam(path, "match", "gt")
    assert res.offsets == [0, 7, 13]
    view = load_group_view(path, "match")
    assert [c.offset for c in view.cameras] == [0, 7, 13]
    wide = res.global_runs["wide"]
    with Project.open(path) as p:
        before = p.boxes(wide)
        a, b = (int(v) for v in np.unique(before.track_id[before.frame == 47])[:2])
        apply_global_edit(p, "match", "swap", a, b, frame=60)
        after = p.boxes(wide)
    key = lambda t: {(int(f), round(float(x), 2), round(float(y), 2)): int(i)  # noqa: E731
                     for f, (x, y), i in zip(t.frame, t.xywh[:, :2], t.track_id, strict=True)}
    was, now = key(before), key(after)
    changed = np.array([k[0] for k, i in was.items() if now[k] != i])
    assert changed.min() == 60 - 13     # from camera frame 47 (= global frame 60) on


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", "npz"])
def test_unreadable_homography_file_is_a_clear_input_error(tmp_path, capsys, content):
    path, _ = _project(tmp_path)
    with Project.open(path) as p:
        h = load_group(p, "match").cameras[1].homographies
    if content == "npz":
        np.savez(h.replace(".npy", ".npz"), h=np.eye(3)[None])
        with Project.open(path) as p:
            g = load_group(p, "match")
            g.cameras[1].homographies = h.replace(".npy", ".npz")
            save_group(p, g)
    else:
        with open(h, "wb") as fh:
            fh.write(content)
    before = path.read_bytes()
    assert main(["multicam", str(path), "--group", "match", "--json"]) == 2
    err = json.loads(capsys.readouterr().out)
    assert "opposite" in err["error"] and err["file"]
    assert path.read_bytes() == before


def test_unwritable_csv_is_exit_2_and_the_project_is_unchanged(tmp_path, capsys):
    path, _ = _project(tmp_path)
    before = path.read_bytes()
    folder = tmp_path / "a_folder"
    folder.mkdir()
    assert main(["multicam", str(path), "--group", "match", "--out", str(folder), "--json"]) == 2
    err = json.loads(capsys.readouterr().out)
    assert str(folder) in err["error"]
    assert path.read_bytes() == before
    with Project.open(path, readonly=True) as p:
        assert all(r["name"] != "global" for r in p.runs())
    assert sorted(x.name for x in folder.iterdir()) == []



def test_offsets_given_for_one_run_are_the_ones_its_view_uses(tmp_path):
    from sporttrack_gui.multicam.view_data import load_group_view
    from sporttrack_gui.multicam.workflow import run_multicam

    path, _ = _project(tmp_path)
    with Project.open(path) as p:
        g = load_group(p, "match")
        for c in g.cameras:
            c.offset = 0                           # stored offsets are wrong ...
        save_group(p, g)
    run_multicam(path, "match", "gt", offsets=[0, 7, 13])   # ... this run was told the right ones
    assert [c.offset for c in load_group_view(path, "match").cameras] == [0, 7, 13]


def test_screenshot_of_an_unknown_group_is_refused(tmp_path, capsys):
    path, _ = _project(tmp_path)
    out = tmp_path / "shot.png"
    assert main(["multicam", str(path), "--group", "nope", "--screenshot", str(out)]) == 2
    assert "no camera group 'nope'" in capsys.readouterr().err
    assert not out.exists()


def test_rendered_homographies_appear_only_when_complete(tmp_path, monkeypatch):
    from sporttrack_gui.media import sim_multicam
    from sporttrack_gui.media.sim_multicam import HOMOGRAPHY_FILE, MultiCamConfig, render_multicam
    from sporttrack_gui.media.synthetic import MatchConfig

    def cut(file, arr, **kw):
        with open(file, "wb") as fh:
            fh.write(b"\x93NUMPY half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim_multicam.np, "save", cut)
    with pytest.raises(OSError):
        render_multicam(tmp_path, MultiCamConfig(MatchConfig(n_frames=12, seed=3), cameras=2,
                                                 offsets=(0, 2)))
    assert not list(tmp_path.rglob(HOMOGRAPHY_FILE))


def test_undo_after_the_global_runs_were_replaced_has_nothing_to_undo(tmp_path, capsys):
    path, _ = _project(tmp_path, frames=60)
    assert main(["multicam", str(path), "--group", "match"]) == 0
    assert main(["multicam", str(path), "--group", "match", "--edit", "swap", "1", "2",
                 "--frame", "10"]) == 0
    assert main(["multicam", str(path), "--group", "match", "--replace"]) == 0
    capsys.readouterr()
    # the edit belonged to runs that no longer exist: not "no run with id 7"
    assert main(["multicam", str(path), "--group", "match", "--edit", "undo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["edit"] == "nothing to undo"


def test_global_csv_stays_parseable_with_a_comma_in_a_camera_name(tmp_path):
    import csv

    from sporttrack_gui.multicam.workflow import run_multicam

    path, _ = _project(tmp_path, frames=40)
    with Project.open(path) as p:
        g = load_group(p, "match")
        g.cameras[1].camera = 'stand "B", row 2'
        save_group(p, g)
    out = tmp_path / "global.csv"
    res = run_multicam(path, "match", "gt", write_run=None, out_csv=out)
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert all(len(r) == 7 for r in rows)
    assert {r[0] for r in rows[1:]} == {c.camera.camera for c in res.cameras}
