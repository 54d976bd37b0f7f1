"""The in-memory run model follows edits by their deltas: after any sequence of edits,
undos and redos it equals a fresh load of the file (property test), on a mid-size run
with gaps, unassigned detections and packed blocks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.project import Project, edits, history
from sporttrack_gui.ui.run_index import RunIndex

N_FRAMES, N_TRACKS = 40, 6


def _build(p: Project) -> int:
    rng = np.random.default_rng(3)
    run = p.create_run(p.add_sequence("s", "/s", width=640, height=480, fps=25.0,
                                      frame_count=N_FRAMES), "trk", status="complete")
    present = rng.random((N_FRAMES, N_TRACKS)) > 0.15
    f, t = np.nonzero(present)
    f, t = f + 1, t + 1
    p.append_boxes(run, {"frame": f, "track_id": t,
                         "xywh": np.c_[f * 10.0 + t, t * 7.0, 5 + t, 9.0 + f]})
    p.append_boxes(run, {"frame": [2, 2, 9], "track_id": [-1, -1, -1],
                         "xywh": [[500.0, 1, 2, 3], [600.0, 1, 2, 3], [700.0, 5, 6, 7]]})
    return run


def _fresh(p: Project, run: int) -> RunIndex:
    return RunIndex.load(p.conn, run)


def assert_same(model: RunIndex, fresh: RunIndex) -> None:
    a, b = model.columns(), fresh.columns()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    assert model.track_stats() == fresh.track_stats()
    assert len(model) == len(fresh) == len(a["frame"])
    la, lb = model.lanes(), fresh.lanes()
    np.testing.assert_array_equal(la.track_ids, lb.track_ids)
    np.testing.assert_array_equal(la.seg_x, lb.seg_x)
    np.testing.assert_array_equal(la.seg_y, lb.seg_y)
    for frame in (1, 2, 9, N_FRAMES):
        sa, sb = model.at(frame), fresh.at(frame)
        np.testing.assert_array_equal(sa.track_id, sb.track_id)


def _box_id(p: Project, run: int, frame: int, k: int) -> int | None:
    fb = p.frame_boxes(run, frame)
    return int(fb["id"][k % len(fb["id"])]) if len(fb["id"]) else None


ids = st.integers(0, N_TRACKS + 2)
frames = st.integers(1, N_FRAMES)
op = st.one_of(
    st.tuples(st.just("swap"), ids, ids, frames),
    st.tuples(st.just("reassign"), ids, st.none() | ids, frames),
    st.tuples(st.just("merge"), ids, ids),
    st.tuples(st.just("split"), ids, frames),
    st.tuples(st.just("delete"), ids, frames, frames),
    st.tuples(st.just("interpolate"), ids, frames, frames),
    st.tuples(st.just("add"), frames, ids, st.integers(0, 400)),
    st.tuples(st.just("move"), frames, st.integers(0, 30), st.integers(-20, 20)),
    st.tuples(st.just("delete_box"), frames, st.integers(0, 30)),
    st.tuples(st.just("set_id"), frames, st.integers(0, 30), st.integers(-1, N_TRACKS + 2)),
    st.tuples(st.just("label"), ids, st.text("abc", max_size=3)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


def _do(p: Project, run: int, o: tuple):
    kind = o[0]
    if kind == "swap":
        return edits.swap_tracks(p, run, o[1], o[2], o[3])
    if kind == "reassign":
        return edits.reassign_track(p, run, o[1], o[2], o[3])
    if kind == "merge":
        return edits.merge_tracks(p, run, o[1], o[2])
    if kind == "split":
        return edits.split_track(p, run, o[1], o[2])
    if kind == "delete":
        return edits.delete_track(p, run, o[1], min(o[2], o[3]), max(o[2], o[3]))
    if kind == "interpolate":
        return edits.interpolate_track(p, run, o[1], min(o[2], o[3]), max(o[2], o[3]))
    if kind == "add":
        return edits.add_box(p, run, o[1], o[2], (float(o[3]), 3.0, 10.0, 20.0))
    if kind in ("move", "delete_box", "set_id"):
        box = _box_id(p, run, o[1], o[2])
        if box is None:
            return None
        if kind == "move":
            return edits.move_box(p, box, float(o[3]), 1.0)
        if kind == "delete_box":
            return edits.delete_box(p, box)
        return edits.set_box_track(p, box, o[3])
    if kind == "label":
        return edits.set_track_fields(p, run, o[1], label=o[2] or None)
    return (history.undo if kind == "undo" else history.redo)(p, run)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(op, min_size=1, max_size=25))
def test_model_follows_any_edit_sequence_like_a_fresh_load(tmp_path_factory, sequence):
    path = tmp_path_factory.mktemp("m") / "m.stp"
    with Project.open(path, create=True) as p:
        run = _build(p)
        model = _fresh(p, run)
        for o in sequence:
            try:
                result = _do(p, run, o)
            except SportTrackError:
                continue
            if result is not None:
                change = model.apply_delta(result.delta)
                assert change.boxes_changed or not result.delta.rows_changed
                assert_same(model, _fresh(p, run))
        assert_same(model, RunIndex.from_table(p.boxes(run)))


def test_change_names_tracks_and_frames(tmp_path):
    with Project.open(tmp_path / "m.stp", create=True) as p:
        run = _build(p)
        model = _fresh(p, run)
        change = model.apply_delta(edits.swap_tracks(p, run, 1, 2, 20).delta)
        assert change.tracks == {1, 2}
        assert change.frames is not None and change.frames[0] >= 20
        change = model.apply_delta(history.undo(p, run).delta)
        assert change.tracks == {1, 2}
        change = model.apply_delta(edits.set_track_fields(p, run, 3, label="x").delta)
        assert change.meta == {3} and not change.boxes_changed
        assert_same(model, _fresh(p, run))


@pytest.mark.parametrize("drop_blocks", [False, True])
def test_bulk_load_equals_the_row_path(tmp_path, drop_blocks):
    with Project.open(tmp_path / "m.stp", create=True) as p:
        run = _build(p)
        edits.swap_tracks(p, run, 1, 2, 10)
        edits.delete_track(p, run, 3, 5, 12)
        if drop_blocks:
            with p.transaction() as c:
                c.execute("DELETE FROM box_blocks WHERE raw = 4 AND block = 0")
        assert_same(_fresh(p, run), RunIndex.from_table(p.boxes(run)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(op, min_size=1, max_size=20))
def test_incremental_scan_equals_a_full_rescan(tmp_path_factory, sequence):
    """The assistant's rescans of the followed model (box-overlap pairs cached from the
    first scan) equal a full scan of the project's boxes after every edit."""
    from sporttrack_gui.assist import incremental, scan_table
    from sporttrack_gui.assist.incremental import IncrementalScan

    path = tmp_path_factory.mktemp("s") / "s.stp"
    chunk, incremental.CHUNK_ROWS = incremental.CHUNK_ROWS, 37  # sweeps in several chunks
    with Project.open(path, create=True) as p:
        run = _build(p)
        model = _fresh(p, run)
        scanner = IncrementalScan()
        assert scanner.scan(model.snapshot()) == scan_table(p.boxes(run))
        for o in sequence:
            try:
                result = _do(p, run, o)
            except SportTrackError:
                continue
            if result is not None:
                model.apply_delta(result.delta)
                assert scanner.scan(model.snapshot()) == scan_table(p.boxes(run))
    incremental.CHUNK_ROWS = chunk


