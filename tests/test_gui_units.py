"""Qt-free helpers of the GUI: lane layout and suspect markers, hit-testing, editor
decisions (keyframes, target ids), run index."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.ui.hit_test import Handle, boxes_at, drag_handle, drag_rect, grab_handle
from sporttrack_gui.ui.lanes import build_lanes, presence_segments
from sporttrack_gui.ui.run_index import RunIndex

pytestmark = pytest.mark.gui


def _track(tid: int, frames: range, x0: float = 0.0, dx: float = 0.0) -> tuple:
    f = np.array(list(frames))
    xywh = np.stack([x0 + dx * (f - f[0]), np.full(len(f), 100.0), np.full(len(f), 20.0),
                     np.full(len(f), 50.0)], axis=1)
    return f, np.full(len(f), tid), xywh


def _cat(*tracks):
    return tuple(np.concatenate(parts) for parts in zip(*tracks, strict=True))


def test_presence_segments_split_on_gaps():
    f, t, _ = _cat(_track(3, range(1, 6)), _track(3, range(9, 12)), _track(5, range(2, 4)))
    tid, first, last = presence_segments(f, t)
    assert tid.tolist() == [3, 3, 5]
    assert first.tolist() == [1, 9, 2]
    assert last.tolist() == [5, 11, 3]


def test_lanes_order_by_first_seen_and_mark_gaps():
    f, t, b = _cat(_track(9, range(5, 10)), _track(2, range(1, 4)), _track(2, range(7, 9)))
    lay = build_lanes(f, t, b)
    assert lay.track_ids.tolist() == [2, 9]  # 2 appears first
    # two segments for track 2 (lane 0), one for track 9 (lane 1): 3 pairs of points
    assert lay.seg_x.tolist() == [1, 4, 7, 9, 5, 10]
    assert lay.seg_y.tolist() == [0, 0, 0, 0, 1, 1]
    assert lay.connect.tolist() == [True, False] * 3
    assert lay.gap_x.tolist() == [4.0] and lay.gap_y.tolist() == [0.0]
    assert lay.track_at(0.2) == 2 and lay.track_at(1.4) == 9 and lay.track_at(2.6) is None
    assert lay.lane_of(9) == 1 and lay.lane_of(77) is None


def test_lane_markers_are_the_assistants_suspects():
    from sporttrack_gui.assist import scan_table
    from sporttrack_gui.formats.mot import MotTable

    a = _track(1, range(1, 11), x0=100, dx=2)      # ends at frame 10 near x=118
    b = _track(2, range(12, 20), x0=120, dx=2)     # starts 2 frames later, right there
    far = _track(3, range(12, 20), x0=900)          # starts then too, but far away
    f, t, xywh = _cat(a, b, far)
    sus = scan_table(MotTable.from_arrays(f, t, xywh))
    handover = [s for s in sus if s.kind == "end_begin"]
    assert [(s.frame, s.tracks) for s in handover] == [(12, (1, 2))]
    lay = build_lanes(f, t, xywh)  # scans with the assistant when given boxes only
    want = sorted({(s.frame, tr) for s in sus for tr in s.tracks})
    assert lay.switches == want and (12, 1) in want and (12, 2) in want
    assert not [m for m in want if m[1] == 3]
    k = lay.switches.index((12, 2))
    assert lay.switch_x[k] == 12.0 and lay.switch_y[k] == float(lay.lane_of(2))
    # the window's path: lanes without a scan, markers added from the panel's list
    bare = build_lanes(f, t, suspects=[])
    assert bare.switches == [] and len(bare.switch_x) == 0
    again = bare.with_suspects(sus)
    assert again.switches == lay.switches
    np.testing.assert_array_equal(again.switch_y, lay.switch_y)


def test_lanes_empty_run():
    lay = build_lanes(np.zeros(0), np.zeros(0), np.zeros((0, 4)))
    assert lay.n_lanes == 0 and lay.track_at(0) is None


def test_lanes_scale_is_vectorised():
    rng = np.random.default_rng(0)
    n_tracks, n_frames = 500, 135_000
    starts = rng.integers(1, n_frames - 2000, n_tracks)
    lengths = rng.integers(200, 2000, n_tracks)
    f = np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths, strict=True)])
    t = np.concatenate([np.full(n, i + 1) for i, n in enumerate(lengths)])
    lay = build_lanes(f, t, suspects=[])
    assert lay.n_lanes == n_tracks
    assert len(lay.seg_x) == 2 * n_tracks  # contiguous tracks: one segment each


def test_boxes_at_prefers_smallest():
    xyxy = np.array([[0, 0, 100, 100], [40, 40, 60, 60], [200, 200, 210, 210]], float)
    assert boxes_at(50, 50, xyxy).tolist() == [1, 0]
    assert boxes_at(10, 10, xyxy).tolist() == [0]
    assert boxes_at(150, 150, xyxy).tolist() == []


def test_grab_handle_corners_edges_inside():
    box = (10.0, 10.0, 110.0, 60.0)  # at scale 1: 100 x 50 screen pixels
    assert grab_handle(11, 11, box, 1.0, 3) is Handle.TOP_LEFT
    assert grab_handle(109, 59, box, 1.0, 3) is Handle.BOTTOM_RIGHT
    assert grab_handle(60, 10, box, 1.0, 3) is Handle.TOP
    assert grab_handle(110, 35, box, 1.0, 3) is Handle.RIGHT
    assert grab_handle(60, 35, box, 1.0, 3) is Handle.INSIDE
    assert grab_handle(30, 10, box, 1.0, 3) is Handle.INSIDE  # an edge between handles moves
    assert grab_handle(300, 300, box, 1.0, 3) is None


def test_drag_rect_normalises_clips_and_rejects_clicks():
    assert drag_rect(50, 40, 10, 10, 100, 100) == (10, 10, 40, 30)
    assert drag_rect(-20, -5, 30, 20, 100, 100) == (0, 0, 30, 20)
    assert drag_rect(90, 90, 150, 150, 100, 100) == (90, 90, 10, 10)
    assert drag_rect(5, 5, 7, 30, 100, 100) is None


def test_run_index_frames_trails_and_live_append():
    f, t, b = _cat(_track(1, range(1, 11), dx=5), _track(2, range(5, 8)))
    idx = RunIndex(f, t, b)
    s = idx.at(6)
    assert s.track_id.tolist() == [1, 2]
    np.testing.assert_allclose(s.xyxy[0], [25, 100, 45, 150])
    trails = dict(idx.trails(6, length=3))
    assert set(trails) == {1, 2}
    np.testing.assert_allclose(trails[1][:, 0], [25, 30, 35])  # foot x of frames 4..6
    assert idx.at(11).track_id.tolist() == []
    idx.add(11, np.array([[0, 0, 10, 10]]), np.array([7]))
    assert idx.at(11).track_id.tolist() == [7]
    assert idx.lanes().track_ids.tolist() == [1, 2, 7]
    assert idx.frames_range() == (1, 11)
    np.testing.assert_allclose(idx.track_points(2), [[10, 150]] * 3)


def test_run_index_track_stats():
    f, t, b = _cat(_track(4, range(3, 9)), _track(2, range(1, 3)), _track(4, range(20, 22)))
    stats = RunIndex(f, t, b).track_stats()
    assert stats == {2: (1, 2, 2), 4: (3, 21, 8)}


def test_proxy_cache_downscales_and_stays_within_its_budget():
    from sporttrack_gui.ui.proxy_cache import ProxyCache

    rng = np.random.default_rng(1)
    frame = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    cache = ProxyCache(max_bytes=600_000, width=640)
    cache.put(1, frame)
    small = cache.get(1)
    assert small.shape == (360, 640, 3)
    # a JPEG of the same picture: close to the downscaled original on average
    import cv2

    ref = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA).astype(float)
    assert np.abs(small.astype(float) - ref).mean() < 25
    for n in range(2, 40):
        cache.put(n, frame)
    assert cache.nbytes <= 600_000 and 1 not in cache and 39 in cache
    assert cache.get(1) is None


def test_drag_handle_moves_or_resizes_without_flipping():
    box = (10.0, 20.0, 50.0, 100.0)
    assert drag_handle(box, Handle.INSIDE, 5, -5) == (15.0, 15.0, 55.0, 95.0)
    assert drag_handle(box, Handle.BOTTOM_RIGHT, 10, 20) == (10.0, 20.0, 60.0, 120.0)
    assert drag_handle(box, Handle.TOP_LEFT, -4, 6) == (6.0, 26.0, 50.0, 100.0)
    assert drag_handle(box, Handle.TOP, 3, 7) == (10.0, 27.0, 50.0, 100.0)
    assert drag_handle(box, Handle.LEFT, 3, 7) == (13.0, 20.0, 50.0, 100.0)
    # dragging an edge past the opposite one stops at the minimum size
    assert drag_handle(box, Handle.RIGHT, -100, 0, min_size=2) == (10.0, 20.0, 12.0, 100.0)
    assert drag_handle(box, Handle.BOTTOM, 0, -500, min_size=2) == (10.0, 20.0, 50.0, 22.0)


def test_keyframes_around_a_gap():
    from sporttrack_gui.ui.track_ops import keyframes_around

    frames = np.array([1, 2, 3, 10, 11, 20])
    assert keyframes_around(frames, 5) == (3, 10)     # inside a gap
    assert keyframes_around(frames, 3) == (3, 10)     # on the box before a gap
    assert keyframes_around(frames, 10) == (3, 10)    # on the box after it
    assert keyframes_around(frames, 11) == (11, 20)   # the gap after wins
    assert keyframes_around(frames, 2) is None        # no gap next to it
    assert keyframes_around(frames, 30) is None       # past the track's end
    assert keyframes_around(np.array([4]), 4) is None


def test_box_id_at_and_target_parsing():
    from sporttrack_gui.ui.track_dialogs import NEW_ID, parse_target
    from sporttrack_gui.ui.track_ops import box_id_at, clip_box

    fb = {"id": np.array([11, 12, 13]), "track": np.array([-1, -1, 5]),
          "xywh": np.array([[0, 0, 10, 10], [100, 100, 10, 10], [50, 50, 5, 5]], np.float32)}
    assert box_id_at(fb, 5) == 13 and box_id_at(fb, 9) is None
    assert box_id_at(fb, -1, np.array([99, 101, 10, 10])) == 12  # nearest unassigned one
    assert parse_target("(new id)", True) == NEW_ID and parse_target("7", False) == 7
    assert parse_target("-3", False) is None and parse_target("x", True) is None
    assert clip_box((-5, -5, 20, 30), 100, 100) == (0, 0, 20, 30)
    assert clip_box((120, 10, 150, 20), 100, 100) is None
