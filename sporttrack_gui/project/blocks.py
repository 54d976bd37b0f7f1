"""Packed copies of a track's boxes, 256 frames per row, so long track reads skip the
per-value cost of the sqlite3 module.

Why: "all boxes of track 7 from frame 60,000 on" is 75,000 rows; the indexed SQL takes
~9 ms but turning 8 values per row into Python objects takes ~70-90 ms, whatever the
column layout (measured). A ``box_blocks`` row holds the boxes of one (run, raw track,
frame // 256) as one little-endian record array (frame i4, x y w h conf f4, cls i4,
vis f4: the precision ``MotTable`` returns anyway), so the same read is ~300 BLOBs
and one ``np.frombuffer``.

Blocks are an accelerator, never the truth: schema triggers delete the block of every
box row that is updated or deleted (by any writer, this code or not; this package's
many-row deletes use :func:`bulk` and drop the blocks themselves); a reader falls
back to the rows for any missing block, and compares the number of boxes it assembled
with an index count of the rows, which catches rows inserted behind a block's back (an
insert trigger would do the same but costs ~4 s per million imported boxes). This
package's own inserts drop or rebuild the blocks they touch. Blocks are (re)built
inside write transactions: by ``append_boxes`` for what it added and by the migration
for existing projects. Id edits do not touch box rows (see :mod:`.mapping`), so they
keep every block valid; box-level edits drop a few blocks that then read from rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np

SHIFT = 8  # 256 frames per block
RECORD = np.dtype([("frame", "<i4"), ("x", "<f4"), ("y", "<f4"), ("w", "<f4"), ("h", "<f4"),
                   ("conf", "<f4"), ("cls", "<i4"), ("vis", "<f4")])
#: more touched blocks than this in a non-empty run are left to the row path
REBUILD_LIMIT = 4096

_TABLE = """
CREATE TABLE box_blocks (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    raw    INTEGER NOT NULL,
    block  INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (run_id, raw, block)
) WITHOUT ROWID;
"""
TRIGGERS = {
    "box_blocks_del": """CREATE TRIGGER box_blocks_del AFTER DELETE ON boxes BEGIN
    DELETE FROM box_blocks WHERE run_id = OLD.run_id AND raw = OLD.track
        AND block = OLD.frame >> 8;
END""",
    "box_blocks_upd": """CREATE TRIGGER box_blocks_upd AFTER UPDATE ON boxes BEGIN
    DELETE FROM box_blocks WHERE run_id = OLD.run_id AND raw = OLD.track
        AND block = OLD.frame >> 8;
    DELETE FROM box_blocks WHERE run_id = NEW.run_id AND raw = NEW.track
        AND block = NEW.frame >> 8;
