"""Pitch view GUI (pytest-qt, offscreen) on a small synthetic match whose geometry is known.

The synthetic match knows the true pitch->image homography of every frame, so clicks at
projected keypoints must give a near-perfect calibration, and the panel's analysis of the
imported ground truth must show every player running.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

import sporttrack_gui.ui  # noqa: F401 - Qt work-arounds before any widget
from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.pitch import load_template

pytestmark = pytest.mark.gui


def _visible_keypoints(m) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, pitch xy, image xy) of the template keypoints inside frame 1."""
    out = []
    for name, xy in load_template().keypoints.items():
        img = apply_homography(m.sim.pitch_to_image[0], [xy])[0]
        if 20 < img[0] < 1260 and 20 < img[1] < 700:
            out.append((name, np.asarray(xy, float), img))
    return out


@pytest.fixture(scope="module")
def match_project(tmp_path_factory):
    """60-frame synthetic match imported into a project, plus a calibration file."""
    from sporttrack_gui.cli.main import main
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    tmp = tmp_path_factory.mktemp("pitch_gui")
    m = render_match(tmp / "match", MatchConfig(n_frames=60, seed=1))
    proj = tmp / "p.stp"
    assert main(["import", str(proj), str(m.img_dir)]) == 0
    pairs = [{"image": [float(i[0]), float(i[1])], "keypoint": n} for n, _, i in _visible_keypoints(m)]
    calib = tmp / "calib.json"
    calib.write_text(json.dumps({"frame": 1, "pairs": pairs}))
    return m, proj, calib


def _click(qtbot, view, scene_xy) -> None:
    pos = view.mapFromScene(QPointF(float(scene_xy[0]), float(scene_xy[1])))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_calibration_dialog_fits_from_clicked_pairs(qtbot, match_project, tmp_path):
    import cv2

    from sporttrack_gui.ui.pitch_view import CalibrationDialog, m_to_template_px

    m, _, _ = match_project
    image = cv2.imread(str(sorted(m.frames_dir.iterdir())[0]))
    dialog = CalibrationDialog(image, frame=1)
    qtbot.addWidget(dialog)
    dialog.resize(1600, 800)
    dialog.show()
    qtbot.waitExposed(dialog)
    visible = _visible_keypoints(m)
    # the centre spot lies on lines through other keypoints: it is the probe, not a pair
    probe = next(v for v in visible if v[0] == "centre_spot")
    used = [v for v in visible if v[0] != "centre_spot"]
    assert len(used) >= 4
    assert dialog.use_button.isEnabled() is False
    for _name, pitch_xy, img_xy in used:
        _click(qtbot, dialog.frame_view, img_xy)
        assert dialog.pending is not None
        _click(qtbot, dialog.pitch_view, m_to_template_px(tuple(pitch_xy), dialog.scale))
    assert len(dialog.image_pts) == len(used) and dialog.table.rowCount() == len(used)
    assert all(lab for lab in dialog.labels)  # snapped to named keypoints
    fit = dialog.calibration.fit
    assert fit.rms_px < 3.0 and "RMS" in dialog.rms_label.text()
    # remove and re-add one pair: the table follows
    dialog.table.selectRow(0)
    dialog.remove_selected()
    assert dialog.table.rowCount() == len(used) - 1
    dialog.add_pair(tuple(used[0][2]), tuple(used[0][1]), used[0][0])
    dialog.save(tmp_path / "c.json")
    assert len(json.loads((tmp_path / "c.json").read_text())["pairs"]) == len(used)
    with qtbot.waitSignal(dialog.calibrated, timeout=2000) as sig:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    cal = sig.args[0]
    mapped = apply_homography(cal.fit.image_to_pitch, [probe[2]])[0]
    assert np.hypot(*(mapped - probe[1])) < 1.0