def test_keyframes_from_stretches_agree_with_the_frames_rule():
    from sporttrack_gui.ui.track_ops import keyframes_around

    rng = np.random.default_rng(5)
    for _ in range(200):
        frames = np.unique(rng.integers(1, 40, rng.integers(1, 30)))
        model = RunIndex(frames, np.full(len(frames), 3), np.ones((len(frames), 4)))
        for f in range(0, 42):
            assert model.keyframes(3, f) == keyframes_around(frames, f), (frames, f)


def test_typed_ops_round_trip_fix_dicts_and_apply_like_the_functions(tmp_path):
    from sporttrack_gui.project import ops

    for op in (ops.Swap(1, 2, 5), ops.Reassign(1, None, 3), ops.Merge(1, 2), ops.Split(1, 9),
               ops.Delete(3), ops.Delete(3, 4, 8), ops.Interpolate(2, 3, 9)):
        assert ops.from_fix(op.to_fix()) == op
        assert op.describe()
    with pytest.raises(SportTrackError):
        ops.from_fix({"op": "explode", "a": 1})
    with Project.open(tmp_path / "m.stp", create=True) as p:
        run = _build(p)
        model = _fresh(p, run)
        result = ops.Swap(1, 2, 10).apply(p, run)
        assert result.label == "swap 1 <-> 2 from frame 10"
        model.apply_delta(result.delta)
        assert_same(model, _fresh(p, run))


