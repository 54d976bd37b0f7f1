"""Every edit operation and its undo on a 3.4 M-box run (goal: each < 200 ms).

Uses the project kept by ``bench_project_scale.py --keep PATH`` (or builds one). Each
op is applied, timed, undone, timed, and the run is checked to be back to its box
count and an empty id mapping. Peer: the bare UPDATE/DELETE on the raw boxes table a
tool without undo would run (in a transaction that is rolled back); ratio ours/peer
below 1 means the segment mapping beats even the undo-less row update. Then reads on
an edited run: 40 swaps at different frames (segments pile up), one more op + undo on
top, and the track query / viewer frame / timeline through the mapping.

    .venv/bin/python benchmarks/bench_project_scale.py --keep /tmp/scale.stp --skip-files
    .venv/bin/python benchmarks/bench_project_edits.py /tmp/scale.stp
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sporttrack_gui.project import Project, edits, history, mapping  # noqa: E402

GOAL_MS = 200.0


def ms(fn):
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def peer(p: Project, sql: list[tuple[str, tuple]]) -> float:
    """Time bare statements inside a transaction that is then rolled back; the packed
    block triggers are dropped in it first (and come back with the rollback), so this is
    the plain UPDATE/DELETE of the raw table."""
    from sporttrack_gui.project import blocks

    c = p.conn
    c.execute("BEGIN IMMEDIATE")
    for name in blocks.TRIGGERS:
        c.execute(f"DROP TRIGGER {name}")
    t0 = time.perf_counter()
    for s, a in sql:
        c.execute(s, a)
    t = (time.perf_counter() - t0) * 1000
    c.execute("ROLLBACK")
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path, nargs="?", help="project from bench_project_scale --keep")
    ap.add_argument("--run", default="gt")
    args = ap.parse_args()
    tmp = None
    if args.project is None:
        from bench_project_scale import build_project, synthetic_table

        tmp = tempfile.TemporaryDirectory()
        args.project = Path(tmp.name) / "scale.stp"
        build_project(args.project, synthetic_table(135_000))
    p = Project.open(args.project)
    run = p.run_id(args.run)
    total = p.conn.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ?", (run,)).fetchone()[0]
    spans = p.track_spans(run)
    a, b = int(spans["track"][7]), int(spans["track"][8])
    mid = int(spans["first"][7] + spans["last"][7]) // 2
    print(f"run {args.run!r}: {total:,} boxes; tracks {a}, {b} ({spans['count'][7]:,} boxes each)")
    box = int(p.frame_boxes(run, mid)["id"][0])
    free = edits.next_track_id(p, run)
    rows: list[tuple[str, float, float, int, float | None]] = []

    def case(name: str, op, peer_sql=None, setup=None, teardown=None) -> None:
        if setup:
            setup()
        t_op, res = ms(op)
        t_undo, _ = ms(lambda: history.undo(p, run))
        if teardown:
            teardown()
        t_peer = peer(p, peer_sql) if peer_sql else None
        rows.append((name, t_op, t_undo, res.rows, t_peer))

    rng = (run, a, mid)
    case("swap A<->B from mid", lambda: edits.swap_tracks(p, run, a, b, mid),
         [("UPDATE boxes SET track = -2 - (CASE track WHEN ?2 THEN ?3 ELSE ?2 END) WHERE run_id = ?1 "
           "AND track IN (?2, ?3) AND frame >= ?4", (run, a, b, mid)),
          ("UPDATE boxes SET track = -2 - track WHERE run_id = ? AND track IN (?, ?) AND "
           "frame >= ?", (run, -2 - a, -2 - b, mid))])
    case("reassign A -> new from mid", lambda: edits.reassign_track(p, run, a, None, mid),
         [("UPDATE boxes SET track = ? WHERE run_id = ? AND track = ? AND frame >= ?",
           (free, *rng))])
    case("split A at mid", lambda: edits.split_track(p, run, a, mid),
         [("UPDATE boxes SET track = ? WHERE run_id = ? AND track = ? AND frame >= ?",
           (free, *rng))])
    state = {}
    case("merge (split half) into A", lambda: edits.merge_tracks(p, run, a, state["new"]),
         setup=lambda: state.update(new=edits.split_track(p, run, a, mid).new_track),
         teardown=lambda: history.undo(p, run))
    case("delete track A (all)", lambda: edits.delete_track(p, run, a),
         [("DELETE FROM boxes WHERE run_id = ? AND track = ?", (run, a))])
    case("delete A frames mid..mid+1000", lambda: edits.delete_track(p, run, a, mid, mid + 1000),
         [("DELETE FROM boxes WHERE run_id = ? AND track = ? AND frame BETWEEN ? AND ?",
           (run, a, mid, mid + 1000))])
    case("interpolate A over 999 missing", lambda: edits.interpolate_track(p, run, a, mid, mid + 1000),
         setup=lambda: edits.delete_track(p, run, a, mid + 1, mid + 999),
         teardown=lambda: history.undo(p, run))
    case("insert 250 tracker boxes", lambda: edits.insert_boxes(
        p, run, free, np.arange(mid, mid + 250), np.tile([10.0, 20, 30, 60], (250, 1))))
    case("add box", lambda: edits.add_box(p, run, mid, free, (1, 2, 3, 4)))
    case("move box", lambda: edits.move_box(p, box, 5, -3))
    case("resize box", lambda: edits.resize_box(p, box, 40, 90))
    case("set box id", lambda: edits.set_box_track(p, box, free))
    case("delete box", lambda: edits.delete_box(p, box))
    case("set label/team of A", lambda: edits.set_track_fields(p, run, a, label="GK", team="home"))
    t_conf = ms(lambda: _refused(p, run, a, b))[0]
    t_undo_then_delete = _delete_after_undo(p, run, a, b, mid)

    print(f"{'operation':<34}{'apply ms':>10}{'undo ms':>10}{'rows':>9}{'peer ms':>10}{'ratio':>7}")
    for name, t_op, t_undo, n, t_peer in rows:
        flag = "" if max(t_op, t_undo) < GOAL_MS else "  > goal"
        pr = f"{t_peer:10.1f}{t_op / t_peer:7.1f}" if t_peer else f"{'':>10}{'':>7}"
        print(f"{name:<34}{t_op:10.1f}{t_undo:10.1f}{n:9,}{pr}{flag}")
    print(f"{'refused merge A<-B (conflict)':<34}{t_conf:10.1f}")
    print(f"{'delete 1,001 rows after an undo':<34}{t_undo_then_delete:10.1f}"
          "   (drops the redo stack first)")
    after = p.conn.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ?", (run,)).fetchone()[0]
    segs = p.conn.execute("SELECT COUNT(*) FROM track_segments WHERE run_id = ?",
                          (run,)).fetchone()[0]
    print(f"box count after all undos: {after:,} ({'unchanged' if after == total else 'CHANGED'})"
          f"; id segments left: {segs}")
    print(f"goal: every op and undo < {GOAL_MS:.0f} ms; peer = bare statement without undo log")
    _edited_run(p, run, a, b, int(spans["last"][7]))
    p.close()
    if tmp:
        tmp.cleanup()


def _delete_after_undo(p: Project, run: int, a: int, b: int, mid: int) -> float:
    """A 135,000-box swap undone, then a small delete: the redo stack goes first."""
    edits.swap_tracks(p, run, a, b, 1)
    history.undo(p, run)
    t, _ = ms(lambda: edits.delete_track(p, run, a, mid, mid + 1000))
    history.undo(p, run)
    return t


def _edited_run(p: Project, run: int, a: int, b: int, last: int) -> None:
    """Ops and reads once many id edits have split the tracks into segments."""
    frames = np.linspace(1000, last - 1000, 40).astype(int).tolist()
    partners = [t for t in (7, 10, 11, 12, 13) if t not in (a, b)]
    for k, f in enumerate(frames):
        edits.swap_tracks(p, run, a if k % 2 else b, partners[k % len(partners)], f)
    segs = p.conn.execute("SELECT COUNT(*) FROM track_segments WHERE run_id = ?",
                          (run,)).fetchone()[0]
    print(f"\nafter 40 swaps at different frames ({segs} segments):")
    t_op, _ = ms(lambda: edits.swap_tracks(p, run, a, b, last // 2 + 17))
    t_undo, _ = ms(lambda: history.undo(p, run))
    print(f"  swap A<->B from mid + undo:        {t_op:8.1f} {t_undo:8.1f} ms")
    t_op, _ = ms(lambda: _refused(p, run, a, b))
    print(f"  refused merge A<-B:                {t_op:8.1f} ms")
    query = [ms(lambda: p.boxes(run, track=7, frame_range=(60_000, 10**9)))
             for _ in range(7)]
    res = query[0][1]
    n_pieces = len(mapping.pieces(p.conn, run, 7, 60_000, mapping.INF))
    print(f"  track 7 from frame 60,000 on:      {statistics.median(q[0] for q in query):8.1f}"
          f" ms median of 7, first call {query[0][0]:.1f} ms ({len(res):,} boxes from "
          f"{n_pieces} raw stretches)")
    fr = np.random.default_rng(0).integers(1, last, 200).tolist()
    t_fr, _ = ms(lambda: [p.frame_boxes(run, f) for f in fr])
    print(f"  frame_boxes (viewer):              {t_fr / len(fr):8.3f} ms per frame")
    t_sp, spans = ms(lambda: p.track_spans(run))
    print(f"  track_spans (timeline):            {t_sp:8.1f} ms ({len(spans['track'])} tracks)")
    t_all, _ = ms(lambda: history.undo(p, run))
    while history.undo(p, run):
        pass
    left = p.conn.execute("SELECT COUNT(*) FROM track_segments WHERE run_id = ?",
                          (run,)).fetchone()[0]
    print(f"  undo of one of them: {t_all:.1f} ms; after undoing all, segments left: {left}")


def _refused(p: Project, run: int, a: int, b: int) -> None:
    from sporttrack_gui.errors import EditConflict

    try:
        edits.merge_tracks(p, run, a, b)
    except EditConflict:
        return
    history.undo(p, run)


if __name__ == "__main__":
    main()
