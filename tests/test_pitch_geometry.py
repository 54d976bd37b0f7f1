"""Homography calibration, chaining through camera motion, and kinematics on known motion."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.core.geometry import apply_homography, chain_homographies, fit_homography
from sporttrack_gui.errors import InputError
from sporttrack_gui.pitch import calibrate, load_calibration, load_template, track_kinematics
from sporttrack_gui.pitch.mapping import PitchPositions, map_to_pitch


def _camera() -> np.ndarray:
    """A plausible broadcast pitch->image homography (perspective from the main stand)."""
    return np.array([[11.0, -3.5, 120.0], [0.2, 4.0, 90.0], [0.0004, -0.0045, 1.0]])


def test_fit_recovers_known_homography_and_rejects_outlier():
    p2i = _camera()
    tpl = load_template("football")
    names = ["corner_top_left", "halfway_top", "centre_spot", "left_penalty_spot",
             "left_box_top_corner", "left_box_bottom_corner", "centre_circle_bottom"]
    pitch = np.array([tpl.keypoints[n] for n in names])
    image = apply_homography(p2i, pitch)
    image[3] += (40, -25)  # one mis-click
    fit = fit_homography(image, pitch)
    assert not fit.inliers[3] and fit.inliers.sum() == len(names) - 1
    probe = np.array([[30.0, 20.0], [70.0, 50.0]])
    mapped = apply_homography(fit.image_to_pitch, apply_homography(p2i, probe))
    assert np.abs(mapped - probe).max() < 1e-4
    assert fit.rms_px < 1e-3


@pytest.mark.parametrize("pts,msg", [
    ([[0, 0], [1, 1], [2, 2]], "at least 4"),
    ([[0, 0], [1, 1], [2, 2], [3, 3]], "collinear"),
])
def test_degenerate_calibrations_are_refused(pts, msg):
    with pytest.raises(InputError, match=msg):
        fit_homography(pts, [[0, 0], [10, 0], [10, 10], [0, 10]][: len(pts)])


def test_calibration_file_with_keypoint_names(tmp_path):
    p2i = _camera()
    tpl = load_template()
    names = ["corner_top_left", "halfway_top", "left_penalty_spot", "left_box_bottom_corner"]
    image = apply_homography(p2i, np.array([tpl.keypoints[n] for n in names]))
    path = tmp_path / "calib.json"
    path.write_text(json.dumps({"template": "football", "frame": 3,
                                "pairs": [{"image": list(im), "keypoint": n} for im, n in zip(image, names, strict=True)]}))
    cal = load_calibration(path)
    assert cal.frame == 3 and cal.fit.rms_px < 1e-3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pairs": [{"image": [1, 2], "keypoint": "no_such_point"}]}))
    with pytest.raises(InputError, match="bad.json.*no_such_point"):
        load_calibration(bad)


def test_chained_homographies_follow_a_panning_camera():
    """Calibrate on frame 1 only; later frames map correctly through accumulated motion."""
    p2i_0 = _camera()
    rng = np.random.default_rng(1)
    n = 60
    motion = np.repeat(np.eye(2, 3)[None], n, axis=0)
    motion[1:, 0, 2] = rng.uniform(-6, -2, n - 1)  # pan right: image moves left
    motion[1:, 1, 2] = rng.uniform(-1, 1, n - 1)
    zoom = 1.0 + rng.uniform(-0.002, 0.004, n - 1)
    motion[1:, 0, 0] = zoom
    motion[1:, 1, 1] = zoom
    tpl = load_template()
    cal = calibrate(apply_homography(p2i_0, np.array(list(tpl.keypoints.values())[:8])),
                    np.array(list(tpl.keypoints.values())[:8]))
    hs = chain_homographies(cal.fit.image_to_pitch, motion)
    cum = np.eye(3)
    truth = np.array([[40.0, 30.0]])
    for t in range(1, n):
        cum = np.vstack([motion[t], [0, 0, 1]]) @ cum
        img_t = apply_homography(cum @ p2i_0, truth)  # where the point is seen in frame t
        assert np.allclose(apply_homography(hs[t], img_t), truth, atol=1e-3)


def test_map_to_pitch_uses_foot_point_per_frame():
    h = np.stack([np.eye(3), np.diag([2.0, 2.0, 1.0])])
    pos = map_to_pitch(np.array([1, 2]), np.array([5, 5]), np.array([[10, 20, 4, 10], [10, 20, 4, 10]]),
                       h, first_frame=1)
    assert np.allclose(pos.xy, [[12, 30], [24, 60]])
    with pytest.raises(InputError, match="homographies cover"):
        map_to_pitch(np.array([3]), np.array([1]), np.array([[0, 0, 1, 1]]), h)


def test_kinematics_distance_speed_and_sprint_on_known_run():
    fps = 25.0
    rng = np.random.default_rng(3)
    t = np.arange(500)
    # player 1 jogs at 4 m/s for 10 s then sprints at 8 m/s for 10 s; player 2 stands still
    speed = np.where(t < 250, 4.0, 8.0)
    x = np.concatenate([[0], np.cumsum(speed[1:] / fps)])
    truth = x[-1]
    xy1 = np.stack([x + 10, np.full_like(x, 30.0)], 1) + rng.normal(0, 0.05, (500, 2))
    xy2 = np.full((500, 2), 50.0) + rng.normal(0, 0.05, (500, 2))
    pos = PitchPositions(np.concatenate([t + 1, t + 1]).astype(np.int32),
                         np.repeat([1, 2], 500).astype(np.int64), np.concatenate([xy1, xy2]))
    kin = track_kinematics(pos, fps)
    d1, d2 = kin.distance_m
    assert abs(d1 - truth) / truth < 0.02
    assert d2 < 3.0  # jitter must not turn a standing player into a runner
    assert 27.0 < kin.top_speed_kmh[0] < 31.5  # 8 m/s = 28.8 km/h
    assert kin.sprints[0] == 1 and kin.sprints[1] == 0
    assert kin.sprint_distance_m[0] == pytest.approx(80, rel=0.1)


def test_minimap_callback_draws_that_frames_players():
    from sporttrack_gui.pitch.render import minimap_callback

    pos = PitchPositions(np.array([1, 1, 2], np.int32), np.array([3, 4, 3]),
                         np.array([[10.0, 10.0], [90.0, 50.0], [52.5, 34.0]]))

    class _Analysis:
        positions = pos

    mm = minimap_callback(load_template(), analysis=_Analysis())
    a, b = mm(1, np.array([]), np.zeros((0, 4))), mm(2, np.array([]), np.zeros((0, 4)))
    assert a.shape == b.shape and a.ndim == 3
    assert not np.array_equal(a, b)
    empty = mm(99, np.array([]), np.zeros((0, 4)))
    assert np.array_equal(empty, minimap_callback(load_template(), analysis=_Analysis())(98, None, None))
    # team colours come from the one palette: team A's dot differs from track 3's own colour
    teamed = minimap_callback(load_template(), analysis=_Analysis(), teams={3: "A"})
    assert not np.array_equal(teamed(2, None, None), b)


def test_team_colours_one_palette():
    from sporttrack_gui.media.overlay import track_color
    from sporttrack_gui.pitch.render import TEAM_BGR, team_colours

    c = team_colours(np.array([5, 6, 5, 7]), {5: "A", 6: "B"})
    assert [tuple(int(v) for v in row) for row in c] == [TEAM_BGR["A"], TEAM_BGR["B"], TEAM_BGR["A"],
                                                          track_color(7)]
