"""Displayed track ids as frame-range segments over the boxes' raw ids.

Why: an id fix on a 90-minute match (swap two ids from frame N on, merge, split, delete a
track) used to UPDATE every box it touched, and in SQLite each such row costs an index
delete + insert: ~1 s for 135,000 boxes. Here a box keeps the raw id it was stored with,
and ``track_segments`` says which id the frames ``f0..f1`` of a raw track show (NULL:
hidden by an undoable delete). Frames no segment covers show the raw id, so an empty
table is the identity. An id edit rewrites the few segment rows of the raw tracks it
touches (O(segments), not O(boxes)); its inverse is the previous segment rows.

Invariants kept by every writer in this package:
- segments of one (run, raw) never overlap, are sorted by ``f0`` and canonical: no
  segment shows the raw id itself and no two adjacent ones (``f1 + 1 == f0``) show the
  same id, so one mapping has exactly one representation (undo-all restores the table
  byte for byte);
- raw ``-1`` (unassigned detections, repeated per frame) never has segments;
- no two visible boxes of a run show the same id >= 0 in one frame. The unique index
  on raw ids no longer proves that, so every op that changes the mapping calls
  :func:`check_unique` on the ids it gave out, limited to the frames it changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from sporttrack_gui.errors import EditConflict

#: "to the end of the run" (frames are 1-based and fit in 32 bits)
INF = 2**62
#: numpy stand-in for a hidden (NULL) displayed id
HIDDEN = -(2**62)
_FRAME_CAP = 2**32 - 1

Seg = tuple[int, int, "int | None"]  # (f0, f1, displayed id or None = hidden)
Piece = tuple[int, int, int]  # (raw, a, b): frames a..b of raw show one id
Change = tuple[int, int, int, "int | None"]  # (raw, a, b, new displayed id)


def has_segments(c: sqlite3.Connection, run: int) -> bool:
    return c.execute("SELECT 1 FROM track_segments WHERE run_id = ? LIMIT 1",
                     (run,)).fetchone() is not None


def segments_of(c: sqlite3.Connection, run: int, raw: int) -> list[Seg]:
    return [tuple(r) for r in c.execute(  # type: ignore[misc]
        "SELECT f0, f1, disp FROM track_segments WHERE run_id = ? AND raw = ? ORDER BY f0",
        (run, raw))]


def gaps(segs: Sequence[Seg], lo: int, hi: int) -> list[tuple[int, int]]:
    """Frame ranges within [lo, hi] that no segment covers (they show the raw id)."""
    out, cur = [], lo
    for f0, f1, _ in segs:
        if f1 < cur:
            continue
        if f0 > hi:
            break
        if f0 > cur:
            out.append((cur, min(f0 - 1, hi)))
        cur = f1 + 1
        if cur > hi:
            return out
    if cur <= hi:
        out.append((cur, hi))
    return out


def pieces(c: sqlite3.Connection, run: int, disp: int, lo: int = 0,
           hi: int = INF) -> list[Piece]:
    """The (raw, a, b) ranges whose boxes show id ``disp`` within frames [lo, hi].

    Two small indexed reads: the raw track of the same number where no segment covers
    it, plus the segments that map other raw tracks to ``disp``. Sorted by first frame.
    """
    out = [(disp, a, b) for a, b in gaps(segments_of(c, run, disp), lo, hi)]
    out += [(r, max(f0, lo), min(f1, hi)) for r, f0, f1 in c.execute(
        "SELECT raw, f0, f1 FROM track_segments WHERE run_id = ? AND disp = ? "
        "AND f0 <= ? AND f1 >= ?", (run, disp, hi, lo))]
    return sorted(out, key=lambda p: (p[1], p[0]))


def overwrite(segs: Sequence[Seg], a: int, b: int, disp: int | None) -> list[Seg]:
    """``segs`` with frames a..b showing ``disp`` (existing segments are cut around)."""
    out: list[Seg] = []
    for f0, f1, d in segs:
        if f1 < a or f0 > b:
            out.append((f0, f1, d))
            continue
        if f0 < a:
            out.append((f0, a - 1, d))
        if f1 > b:
            out.append((b + 1, f1, d))
    out.append((a, b, disp))
    return sorted(out, key=lambda s: s[0])


def normalize(raw: int, segs: Sequence[Seg]) -> list[Seg]:
    """Canonical form: drop identity segments, join adjacent ones showing the same id."""
    out: list[Seg] = []
    for f0, f1, d in segs:
        if d == raw:
            continue
        if out and out[-1][1] + 1 == f0 and out[-1][2] == d:
            out[-1] = (out[-1][0], f1, d)
        else:
            out.append((f0, f1, d))
    return out


def display_changes(c: sqlite3.Connection, run: int,
                    moves: Iterable[tuple[int, int | None, int, int]]) -> list[Change]:
    """Raw-level changes for display-level moves ``(src, dst, lo, hi)``: every box that
    shows ``src`` in frames lo..hi shows ``dst`` (None: hidden). All moves are resolved
    against the current mapping before any is applied, so a swap is two moves. Stretches
    without boxes are left alone (one index seek each), so no segment is written for a
    raw id that has no boxes there and a split followed by a merge is the identity."""
    return [(raw, a, b, dst) for src, dst, lo, hi in moves
            for raw, a, b in pieces(c, run, src, lo, hi)
            if c.execute("SELECT 1 FROM boxes WHERE run_id = ? AND track = ? AND frame "
                         "BETWEEN ? AND ? LIMIT 1", (run, raw, a, b)).fetchone()]


def plan(c: sqlite3.Connection, run: int,
         changes: Sequence[Change]) -> dict[int, tuple[list[Seg], list[Seg]]]:
    """Per raw track touched: (segments now, segments after ``changes``); unchanged
    raw tracks are left out."""
    old = {raw: segments_of(c, run, raw) for raw in dict.fromkeys(ch[0] for ch in changes)}
    new = dict(old)
    for raw, a, b, dst in changes:
        new[raw] = overwrite(new[raw], a, b, dst)
    out = {}
    for raw, segs in new.items():
        segs = normalize(raw, segs)
        if segs != old[raw]:
            out[raw] = (old[raw], segs)
    return out


def count_boxes(c: sqlite3.Connection, run: int, ranges: Iterable[tuple[int, int, int]]) -> int:
    """Boxes of raw tracks in frame ranges: one covering-index range count each."""
    return sum(c.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ? AND track = ? "
                         "AND frame BETWEEN ? AND ?", (run, raw, a, b)).fetchone()[0]
               for raw, a, b in ranges)


def save_plan(c: sqlite3.Connection, op_id: int, part: int,
              planned: dict[int, tuple[list[Seg], list[Seg]]]) -> None:
    """Store both segment lists of each touched raw track under the op (side -1 / 1)."""
    c.executemany("INSERT INTO edit_remap (op_id, part, side, raw, f0, f1, disp) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  [(op_id, part, side, raw, *seg)
                   for raw, lists in planned.items()
                   for side, segs in zip((-1, 1), lists, strict=True) for seg in segs])


def apply_saved(c: sqlite3.Connection, run: int, op_id: int, part: int, side: int) -> None:
    """Replace the segments of the raw tracks saved under (op, part) with side ``side``."""
    key = (op_id, part)
    c.execute("DELETE FROM track_segments WHERE run_id = ? AND raw IN "
              "(SELECT raw FROM edit_remap WHERE op_id = ? AND part = ?)", (run, *key))
    c.execute("INSERT INTO track_segments (run_id, raw, f0, f1, disp) SELECT ?, raw, f0, f1, "
              "disp FROM edit_remap WHERE op_id = ? AND part = ? AND side = ?",
              (run, *key, side))


def _frames(c: sqlite3.Connection, run: int, raw: int, a: int, b: int,
            limit: int = -1) -> np.ndarray:
    rows = c.execute("SELECT frame FROM boxes WHERE run_id = ? AND track = ? "
                     "AND frame BETWEEN ? AND ? ORDER BY frame LIMIT ?",
                     (run, raw, a, b, limit)).fetchall()
    return np.array(rows, dtype=np.int64).reshape(-1)


def _bounds(c: sqlite3.Connection, run: int, raw: int, a: int, b: int) -> tuple[int, int] | None:
    """First and last frame of raw in a..b: two index seeks."""
    lo, hi = c.execute(
        "SELECT (SELECT MIN(frame) FROM boxes WHERE run_id = ?1 AND track = ?2 AND frame "
        "BETWEEN ?3 AND ?4), (SELECT MAX(frame) FROM boxes WHERE run_id = ?1 AND track = ?2 "
        "AND frame BETWEEN ?3 AND ?4)", (run, raw, a, b)).fetchone()
    return None if lo is None else (lo, hi)


def _count(c: sqlite3.Connection, run: int, raw: int, a: int, b: int) -> int:
    return c.execute("SELECT COUNT(*) FROM boxes WHERE run_id = ? AND track = ? AND frame "
                     "BETWEEN ? AND ?", (run, raw, a, b)).fetchone()[0]


#: a block of common frames, in frame order: (count, raw whose frames in a..b they all
#: are, or None for every frame a..b, a, b, explicit frames or None)
_Block = tuple[int, "int | None", int, int, "np.ndarray | None"]
_FETCH_BELOW = 20_000
_MAX_DEPTH = 8


def _common(c: sqlite3.Connection, run: int, r1: int, r2: int, a: int, b: int,
            depth: int = 0) -> list[_Block]:
    """Frames in a..b where raw tracks r1 and r2 both have a box, without reading the
    frames where it can be avoided.

    Per range: the overlap of both tracks' first..last frames (index seeks), then each
    one's box count there (an index range walk in C). A track with a box in every frame
    of the overlap (the common case for sports tracks) makes the answer "all frames of
    the other one"; otherwise the overlap is bisected. Small or deeply split ranges are
    read and intersected in numpy.
    """
    b1, b2 = _bounds(c, run, r1, a, b), _bounds(c, run, r2, a, b)
    if b1 is None or b2 is None:
        return []
    lo, hi = max(b1[0], b2[0]), min(b1[1], b2[1])
    if lo > hi:
        return []
    n1, n2 = _count(c, run, r1, lo, hi), _count(c, run, r2, lo, hi)
    if not n1 or not n2:  # the overlap of their spans can still miss one of them
        return []
    span = hi - lo + 1
    if n1 == span and n2 == span:
        return [(span, None, lo, hi, None)]
    if n1 == span:
        return [(n2, r2, lo, hi, None)]
    if n2 == span:
        return [(n1, r1, lo, hi, None)]
    if n1 + n2 <= _FETCH_BELOW or depth >= _MAX_DEPTH:
        f1, f2 = _frames(c, run, r1, lo, hi), _frames(c, run, r2, lo, hi)
        pos = np.minimum(np.searchsorted(f2, f1), len(f2) - 1)
        both = f1[f2[pos] == f1]
        return [(len(both), None, lo, hi, both)] if len(both) else []
    mid = (lo + hi) // 2
    return (_common(c, run, r1, r2, lo, mid, depth + 1)
            + _common(c, run, r1, r2, mid + 1, hi, depth + 1))


def _first_frames(c: sqlite3.Connection, run: int, blocks: list[_Block], k: int) -> list[int]:
    out: list[int] = []
    for _, raw, a, b, frames in blocks:
        if len(out) >= k:
            break
        if frames is not None:
            out += frames[:k - len(out)].tolist()
        elif raw is None:
            out += list(range(a, min(b, a + k - len(out) - 1) + 1))
        else:
            out += _frames(c, run, raw, a, b, k - len(out)).tolist()
    return out


def _frames_text(frames: list[int], total: int) -> str:
    shown = ", ".join(str(f) for f in frames)
    return shown + (f" (and {total - len(frames)} more)" if total > len(frames) else "")


def check_unique(c: sqlite3.Connection, run: int,
                 targets: dict[int, list[tuple[int, int]]]) -> None:
    """Raise ``EditConflict`` if an id of ``targets`` (id -> changed frame ranges) now
    shows on two boxes in one frame.

    Only pairs of different raw tracks showing that id over overlapping frame ranges
    can collide, and only where both have boxes (:func:`_common`: index range counts,
    so proving "no conflict" for two 135,000-box tracks reads no frames). Called inside
    the edit's transaction, after the change.
    """
    total, ids, firsts = 0, [], []
    for disp, wins in sorted(targets.items()):
        if disp < 0 or not wins:
            continue
        lo, hi = min(a for a, _ in wins), max(b for _, b in wins)
        ps = pieces(c, run, disp, lo, hi)
        blocks: list[_Block] = []
        for i, (r1, a1, b1) in enumerate(ps):
            for r2, a2, b2 in ps[i + 1:]:
                if a2 > b1:
                    break
                a, b = max(a1, a2), min(b1, b2)
                if r1 != r2 and a <= b:
                    blocks += _common(c, run, r1, r2, a, b)
        if blocks:
            ids.append(disp)
            total += sum(blk[0] for blk in blocks)
            firsts += _first_frames(c, run, sorted(blocks, key=lambda blk: blk[2]), 10)
    if ids:
        frames = sorted(set(firsts))[:10]
        raise EditConflict(
            f"edit refused: id {', '.join(map(str, ids))} already has a box in frame(s) "
            f"{_frames_text(frames, max(total, len(frames)))}; nothing was changed")


def targets_of(changes: Iterable[Change]) -> dict[int, list[tuple[int, int]]]:
    """Ids given out by ``changes`` and the frame ranges where they were given."""
    out: dict[int, list[tuple[int, int]]] = {}
    for _, a, b, dst in changes:
        if dst is not None and dst >= 0:
            out.setdefault(dst, []).append((a, b))
    return out


# ------------------------------------------------------------------ reads
def load(c: sqlite3.Connection, run: int) -> np.ndarray | None:
    """All segments of a run as an (n, 4) int64 array (raw, f0, f1, disp|HIDDEN), or None."""
    rows = c.execute("SELECT raw, f0, MIN(f1, ?), COALESCE(disp, ?) FROM track_segments "
                     "WHERE run_id = ? ORDER BY raw, f0", (_FRAME_CAP, HIDDEN, run)).fetchall()
    return np.array(rows, dtype=np.int64) if rows else None


def relabel(segs: np.ndarray | None, raw: np.ndarray,
            frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Displayed ids of boxes (raw id, frame) and a mask of the visible ones, vectorised:
    one ``searchsorted`` of (raw, frame) keys into the segments' start keys."""
    raw = np.asarray(raw, dtype=np.int64)
    if segs is None or not len(raw):
        return raw, np.ones(len(raw), dtype=bool)
    base = (segs[:, 0] + 2) << 32
    starts, ends = base + segs[:, 1], base + segs[:, 2]
    key = ((raw + 2) << 32) + np.minimum(np.asarray(frame, dtype=np.int64), _FRAME_CAP)
    i = np.searchsorted(starts, key, side="right") - 1
    ic = np.maximum(i, 0)
    hit = (i >= 0) & (key <= ends[ic])
    disp = np.where(hit, segs[ic, 3], raw)
    return disp, disp != HIDDEN


