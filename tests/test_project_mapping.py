"""Id edits stored as frame-range segments: edge cases of the mapping, a model-checked
property test, persistence, copies, exports and the v1 -> v2 migration."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sporttrack_gui.errors import EditConflict, ProjectError
from sporttrack_gui.project import Project, edits, history, schema

N_FRAMES, N_TRACKS = 12, 4


def _state(p: Project) -> tuple:
    """Raw rows, segments and metadata: what undo must restore exactly."""
    c = p.conn
    return (c.execute("SELECT * FROM boxes ORDER BY id").fetchall(),
            c.execute("SELECT * FROM track_segments ORDER BY 1, 2, 3").fetchall(),
            c.execute("SELECT * FROM tracks ORDER BY 1, 2").fetchall())


def _grid(p: Project, present: np.ndarray | None = None) -> int:
    """Track t has a box in frame f (x = 10 f + t identifies the box) where present."""
    present = np.ones((N_FRAMES, N_TRACKS), bool) if present is None else present
    run = p.create_run(p.add_sequence("s", "/s", width=640, height=480, fps=25.0,
                                      frame_count=N_FRAMES), "trk", status="complete")
    f, t = np.nonzero(present)
    f, t = f + 1, t + 1
    p.append_boxes(run, {"frame": f, "track_id": t,
                         "xywh": np.c_[f * 10.0 + t, t * 7.0, 5 + t, 9.0 + f]})
    p.append_boxes(run, {"frame": [2, 2], "track_id": [-1, -1],
                         "xywh": [[500.0, 1, 2, 3], [600.0, 1, 2, 3]]})
    return run


def _shown(p: Project, run: int) -> list[tuple[int, int, float]]:
    """(frame, shown id, x) of every visible box, sorted."""
    t = p.boxes(run)
    return sorted(zip(t.frame.tolist(), t.track_id.tolist(), t.xywh[:, 0].tolist(),
                      strict=True))


def _undo_all(p: Project, run: int) -> int:
    n = 0
    while history.undo(p, run):
        n += 1
    return n


@pytest.fixture
def proj(tmp_path):
    with Project.open(tmp_path / "m.stp", create=True) as p:
        yield p


def test_many_swaps_at_different_frames_then_undo_and_redo_all(proj):
    run = _grid(proj)
    start = _state(proj)
    model = {(f, t): t for f in range(1, N_FRAMES + 1) for t in range(1, N_TRACKS + 1)}
    plan = [(1, 2, 3), (2, 3, 5), (1, 3, 4), (4, 1, 9), (2, 4, 2), (1, 2, 11), (3, 4, 7),
            (1, 2, 3), (2, 1, 6)]
    for a, b, f0 in plan:
        edits.swap_tracks(proj, run, a, b, f0)
        for f in range(f0, N_FRAMES + 1):
            for raw in range(1, N_TRACKS + 1):
                if model[f, raw] in (a, b):
                    model[f, raw] = b if model[f, raw] == a else a
    want = sorted([(f, shown, f * 10.0 + raw) for (f, raw), shown in model.items()]
                  + [(2, -1, 500.0), (2, -1, 600.0)])
    assert _shown(proj, run) == want
    after = _state(proj)
    # segments stay few: at most one per (raw track, distinct swap frame)
    assert len(after[1]) <= N_TRACKS * len(plan)
    assert _undo_all(proj, run) == len(plan)
    assert _state(proj) == start
    while history.redo(proj, run):
        pass
    assert _state(proj) == after and _shown(proj, run) == want


def test_swap_split_merge_returns_to_the_swap_state(proj):
    run = _grid(proj)
    start = _state(proj)
    edits.swap_tracks(proj, run, 1, 2, 5)
    swapped = _state(proj)
    new = edits.split_track(proj, run, 1, 8).new_track
    assert new == N_TRACKS + 1
    assert proj.boxes(run, track=new).frame.tolist() == list(range(8, N_FRAMES + 1))
    # boxes of the new id come from raw track 2 (swapped onto id 1 from frame 5)
    np.testing.assert_allclose(proj.boxes(run, track=new).xywh[:, 0],
                               np.arange(8, N_FRAMES + 1) * 10.0 + 2)
    edits.merge_tracks(proj, run, 1, new)
    assert _state(proj)[1] == swapped[1]  # canonical segments: merge undid the split
    assert _undo_all(proj, run) == 3
    assert _state(proj) == start


def test_conflicts_after_remaps_are_refused_and_change_nothing(proj):
    run = _grid(proj, np.c_[np.ones((N_FRAMES, 2), bool), np.zeros((N_FRAMES, 2), bool)])
    edits.reassign_track(proj, run, 2, 3, 7)  # 3 = raw 2 from frame 7 on
    before = _state(proj)
    with pytest.raises(EditConflict, match=r"id 3 already has a box in frame\(s\) 7, 8, 9"):
        edits.merge_tracks(proj, run, 3, 1)
    with pytest.raises(EditConflict, match=r"frame\(s\) 7, 8, 9, 10, 11, 12;"):
        edits.reassign_track(proj, run, 1, 3, 1)
    with pytest.raises(EditConflict):
        edits.add_box(proj, run, 9, 3, (0, 0, 1, 1))
    with pytest.raises(EditConflict):
        edits.set_box_track(proj, _box_at(proj, run, 9, 1), 3)
    with pytest.raises(EditConflict):
        edits.insert_boxes(proj, run, 3, [6, 7], np.ones((2, 4)))
    assert _state(proj) == before
    assert len(history.history(proj, run)) == 1
    # where the ids are free the same kinds of edit go through
    edits.add_box(proj, run, 4, 3, (1, 2, 3, 4))
    with pytest.raises(EditConflict, match=r"id 2 already has a box in frame\(s\) 4;"):
        edits.merge_tracks(proj, run, 2, 3)
    edits.set_box_track(proj, _box_at(proj, run, 4, 3), 4)
    edits.merge_tracks(proj, run, 2, 3)  # raw 2 shows 2 again everywhere
    assert proj.track_spans(run)["track"].tolist() == [1, 2, 4]
    assert len(proj.boxes(run, track=2)) == N_FRAMES
    assert proj.conn.execute("SELECT raw, disp FROM track_segments").fetchall() == [(3, 4)]


def _box_at(p: Project, run: int, frame: int, track: int) -> int:
    fb = p.frame_boxes(run, frame)
    return int(fb["id"][fb["track"].tolist().index(track)])


def test_add_box_where_the_raw_id_is_remapped_uses_a_fresh_raw_id(proj):
    run = _grid(proj)
    start = _state(proj)
    edits.swap_tracks(proj, run, 1, 2, 6)
    edits.delete_track(proj, run, 1, 8, 8)  # hides raw 2 at frame 8
    edits.add_box(proj, run, 8, 1, (1.5, 2, 3, 4))
    assert proj.conn.execute("SELECT MAX(track) FROM boxes").fetchone()[0] > N_TRACKS
    fb = proj.frame_boxes(run, 8)
    assert dict(zip(fb["track"].tolist(), fb["xywh"][:, 0].tolist(), strict=True))[1] == 1.5
    edits.delete_track(proj, run, 2, 3, 9)
    res = edits.interpolate_track(proj, run, 2, 2, 10)  # raw 2 from 10 on, raw 1 before
    assert res.rows == 7
    t = proj.boxes(run, track=2)
    assert t.frame.tolist() == list(range(1, N_FRAMES + 1))
    x = t.xywh[:, 0].astype(np.float64)
    np.testing.assert_allclose(x[1:10], np.linspace(x[1], x[9], 9), rtol=1e-6)
    assert _undo_all(proj, run) == 5
    assert _state(proj) == start


def test_set_id_of_a_detection_box(proj):
    run = _grid(proj)
    start = _state(proj)
    det = int(proj.frame_boxes(run, 2)["id"][0])
    with pytest.raises(EditConflict):
        edits.set_box_track(proj, det, 1)
    edits.delete_track(proj, run, 1, 2, 2)  # raw 1 hidden at frame 2: raw id 1 is taken
    edits.set_box_track(proj, det, 1)
    assert proj.box(det)["track"] == 1
    assert proj.track_spans(run)["count"].tolist()[0] == N_FRAMES
    edits.set_box_track(proj, det, -1)
    assert proj.box(det)["track"] == -1
    other = int(proj.frame_boxes(run, 2)["id"][1])
    edits.set_box_track(proj, other, 7)  # raw 7 is free: the detection just gets it
    assert proj.box(other)["track"] == 7
    with pytest.raises(ProjectError, match="nothing to change"):
        edits.set_box_track(proj, other, 7)
    assert _undo_all(proj, run) == 4
    assert _state(proj) == start


def test_copy_run_copies_the_mapping_without_hidden_rows(proj):
    run = _grid(proj)
    edits.swap_tracks(proj, run, 1, 3, 4)
    edits.delete_track(proj, run, 2, 5, 9)
    edits.split_track(proj, run, 4, 10)
    copy = proj.copy_run(run, "fixed")
    assert proj.boxes(copy).equals(proj.boxes(run))
    assert proj.conn.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ?",
                             (copy,)).fetchone()[0] == N_FRAMES * N_TRACKS + 2 - 5
    assert proj.conn.execute("SELECT COUNT(*) FROM track_segments WHERE run_id = ? AND "
                             "disp IS NULL", (copy,)).fetchone()[0] == 0
    edits.swap_tracks(proj, copy, 1, 3, 1)  # the copy edits on its own
    assert not proj.boxes(copy).equals(proj.boxes(run))


def test_export_after_remaps_equals_the_shown_boxes(proj, tmp_path):
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.project.exporter import export_mot

    run = _grid(proj)
    edits.delete_box(proj, int(proj.frame_boxes(run, 2)["id"][0]))
    edits.delete_box(proj, int(proj.frame_boxes(run, 2)["id"][0]))  # no -1 boxes left
    edits.swap_tracks(proj, run, 1, 2, 4)
    edits.split_track(proj, run, 3, 6)
    edits.delete_track(proj, run, 4, 2, 3)
    written = export_mot(proj, run, tmp_path / "out")
    back = read_mot(written["file"], kind="gt")
    mine = proj.boxes(run)
    order = np.lexsort((back.track_id, back.frame))
    np.testing.assert_array_equal(back.frame[order], mine.frame)
    np.testing.assert_array_equal(back.track_id[order], mine.track_id)
    np.testing.assert_allclose(back.xywh[order], mine.xywh)


def test_reopen_preserves_mapping_and_undo(tmp_path):
    path = tmp_path / "r.stp"
    with Project.open(path, create=True) as p:
        run = _grid(p)
        start = _state(p)
        edits.swap_tracks(p, run, 1, 2, 3)
        edits.delete_track(p, run, 4, 1, 6)
        edits.split_track(p, run, 3, 5)
        shown, done = _shown(p, run), _state(p)
    with Project.open(path, readonly=True) as ro:
        assert _shown(ro, run) == shown
    with Project.open(path) as p:
        assert _shown(p, run) == shown and _state(p) == done
        assert _undo_all(p, run) == 3
        assert _state(p) == start
    with Project.open(path) as p:
        while history.redo(p, run):
            pass
        assert _state(p) == done and _shown(p, run) == shown


def test_append_to_a_remapped_range_is_refused(proj):
    run = _grid(proj)
    edits.swap_tracks(proj, run, 1, 2, 5)
    before = _state(proj)
    for track in (1, 2):
        with pytest.raises(ProjectError, match="id edits"):
            proj.append_boxes(run, {"frame": [20], "track_id": [track], "xywh": [[1, 1, 1, 1]]})
    assert _state(proj) == before
    proj.append_boxes(run, {"frame": [20], "track_id": [3], "xywh": [[1, 1, 1, 1]]})
    assert proj.boxes(run, track=3).frame.tolist()[-1] == 20


def test_v1_project_is_migrated_and_its_old_log_still_undoes(tmp_path):
    path = tmp_path / "v1.stp"
    con = sqlite3.connect(path, isolation_level=None)
    schema.MIGRATIONS[0](con)
    con.execute("INSERT INTO sequences (id, name, source, kind) VALUES (1, 's', '/s', 'video')")
    con.execute("INSERT INTO runs (id, sequence_id, name, kind, status) "
                "VALUES (1, 1, 'gt', 'gt', 'complete')")
    con.executemany("INSERT INTO boxes (run_id, frame, track, x, y, w, h) VALUES "
                    "(1, ?, ?, ?, 1, 2, 3)", [(f, t, f * 10.0 + t) for f in range(1, 6)
                                              for t in (1, 2)])
    # a v1-era delete of box 1: parked on a negative id, saved in edit_retrack
    con.execute("INSERT INTO edit_ops (id, run_id, label, forward, inverse, state) VALUES "
                "(1, 1, 'delete box 1', '{}', '{\"op\": \"retrack\", \"run\": 1, \"part\": 0, "
                "\"dir\": -1, \"swap\": false}', 'done')")
    con.execute("INSERT INTO edit_retrack VALUES (1, 0, 1, 1, 1, -1000001)")
    con.execute("UPDATE boxes SET track = -1000001 WHERE id = 1")
    con.close()
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST == 4
        assert p.conn.execute("SELECT raw, block FROM box_blocks").fetchall() == [(1, 0), (2, 0)]
        assert len(p.boxes(1)) == 9 and p.boxes(1, track=1).frame.tolist() == [2, 3, 4, 5]
        edits.swap_tracks(p, 1, 1, 2, 3)
        assert p.boxes(1, track=1).xywh[:, 0].tolist() == [21.0, 32.0, 42.0, 52.0]
        assert _undo_all(p, 1) == 2
        assert len(p.boxes(1)) == 10 and p.boxes(1, track=1).frame.tolist() == [1, 2, 3, 4, 5]


# ------------------------------------------------------------------ model-checked property
track = st.integers(1, N_TRACKS + 2)
frame = st.integers(1, N_FRAMES)
id_ops = st.one_of(
    st.tuples(st.just("swap"), track, track, frame),
    st.tuples(st.just("reassign"), track, track, frame),
    st.tuples(st.just("merge"), track, track),
    st.tuples(st.just("split"), track, frame),
    st.tuples(st.just("delete"), track, frame, frame),
    st.tuples(st.just("add"), track, frame),
    st.tuples(st.just("setid"), st.integers(0, 10_000), st.integers(-1, N_TRACKS + 2)),
    st.tuples(st.just("undo")),
)


class Model:
    """Shown boxes as a dict box key -> [frame, id]; ops as the user means them."""

    def __init__(self, boxes: dict[float, list[int]]):
        self.boxes = boxes

    def _at(self, t: int, lo: int = 1, hi: int = 10**9) -> list[float]:
        return [k for k, (f, s) in self.boxes.items() if s == t and lo <= f <= hi]

    def frames(self, t: int) -> set[int]:
        return {self.boxes[k][0] for k in self._at(t)}

    def move(self, keys: list[float], dst: int) -> None:
        if not keys:
            raise ProjectError("nothing to change")
        if dst >= 0:
            moved = {self.boxes[k][0] for k in keys}
            others = {f for k, (f, s) in self.boxes.items() if s == dst and k not in keys}
            if moved & others:
                raise EditConflict("conflict")
        for k in keys:
            self.boxes[k][1] = dst


def _apply_both(p: Project, run: int, m: Model, op: tuple, keys: dict[int, float]) -> bool:
    """Apply ``op`` to the project and the model; False when the op was not attempted."""
    kind = op[0]
    if kind in ("swap", "reassign", "merge") and op[1] == op[2]:
        return False
    if kind == "swap":
        a, b, f = op[1:]
        ka, kb = m._at(a, f), m._at(b, f)
        try:
            edits.swap_tracks(p, run, a, b, f)
        except ProjectError:
            assert not ka and not kb
            raise
        for k in ka:
            m.boxes[k][1] = b
        for k in kb:
            m.boxes[k][1] = a
    elif kind == "reassign":
        a, b, f = op[1:]
        keys_a = m._at(a, f)
        try:
            edits.reassign_track(p, run, a, b, f)
        except ProjectError:
            with pytest.raises(ProjectError):
                m.move(keys_a, b)
            raise
        m.move(keys_a, b)
    elif kind == "merge":
        a, b = op[1:]
        keys_b = m._at(b)
        try:
            edits.merge_tracks(p, run, a, b)
        except ProjectError:
            with pytest.raises(ProjectError):
                m.move(keys_b, a)
            raise
        m.move(keys_b, a)
    elif kind == "split":
        a, f = op[1:]
        keys_a = m._at(a, f)
        try:
            res = edits.split_track(p, run, a, f)
        except ProjectError:
            assert not keys_a
            raise
        assert res.new_track not in {s for _, s in m.boxes.values()}
        m.move(keys_a, res.new_track)
    elif kind == "delete":
        a, lo, hi = op[1], min(op[2:]), max(op[2:])
        gone = m._at(a, lo, hi)
        try:
            edits.delete_track(p, run, a, lo, hi)
        except ProjectError:
            assert not gone
            raise
        for k in gone:
            del m.boxes[k]
    elif kind == "add":
        t, f = op[1:]
        x = 1000.0 + len(keys)
        try:
            edits.add_box(p, run, f, t, (x, 1, 1, 1))
        except EditConflict:
            assert f in m.frames(t)
            raise
        assert f not in m.frames(t)
        m.boxes[x] = [f, t]
        keys[len(keys)] = x
    elif kind == "setid":
        if not m.boxes:
            return False
        k = sorted(m.boxes)[op[1] % len(m.boxes)]
        box = _box_id(p, run, k)
        try:
            edits.set_box_track(p, box, op[2])
        except ProjectError:
            with pytest.raises(ProjectError):
                if m.boxes[k][1] == op[2]:
                    raise ProjectError("nothing to change") from None
                m.move([k], op[2])
            raise
        m.move([k], op[2])
    return True


def _box_id(p: Project, run: int, x: float) -> int:
    t = p.conn.execute("SELECT id FROM boxes WHERE run_id = ? AND x = ? AND track >= -1",
                       (run, x)).fetchall()
    return int(t[0][0])


def _model_view(m: Model) -> list[tuple[int, int, float]]:
    return sorted((f, s, k) for k, (f, s) in m.boxes.items())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(present=st.lists(st.booleans(), min_size=N_FRAMES * N_TRACKS,
                        max_size=N_FRAMES * N_TRACKS),
       sequence=st.lists(id_ops, min_size=1, max_size=20))
def test_id_edits_match_a_model_and_undo_exactly(present, sequence):
    grid = np.array(present).reshape(N_FRAMES, N_TRACKS)
    with tempfile.TemporaryDirectory() as d, Project.open(Path(d) / "p.stp", create=True) as p:
        run = _grid(p, grid)
        m = Model({f * 10.0 + t: [f, t] for f, t in zip(*(np.nonzero(grid)[0] + 1,
                                                            np.nonzero(grid)[1] + 1),
                                                         strict=True)}
                  | {500.0: [2, -1], 600.0: [2, -1]})
        states = [(_state(p), {k: list(v) for k, v in m.boxes.items()})]
        keys: dict[int, float] = {}
        for op in sequence:
            if op[0] == "undo":
                if len(states) > 1:
                    assert history.undo(p, run) is not None
                    states.pop()
                    m.boxes = {k: list(v) for k, v in states[-1][1].items()}
                    assert _state(p) == states[-1][0]
                continue
            before, log = _state(p), history.history(p, run)
            try:
                applied = _apply_both(p, run, m, op, keys)
            except ProjectError:  # refused by both: nothing changed, nothing logged
                assert _state(p) == before
                assert history.history(p, run) == log
                continue
            if applied:
                assert [h["state"] for h in history.history(p, run)] == \
                    ["done"] * (len(states))
                states.append((_state(p), {k: list(v) for k, v in m.boxes.items()}))
            assert _shown(p, run) == _model_view(m)
        end = _state(p)
        n = _undo_all(p, run)
        assert _state(p) == states[0][0]
        for _ in range(n):
            history.redo(p, run)
        assert _state(p) == end


@pytest.mark.parametrize("fetch_below", [0, 10**9])
def test_common_frames_of_two_tracks_match_brute_force(tmp_path, monkeypatch, fetch_below):
    """The counting/bisecting conflict finder against a plain set intersection, on dense,
    sparse and interleaved tracks (fetch_below=0 forces the bisection path)."""
    from sporttrack_gui.project import mapping

    monkeypatch.setattr(mapping, "_FETCH_BELOW", fetch_below)
    rng = np.random.default_rng(7)
    with Project.open(tmp_path / "c.stp", create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "r")
        kinds = {1: np.ones(200, bool), 2: rng.random(200) < 0.5, 3: rng.random(200) < 0.9,
                 4: np.arange(200) % 2 == 0, 5: np.arange(200) >= 150,
                 6: np.isin(np.arange(200), [0, 199]), 7: np.arange(200) == 99}
        frames = {t: np.flatnonzero(m) + 1 for t, m in kinds.items()}
        f = np.concatenate(list(frames.values()))
        t = np.concatenate([np.full(len(v), k) for k, v in frames.items()])
        p.append_boxes(run, {"frame": f, "track_id": t, "xywh": np.ones((len(f), 4))})
        for r1 in frames:
            for r2 in frames:
                if r1 == r2:
                    continue
                for a, b in ((1, 200), (37, 163), (150, 150)):
                    blocks = mapping._common(p.conn, run, r1, r2, a, b)
                    want = np.intersect1d(frames[r1], frames[r2])
                    want = want[(want >= a) & (want <= b)]
                    assert sum(blk[0] for blk in blocks) == len(want)
                    assert all(blk[0] > 0 for blk in blocks)  # no empty "conflicts"
                    assert mapping._first_frames(p.conn, run, blocks, 10) == want[:10].tolist()


def test_reads_keep_exact_values(proj):
    """Reads stream rows into one flat float array: unusual classes, non-default
    conf/vis and big frame numbers must come back unchanged."""
    run = proj.create_run(proj.add_sequence("s", "/s"), "r")
    frames = np.array([1, 2, 3, 2**30, 7, 8])
    proj.append_boxes(run, {"frame": frames, "track_id": [3, 3, 3, 3, 4, -1],
                            "xywh": np.arange(24, dtype=np.float64).reshape(6, 4) + 0.25,
                            "conf": [1.0, 0.5, 1.0, 0.25, 1.0, 0.0],
                            "cls": [-1, 1022, 0, 7, -1, 3],
                            "vis": [-1.0, 0.3, 0.0, -1.0, 1.0, -1.0]})
    for t in (proj.boxes(run), proj.boxes(run, track=3)):
        sel = (t.track_id == 3) if len(t) == 6 else np.ones(len(t), bool)
        np.testing.assert_array_equal(t.frame[sel], [1, 2, 3, 2**30])
        np.testing.assert_array_equal(t.cls[sel], [-1, 1022, 0, 7])
        np.testing.assert_allclose(t.conf[sel], [1.0, 0.5, 1.0, 0.25])
        np.testing.assert_allclose(t.vis[sel], [-1.0, 0.3, 0.0, -1.0])
    proj.append_boxes(run, {"frame": [5], "track_id": [3], "xywh": [[1, 2, 3, 4]],
                            "cls": [5000]})
    t = proj.boxes(run, track=3)
    np.testing.assert_array_equal(t.cls, [-1, 1022, 0, 5000, 7])
    np.testing.assert_array_equal(t.frame, [1, 2, 3, 5, 2**30])
    whole = proj.boxes(run)
    assert whole.cls.tolist() == [-1, 1022, 0, 5000, -1, 3, 7]
    assert whole.frame.tolist() == [1, 2, 3, 5, 7, 8, 2**30]


# ------------------------------------------------------------------ packed track blocks
def _without_blocks(p: Project, fn):
    """``fn()`` with every packed block gone (rows only), project left unchanged."""
    p.conn.execute("BEGIN")
    try:
        p.conn.execute("DELETE FROM box_blocks")
        return fn()
    finally:
        p.conn.execute("ROLLBACK")


@pytest.mark.parametrize("rebuild_limit", [4096, 0])
def test_track_reads_from_blocks_equal_reads_from_rows(proj, monkeypatch, rebuild_limit):
    from sporttrack_gui.project import blocks

    monkeypatch.setattr(blocks, "REBUILD_LIMIT", rebuild_limit)  # 0: appends drop blocks
    rng = np.random.default_rng(3)
    run = proj.create_run(proj.add_sequence("s", "/s"), "r")
    present = rng.random((900, 5)) < 0.8
    f, t = np.nonzero(present)
    proj.append_boxes(run, {"frame": f[f < 500] + 1, "track_id": t[f < 500],
                            "xywh": rng.random((int((f < 500).sum()), 4)) * 100 + 1,
                            "vis": rng.random(int((f < 500).sum()))})
    proj.append_boxes(run, {"frame": f[f >= 500] + 1, "track_id": t[f >= 500],
                            "xywh": rng.random((int((f >= 500).sum()), 4)) * 100 + 1})
    n_blocks = proj.conn.execute("SELECT COUNT(*) FROM box_blocks").fetchone()[0]
    assert n_blocks == (5 * 4 if rebuild_limit else 5)  # else only block 0 (frames < 256)

    def check() -> None:
        for k in range(5):
            for rg in ((1, 900), (200, 700), (256, 511), (1, 1)):
                fast = proj.boxes(run, track=k, frame_range=rg)
                assert fast.equals(_without_blocks(
                    proj, lambda k=k, rg=rg: proj.boxes(run, track=k, frame_range=rg)))
                whole = proj.boxes(run, frame_range=rg)
                assert fast.equals(whole.select(whole.track_id == k))

    check()
    box = int(proj.frame_boxes(run, 300)["id"][0])
    edits.move_box(proj, box, 3, 4)  # drops the block holding it: read from rows
    edits.swap_tracks(proj, run, 1, 2, 400)  # no row changes: every block stays
    edits.delete_box(proj, int(proj.frame_boxes(run, 600)["id"][0]))
    fr = proj.boxes(run, track=3).frame.tolist()
    edits.delete_track(proj, run, 3, fr[5] + 1, fr[400] - 1)
    edits.interpolate_track(proj, run, 3, fr[5], fr[400])
    edits.insert_boxes(proj, run, 4, [901, 902], np.ones((2, 4)))
    check()
    assert proj.conn.execute("SELECT COUNT(*) FROM box_blocks").fetchone()[0] >= n_blocks - 4
    copy = proj.copy_run(run, "copy")
    for k in range(5):
        assert proj.boxes(copy, track=k).equals(proj.boxes(run, track=k))


def test_blocks_follow_writes_of_any_writer(tmp_path):
    path = tmp_path / "w.stp"
    with Project.open(path, create=True) as p:
        run = _grid(p)
        assert p.boxes(run, track=2).xywh[4, 0] == 52.0
    con = sqlite3.connect(path)  # another program edits a row: the trigger drops the block
    con.execute("UPDATE boxes SET x = 7.5 WHERE run_id = 1 AND track = 2 AND frame = 5")
    # ... and inserts one behind a block's back: the reader's row count notices
    con.execute("INSERT INTO boxes (run_id, frame, track, x, y, w, h) "
                "VALUES (1, 13, 3, 9.5, 1, 1, 1)")
    con.commit()
    con.close()
    with Project.open(path, readonly=True) as p:
        assert p.boxes(run, track=2).xywh[4, 0] == 7.5
        assert p.conn.execute("SELECT COUNT(*) FROM box_blocks WHERE raw = 2").fetchone()[0] == 0
        t3 = p.boxes(run, track=3)
        assert t3.frame.tolist()[-2:] == [12, 13] and t3.xywh[-1, 0] == 9.5


def test_bulk_deletes_keep_the_block_triggers(proj):
    """delete_run / clear_history delete many rows with the triggers dropped inside their
    transaction; the triggers must be back afterwards, also when the transaction fails."""
    def triggers() -> list[str]:
        return [r[0] for r in proj.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]

    want = ["box_blocks_del", "box_blocks_upd"]
    run = _grid(proj)
    other = proj.copy_run(run, "other")
    edits.delete_track(proj, run, 2, 3, 8)
    assert history.clear_history(proj, run) == 6
    assert triggers() == want
    assert proj.boxes(run, track=2).frame.tolist() == [1, 2, 9, 10, 11, 12]
    with pytest.raises(RuntimeError, match="injected"), proj.transaction() as c:
        from sporttrack_gui.project import blocks

        with blocks.bulk(c):
            c.execute("DELETE FROM boxes WHERE run_id = ?", (other,))
            raise RuntimeError("injected")
    assert triggers() == want and len(proj.boxes(other)) == N_FRAMES * N_TRACKS + 2
    proj.delete_run(other)
    assert triggers() == want
    assert proj.conn.execute("SELECT COUNT(*) FROM box_blocks WHERE run_id = ?",
                             (other,)).fetchone()[0] == 0
