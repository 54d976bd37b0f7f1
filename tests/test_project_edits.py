"""Edit operations: exact inverses (property-based), refused conflicts, persistence."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sporttrack_gui.errors import EditConflict, ProjectError
from sporttrack_gui.project import Project, edits, history

N_FRAMES, N_TRACKS = 12, 4


def _snapshot(p: Project) -> tuple:
    """Visible boxes with their shown ids, track metadata, and the stored raw rows and
    id segments (undo must restore the storage exactly, not just what it shows)."""
    shown = p.conn.execute(
        "SELECT b.id, b.run_id, b.frame, IIF(s.raw IS NULL, b.track, s.disp), b.x, b.y, b.w, "
        "b.h, b.conf, b.cls, b.vis FROM boxes b LEFT JOIN track_segments s ON "
        "s.run_id = b.run_id AND s.raw = b.track AND b.frame BETWEEN s.f0 AND s.f1 "
        "WHERE b.track >= -1 AND (s.raw IS NULL OR s.disp IS NOT NULL) ORDER BY b.id").fetchall()
    tracks = p.conn.execute("SELECT * FROM tracks ORDER BY run_id, track").fetchall()
    raw = p.conn.execute("SELECT id, run_id, frame, track, x, y, w, h, conf, cls, vis "
                         "FROM boxes ORDER BY id").fetchall()
    segments = p.conn.execute("SELECT * FROM track_segments ORDER BY 1, 2, 3").fetchall()
    return shown, tracks, raw, segments


def _make(p: Project, present: np.ndarray) -> int:
    run = p.create_run(p.add_sequence("s", "/s"), "trk", status="complete")
    f, t = np.nonzero(present)
    f, t = f + 1, t + 1
    xywh = np.c_[f * 10.0 + t, t * 7.0, 5 + t, 9.0 + f]
    p.append_boxes(run, {"frame": f, "track_id": t, "xywh": xywh})
    p.append_boxes(run, {"frame": [2, 2], "track_id": [-1, -1], "xywh": np.ones((2, 4))})
    return run


track = st.integers(1, N_TRACKS + 1)
frame = st.integers(1, N_FRAMES)
ops = st.one_of(
    st.tuples(st.just("swap"), track, track, frame),
    st.tuples(st.just("reassign"), track, st.one_of(st.none(), track), frame),
    st.tuples(st.just("merge"), track, track),
    st.tuples(st.just("split"), track, frame),
    st.tuples(st.just("delete"), track, st.one_of(st.none(), frame), st.one_of(st.none(), frame)),
    st.tuples(st.just("interp"), track, frame, frame),
    st.tuples(st.just("label"), track, st.sampled_from(["a", "b", None])),
    st.tuples(st.just("add"), track, frame),
    st.tuples(st.just("boxop"), st.integers(0, 3), st.integers(0, 200),
              st.integers(-1, N_TRACKS + 1)),
)


def _do(p: Project, run: int, op: tuple) -> None:
    kind = op[0]
    if kind == "swap":
        edits.swap_tracks(p, run, op[1], op[2], op[3])
    elif kind == "reassign":
        edits.reassign_track(p, run, op[1], op[2], op[3])
    elif kind == "merge":
        edits.merge_tracks(p, run, op[1], op[2])
    elif kind == "split":
        edits.split_track(p, run, op[1], op[2])
    elif kind == "delete":
        edits.delete_track(p, run, op[1], op[2], op[3])
    elif kind == "interp":
        edits.interpolate_track(p, run, op[1], op[2], op[3])
    elif kind == "label":
        edits.set_track_fields(p, run, op[1], label=op[2], team="home")
    elif kind == "add":
        edits.add_box(p, run, op[2], op[1], (1.5, 2.5, 3.0, 4.0))
    else:
        ids = p.conn.execute("SELECT id FROM boxes ORDER BY id").fetchall()
        box = ids[op[2] % len(ids)][0]
        [lambda: edits.move_box(p, box, 1.25, -2.0), lambda: edits.resize_box(p, box, 3, 4),
         lambda: edits.delete_box(p, box), lambda: edits.set_box_track(p, box, op[3])][op[1]]()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(present=st.lists(st.booleans(), min_size=N_FRAMES * N_TRACKS,
                        max_size=N_FRAMES * N_TRACKS),
       sequence=st.lists(ops, min_size=1, max_size=8))
def test_apply_undo_redo_roundtrip(present, sequence):
    with tempfile.TemporaryDirectory() as d, Project.open(Path(d) / "p.stp", create=True) as p:
        run = _make(p, np.array(present).reshape(N_FRAMES, N_TRACKS))
        start = _snapshot(p)
        applied = 0
        for op in sequence:
            before = _snapshot(p)
            try:
                _do(p, run, op)
                applied += 1
            except (EditConflict, ProjectError):
                assert _snapshot(p) == before  # a refused edit changes nothing
            _check_reads(p, run)
        after = _snapshot(p)
        assert len(history.history(p, run)) == applied
        for _ in range(applied):
            assert history.undo(p, run) is not None
        assert history.undo(p, run) is None
        assert _snapshot(p) == start
        for _ in range(applied):
            assert history.redo(p, run) is not None
        assert history.redo(p, run) is None
        assert _snapshot(p) == after


def _check_reads(p: Project, run: int) -> None:
    """Every read path agrees with the visible rows of the snapshot (shown ids), and no
    id >= 0 shows twice in a frame."""
    shown = [r for r in _snapshot(p)[0] if r[1] == run]
    want = sorted((r[2], r[3], r[4]) for r in shown)
    t = p.boxes(run)
    # rows sharing (frame, track) -- unassigned boxes, track -1 -- have no defined order
    got = sorted(zip(t.frame.tolist(), t.track_id.tolist(), t.xywh[:, 0].tolist(), strict=True))
    assert got == [(f, k, pytest.approx(x)) for f, k, x in want]
    keys = [(f, k) for f, k, _ in want if k >= 0]
    assert len(keys) == len(set(keys)), "an id shows twice in one frame"
    ids = sorted({k for _, k in keys})
    spans = p.track_spans(run)
    assert spans["track"].tolist() == ids
    for i, k in enumerate(ids):
        frames = [f for f, kk in keys if kk == k]
        assert (spans["first"][i], spans["last"][i], spans["count"][i]) == \
            (min(frames), max(frames), len(frames))
        tk = p.boxes(run, track=k, frame_range=(3, N_FRAMES - 2))
        assert tk.frame.tolist() == [f for f in frames if 3 <= f <= N_FRAMES - 2]
    for f in (2, 7):
        fb = p.frame_boxes(run, f)
        assert sorted(fb["track"].tolist()) == sorted(k for ff, k, _ in want if ff == f)
        for box_id, k in zip(fb["id"].tolist(), fb["track"].tolist(), strict=True):
            assert p.box(box_id)["track"] == k
    stats = p.run_stats(run)
    assert (stats["boxes"], stats["tracks"]) == (len(want), len(ids))


@pytest.fixture
def proj(tmp_path):
    with Project.open(tmp_path / "e.stp", create=True) as p:
        yield p


def _grid(p: Project) -> int:
    return _make(p, np.ones((N_FRAMES, N_TRACKS), bool))


def _tracks_at(p: Project, run: int, f: int) -> dict:
    fb = p.frame_boxes(run, f)
    return {int(t): tuple(b) for t, b in zip(fb["track"], fb["xywh"], strict=True) if t >= 0}


def test_swap_from_frame(proj):
    run = _grid(proj)
    f3, f8 = _tracks_at(proj, run, 3), _tracks_at(proj, run, 8)
    res = edits.swap_tracks(proj, run, 1, 2, from_frame=5)
    assert res.rows == 2 * (N_FRAMES - 4)
    assert _tracks_at(proj, run, 3) == f3
    after = _tracks_at(proj, run, 8)
    assert after[1] == f8[2] and after[2] == f8[1] and after[3] == f8[3]


def test_conflicts_refused_with_frames(proj):
    run = _grid(proj)
    before = _snapshot(proj)
    with pytest.raises(EditConflict, match=r"id 1 already has a box in frame\(s\) 1, 2, 3"):
        edits.merge_tracks(proj, run, 1, 2)
    with pytest.raises(EditConflict, match="frame"):
        edits.reassign_track(proj, run, 3, 4, from_frame=10)
    box = int(proj.frame_boxes(run, 6)["id"][0])
    with pytest.raises(EditConflict):
        edits.set_box_track(proj, box, 4)
    with pytest.raises(EditConflict, match="frame"):
        edits.add_box(proj, run, 5, 2, (0, 0, 1, 1))
    assert _snapshot(proj) == before
    assert history.history(proj, run) == []


def test_split_merge_interpolate(proj):
    run = _grid(proj)
    res = edits.split_track(proj, run, 2, at_frame=7)
    assert res.new_track == N_TRACKS + 1 and res.rows == N_FRAMES - 6
    spans = proj.track_spans(run)
    i = spans["track"].tolist().index(res.new_track)
    assert (spans["first"][i], spans["last"][i]) == (7, N_FRAMES)
    edits.merge_tracks(proj, run, 2, res.new_track)
    assert proj.track_spans(run)["track"].tolist() == [1, 2, 3, 4]
    edits.delete_track(proj, run, 3, 4, 9)
    res = edits.interpolate_track(proj, run, 3, 3, 10)
    assert res.rows == 6
    t = proj.boxes(run, track=3)
    x = t.xywh[:, 0]
    np.testing.assert_allclose(x[2:10], np.linspace(x[2], x[9], 8), rtol=1e-6)
    with pytest.raises(ProjectError, match="no box in keyframe"):
        edits.interpolate_track(proj, run, 3, 3, 40)


def test_undo_persists_across_reopen(tmp_path):
    path = tmp_path / "u.stp"
    with Project.open(path, create=True) as p:
        run = _grid(p)
        start = _snapshot(p)
        edits.swap_tracks(p, run, 1, 3, 4)
        edits.delete_track(p, run, 2)
        edits.set_track_fields(p, run, 1, label="GK", team="away")
        done = _snapshot(p)
    with Project.open(path) as p:
        assert [h["state"] for h in history.history(p, run)] == ["done"] * 3
        while history.undo(p, run):
            pass
        assert _snapshot(p) == start
    with Project.open(path) as p:
        history.redo(p, run)
        history.redo(p, run)
        history.redo(p, run)
        assert _snapshot(p) == done
        assert p.track_meta(run)[1]["label"] == "GK"


def test_new_edit_drops_redo_stack(proj):
    run = _grid(proj)
    edits.delete_track(proj, run, 1)
    history.undo(proj, run)
    edits.delete_track(proj, run, 2)
    assert [h["label"] for h in history.history(proj, run)] == ["delete track 2"]
    assert history.redo(proj, run) is None
    # only the live op keeps saved segments; the dropped one's went with it
    [live] = history.history(proj, run)
    assert proj.conn.execute("SELECT DISTINCT op_id, raw FROM edit_remap").fetchall() \
        == [(live["id"], 2)]
    assert proj.conn.execute("SELECT raw, f0, disp FROM track_segments").fetchall() \
        == [(2, 1, None)]


def test_nothing_to_change_is_refused(proj):
    run = _grid(proj)
    with pytest.raises(ProjectError, match="nothing to change"):
        edits.swap_tracks(proj, run, 1, 9, from_frame=50)
    assert history.history(proj, run) == []


def test_edit_log_rows_use_no_python_lists(proj):
    """Saved rows are in tables keyed by op, so huge ops keep a tiny JSON record."""
    run = _grid(proj)
    res = edits.delete_track(proj, run, 1)
    fwd, inv = proj.conn.execute("SELECT forward, inverse FROM edit_ops WHERE id = ?",
                                 (res.op_id,)).fetchone()
    assert len(fwd) < 100 and len(inv) < 100
    assert res.rows == N_FRAMES
    con = sqlite3.connect(proj.path)  # a 12- or 135,000-box track: one saved segment row
    assert con.execute("SELECT COUNT(*) FROM edit_remap WHERE op_id = ?",
                       (res.op_id,)).fetchone()[0] == 1
    con.close()
    assert len(proj.boxes(run, track=1)) == 0 and proj.run_stats(run)["tracks"] == N_TRACKS - 1


def test_clear_history_frees_parked_rows(proj):
    run = _grid(proj)
    edits.delete_track(proj, run, 2)
    edits.swap_tracks(proj, run, 1, 3, 6)
    kept = _snapshot(proj)[0]
    assert history.clear_history(proj, run) == N_FRAMES
    assert history.history(proj, run) == [] and history.undo(proj, run) is None
    assert _snapshot(proj)[0] == [b for b in kept if b[3] >= -1]
    assert proj.conn.execute("SELECT COUNT(*) FROM edit_retrack").fetchone()[0] == 0
    assert proj.conn.execute("SELECT COUNT(*) FROM edit_remap").fetchone()[0] == 0
    assert proj.conn.execute("SELECT COUNT(*) FROM track_segments WHERE disp IS NULL"
                             ).fetchone()[0] == 0
