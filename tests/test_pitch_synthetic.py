"""Pitch view on the synthetic panning match: one calibration on frame 1, camera motion
estimated from the pixels, positions and distances compared with the simulation's truth."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.pitch import calibrate, load_template
from sporttrack_gui.pitch.analysis import analyse_boxes, estimate_sequence_motion


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    # seed 1 opens on the centre circle with both its side points in view, so a user has
    # 7 line/circle landmarks to click on frame 1; the camera then pans and zooms
    synthetic_match = render_match(tmp_path_factory.mktemp("pitch_match"),
                                   MatchConfig(n_frames=150, seed=1))
    sim = synthetic_match.sim
    tpl = load_template("football")
    # a user clicks line intersections on frame 1; clicks are off by up to ~1 px
    pitch_pts = np.array(list(tpl.keypoints.values()))
    image_pts = apply_homography(sim.pitch_to_image[0], pitch_pts)
    inside = ((image_pts >= 5) & (image_pts < [sim.config.width - 5, sim.config.height - 5])).all(axis=1)
    assert inside.sum() >= 4, "the synthetic camera should show at least 4 keypoints on frame 1"
    rng = np.random.default_rng(0)
    cal = calibrate(image_pts[inside] + rng.uniform(-1, 1, (inside.sum(), 2)), pitch_pts[inside])
    gt = sim.gt
    with open_source(synthetic_match.img_dir) as src:
        motion = estimate_sequence_motion(src, gt.frame, gt.xywh, method="sparse", cache=False)
    players = np.isin(gt.track_id, sim.track_ids[sim.classes == 1])
    res = analyse_boxes(gt.frame[players], gt.track_id[players], gt.xywh[players], cal,
                        sim.config.fps, motion=motion)
    return sim, res, motion


def test_positions_within_half_a_metre(analysed):
    sim, res, _ = analysed
    pos = res.positions
    k = np.searchsorted(sim.track_ids, pos.track_id)
    truth = sim.pitch_xy[pos.frame - 1, k]
    # only boxes not clipped by the image border: a clipped box has no true foot point
    full = sim.visibility[pos.frame - 1, k] > 0.6
    err = np.linalg.norm(pos.xy[full] - truth[full], axis=1)
    assert np.median(err) < 0.5, f"median error {np.median(err):.3f} m"
    assert np.percentile(err, 90) < 1.5


def test_estimated_camera_motion_close_to_truth(analysed):
    sim, _, motion = analysed
    # translation part in pixels per frame
    assert np.median(np.abs(motion[1:, :, 2] - sim.camera[1:, :, 2])) < 0.5


def test_distance_covered_within_three_percent(analysed):
    sim, res, _ = analysed
    kin = res.kinematics
    checked = 0
    for tid, dist in zip(kin.track_id, kin.distance_m, strict=True):
        k = int(np.searchsorted(sim.track_ids, tid))
        seen = sim.visibility[:, k] > 0.6
        if not seen.all():
            continue  # compare only players fully in view for the whole clip
        truth = np.linalg.norm(np.diff(sim.pitch_xy[:, k], axis=0), axis=1).sum()
        if truth < 5:
            continue
        assert abs(dist - truth) / truth < 0.03, f"track {tid}: {dist:.2f} m vs {truth:.2f} m"
        checked += 1
    assert checked >= 3
