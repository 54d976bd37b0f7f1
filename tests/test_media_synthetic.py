"""The synthetic match: seeded, consistent with its pixels, and with its guaranteed events."""

from __future__ import annotations

import cv2
import numpy as np

from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.media.synthetic import MatchConfig, simulate_match


def test_same_seed_same_match_other_seed_other_match():
    a = simulate_match(MatchConfig(n_frames=130, seed=3))
    b = simulate_match(MatchConfig(n_frames=130, seed=3))
    c = simulate_match(MatchConfig(n_frames=130, seed=4))
    assert a.gt.equals(b.gt)
    assert not np.allclose(a.pitch_xy, c.pitch_xy)


def test_guaranteed_crossings_and_one_second_occlusion():
    sim = simulate_match(MatchConfig(n_frames=200, seed=11), visible_only=True)
    kinds = {c.same_team for c in sim.events.crossings}
    assert kinds == {True, False}
    occ = sim.events.occlusions[0]
    assert occ.n_frames >= 25
    gt = sim.gt
    hidden = (gt.track_id == occ.track_id) & (gt.frame >= occ.first_frame) & (gt.frame <= occ.last_frame)
    assert not hidden.any(), "a fully hidden player must be absent from the rendered gt"
    for c in sim.events.crossings:
        rows = gt.frame == c.frame
        boxes = {int(t): b for t, b in zip(gt.track_id[rows], gt.xyxy[rows], strict=True)}
        a, b = boxes[c.id_a], boxes[c.id_b]
        inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
        assert inter > 0, f"crossing at frame {c.frame} has no overlap"


def test_homography_maps_feet_to_true_pitch_positions():
    sim = simulate_match(MatchConfig(n_frames=60, seed=2))
    t = 30
    k = np.flatnonzero(sim.classes == 1)
    b = sim.boxes[t, k]
    feet = np.stack([b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3]], axis=1)
    assert np.allclose(apply_homography(sim.homography[t], feet), sim.pitch_xy[t, k], atol=0.05)


def test_rendered_players_are_where_the_gt_says(synthetic_match):
    gt = synthetic_match.gt
    img = cv2.imread(str(synthetic_match.frames_dir / "000010.jpg"))
    rows = np.flatnonzero((gt.frame == 10) & (gt.cls == 1) & (gt.vis > 0.9))
    assert len(rows) >= 3
    pitch = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)[..., 0]
    for r in rows:
        x, y, w, h = gt.xywh[r].astype(int)
        inside = pitch[y + h // 5:y + h // 2, x + w // 4:x + 3 * w // 4]
        # the shirt region is not pitch green (hue ~ 35-85 in OpenCV's 0-180 scale)
        assert ((inside < 30) | (inside > 90)).mean() > 0.3
