"""The ID-switch assistant on small hand-made runs: each kind of suspect is found where it
was planted, its proposed fix (applied through the project's undoable edits) repairs it,
and a clean run raises nothing."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.assist import (
    Assistant,
    ScanConfig,
    Suspect,
    apply_fix,
    next_suspect,
    overlapping_pairs,
    previous_suspect,
    scan_table,
)
from sporttrack_gui.assist.crossing import FEATURES, crossing_features
from sporttrack_gui.assist.scan import TrackArrays
from sporttrack_gui.formats.mot import MotTable
from sporttrack_gui.project import Project, history

W, H = 40.0, 100.0


def line(track: int, frames: range, x0: float, y0: float, vx: float, vy: float = 0.0,
         w: float = W, h: float = H) -> MotTable:
    """A box moving at constant velocity (top-left x0, y0 at the first frame)."""
    f = np.asarray(frames, np.int64)
    k = f - f[0]
    xywh = np.column_stack([x0 + vx * k, y0 + vy * k, np.full(len(f), w), np.full(len(f), h)])
    return MotTable.from_arrays(f.astype(np.int32), np.full(len(f), track), xywh)


def table(*parts: MotTable) -> MotTable:
    return MotTable.concat(parts).sorted()


def swap_ids(t: MotTable, a: int, b: int, from_frame: int) -> MotTable:
    ids = t.track_id.copy()
    late = t.frame >= from_frame
    ids[late & (t.track_id == a)] = b
    ids[late & (t.track_id == b)] = a
    return MotTable(t.frame, ids, t.xywh, t.conf, t.cls, t.vis).sorted()


def crossing_run() -> MotTable:
    """Two players crossing at frame ~30.5, one 30 px lower (so positions differ)."""
    return table(line(1, range(1, 61), 100, 300, 600 / 59),
                 line(2, range(1, 61), 700, 330, -600 / 59))


@pytest.fixture
def project(tmp_path):
    with Project.open(tmp_path / "a.stp", create=True) as p:
        p.add_sequence("s", "synthetic", width=1280, height=720, fps=25.0, frame_count=200)
        yield p


def store(p: Project, t: MotTable, name: str = "r") -> int:
    run = p.create_run("s", name, kind="manual", status="complete")
    p.append_boxes(run, t)
    return run


def test_clean_run_has_no_suspects():
    t = table(line(1, range(1, 151), 100, 100, 3), line(2, range(1, 151), 900, 400, -2, 0.5),
              line(3, range(1, 151), 300, 500, 0, 0, w=20, h=20))
    assert scan_table(t) == []
    assert scan_table(crossing_run()) == []  # a crossing without exchange is not suspect


def test_planted_swap_at_crossing_is_found_and_fix_restores_ids(project):
    clean = crossing_run()
    run = store(project, swap_ids(clean, 1, 2, 31))
    asst = Assistant(project, run)
    swaps = [s for s in asst.suspects if s.fix["op"] == "swap"]
    assert len(swaps) == 1, asst.suspects
    s = swaps[0]
    assert s.kind == "crossing" and set(s.tracks) == {1, 2}
    assert s.fix == {"op": "swap", "a": 1, "b": 2, "from_frame": 31}
    assert 0 < s.score <= 1 and "cross" in s.reason
    asst.apply(s)
    assert project.boxes(run).equals(clean.sorted())
    assert asst.suspects == []  # the rescan after the fix is clean
    asst.undo()
    assert project.boxes(run).equals(swap_ids(clean, 1, 2, 31))


def test_swap_of_distant_tracks_is_a_jump_pair():
    clean = table(line(1, range(1, 81), 100, 100, 2), line(2, range(1, 81), 800, 500, -2))
    sus = scan_table(swap_ids(clean, 1, 2, 40))
    assert [(s.kind, s.fix) for s in sus] == [
        ("jump", {"op": "swap", "a": 1, "b": 2, "from_frame": 40})]


def test_lone_jump_is_flagged_with_a_split():
    t = line(5, range(1, 41), 100, 100, 2)
    xywh = t.xywh.copy()
    xywh[t.frame >= 20, 0] += 300  # the tracker jumped onto someone else
    sus = scan_table(MotTable.from_arrays(t.frame, t.track_id, xywh))
    assert len(sus) == 1
    s = sus[0]
    assert (s.kind, s.frame, s.tracks) == ("jump", 20, (5,))
    assert s.fix == {"op": "split", "a": 5, "at_frame": 20}
    # a box that suddenly doubles in size is a jump too
    xywh = t.xywh.copy()
    xywh[t.frame >= 25, 2:] *= 2.0
    sus = scan_table(MotTable.from_arrays(t.frame, t.track_id, xywh))
    assert [(s.kind, s.frame) for s in sus] == [("jump", 25)]


def test_end_begin_is_proposed_for_merge_and_then_interpolated(project):
    a = line(3, range(1, 31), 100, 200, 5)
    b = line(9, range(35, 80), 100 + 5 * 34, 200, 5)  # where 3 was heading, 4 frames on
    decoy = line(4, range(36, 80), 700, 200, 5)        # begins at the same time, far away
    run = store(project, table(a, b, decoy))
    asst = Assistant(project, run)
    merges = [s for s in asst.suspects if s.kind == "end_begin"]
    assert [(s.frame, s.fix) for s in merges] == [(35, {"op": "merge", "a": 3, "b": 9})]
    asst.apply(merges[0])
    t = project.boxes(run)
    assert set(np.unique(t.track_id)) == {3, 4}
    gaps = [s for s in asst.suspects if s.kind == "gap"]
    assert [s.fix for s in gaps] == [{"op": "interpolate", "a": 3, "from_frame": 1,
                                      "to_frame": 79}]
    asst.apply(gaps[0])
    full = line(3, range(1, 80), 100, 200, 5)
    got = project.boxes(run, track=3)
    assert np.array_equal(got.frame, full.frame)
    np.testing.assert_allclose(got.xywh, full.xywh, atol=1e-3)
    assert asst.suspects == []
    assert len(history.history(project, run)) == 2


def test_short_and_duplicate_tracks_are_proposed_for_delete(project):
    main = line(1, range(1, 101), 100, 100, 2)
    dup = line(2, range(30, 50), 100 + 2 * 29 + 1, 101, 2)  # rides on track 1
    blip = line(3, range(70, 73), 900, 600, 0)              # three boxes, nowhere near
    run = store(project, table(main, dup, blip))
    sus = scan_table(project.boxes(run))
    assert sorted((s.kind, s.fix["a"]) for s in sus) == [("duplicate", 2), ("short", 3)]
    for s in sus:
        apply_fix(project, run, s)
    assert project.boxes(run).equals(main.sorted())


def test_next_suspect_steps_by_frame_and_wraps():
    sus = [Suspect("jump", f, (1,), 0.5, "", {"op": "split", "a": 1, "at_frame": f})
           for f in (10, 40, 90)]
    assert next_suspect(sus, 0).frame == 10
    assert next_suspect(sus, 10).frame == 40
    assert next_suspect(sus, 90).frame == 10
    assert next_suspect(sus, 90, wrap=False) is None
    assert previous_suspect(sus, 40).frame == 10
    assert previous_suspect(sus, 10).frame == 90
    assert next_suspect([], 5) is None


def test_overlapping_pairs_match_brute_force():
    rng = np.random.default_rng(3)
    n = 400
    frame = rng.integers(1, 20, n)
    track = np.arange(n)
    xy = rng.uniform(0, 300, (n, 2))
    xyxy = np.column_stack([xy, xy + rng.uniform(10, 60, (n, 2))])
    f, a, b, iou = overlapping_pairs(frame, track, xyxy, 0.1)
    got = set(zip(f.tolist(), a.tolist(), b.tolist(), strict=True))
    from sporttrack_gui.core.iou import iou_matrix

    want = set()
    for fr in np.unique(frame):
        idx = np.flatnonzero(frame == fr)
        m = iou_matrix(xyxy[idx].astype(np.float32), xyxy[idx].astype(np.float32))
        for i, j in zip(*np.nonzero(np.triu(m > 0.1, 1)), strict=True):
            want.add((int(fr), int(min(idx[i], idx[j])), int(max(idx[i], idx[j]))))
    assert got == want and len(want) > 10


def _meet_and_return(swap_at: int | None) -> MotTable:
    """Two players walk towards each other, stand together 12 frames, walk back."""
    def path(x0: float, v: float) -> np.ndarray:
        k = np.arange(60)
        x = np.where(k < 20, x0 + v * k, np.where(k < 32, x0 + v * 20, x0 + v * 20 - v * (k - 31)))
        return x

    xa, xb = path(200, 3.0), path(330, -3.0)
    f = np.arange(1, 61)
    t = table(MotTable.from_arrays(f, np.full(60, 1), np.column_stack(
                  [xa, np.full(60, 300.0), np.full(60, W), np.full(60, H)])),
              MotTable.from_arrays(f, np.full(60, 2), np.column_stack(
                  [xb, np.full(60, 310.0), np.full(60, W), np.full(60, H)])))
    return t if swap_at is None else swap_ids(t, 1, 2, swap_at)


def _painter(t: MotTable, colours: dict[int, tuple[int, int, int]]):
    """Frames with each box filled in its player's colour (ids of the clean run)."""
    def read(frame: int) -> np.ndarray:
        img = np.full((480, 640, 3), (40, 140, 40), np.uint8)
        for tid, (x, y, w, h) in zip(t.track_id[t.frame == frame], t.xywh[t.frame == frame],
                                     strict=True):
            img[int(y):int(y + h), int(x):int(x + w)] = colours[int(tid)]
        return img
    return read