def test_run_read_from_rows_equals_the_block_read(tmp_path):
    from sporttrack_gui.project import blocks

    with Project.open(tmp_path / "m.stp", create=True) as p:
        run = _build(p)
        raw_a, rec_a = blocks.read_run(p.conn, run)
        raw_b, rec_b = blocks.read_run_rows(p.conn, run)
        np.testing.assert_array_equal(raw_a, raw_b)
        np.testing.assert_array_equal(rec_a, rec_b)


def test_block_read_places_good_blocks_and_rereads_stale_ones(tmp_path):
    """The block read writes each block into its raw track's slot (sized by the row
    count); a raw track whose blocks do not add up, or blocks of a raw track without
    rows, never shift another track's rows."""
    from sporttrack_gui.project import blocks

    with Project.open(tmp_path / "m.stp", create=True) as p:
        run = _build(p)
        with p.transaction() as c:
            data = c.execute("SELECT data FROM box_blocks WHERE run_id = ? AND raw = 1 "
                             "AND block = 0", (run,)).fetchone()[0]
            c.execute("INSERT INTO box_blocks VALUES (?, 99, 0, ?)", (run, data))  # no rows
            c.execute("INSERT INTO box_blocks VALUES (?, 2, 5, ?)", (run, data))  # too many
            c.execute("INSERT INTO box_blocks VALUES (?, 0, 0, ?)", (run, data))  # no rows
        raw_a, rec_a = blocks.read_run(p.conn, run)
        raw_b, rec_b = blocks.read_run_rows(p.conn, run)
        np.testing.assert_array_equal(raw_a, raw_b)
        np.testing.assert_array_equal(rec_a, rec_b)


def test_jumps_found_a_chunk_of_tracks_at_a_time_equal_one_pass(monkeypatch):
    from sporttrack_gui.assist import scan
    from sporttrack_gui.assist.suspects import ScanConfig
    from sporttrack_gui.formats.mot import MotTable

    rng = np.random.default_rng(4)
    f = np.repeat(np.arange(1, 301), 6)
    t = np.tile(np.arange(6), 300)
    xy = np.c_[t * 60.0 + f * 0.5, t * 20.0 + 10]
    for _ in range(8):  # plant id swaps: jumps, some paired
        a, b = rng.choice(6, 2, replace=False)
        m = f >= rng.integers(2, 300)
        ta_, tb_ = (t == a) & m, (t == b) & m
        t[ta_], t[tb_] = b, a
    ta = scan.TrackArrays.from_table(MotTable.from_arrays(f, t, np.c_[xy, np.full((len(f), 2), 20.0)]))
    monkeypatch.setattr(scan, "JUMP_CHUNK_ROWS", 10**9)
    whole = scan.find_jumps(ta, ScanConfig())
    assert whole[0]
    for size in (1, 50, 301):
        monkeypatch.setattr(scan, "JUMP_CHUNK_ROWS", size)
        part = scan.find_jumps(ta, ScanConfig())
        assert part[0] == whole[0] and np.array_equal(part[1], whole[1])
