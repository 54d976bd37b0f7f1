"""The one pitch workflow (``pitch.workflow``): its three entry points agree, it follows a
panning camera, trails stay on the pitch, and the demo's pitch panel works at once.

The synthetic match knows the true pitch position of every player and the camera of every
frame, so "follows the camera" is checked against ground truth, not against another copy
of the same code.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.cli.main import main
from sporttrack_gui.media.synthetic import MatchConfig, render_match, simulate_match
from sporttrack_gui.pitch.calibration import Calibration, calibrate, save_calibration
from sporttrack_gui.pitch.synthetic import calibration_from_simulation
from sporttrack_gui.pitch.workflow import PitchRequest, run_pitch_analysis


def _clicked(cal: Calibration) -> Calibration:
    """The same point pairs without the known camera motion: what a user's clicks give."""
    return calibrate(cal.image_pts, cal.pitch_pts, frame=cal.frame, labels=cal.labels)


@pytest.fixture(scope="module")
def panning(tmp_path_factory):
    """A 100-frame match with a fast pan (4 m/s), imported, with a clicked calibration file."""
    tmp = tmp_path_factory.mktemp("pitch_workflow")
    m = render_match(tmp / "match", MatchConfig(n_frames=100, seed=1, pan_speed=4.0))
    proj = tmp / "p.stp"
    assert main(["import", str(proj), str(m.img_dir)]) == 0
    calib = tmp / "calib.json"
    save_calibration(_clicked(calibration_from_simulation(m.sim)), calib)
    return m, proj, calib


def _errors(sim, positions) -> np.ndarray:
    """Distance (m) of each mapped position to the simulation's truth, unclipped boxes only."""
    k = np.searchsorted(sim.track_ids, positions.track_id)
    truth = sim.pitch_xy[positions.frame - 1, k]
    full = sim.visibility[positions.frame - 1, k] > 0.6
    return np.linalg.norm(positions.xy[full] - truth[full], axis=1)


