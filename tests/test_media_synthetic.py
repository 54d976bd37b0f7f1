"""Synthetic match: determinism, gt vs pixels, guaranteed events, exact camera geometry."""

from __future__ import annotations

import cv2
import numpy as np

from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.formats.mot import read_mot
from sporttrack_gui.media.sim_render import render_frame
from sporttrack_gui.media.synthetic import MatchConfig, simulate_match


def test_same_seed_same_match_other_seed_differs():
    a = simulate_match(MatchConfig(n_frames=60, seed=3))
    b = simulate_match(MatchConfig(n_frames=60, seed=3))
    c = simulate_match(MatchConfig(n_frames=60, seed=4))
    assert np.array_equal(a.pitch_xy, b.pitch_xy) and a.gt.equals(b.gt)
    assert not np.allclose(a.pitch_xy, c.pitch_xy)
    assert np.array_equal(render_frame(a, 10), render_frame(b, 10))


def test_files_match_simulation(synthetic_match):
    m = synthetic_match
    assert len(list(m.frames_dir.glob("*.jpg"))) == 150
    back = read_mot(m.gt_path).sorted()
    gt = m.gt.sorted()
    assert np.array_equal(back.frame, gt.frame) and np.array_equal(back.track_id, gt.track_id)
    assert np.array_equal(back.cls, gt.cls) and np.allclose(back.xywh, gt.xywh, atol=0.01)
    img = cv2.imread(str(m.frames_dir / "000001.jpg"))
    assert img.shape == (720, 1280, 3)


def test_pixels_inside_player_boxes_differ_from_pitch(synthetic_match):
    m = synthetic_match
    sim = m.sim
    frame = 75
    img = cv2.imread(str(m.frames_dir / f"{frame:06d}.jpg")).astype(np.float32)
    rows = np.flatnonzero((m.gt.frame == frame) & (m.gt.cls == 1) & (m.gt.vis > 0.9))
    assert len(rows) >= 5
    grass = np.median(img[img.shape[0] // 2 - 40:img.shape[0] // 2 + 40], axis=(0, 1))
    for r in rows:
        x, y, w, h = m.gt.xywh[r].astype(int)
        patch = img[y:y + h, x:x + w]
        far_from_grass = np.abs(patch - grass).sum(axis=2) > 90
        assert far_from_grass.mean() > 0.2, f"id {m.gt.track_id[r]} box looks like empty pitch"
    assert sim.boxes[frame - 1, :10, 3].min() > 55 and sim.boxes[frame - 1, :10, 3].max() < 125


def test_guaranteed_crossings_and_occlusion(synthetic_match):
    m = synthetic_match
    cr = m.events.crossings
    assert {c.same_team for c in cr} == {True, False}
    for c in cr:
        f = m.gt.frame == c.frame
        a = m.gt.xyxy[f & (m.gt.track_id == c.id_a)][0]
        b = m.gt.xyxy[f & (m.gt.track_id == c.id_b)][0]
        iw = min(a[2], b[2]) - max(a[0], b[0])
        ih = min(a[3], b[3]) - max(a[1], b[1])
        assert iw > 0 and ih > 0
    (occ,) = m.events.occlusions
    assert occ.n_frames >= 25
    present = set(m.gt.frame[m.gt.track_id == occ.track_id].tolist())
    hidden = set(range(occ.first_frame, occ.last_frame + 1))
    assert not hidden & present
    assert occ.first_frame - 1 in present and occ.last_frame + 1 in present


def test_homography_maps_feet_to_pitch_and_camera_motion_is_exact(synthetic_match):
    m = synthetic_match
    g = m.gt
    inner = (g.xywh[:, 0] > 2) & (g.xywh[:, 0] + g.xywh[:, 2] < 1278) & (g.xywh[:, 1] + g.xywh[:, 3] < 718)
    ids = list(m.track_ids)
    for f in (1, 80, 150):
        rows = np.flatnonzero((g.frame == f) & inner)
        feet = np.column_stack([g.xywh[rows, 0] + g.xywh[rows, 2] / 2, g.xywh[rows, 1] + g.xywh[rows, 3]])
        pitch = apply_homography(m.homography[f - 1], feet)
        truth = m.pitch_xy[f - 1, [ids.index(i) for i in g.track_id[rows]]]
        assert np.abs(pitch - truth).max() < 0.05
    # a static pitch point moves exactly by camera[t] between frames
    p = np.array([[52.5, 34.0]])
    h_inv = np.linalg.inv(m.homography)
    a = apply_homography(h_inv[40], p)
    b = apply_homography(h_inv[41], p)
    assert np.allclose(m.camera[41] @ np.array([a[0, 0], a[0, 1], 1.0]), b[0], atol=1e-6)
    assert 0 < np.abs(m.camera[1:, :, 2]).max() < 10   # slow pan, a few px per frame


def test_speeds_realistic_and_big_simulation_fast():
    sim = simulate_match(MatchConfig(n_frames=7500, seed=1, n_players=22))
    v = np.hypot(*np.diff(sim.pitch_xy[:, :22], axis=0).transpose(2, 0, 1)) * 25
    assert v.max() <= 8.05 and np.percentile(v, 99) > 5.0
    assert len(sim.gt) == 7500 * 24
