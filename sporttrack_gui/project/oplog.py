"""Primitive, invertible edit records and their set-based SQL.

Why primitives: every user edit (swap, merge, split, delete, interpolate...) reduces to
a few record types whose inverse is again a record of the same family, so undo/redo is
"run the stored inverse" with no per-op undo code. Rows an op touches are saved under
its id by ``INSERT ... SELECT`` (``edit_retrack``: box ids with old/new track;
``edit_stash``: whole boxes), never through Python lists: a 135,000-box track costs a
few statements, and the log survives reopening the project.

Records (JSON-able dicts):
- ``{"op": "retrack", "run": r, "part": k, "dir": 1|-1, "swap": bool}``: set the track of
  the saved rows to ``new_track`` (dir 1) or back to ``old_track`` (dir -1).
- ``{"op": "stash_out"|"stash_in", "run": r, "part": k}``: remove / re-insert saved boxes
  (added boxes: undoing an add removes them; deletes park rows by a retrack instead).
- ``{"op": "remap", "run": r, "part": k, "dir": 1|-1, "rows": n}``: replace the
  ``track_segments`` of the raw tracks saved in ``edit_remap`` under (op, part) by the
  new (dir 1) or previous (dir -1) lists; ``n`` boxes change their displayed id. This is
  how id edits (swap, merge, split, reassign, delete track) cost O(segments), see
  :mod:`.mapping`.
- ``{"op": "set_box", "box": id, "values": {...}}``: overwrite columns of one box.
- ``{"op": "track_meta", "run": r, "track": t, "values": {...}, "exists": bool}``.
- ``{"op": "batch", "ops": [...]}``: several records, inverted in reverse order.
"""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from typing import Any

from sporttrack_gui.errors import EditConflict, ProjectError
from sporttrack_gui.project import blocks, mapping
from sporttrack_gui.project.delta import (
    Delta,
    Step,
    box_row,
    retrack_rows,
    saved_segments,
    stash_rows,
)

Record = dict[str, Any]
BOX_VALUE_COLUMNS = ("frame", "track", "x", "y", "w", "h", "conf", "cls", "vis")
TRACK_FIELDS = ("label", "class", "team", "colour", "note")


def execute(c: sqlite3.Connection, op_id: int, rec: Record,
            delta: Delta | None = None) -> tuple[Record, int]:
    """Apply ``rec`` inside the caller's transaction; return (inverse record, rows changed).

    With ``delta`` given, each primitive also appends what it changed (see
    :mod:`.delta`): a cost proportional to the change, read inside the transaction.
    """
    kind = rec["op"]
    if kind == "retrack":
        out = _retrack(c, op_id, rec)
        if delta is not None:
            src, dst = ("old_track", "new_track") if rec["dir"] == 1 else ("new_track", "old_track")
            removed, added = retrack_rows(c, op_id, rec["part"], src, dst)
            delta.add(Step(removed=removed, added=added))
        return out
    if kind == "stash_out":
        if delta is not None:
            delta.add(Step(removed=stash_rows(c, op_id, rec["part"])))
        return _stash_out(c, op_id, rec)
    if kind == "stash_in":
        out = _stash_in(c, op_id, rec)
        if delta is not None:
            delta.add(Step(added=stash_rows(c, op_id, rec["part"])))
        return out
    if kind == "remap":
        mapping.apply_saved(c, rec["run"], op_id, rec["part"], rec["dir"])
        if delta is not None:
            delta.add(Step(segments=saved_segments(c, op_id, rec["part"], rec["dir"])))
        return {**rec, "dir": -rec["dir"]}, rec["rows"]
    if kind == "set_box":
        before = box_row(c, rec["box"]) if delta is not None else None
        out = _set_box(c, rec)
        if delta is not None:
            delta.add(Step(removed=before, added=box_row(c, rec["box"])))
        return out
    if kind == "track_meta":
        if delta is not None:
            delta.add(Step(meta={int(rec["track"])}))
        return _track_meta(c, rec)
    if kind == "batch":
        inverses, total = [], 0
        for sub in rec["ops"]:
            inv, n = execute(c, op_id, sub, delta)
            inverses.append(inv)
            total += n
        return {"op": "batch", "ops": inverses[::-1]}, total
    raise ProjectError(f"unknown edit record {kind!r} in the edit log")