def visible_pieces(c: sqlite3.Connection, run: int,
                   raws: Iterable[int]) -> list[tuple[int, int, int, int]]:
    """(raw, a, b, shown id) for every visible stretch of the given raw tracks and of all
    raw tracks with segments: the timeline and run statistics aggregate over these."""
    by_raw: dict[int, list[Seg]] = {int(r): [] for r in raws}
    for raw, f0, f1, d in c.execute("SELECT raw, f0, f1, disp FROM track_segments "
                                    "WHERE run_id = ? ORDER BY raw, f0", (run,)):
        by_raw.setdefault(raw, []).append((f0, f1, d))
    out = []
    for raw, segs in by_raw.items():
        out += [(raw, a, b, raw) for a, b in gaps(segs, 0, INF)]
        out += [(raw, f0, f1, d) for f0, f1, d in segs if d is not None]
    return out


def piece_stats(c: sqlite3.Connection, run: int, ps: Sequence[tuple[int, int, int, int]],
                counts: bool = True) -> np.ndarray:
    """(shown id, first frame, last frame, box count) per piece that has boxes; three
    index seeks per piece (counting walks the piece's index range)."""
    r = int(run)  # a literal: the VALUES list takes the positional parameters
    cnt = (f"(SELECT COUNT(*) FROM boxes WHERE run_id = {r} AND track = p.raw "
           "AND frame BETWEEN p.a AND p.b)" if counts else "-1")
    out = []
    for k in range(0, len(ps), 200):
        chunk = ps[k:k + 200]
        values = ", ".join("(?, ?, ?, ?)" for _ in chunk)
        args = [v for p in chunk for v in p]
        out += c.execute(
            f"WITH p(raw, a, b, disp) AS (VALUES {values}) SELECT * FROM (SELECT p.disp, "
            f"(SELECT MIN(frame) FROM boxes WHERE run_id = {r} AND track = p.raw "
            "AND frame BETWEEN p.a AND p.b) AS f, "
            f"(SELECT MAX(frame) FROM boxes WHERE run_id = {r} AND track = p.raw "
            f"AND frame BETWEEN p.a AND p.b), {cnt} FROM p) WHERE f IS NOT NULL",
            args).fetchall()
    return np.array(out, dtype=np.int64) if out else np.zeros((0, 4), np.int64)


def purge_hidden(c: sqlite3.Connection, run: int) -> int:
    """Drop the rows hidden by deletes and their segments (no undo may need them any
    more: clearing the history, copying a run); returns how many rows were freed."""
    from sporttrack_gui.project import blocks

    freed = 0
    hidden = c.execute("SELECT raw, f0, f1 FROM track_segments WHERE run_id = ? "
                       "AND disp IS NULL", (run,)).fetchall()
    with blocks.bulk(c):
        for raw, f0, f1 in hidden:
            blocks.drop_frames(c, run, raw, f0, f1)
            freed += c.execute("DELETE FROM boxes WHERE run_id = ? AND track = ? AND frame "
                               "BETWEEN ? AND ?", (run, raw, f0, f1)).rowcount
    c.execute("DELETE FROM track_segments WHERE run_id = ? AND disp IS NULL", (run,))
    return freed
