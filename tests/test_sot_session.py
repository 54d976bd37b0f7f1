"""The frame-by-frame SOT session (what the GUI drives), project storage and heatmaps."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.track.sot_heatmap import trajectory_heatmap
from sporttrack_gui.track.sot_session import SotSession, SotStep
from sporttrack_gui.track.sot_store import SOT_TRACK_ID, store_sot_run


def _moving_square(n: int = 12) -> list[np.ndarray]:
    """A textured 30x30 square moving 4 px/frame right over a grey ramp (no data needed)."""
    rng = np.random.default_rng(5)
    patch = cv2.resize(rng.integers(0, 256, (6, 6, 3), dtype=np.uint8), (30, 30),
                       interpolation=cv2.INTER_NEAREST)
    ramp = np.tile(np.linspace(50, 200, 200).astype(np.uint8), (120, 1))
    frames = []
    for i in range(n):
        f = cv2.cvtColor(ramp, cv2.COLOR_GRAY2BGR)
        f[40:70, 20 + 4 * i:50 + 4 * i] = patch
        frames.append(f)
    return frames


def test_step_yields_every_frame_from_the_start_frame():
    frames = _moving_square()
    s = SotSession(frames, "csrt", 3, (28, 40, 30, 30), recover=True)
    assert s.frame_count == 10
    first = s.step()
    assert isinstance(first, SotStep)
    assert first == SotStep(3, True, (28.0, 40.0, 30.0, 30.0), 1.0, "init")
    steps = [first]
    while (st := s.step()) is not None:
        steps.append(st)
    assert [st.frame_number for st in steps] == list(range(3, 13))
    assert s.done and s.step() is None
    last = steps[-1]
    assert last.ok and last.state == "tracking" and abs(last.xywh[0] - (20 + 4 * 11)) <= 3
    res = s.result()
    assert res.frames.tolist() == list(range(3, 13))
    assert res.xywh.shape == (10, 4) and res.ok.all()
    assert len(res.times) == 10 and res.fps > 0
    assert res.params["tracker"] == "csrt" and res.params["recover"] is True


def test_run_reports_progress_and_can_be_cancelled():
    frames = _moving_square()
    seen = []
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 4

    res = SotSession(frames, "kcf", 1, (20, 40, 30, 30)).run(
        progress=lambda done, total: seen.append((done, total)), cancel=cancel)
    assert res.cancelled
    assert seen == [(1, 12), (2, 12), (3, 12), (4, 12)]
    assert len(res.ok) == 4
    full = SotSession(frames, "kcf", 1, (20, 40, 30, 30)).run()
    assert not full.cancelled and len(full.ok) == 12


@pytest.mark.parametrize("kwargs, message", [
    ({"init_frame": 13}, r"start frame 13 is beyond the end of .* \(12 frames\)"),
    ({"init_frame": 0}, "1-based"),
    ({"init_frame": 5, "end_frame": 4}, "before the start frame"),
    ({"end_frame": 20}, "end frame 20 is beyond the end"),
    ({"xywh": None}, "start box"),
])
def test_bad_ranges_are_refused_before_tracking(kwargs, message):
    args = {"init_frame": 1, "xywh": (20, 40, 30, 30), **kwargs}
    with pytest.raises(InputError, match=message):
        SotSession(_moving_square(), "csrt", **args)


def test_start_box_outside_the_frame_names_the_frame():
    s = SotSession(_moving_square(), "csrt", 2, (500, 40, 30, 30))
    with pytest.raises(InputError, match="start box on frame 2 .*outside the 200x120 frame"):
        s.step()


def test_lost_frames_are_nan_and_not_stored(tmp_path):
    from sporttrack_gui.project import Project

    boxes = np.array([[10, 10, 20, 40], [12, 10, 20, 40], [np.nan] * 4, [16, 11, 20, 40]])
    scores = np.array([1.0, 0.8, 0.1, math.nan])
    with Project.open(tmp_path / "p.stp", create=True) as p:
        seq = p.add_sequence("clip", tmp_path / "clip.mp4", width=100, height=80, fps=25.0,
                             frame_count=50)
        run = store_sot_run(p, seq, "sot-csrt", 7, boxes, scores, {"tracker": "csrt"},
                            metrics={"success_auc": 0.5})
        table = p.boxes(run)
        info = p.run(run)
    assert table.frame.tolist() == [7, 8, 10]
    assert set(table.track_id.tolist()) == {SOT_TRACK_ID}
    assert np.allclose(table.xywh[2], [16, 11, 20, 40])
    assert np.allclose(table.conf, [1.0, 0.8, 1.0])  # NaN score (no confidence) -> 1
    assert info["kind"] == "sot" and info["status"] == "complete"
    assert info["params"] == {"tracker": "csrt"}
    assert info["metrics"] == {"success_auc": 0.5}


def test_store_refuses_mismatched_lengths(tmp_path):
    with pytest.raises(InputError, match="3 boxes but 2 scores"):
        store_sot_run(object(), 1, "x", 1, np.zeros((3, 4)), np.zeros(2), {})


def test_heatmap_counts_foot_points_in_cells():
    boxes = np.array([[10, 10, 20, 30],   # foot (20, 40) -> cell (4, 2) with cell=10
                      [12, 12, 16, 28],   # foot (20, 40) again
                      [80, 0, 10, 10],    # foot (85, 10) -> cell (1, 8)
                      [np.nan] * 4])      # lost frame: ignored
    h = trajectory_heatmap(boxes, (100, 50), cell=10, sigma=0, normalize=None)
    assert h.shape == (5, 10) and h.dtype == np.float32
    assert h[4, 2] == 2 and h[1, 8] == 1 and h.sum() == 3
    c = trajectory_heatmap(boxes, (100, 50), cell=10, sigma=0, point="centre", normalize=None)
    assert c[2, 2] == 2 and c[0, 8] == 1 and c.sum() == 3  # centres (20,25) (20,26) (85,5)


def test_heatmap_accepts_many_tracks_and_smooths():
    a = np.array([[0, 0, 10, 20]] * 4, np.float64)
    b = np.array([[50, 20, 10, 20]] * 2, np.float64)
    many = trajectory_heatmap([a, b], (100, 60), cell=5, sigma=1.5, normalize="sum")
    stacked = trajectory_heatmap(np.stack([a[:2], b]), (100, 60), cell=5, sigma=1.5,
                                 normalize="sum")
    assert math.isclose(float(many.sum()), 1.0, rel_tol=1e-5)
    peak = np.unravel_index(np.argmax(many), many.shape)
    assert peak == (4, 1)  # foot (5, 20): the busier spot
    assert many[(many > 0)].size > 6  # smoothing spread the mass
    assert np.unravel_index(np.argmax(stacked), stacked.shape) in {(4, 1), (8, 11)}
    assert trajectory_heatmap([], (100, 60)).max() == 0
    top = trajectory_heatmap(a, (100, 60), cell=5)
    assert math.isclose(float(top.max()), 1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"frame_size": (0, 10)}, "positive"),
    ({"cell": 0}, "cell size"),
    ({"sigma": -1}, "sigma"),
    ({"point": "head"}, "foot"),
])
def test_heatmap_bad_arguments(kwargs, message):
    args = {"frame_size": (100, 50), **kwargs}
    with pytest.raises(InputError, match=message):
        trajectory_heatmap(np.zeros((1, 4)), **args)


def test_user_correction_restarts_the_tracker_on_that_frame():
    frames = _moving_square()
    s = SotSession(frames, "csrt", 1, (20, 40, 30, 30), recover=False)
    with pytest.raises(InputError, match="step"):
        s.correct((0, 0, 10, 10))
    for _ in range(4):
        s.step()
    fixed = s.correct((32, 40, 30, 30))  # frame 4: the square is at x = 32
    assert fixed == SotStep(4, True, (32.0, 40.0, 30.0, 30.0), 1.0, "init")
    nxt = s.step()
    assert nxt.frame_number == 5 and nxt.ok and abs(nxt.xywh[0] - 36) <= 2
    res = s.result()
    assert res.states[3] == "init" and np.allclose(res.xywh[3], (32, 40, 30, 30))
    with pytest.raises(InputError, match="corrected box on frame 5"):
        s.correct((500, 40, 30, 30))