def _frames_text(frames: list[int], total: int) -> str:
    shown = ", ".join(str(f) for f in frames)
    return shown + (f" (and {total - len(frames)} more)" if total > len(frames) else "")


# ------------------------------------------------------------------ retrack
#: above this many rows a retrack runs without the block triggers (see blocks.bulk)
_BULK_ROWS = 1000
_RT = "SELECT box_id, frame, {col} AS tgt FROM edit_retrack WHERE op_id = ? AND part = ?"


def _retrack(c: sqlite3.Connection, op_id: int, rec: Record) -> tuple[Record, int]:
    col = "new_track" if rec["dir"] == 1 else "old_track"
    sel = _RT.format(col=col)
    key = (op_id, rec["part"])
    n = c.execute("SELECT COUNT(*) FROM edit_retrack WHERE op_id = ? AND part = ?",
                  key).fetchone()[0]
    if n > _BULK_ROWS:  # v1-era id edits: drop their blocks, skip the per-row triggers
        c.execute("DELETE FROM box_blocks WHERE (run_id, raw, block) IN (SELECT ?, old_track, "
                  "frame >> 8 FROM edit_retrack WHERE op_id = ? AND part = ? UNION SELECT ?, "
                  "new_track, frame >> 8 FROM edit_retrack WHERE op_id = ? AND part = ?)",
                  (rec["run"], *key, rec["run"], *key))
    try:
        with blocks.bulk(c) if n > _BULK_ROWS else nullcontext():
            if rec.get("swap"):
                # tracks trade places: park rows on negative ids (outside the partial
                # unique index), then flip them back, so no row collides with one leaving
                cur = c.execute(f"UPDATE boxes SET track = -2 - e.tgt FROM ({sel}) AS e "
                                "WHERE boxes.id = e.box_id", key)
                c.execute("UPDATE boxes SET track = -2 - track WHERE id IN "
                          "(SELECT box_id FROM edit_retrack WHERE op_id = ? AND part = ?)", key)
            else:
                cur = c.execute(f"UPDATE boxes SET track = e.tgt FROM ({sel}) AS e "
                                "WHERE boxes.id = e.box_id", key)
    except sqlite3.IntegrityError:
        raise _retrack_conflict(c, rec["run"], sel, key) from None
    return {**rec, "dir": -rec["dir"]}, cur.rowcount


def _retrack_conflict(c: sqlite3.Connection, run: int, sel: str, key: tuple) -> EditConflict:
    """Name the frames where a moved box would meet a box that already has its id."""
    sql = (f"FROM ({sel}) AS e CROSS JOIN boxes b ON b.run_id = ? AND b.frame = e.frame "
           "AND b.track = e.tgt WHERE +e.tgt >= 0 AND b.id NOT IN "
           "(SELECT box_id FROM edit_retrack WHERE op_id = ? AND part = ?)")
    args = (*key, run, *key)
    total = c.execute(f"SELECT COUNT(*) {sql}", args).fetchone()[0]
    rows = c.execute(f"SELECT e.frame, e.tgt {sql} ORDER BY e.frame LIMIT 10", args).fetchall()
    if not rows:
        return EditConflict("edit refused: it would give two boxes one id in a frame")
    ids = sorted({r[1] for r in rows})
    return EditConflict(
        f"edit refused: id {', '.join(map(str, ids))} already has a box in frame(s) "
        f"{_frames_text([r[0] for r in rows], total)}; nothing was changed")