END""",
}
SCHEMA = _TABLE + "".join(sql + ";\n" for sql in TRIGGERS.values())


@contextmanager
def bulk(c: sqlite3.Connection) -> Iterator[None]:
    """Run a many-row UPDATE/DELETE of ``boxes`` without the per-row triggers (~35 us a
    row: 2 minutes for deleting a 3.4 M-box run). Inside the caller's transaction the
    triggers are dropped and re-created (DDL is transactional in SQLite, so no other
    connection ever sees them missing); the caller drops the blocks it touches itself."""
    if not c.in_transaction:
        raise RuntimeError("blocks.bulk needs an open transaction")
    for name in TRIGGERS:
        c.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        if c.in_transaction:  # else SQLite rolled back already, triggers included
            for sql in TRIGGERS.values():
                c.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))


def drop_frames(c: sqlite3.Connection, run: int, raw: int, f0: int, f1: int) -> None:
    """Drop the blocks of raw track ``raw`` that frames f0..f1 fall into."""
    c.execute("DELETE FROM box_blocks WHERE run_id = ? AND raw = ? AND block BETWEEN ? AND ?",
              (run, raw, f0 >> SHIFT, f1 >> SHIFT))


def pack(cols: dict[str, np.ndarray]) -> np.ndarray:
    """Columns (frame, x, y, w, h, conf, cls, vis) -> one record array."""
    rec = np.empty(len(cols["frame"]), dtype=RECORD)
    for k in RECORD.names:
        rec[k] = cols[k]
    return rec


def store_sorted(c: sqlite3.Connection, run: int, track: np.ndarray,
                 rec: np.ndarray) -> int:
    """Write blocks for boxes sorted by (track, frame), tracks >= 0 only; returns count."""
    real = track >= 0
    if not real.all():  # (a copy of ~200 MB for a full match only when needed)
        track, rec = track[real], rec[real]
    if not len(rec):
        return 0
    # frame >> SHIFT < 2**23 and ids <= formats.limits.MAX_TRACK_ID: no int64 overflow
    key = track.astype(np.int64) * (1 << 24) + (rec["frame"].astype(np.int64) >> SHIFT)
    cuts = np.flatnonzero(np.diff(key)) + 1
    starts = np.r_[0, cuts]
    ends = np.r_[cuts, len(rec)]
    c.executemany("INSERT OR REPLACE INTO box_blocks VALUES (?, ?, ?, ?)",
                  ((run, int(track[s]), int(rec["frame"][s]) >> SHIFT, rec[s:e].tobytes())
                   for s, e in zip(starts.tolist(), ends.tolist(), strict=True)))
    return len(starts)


def rebuild(c: sqlite3.Connection, run: int, keys: Iterable[tuple[int, int]]) -> None:
    """Rebuild blocks (raw, block) from the box rows, one range read per raw track."""
    by_raw: dict[int, list[int]] = {}
    for raw, block in keys:
        if raw >= 0:
            by_raw.setdefault(int(raw), []).append(int(block))
    for raw, blocks in by_raw.items():
        rows = c.execute("SELECT frame, x, y, w, h, conf, cls, vis FROM boxes WHERE "
                         "run_id = ? AND track = ? AND frame BETWEEN ? AND ? ORDER BY frame",
                         (run, raw, min(blocks) << SHIFT,
                          ((max(blocks) + 1) << SHIFT) - 1)).fetchall()
        arr = np.array(rows, dtype=np.float64).reshape(-1, 8)
        rec = pack({k: arr[:, i] for i, k in enumerate(RECORD.names)})
        want = np.isin(rec["frame"].astype(np.int64) >> SHIFT, blocks)
        store_sorted(c, run, np.full(int(want.sum()), raw), rec[want])


def rebuild_run(c: sqlite3.Connection, run: int) -> None:
    """All blocks of a run from its rows (migration of existing projects)."""
    tracks = [r[0] for r in c.execute("SELECT DISTINCT track FROM boxes WHERE run_id = ? "
                                      "AND track >= 0", (run,))]
    for raw in tracks:
        rows = c.execute("SELECT frame, x, y, w, h, conf, cls, vis FROM boxes WHERE "
                         "run_id = ? AND track = ? ORDER BY frame", (run, raw)).fetchall()
        arr = np.array(rows, dtype=np.float64).reshape(-1, 8)
        rec = pack({k: arr[:, i] for i, k in enumerate(RECORD.names)})
        store_sorted(c, run, np.full(len(rec), raw), rec)


def _rows(c: sqlite3.Connection, run: int, raw: int, a: int, b: int) -> np.ndarray:
    rows = c.execute("SELECT frame, x, y, w, h, conf, cls, vis FROM boxes WHERE run_id = ? "
                     "AND track = ? AND frame BETWEEN ? AND ? ORDER BY frame",
                     (run, raw, a, b)).fetchall()
    arr = np.array(rows, dtype=np.float64).reshape(-1, 8)
    return pack({k: arr[:, i] for i, k in enumerate(RECORD.names)})


def read_bytes(c: sqlite3.Connection, run: int, raw: int, a: int, b: int) -> bytes:
    """Boxes of raw track ``raw`` in frames a..b as packed ``RECORD`` bytes sorted by
    frame: stored blocks where present, box rows for the frame ranges of missing blocks.
    Bytes, so that many blocks (and pieces) become one array with one ``frombuffer``."""
    lo, hi = c.execute(
        "SELECT (SELECT MIN(frame) FROM boxes WHERE run_id = ?1 AND track = ?2 AND frame "
        "BETWEEN ?3 AND ?4), (SELECT MAX(frame) FROM boxes WHERE run_id = ?1 AND "
        "track = ?2 AND frame BETWEEN ?3 AND ?4)", (run, raw, a, b)).fetchone()
    if lo is None:
        return b""
    if raw < 0:
        return _rows(c, run, raw, lo, hi).tobytes()
    b0, b1 = lo >> SHIFT, hi >> SHIFT
    found = c.execute("SELECT block, data FROM box_blocks WHERE run_id = ? AND raw = ? AND "
                      "block BETWEEN ? AND ? ORDER BY block", (run, raw, b0, b1)).fetchall()
    parts, nxt = [], b0
    for block, data in [*found, (b1 + 1, None)]:
        if block > nxt:  # blocks nxt..block-1 are missing: read their rows
            parts.append(_rows(c, run, raw, max(lo, nxt << SHIFT),
                               min(hi, (block << SHIFT) - 1)).tobytes())
        if data is not None:
            parts.append(data)
        nxt = block + 1
    buf = b"".join(parts)
    rec = np.frombuffer(buf, dtype=RECORD)
    first = int(np.searchsorted(rec["frame"], lo))  # edge blocks reach past lo..hi
    last = int(np.searchsorted(rec["frame"], hi, side="right"))
    n = c.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ? AND track = ? AND frame "
                  "BETWEEN ? AND ?", (run, raw, lo, hi)).fetchone()[0]
    if n != last - first:  # rows inserted behind a block's back (by another program)
        return _rows(c, run, raw, lo, hi).tobytes()
    return buf[first * RECORD.itemsize:last * RECORD.itemsize]


def drop_stashed(c: sqlite3.Connection, op_id: int, part: int) -> None:
    """Drop the blocks that boxes saved under (op, part) fall into (before they are
    inserted, as no insert trigger does it)."""
    c.execute("DELETE FROM box_blocks WHERE (run_id, raw, block) IN (SELECT run_id, track, "
              "frame >> 8 FROM edit_stash WHERE op_id = ? AND part = ?)", (op_id, part))


def read_run(c: sqlite3.Connection, run: int) -> tuple[np.ndarray, np.ndarray]:
    """Every box of a run with raw id >= -1 as (raw ids int64, ``RECORD`` array), sorted
    by (raw, frame): the packed blocks in one query, each copied once into its place in
    one preallocated array.

    Why: the row path turns 3.4 M x 8 values into Python objects (~9 s); the blocks are
    ~13,000 BLOBs (~0.3 s). The index count of every raw track gives its place in the
    result, so no second copy is ever made (a match's records are ~110 MB; assembling
    them from pieces and sorting peaked at ~420 MB). Raw tracks whose blocks do not add
    up to their count (a block dropped by a box edit, rows written by another program)
    are re-read by :func:`read_bytes`, which patches missing blocks from the rows;
    unassigned detections (raw -1, in no block) come from the rows.
    """
    counts = c.execute("SELECT track, COUNT(*) FROM boxes WHERE run_id = ? AND track >= -1 "
                       "GROUP BY track ORDER BY track", (run,)).fetchall()
    keys = np.array([r for r, _ in counts], np.int64)
    sizes = np.array([n for _, n in counts], np.int64)
    start = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    slot = {int(r): k for k, r in enumerate(keys.tolist())}
    rec = np.empty(int(start[-1]), RECORD)
    out = rec.view(np.uint8)
    size = RECORD.itemsize
    written = np.zeros(len(keys), np.int64)
    bad = np.zeros(len(keys), bool)
    cur = c.execute("SELECT raw, data FROM box_blocks WHERE run_id = ? ORDER BY raw, block",
                    (run,))
    while rows := cur.fetchmany(256):
        for r, d in rows:
            k = slot.get(r)
            if k is None:  # blocks of rows gone (safety): nothing to place
                continue
            n = len(d) // size
            if bad[k] or written[k] + n > sizes[k]:
                bad[k] = True
                continue
            at = (int(start[k]) + int(written[k])) * size
            out[at:at + n * size] = np.frombuffer(d, np.uint8, n * size)
            written[k] += n
    bad |= (written != sizes) | (keys < 0)
    for k in np.flatnonzero(bad).tolist():
        fixed = np.frombuffer(read_bytes(c, run, int(keys[k]), 0, 2**62), dtype=RECORD)
        if len(fixed) != sizes[k]:  # rows changed under a reader without a transaction
            return read_run_rows(c, run)
        rec[start[k]:start[k + 1]] = fixed
    return np.repeat(keys, sizes), rec


def read_run_rows(c: sqlite3.Connection, run: int) -> tuple[np.ndarray, np.ndarray]:
    """``read_run`` from the box rows only (no blocks): the slow, always-right path."""
    raws = [r[0] for r in c.execute("SELECT DISTINCT track FROM boxes WHERE run_id = ? "
                                     "AND track >= -1 ORDER BY track", (run,))]
    parts = [_rows(c, run, raw, 0, 2**62) for raw in raws]
    rec = np.concatenate(parts) if parts else np.zeros(0, RECORD)
    return np.repeat(np.array(raws, np.int64), [len(p) for p in parts]), rec