def test_pitch_panel_computes_minimap_heatmap_and_table(qtbot, match_project, tmp_path):
    from sporttrack_gui.ui.pitch_view import PitchContext, PitchPanel
    from sporttrack_gui.ui.session import Session

    m, proj, calib = match_project
    session = Session.open(proj)
    try:
        session.select_run(session.gt_run()["id"])
        ctx = PitchContext.from_session(session)
    finally:
        session.close()
    assert ctx is not None and ctx.source
    panel = PitchPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.compute()  # no context yet
    panel.set_context_provider(lambda: ctx)
    assert not panel.compute_button.isEnabled()  # no calibration yet
    panel.load_calibration_file(calib)
    assert panel.compute_button.isEnabled()
    panel.teams_box.setChecked(True)
    with qtbot.waitSignal(panel.computed, timeout=30000):
        assert panel.compute()
    qtbot.waitUntil(lambda: not panel.jobs.busy(), timeout=5000)
    rows = {r["track_id"]: r for r in panel.model.rows()}
    assert all(rows[t]["distance_m"] > 0 for t in range(1, 11))
    assert panel.proxy.rowCount() == len(rows)
    assert set(panel.result.teams.values()) >= {"A", "B"}
    panel.set_frame(1)
    first = panel.minimap.pixmap().toImage()
    img1 = panel.minimap_image.copy()
    panel.set_frame(50)
    assert panel.minimap.pixmap().toImage() != first and not np.array_equal(img1, panel.minimap_image)
    heat_all = panel.heatmap_image.copy()
    assert not panel.heatmap.pixmap().isNull() and heat_all.std() > 10
    from sporttrack_gui.pitch.render import draw_pitch

    empty = draw_pitch(load_template(), heat_all.shape[1])[0]
    assert np.abs(heat_all.astype(int) - empty).sum() > 1000  # heat was painted
    panel.heat_who.setCurrentIndex(panel.heat_who.findData("team:A"))
    assert not np.array_equal(panel.heatmap_image, heat_all)
    panel.export_csv(tmp_path / "pos.csv")
    data = np.loadtxt(tmp_path / "pos.csv", delimiter=",", skiprows=1)
    assert len(data) == len(panel.result.analysis.positions) > 0
    panel.export_heatmap(tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 1000


def test_install_pitch_view_adds_dock_and_action(qtbot, match_project):
    from PySide6.QtWidgets import QDockWidget

    from sporttrack_gui.ui.main_window import MainWindow
    from sporttrack_gui.ui.pitch_view import CalibrationDialog, install_pitch_view

    _, proj, _ = match_project
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    panel = install_pitch_view(w)
    docks = {d.windowTitle(): d for d in w.findChildren(QDockWidget)}
    assert docks["Pitch"].widget() is panel
    action = panel.calibration_action
    menu_actions = [a for act in w.menuBar().actions() if act.menu() for a in act.menu().actions()]
    assert action in menu_actions
    # nothing open: disabled, hint shown, compute refuses
    assert not action.isEnabled() and not panel.compute()
    assert "Open a project" in panel.hint.text()
    with qtbot.waitSignal(w.frameShown, timeout=15000):
        assert w.open_project(proj)
    assert action.isEnabled() and "alibrat" in panel.hint.text()
    action.trigger()
    dialog = panel.dialog
    assert isinstance(dialog, CalibrationDialog) and dialog.isVisible()
    assert dialog.frame == panel.current_frame == w.playback.frame
    dialog.close()
    w.close()


def test_click_mapping_helpers_round_trip_and_snap():
    from sporttrack_gui.ui.pitch_view import (
        m_to_template_px,
        snap_to_keypoint,
        template_px_to_m,
        template_scale,
    )

    tpl = load_template()
    scale = template_scale(tpl)
    px = m_to_template_px((30.0, 12.5), scale)
    assert np.allclose(template_px_to_m(px, scale), (30.0, 12.5))
    name, xy = snap_to_keypoint(tpl, (52.2, 34.3), 1.0)
    assert name == "centre_spot" and xy == (52.5, 34.0)
    assert snap_to_keypoint(tpl, (30.0, 12.5), 1.0) is None
