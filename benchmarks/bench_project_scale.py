"""Scale of the project file on a 90-minute match: 135,000 frames x 25 boxes (3.4 M).

Prints: import time (one ``append_boxes`` transaction with both box indexes, the
block triggers and the packed track blocks, and the full ``import_source`` path from
a gt.txt on disk), the "all boxes of track 7 from frame 60,000 on" query (packed
blocks; also the row path it replaced), a one-frame viewer read, the timeline spans,
file size (and how much of it the blocks are), and a peer ratio against plain
``sqlite3.executemany`` into an unindexed table (the floor for getting the same rows
into SQLite from Python). Goals (issue #2): import < 60 s, query < 50 ms. Nothing is
asserted: figures are for reading.

    .venv/bin/python benchmarks/bench_project_scale.py [--frames 135000] [--keep PATH]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sporttrack_gui.project import Project  # noqa: E402


def synthetic_table(frames: int, seed: int = 1):
    """The seeded synthetic match (23 players + referee + ball = 25 boxes per frame)."""
    from sporttrack_gui.media.synthetic import MatchConfig, simulate_match

    return simulate_match(MatchConfig(n_frames=frames, n_players=23, seed=seed)).gt


def build_project(path: Path, table) -> tuple[int, float]:
    """Create a project with one gt run holding ``table``; returns (run id, seconds)."""
    t0 = time.perf_counter()
    with Project.open(path, create=True) as p:
        seq = p.add_sequence("match", "synthetic", kind="mot", width=1280, height=720,
                             fps=25.0, frame_count=int(table.frame.max()))
        run = p.create_run(seq, "gt", kind="gt")
        p.append_boxes(run, table)
        p.set_run_status(run, "complete")
    return run, time.perf_counter() - t0


def peer_executemany(path: Path, table) -> float:
    """Plain sqlite3: same rows into one unindexed table, one transaction."""
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE boxes (run_id INT, frame INT, track INT, x REAL, y REAL, "
                "w REAL, h REAL, conf REAL, cls INT, vis REAL)")
    cols = [table.frame.tolist(), table.track_id.tolist(), *table.xywh.T.tolist(),
            table.conf.tolist(), table.cls.tolist(), table.vis.tolist()]
    with con:
        con.executemany("INSERT INTO boxes VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)", zip(*cols, strict=True))
    con.close()
    return time.perf_counter() - t0


def timed(fn, repeat: int = 7) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def import_from_files(tmp: Path, table) -> float:
    """``import_source`` on a gt-only MOT folder (gt.txt + seqinfo.ini), parse included."""
    from sporttrack_gui.formats.mot import SeqInfo, write_mot, write_seqinfo
    from sporttrack_gui.project.importer import import_source

    folder = tmp / "MATCH-01"
    (folder / "gt").mkdir(parents=True)
    write_mot(folder / "gt" / "gt.txt", table, kind="gt")
    write_seqinfo(folder / "seqinfo.ini", SeqInfo(
        name="MATCH-01", frame_rate=25, seq_length=int(table.frame.max()), width=1280,
        height=720))
    t0 = time.perf_counter()
    with Project.open(tmp / "files.stp", create=True) as p:
        import_source(p, folder)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=135_000)
    ap.add_argument("--keep", type=Path, help="keep the built project here (for bench_project_edits)")
    ap.add_argument("--skip-files", action="store_true", help="skip the gt.txt import figure")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        table = synthetic_table(args.frames)
        print(f"synthetic match: {len(table):,} boxes, {args.frames:,} frames "
              f"({time.perf_counter() - t0:.1f} s to simulate)")
        path = args.keep or tmp / "scale.stp"
        if path.exists():
            sys.exit(f"{path} exists; remove it first")
        run, t_import = build_project(path, table)
        t_peer = peer_executemany(tmp / "peer.db", table)
        print(f"import (append_boxes, 1 transaction, 2 indexes): {t_import:6.1f} s   "
              f"goal < 60 s   {len(table) / t_import:,.0f} boxes/s")
        print(f"peer: sqlite3.executemany, unindexed table:      {t_peer:6.1f} s   "
              f"ratio project/peer = {t_import / t_peer:.2f}")
        if not args.skip_files:
            t_files = import_from_files(tmp, table)
            print(f"import_source from gt.txt (parse + insert):      {t_files:6.1f} s")
        with Project.open(path, readonly=True) as p:
            ms, res = timed(lambda: p.boxes(run, track=7, frame_range=(60_000, 10**9)))
            print(f"track 7 from frame 60,000 on: {len(res):,} boxes in {ms:.1f} ms "
                  f"(median of 7)   goal < 50 ms")
            from sporttrack_gui.project import boxio

            row_ms, _ = timed(lambda: boxio.fetch_track(p.conn, run, [(7, 60_000, 2**62)], 7))
            print(f"  same boxes by the row path (no packed blocks): {row_ms:.1f} ms")
            sql_ms, _ = timed(lambda: p.conn.execute(
                "SELECT COUNT(*), SUM(x) FROM boxes WHERE run_id = ? AND track = 7 AND "
                "track >= 0 AND frame >= 60000", (run,)).fetchone())
            print(f"  the row path's indexed SQL statement alone: {sql_ms:.1f} ms; the rest is "
                  "Python row objects -> numpy")
            con = sqlite3.connect(tmp / "peer.db")
            peer_ms, _ = timed(lambda: con.execute(
                "SELECT * FROM boxes WHERE track = 7 AND frame >= 60000").fetchall(), 3)
            print(f"peer (unindexed scan): {peer_ms:.1f} ms   ratio peer/project = "
                  f"{peer_ms / ms:.1f}x")
            con.close()
            frames = np.random.default_rng(0).integers(1, args.frames, 200).tolist()
            fr_ms, _ = timed(lambda: [p.frame_boxes(run, f) for f in frames], 3)
            print(f"frame_boxes (viewer): {fr_ms / len(frames):.3f} ms per frame")
            sp_ms, spans = timed(lambda: p.track_spans(run), 3)
            print(f"track_spans (timeline): {len(spans['track'])} tracks in {sp_ms:.0f} ms")
            blob = p.conn.execute("SELECT COUNT(*), SUM(LENGTH(data)) FROM box_blocks").fetchone()
        print(f"project file: {path.stat().st_size / 2**20:.0f} MiB, of which packed track "
              f"blocks {blob[1] / 2**20:.0f} MiB in {blob[0]:,} rows")


if __name__ == "__main__":
    main()