@pytest.mark.gui
def test_panel_cli_and_video_export_give_identical_results(qtbot, panning, tmp_path, capsys):
    from sporttrack_gui.pitch import load_template
    from sporttrack_gui.pitch.render import minimap_callback
    from sporttrack_gui.ui.pitch_view import MINIMAP_PX, PitchContext, PitchPanel
    from sporttrack_gui.ui.session import Session

    m, proj, calib = panning
    # 1. sporttrack pitch
    capsys.readouterr()
    assert main(["pitch", str(proj), "--run", "gt", "--calib", str(calib),
                 "--out", str(tmp_path / "cli.csv"), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    # 2. the GUI's pitch panel (its worker thread)
    session = Session.open(proj)
    try:
        session.select_run(session.gt_run()["id"])
        ctx = PitchContext.from_session(session)
    finally:
        session.close()
    panel = PitchPanel()
    qtbot.addWidget(panel)
    panel.set_context_provider(lambda: ctx)
    panel.load_calibration_file(calib)
    with qtbot.waitSignal(panel.computed, timeout=60000):
        assert panel.compute()
    qtbot.waitUntil(lambda: not panel.jobs.busy(), timeout=5000)
    panel.export_csv(tmp_path / "gui.csv")
    # 3. the demo-video export (CLI; the GUI's export job calls the same function)
    assert main(["export", str(proj), "--run", "gt", "--format", "video", "--calib", str(calib),
                 "--out", str(tmp_path / "v.mp4"), "--json"]) == 0
    video = json.loads(capsys.readouterr().out)

    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "gui.csv").read_bytes()
    gui_rows = sorted(panel.model.rows(), key=lambda r: r["track_id"])
    for rows in (cli["players"], video["pitch"]["players"]):
        assert len(rows) == len(gui_rows) == 12
        for a, b in zip(sorted(rows, key=lambda r: r["track_id"]), gui_rows, strict=True):
            assert {k: a[k] for k in a} == {k: b[k] for k in a}
    assert cli["camera_motion"] == video["pitch"]["camera_motion"] == panel.result.camera == "sparse"
    assert video["minimap"] and video["trails"].startswith("pitch")
    # the panel's minimap and the video's minimap are one drawing of one analysis
    mm = minimap_callback(load_template(), analysis=panel.result.analysis, teams=None,
                          width_px=MINIMAP_PX)
    for f in (1, 60):
        panel.set_frame(f)
        assert np.array_equal(panel.minimap_image, mm(f, None, None))


def test_minimap_follows_a_panning_camera(panning):
    """A calibration clicked on frame 1, the camera panning at 4 m/s: positions (the
    minimap's dots) match the generator's truth; a fixed-camera mapping would not."""
    from sporttrack_gui.pitch import load_template
    from sporttrack_gui.pitch.render import MinimapPainter

    m, proj, calib = panning
    followed = run_pitch_analysis(PitchRequest(str(proj), "gt", calibration=str(calib)))
    fixed = run_pitch_analysis(PitchRequest(str(proj), "gt", calibration=str(calib), cmc="none"))
    err = _errors(m.sim, followed.analysis.positions)
    assert np.median(err) < 0.5 and np.percentile(err, 90) < 1.5
    assert np.median(_errors(m.sim, fixed.analysis.positions)) > 3.0  # the pan is real
    # the painter the panel draws with shows exactly those positions, frame by frame
    painter = MinimapPainter(load_template(), followed.analysis.positions)
    ids, xy = painter.at(90)
    k = np.searchsorted(m.sim.track_ids, ids)
    inside = m.sim.visibility[89, k] > 0.6
    assert inside.sum() >= 5
    assert np.abs(xy[inside] - m.sim.pitch_xy[89, k[inside]]).max() < 1.5
    # with the camera's motion known (the demo's calibration) nothing is estimated
    known = calibration_from_simulation(m.sim)
    exact = run_pitch_analysis(PitchRequest(str(proj), "gt", calibration=known))
    exact_err = _errors(m.sim, exact.analysis.positions)  # gt.txt rounding and border clips left
    assert exact.camera == "known" and np.median(exact_err) < 0.02 < np.median(err)


def test_trails_stay_on_the_pitch_under_panning():
    """Trails kept in pitch coordinates land where the player really was on the grass, as
    seen from the current view; image-space trails slide with the pan."""
    from sporttrack_gui.media.trails import Trails

    sim = simulate_match(MatchConfig(n_frames=60, seed=3, pan_speed=5.0))
    boxes = sim.boxes  # (T, K, 4) unclipped xywh, every object every frame
    feet = np.stack([boxes[..., 0] + boxes[..., 2] / 2, boxes[..., 1] + boxes[..., 3]], -1)
    ids = sim.track_ids
    pinned, loose = Trails(20, sim.homography), Trails(20)
    assert pinned.space == "pitch" and loose.space == "image"
    for t in range(60):
        on_pitch = pinned.update(t + 1, ids, feet[t])
        in_image = loose.update(t + 1, ids, feet[t])
    t = 59
    for k, tid in enumerate(ids.tolist()):
        truth = (np.concatenate([sim.pitch_xy[t - 19:t + 1, k], np.ones((20, 1))], 1)
                 @ sim.pitch_to_image[t].T)
        truth = truth[:, :2] / truth[:, 2:]
        assert np.abs(on_pitch[tid] - truth).max() < 0.05
    # the oldest image-space point is off by the camera's motion over 19 frames
    drift = np.abs(in_image[1][0] - on_pitch[1][0]).max()
    assert drift > 20
    # past the known frames nothing is drawn rather than mixing coordinate frames
    assert pinned.update(61, ids[:1], feet[0, :1]) == {}


def test_video_without_calibration_says_its_trails_are_in_image_space(panning, tmp_path, capsys):
    m, proj, _ = panning
    capsys.readouterr()
    assert main(["export", str(proj), "--run", "gt", "--format", "video", "--trail", "5",
                 "--out", str(tmp_path / "plain.mp4"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert not out["minimap"] and out["trails"].startswith("image") and "pitch" not in out


def test_demo_ships_its_calibration_for_the_cli(tmp_path, capsys):
    """``sporttrack pitch`` on the demo needs no --calib: the stored, exact one is used."""
    from sporttrack_gui.ui.demo import demo_project

    proj = demo_project(n_frames=40)
    capsys.readouterr()
    assert main(["pitch", str(proj), "--run", "gt", "--out", str(tmp_path / "d.csv"),
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["camera_motion"] == "known" and out["boxes_unmapped"] == 0
    assert (proj.parent / "demo-match" / "calibration.json").is_file()


@pytest.mark.gui
def test_demo_pitch_panel_shows_players_at_once(qtbot, tmp_path, monkeypatch, panning):
    """First start on the demo: without a click the Pitch panel adopts the demo's
    calibration and shows the shown frame's players where the generator put them."""
    from sporttrack_gui.ui.main_window import MainWindow

    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("sporttrack_gui.ui.demo.DEMO_FRAMES", 60)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.pitch.computed, timeout=120000) as shown:
        w.jobs.build_demo()
    result = shown.args[0]
    assert result.camera == "known" and result.run_name == "gt"
    qtbot.waitUntil(lambda: not w.pitch.jobs.busy(), timeout=5000)
    assert "camera motion known" in w.pitch.hint.text()
    sim = simulate_match(MatchConfig(n_frames=60, seed=2024), visible_only=True)
    ids, xy = w.pitch.painter.at(w.pitch.current_frame)
    assert len(ids) >= 10 and w.pitch.minimap_image is not None
    k = np.searchsorted(sim.track_ids, ids)
    full = sim.visibility[w.pitch.current_frame - 1, k] > 0.6
    assert np.abs(xy[full] - sim.pitch_xy[w.pitch.current_frame - 1, k[full]]).max() < 0.2
    # the dots are drawn: the minimap differs from the empty pitch
    from sporttrack_gui.pitch import load_template
    from sporttrack_gui.pitch.render import draw_pitch

    empty = draw_pitch(load_template(), w.pitch.minimap_image.shape[1])[0]
    assert np.abs(w.pitch.minimap_image.astype(int) - empty).sum() > 1000
    # a cramped dock shrinks the whole pitch rather than cutting off its touchlines
    from PySide6.QtWidgets import QLabel

    w.pitch.minimap.resize(300, 120)
    shown = QLabel.pixmap(w.pitch.minimap)
    assert shown.height() <= 120 and shown.width() <= 300
    assert w.pitch.minimap.pixmap().height() == w.pitch.minimap_image.shape[0]
    # the exports offer the minimap from the same calibration
    assert w.exports.calibration is w.pitch.calibration
    # another run of the demo is shown on the pitch by itself too
    copy = w.session.project.copy_run(w.session.run["id"], "copy")
    with qtbot.waitSignal(w.pitch.computed, timeout=60000) as shown:
        w.show_run(copy)
    assert shown.args[0].run_name == "copy"
    qtbot.waitUntil(lambda: not w.pitch.jobs.busy(), timeout=5000)
    # another project without a calibration: the demo's no longer applies anywhere
    with qtbot.waitSignal(w.frameShown, timeout=15000):
        assert w.open_project(panning[1])
    assert w.pitch.calibration is None and w.exports.calibration is None
    assert w.pitch.result is None and "Calibrate" in w.pitch.hint.text()
    w.close()


@pytest.mark.gui
def test_match_scale_heatmaps_and_exports_run_in_the_background(qtbot, panning, tmp_path,
                                                                monkeypatch):
    """Past the inline limit the panel asks a worker for heatmaps and file exports."""
    from sporttrack_gui.ui import pitch_view
    from sporttrack_gui.ui.pitch_view import PitchPanel, analyse_for_panel

    m, proj, calib = panning
    monkeypatch.setattr(pitch_view, "INLINE_POSITIONS", 0)
    data = analyse_for_panel(PitchRequest(str(proj), "gt", calibration=str(calib), cmc="none"))
    result = data.result
    result.teams.update({t: ("A" if t <= 5 else "B") for t in range(1, 11)})
    panel = PitchPanel()
    qtbot.addWidget(panel)
    panel.show_result(result, data.painter, data.heat_everyone)
    assert panel.heatmap_image is data.heat_everyone  # the worker's, not redrawn here
    with qtbot.waitSignal(panel.background.finished, timeout=20000):
        panel.heat_who.setCurrentIndex(panel.heat_who.findData("team:A"))
    assert not np.array_equal(panel.heatmap_image, data.heat_everyone)
    with qtbot.waitSignal(panel.background.finished, timeout=20000):
        panel.background.start(("export", str(tmp_path / "p.csv")),
                               result.analysis.positions.to_csv, tmp_path / "p.csv", result.fps)
    assert "Written" in panel.hint.text()
    assert len(np.loadtxt(tmp_path / "p.csv", delimiter=",", skiprows=1)) == len(
        result.analysis.positions)


def test_bad_calibrations_are_refused_naming_the_cause(panning, tmp_path, capsys):
    """Exit code 2 and a message naming the file and the fault; nothing is written."""
    m, proj, calib = panning
    out = tmp_path / "x.csv"
    capsys.readouterr()
    assert main(["pitch", str(proj), "--run", "gt", "--out", str(out)]) == 2
    assert "no pitch calibration" in capsys.readouterr().err
    good = json.loads(calib.read_text())
    cases = {
        "shape": ({"camera_motion": [[1.0, 2.0]]}, "2x3"),
        "nan": ({"camera_motion": [np.eye(2, 3).tolist(), [[1, 0, float("nan")], [0, 1, 0]]]},
                "frame 2 is not finite"),
        "short": ({"frame": 5, "camera_motion": [np.eye(2, 3).tolist()] * 3}, "outside"),
    }
    for name, (extra, needle) in cases.items():
        bad = tmp_path / f"{name}.json"
        bad.write_text(json.dumps({**good, **extra}))
        assert main(["pitch", str(proj), "--run", "gt", "--calib", str(bad), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert needle in err and str(bad) in err, (name, err)
    assert not out.exists()
