"""`sporttrack demo --cameras 3` end to end: rendered cameras, grouped project, multicam with
kit-colour appearance, the view's screenshot path."""

from __future__ import annotations

import json

import pytest

from sporttrack_gui.cli.main import main


@pytest.mark.slow
def test_demo_cameras_then_multicam_with_colour(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--frames", "60", "--cameras", "3", "--json"]) == 0
    demo = json.loads(capsys.readouterr().out)
    assert set(demo["cameras"]) == {"main", "opposite", "wide"}
    for cam in demo["cameras"]:
        assert (out / cam / "img1" / "000001.jpg").exists()
        assert (out / cam / "homography.npy").exists()
    project = demo["project"]
    assert main(["multicam", project, "--group", "match", "--run", "gt", "--appearance", "colour",
                 "--out", str(tmp_path / "g.csv"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["metrics"]["global"]["idf1"] >= 0.97
    assert res["metrics"]["conflicts"]["two_places"] == 0
    assert "appearance" in res["seconds"]


def test_demo_cameras_out_of_range_exits_2(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "d"), "--frames", "30", "--cameras", "9"]) == 2
    assert "--cameras" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()