def test_colour_settles_what_motion_gets_wrong():
    clean = _meet_and_return(None)
    frames = _painter(clean, {1: (0, 0, 230), 2: (230, 60, 0)})
    cfg = ScanConfig(kinds=("crossing",))
    # motion alone favours an exchange when players turn back, but 12 frames of standing
    # together without a break or a step is a long clean overlap: discounted, not listed
    ta = TrackArrays.from_table(clean)
    xyxy = np.column_stack([ta.cx - ta.w / 2, ta.cy - ta.h / 2, ta.cx + ta.w / 2,
                            ta.cy + ta.h / 2])
    _, _, _, _, X = crossing_features(ta, overlapping_pairs(ta.frame, ta.track, xyxy,
                                                            cfg.cross_iou), cfg)
    assert X[0, FEATURES.index("motion")] > 0.5
    assert scan_table(clean, cfg) == []
    # ... and their colours say they did not exchange
    assert scan_table(clean, cfg, read_frame=frames) == []
    # and with colours a real exchange while standing together is found
    swapped = scan_table(_meet_and_return(26), cfg, read_frame=frames)
    assert [(s.kind, s.fix["op"], s.tracks) for s in swapped] == [("crossing", "swap", (1, 2))]
    assert 21 <= swapped[0].fix["from_frame"] <= 32