# ------------------------------------------------------------------ stash
def _stash_out(c: sqlite3.Connection, op_id: int, rec: Record) -> tuple[Record, int]:
    cur = c.execute("DELETE FROM boxes WHERE id IN "
                    "(SELECT box_id FROM edit_stash WHERE op_id = ? AND part = ?)",
                    (op_id, rec["part"]))
    return {**rec, "op": "stash_in"}, cur.rowcount


def _stash_in(c: sqlite3.Connection, op_id: int, rec: Record) -> tuple[Record, int]:
    blocks.drop_stashed(c, op_id, rec["part"])
    try:
        cur = c.execute(
            "INSERT INTO boxes (id, run_id, frame, track, x, y, w, h, conf, cls, vis) "
            "SELECT box_id, run_id, frame, track, x, y, w, h, conf, cls, vis FROM edit_stash "
            "WHERE op_id = ? AND part = ? ORDER BY box_id", (op_id, rec["part"]))
    except sqlite3.IntegrityError:
        sql = ("FROM edit_stash s CROSS JOIN boxes b ON b.run_id = s.run_id "
               "AND b.frame = s.frame "
               "AND b.track = s.track WHERE s.op_id = ? AND s.part = ? "
               "AND +s.track >= 0")
        args = (op_id, rec["part"])
        total = c.execute(f"SELECT COUNT(*) {sql}", args).fetchone()[0]
        rows = c.execute(f"SELECT s.frame, s.track {sql} ORDER BY s.frame LIMIT 10",
                         args).fetchall()
        ids = sorted({r[1] for r in rows})
        raise EditConflict(
            f"edit refused: id {', '.join(map(str, ids))} already has a box in frame(s) "
            f"{_frames_text([r[0] for r in rows], total)}; nothing was changed") from None
    return {**rec, "op": "stash_out"}, cur.rowcount


# ------------------------------------------------------------------ single box / metadata
def _set_box(c: sqlite3.Connection, rec: Record) -> tuple[Record, int]:
    values = rec["values"]
    bad = set(values) - set(BOX_VALUE_COLUMNS)
    if bad:
        raise ProjectError(f"unknown box column(s) {sorted(bad)}")
    cols = list(values)
    old = c.execute(f"SELECT {', '.join(cols)} FROM boxes WHERE id = ?", (rec["box"],)).fetchone()
    if old is None:
        raise ProjectError(f"no box with id {rec['box']}")
    try:
        cur = c.execute(f"UPDATE boxes SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                        (*values.values(), rec["box"]))
    except sqlite3.IntegrityError:
        raise EditConflict(
            f"edit refused: id {values.get('track')} already has a box in frame "
            f"{values.get('frame', '?')}; nothing was changed") from None
    return {**rec, "values": dict(zip(cols, old, strict=True))}, cur.rowcount


def _track_meta(c: sqlite3.Connection, rec: Record) -> tuple[Record, int]:
    run, track, values = rec["run"], rec["track"], rec["values"]
    old = c.execute(f"SELECT {', '.join(TRACK_FIELDS)} FROM tracks WHERE run_id = ? "
                    "AND track = ?", (run, track)).fetchone()
    if not rec.get("exists", True):
        c.execute("DELETE FROM tracks WHERE run_id = ? AND track = ?", (run, track))
    else:
        c.execute("INSERT OR IGNORE INTO tracks (run_id, track) VALUES (?, ?)", (run, track))
        if values:
            c.execute(f"UPDATE tracks SET {', '.join(f'{k} = ?' for k in values)} "
                      "WHERE run_id = ? AND track = ?", (*values.values(), run, track))
    previous = dict(zip(TRACK_FIELDS, old, strict=True)) if old else {}
    inverse = {"op": "track_meta", "run": run, "track": track, "exists": old is not None,
               "values": {k: previous.get(k) for k in TRACK_FIELDS}}
    return inverse, 1
