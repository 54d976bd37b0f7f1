"""Tracker-assisted interpolation: blending logic with a scripted tracker, CSRT for real."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.pipeline.assisted import interpolate_with_tracker, tracked_boxes
from sporttrack_gui.project import Project, history


def truth(f: int) -> np.ndarray:
    return np.array([10.0 + 3 * f, 50.0 + 0.5 * f * f, 20.0, 40.0])  # non-linear in y


class Scripted:
    """Reports the true box of the frame number painted into the frame; fails where told."""

    def __init__(self, fail: set[int] = frozenset()):
        self.fail = fail

    def init(self, frame, xywh):
        self.start = xywh

    def update(self, frame):
        f = int(frame[0, 0])
        if f in self.fail:
            return False, (0.0, 0.0, 0.0, 0.0), 0.0
        return True, tuple(truth(f)), 1.0


def read_frame(f: int) -> np.ndarray:
    return np.full((2, 2), f, dtype=np.int64)


def test_blend_follows_tracker_not_straight_line():
    out = tracked_boxes(read_frame, 10, truth(10), 20, truth(20), Scripted)
    np.testing.assert_allclose(out, np.stack([truth(f) for f in range(11, 20)]))


def test_lost_object_falls_back_to_other_pass_then_line():
    fail = {13, 14}
    out = tracked_boxes(read_frame, 10, truth(10), 20, truth(20), lambda: Scripted(fail))
    # both passes query the scripted truth, so frames the tracker loses fall back to the line
    w = np.array([(13 - 10) / 10, (14 - 10) / 10])[:, None]
    line = (1 - w) * truth(10) + w * truth(20)
    np.testing.assert_allclose(out[2:4], line)
    np.testing.assert_allclose(out[0], truth(11))


def test_interpolate_with_tracker_is_one_undoable_edit(tmp_path):
    with Project.open(tmp_path / "a.stp", create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "trk")
        frames = np.array([5, 6, 12, 15])
        p.append_boxes(run, {"frame": frames, "track_id": np.full(4, 3),
                             "xywh": np.stack([truth(f) for f in frames])})

        class Source:
            read_frame = staticmethod(read_frame)

        before = len(p.boxes(run))
        res = interpolate_with_tracker(p, run, 3, 6, 15, Source(), factory=Scripted)
        assert res.rows == 7  # 7..11, 13, 14
        got = p.boxes(run, track=3)
        np.testing.assert_allclose(got.xywh, np.stack([truth(f) for f in got.frame]), rtol=1e-5)
        history.undo(p, run)
        assert len(p.boxes(run)) == before


def test_csrt_between_keyframes_on_synthetic_match(synthetic_match, tmp_path):
    cv2 = pytest.importorskip("cv2")
    gt = synthetic_match.gt
    img = synthetic_match.img_dir / "img1"

    class Source:
        @staticmethod
        def read_frame(f: int) -> np.ndarray:
            return cv2.imread(str(img / f"{f:06d}.jpg"))

    counts = np.bincount(gt.track_id[(gt.frame >= 20) & (gt.frame <= 32)].astype(np.int64))
    track = int(np.argmax(counts))
    with Project.open(tmp_path / "c.stp", create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "gt", kind="gt")
        keep = (gt.track_id != track) | (gt.frame <= 20) | (gt.frame >= 32)
        p.append_boxes(run, gt.select(keep))
        res = interpolate_with_tracker(p, run, track, 20, 32, Source())
        assert res.rows == 11
        got = p.boxes(run, track=track, frame_range=(21, 31))
    want = gt.select((gt.track_id == track) & (gt.frame >= 21) & (gt.frame <= 31))
    err = np.abs(got.xywh[:, :2] - want.xywh[:, :2]).mean()
    assert err < 0.25 * want.xywh[:, 2:].mean()  # within a quarter box of the truth