@pytest.mark.slow
def test_bytetrack_exchange_inside_a_long_overlap_on_real_detections(tmp_path, snmot116):
    """The issue's case: ByteTrack on SNMOT-116's own det.txt trades tracks 15 and 16 at
    frame 171 while the two players overlap for ~230 frames; the scan proposes exactly
    that exchange (a one-frame trade of position and size inside the overlap)."""
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    out = tmp_path / "bt.txt"
    run_pipeline(PipelineConfig(source=snmot116, detector=f"det:{snmot116 / 'det' / 'det.txt'}",
                                tracker="bytetrack", out=out))
    found = [s for s in scan_table(read_mot(out)) if s.kind == "crossing"
             and set(s.tracks) == {15, 16} and 169 <= s.frame <= 173]
    assert found and found[0].fix == {"op": "swap", "a": 15, "b": 16, "from_frame": 171}


def _crowd(seed: int) -> MotTable:
    """Tracks crossing, jumping, with gaps and short stubs: every kind of suspect."""
    rng = np.random.default_rng(seed)
    f = np.repeat(np.arange(1, 241), 8)
    t = np.tile(np.arange(8), 240)
    x = t * 45.0 + np.sin(f / (7.0 + t)) * 60 + rng.normal(0, 1.5, len(f))
    y = 100.0 + t * 8 + rng.normal(0, 1.5, len(f))
    for _ in range(6):  # plant id exchanges
        a, b = rng.choice(8, 2, replace=False)
        m = f >= rng.integers(2, 240)
        ta_, tb_ = (t == a) & m, (t == b) & m
        t[ta_], t[tb_] = b, a
    keep = rng.random(len(f)) > 0.06  # gaps
    t[rng.random(len(f)) < 0.01] = 40 + rng.integers(0, 5)  # short stubs
    xywh = np.c_[x, y, np.full(len(f), W), np.full(len(f), H)]
    return MotTable.from_arrays(f[keep].astype(np.int32), t[keep], xywh[keep])


