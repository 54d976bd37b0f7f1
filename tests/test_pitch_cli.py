"""``sporttrack pitch`` on an imported synthetic match: CSV, figures, heatmaps, teams."""

from __future__ import annotations

import json

import numpy as np

from sporttrack_gui.cli.main import main
from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.pitch import load_template


def _calibrated_project(tmp_path, n_frames: int):
    """A synthetic match (seed 1) imported into a project, plus the calibration a user
    would click on frame 1: every template landmark visible in it."""
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    m = render_match(tmp_path / "match", MatchConfig(n_frames=n_frames, seed=1))
    proj = tmp_path / "p.stp"
    assert main(["import", str(proj), str(m.img_dir)]) == 0
    pairs = []
    for name, xy in load_template().keypoints.items():
        x, y = apply_homography(m.sim.pitch_to_image[0], [xy])[0]
        if 5 < x < 1275 and 5 < y < 715:
            pairs.append({"image": [float(x), float(y)], "keypoint": name})
    (tmp_path / "calib.json").write_text(json.dumps({"frame": 1, "pairs": pairs}))
    return m, proj


def test_pitch_command_maps_run_and_assigns_teams(tmp_path, capsys):
    from sporttrack_gui.project import Project

    m, proj = _calibrated_project(tmp_path, 60)
    capsys.readouterr()
    rc = main(["pitch", str(proj), "--run", "gt", "--calib", str(tmp_path / "calib.json"),
               "--out", str(tmp_path / "pos.csv"), "--heatmaps", str(tmp_path / "hm"),
               "--teams", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["boxes_unmapped"] == 0 and out["calibration_rms_px"] < 0.5
    rows = np.loadtxt(tmp_path / "pos.csv", delimiter=",", skiprows=1)
    assert len(rows) == out["boxes_mapped"] == len(m.gt)
    players = {p["track_id"]: p for p in out["players"]}
    assert all(players[t]["distance_m"] > 0 for t in (1, 2, 3))
    # kit colours: the simulation's team 0 and team 1 land in two different clusters
    teams = {int(k): v for k, v in out["teams"].items()}
    truth = m.sim.teams
    for a in range(1, 11):
        for b in range(1, 11):
            same = truth[a - 1] == truth[b - 1]
            assert (teams[a] == teams[b]) == same
    assert teams[11] == teams[12] == "other"  # referee and ball
    with Project.open(proj, readonly=True) as p:
        assert p.track_meta(p.run_id("gt"))[1]["team"] == teams[1]
    assert (tmp_path / "hm" / "heatmap_all.png").stat().st_size > 1000


def test_export_demo_video_with_minimap(tmp_path, capsys):
    import cv2

    _, proj = _calibrated_project(tmp_path, 30)
    capsys.readouterr()
    out = tmp_path / "demo.mp4"
    assert main(["export", str(proj), "--run", "gt", "--format", "video", "--out", str(out),
                 "--calib", str(tmp_path / "calib.json"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["frames"] == 30 and res["minimap"] is True
    cap = cv2.VideoCapture(str(out))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, first = cap.read()
    cap.release()
    assert ok and n == 30
    # the minimap sits bottom-right: pitch green with white lines, unlike the frame's corner
    corner = first[-60:-20, -200:-40].astype(int)
    assert corner[..., 1].mean() > corner[..., 2].mean()