def test_scan_a_chunk_of_tracks_at_a_time_equals_one_pass(monkeypatch):
    """Jumps, gaps and the crossings' step cues work on chunks of whole tracks (bounded
    memory on a match); any chunk size gives the same suspects as one pass."""
    from sporttrack_gui.assist import scan

    for seed in (1, 2):
        tab = _crowd(seed)
        monkeypatch.setattr(scan, "JUMP_CHUNK_ROWS", 10**9)
        whole = scan_table(tab)
        assert {s.kind for s in whole} >= {"jump", "gap"}
        for size in (1, 37, 500):
            monkeypatch.setattr(scan, "JUMP_CHUNK_ROWS", size)
            assert scan_table(tab) == whole


def test_rows_before_and_from_a_frame_match_a_sorted_key_search():
    ta = TrackArrays.from_table(_crowd(3))
    stride = int(ta.frame.max()) + 2
    key = ta.track.astype(np.int64) * stride + ta.frame
    rng = np.random.default_rng(0)
    track = rng.integers(-2, 50, 3000)
    frame = rng.integers(0, stride, 3000)  # the range the old key search was right in
    q = track * stride + frame
    before = np.searchsorted(key, q) - 1
    before = np.where((before >= 0) & (ta.track[np.maximum(before, 0)] == track), before, -1)
    after = np.searchsorted(key, q)
    after = np.where((after < len(key)) & (ta.track[np.minimum(after, len(key) - 1)] == track),
                     after, -1)
    np.testing.assert_array_equal(ta.row_before(track, frame), before)
    np.testing.assert_array_equal(ta.row_from(track, frame), after)


def test_track_arrays_from_parts_equal_the_sorted_concatenation():
    """The scan of a model with added boxes reads main and added rows as two parts."""
    tab = _crowd(4)
    rng = np.random.default_rng(1)
    extra = np.sort(rng.choice(len(tab), 60, replace=False))
    main = np.setdiff1d(np.arange(len(tab)), extra)
    parts = [(tab.frame[main], tab.track_id[main], tab.xywh[main]),
             (tab.frame[extra], tab.track_id[extra], tab.xywh[extra])]
    joined = np.r_[main, extra]
    order = np.argsort(tab.frame[joined], kind="stable")
    want = TrackArrays.from_columns(tab.frame[joined][order], tab.track_id[joined][order],
                                    tab.xywh[joined][order])
    got = TrackArrays.from_parts(parts)
    for k in ("track", "frame", "cx", "cy", "w", "h", "first", "last"):
        np.testing.assert_array_equal(getattr(got, k), getattr(want, k), err_msg=k)
    assert got.scale_floor == want.scale_floor
