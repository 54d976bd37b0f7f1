"""Undoable edit operations on the boxes of a run (Qt-free; the GUI wraps them).

Why this shape: each function selects the rows it changes with one indexed statement,
saves them under a new ``edit_ops`` row (see :mod:`.oplog`), applies a primitive record
and stores that record's inverse, all in one transaction. A refused edit
(``EditConflict``, ``ProjectError``) leaves the project and the log exactly as they were.
A new edit drops the redo stack of its run, as every editor does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import oplog
from sporttrack_gui.project.store import TRACK_FIELDS, Project

Builder = Callable[[sqlite3.Connection, int], oplog.Record]
#: deleted rows wait for undo on track PARK_BASE - op_id (never a real or "-1" id)
PARK_BASE = -1_000_000


@dataclass(frozen=True)
class EditResult:
    """What an edit (or an undo/redo) did: ``rows`` boxes changed."""

    op_id: int
    label: str
    rows: int
    new_track: int | None = None


def _apply(project: Project, run: int, label: str, build: Builder,
           new_track: int | None = None) -> EditResult:
    with project.transaction() as c:
        project._require_run(c, run)  # noqa: SLF001 - same package
        c.execute("DELETE FROM edit_ops WHERE run_id = ? AND state = 'undone'", (run,))
        op_id = int(c.execute("INSERT INTO edit_ops (run_id, label, forward, inverse, state) "
                              "VALUES (?, ?, '{}', '{}', 'done')", (run, label)).lastrowid)
        forward = build(c, op_id)
        inverse, rows = oplog.execute(c, op_id, forward)
        if rows == 0:
            raise ProjectError(f"nothing to change: {label}")
        c.execute("UPDATE edit_ops SET forward = ?, inverse = ? WHERE id = ?",
                  (json.dumps(forward), json.dumps(inverse), op_id))
        project._touch(c, run)  # noqa: SLF001
    return EditResult(op_id, label, rows, new_track)


def _run_of_box(project: Project, box_id: int) -> int:
    row = project.conn.execute("SELECT run_id FROM boxes WHERE id = ? AND track >= -1",
                               (box_id,)).fetchone()
    if row is None:
        raise ProjectError(f"{project.path}: no box with id {box_id}")
    return int(row[0])


def _check_track(track: int, what: str = "track id") -> int:
    track = int(track)
    if track < 0:
        raise ProjectError(f"{what} must be >= 0, got {track}")
    return track


def next_track_id(project: Project, run: int) -> int:
    """An id no box or track metadata of ``run`` uses (two index seeks)."""
    a = project.conn.execute("SELECT MAX(track) FROM boxes WHERE run_id = ?",
                           (run,)).fetchone()[0]
    b = project.conn.execute("SELECT MAX(track) FROM tracks WHERE run_id = ?", (run,)).fetchone()[0]
    return max(a if a is not None else 0, b if b is not None else 0) + 1


# ------------------------------------------------------------------ retrack-based ops
def _retrack_op(project: Project, run: int, label: str, moves: Sequence[tuple[int, int, int]],
                swap: bool = False, new_track: int | None = None) -> EditResult:
    """``moves``: (from_track, to_track, from_frame) triples applied as one retrack set."""

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        for src, dst, first in moves:
            c.execute("INSERT INTO edit_retrack (op_id, part, box_id, frame, old_track, new_track) "
                      "SELECT ?, 0, id, frame, track, ? FROM boxes "
                      "WHERE run_id = ? AND track = ? AND frame >= ?",
                      (op_id, dst, run, src, first))
        return {"op": "retrack", "run": run, "part": 0, "dir": 1, "swap": swap}

    return _apply(project, run, label, build, new_track)


def swap_tracks(project: Project, run: int, a: int, b: int, from_frame: int = 1) -> EditResult:
    """Exchange ids ``a`` and ``b`` on every frame >= ``from_frame`` (an ID switch fix)."""
    a, b = _check_track(a), _check_track(b)
    if a == b:
        raise ProjectError(f"swap needs two different ids, got {a} twice")
    return _retrack_op(project, run, f"swap {a} <-> {b} from frame {from_frame}",
                       [(a, b, from_frame), (b, a, from_frame)], swap=True)


def reassign_track(project: Project, run: int, a: int, b: int | None = None,
                   from_frame: int = 1) -> EditResult:
    """Give the boxes of ``a`` from ``from_frame`` on the id ``b`` (a fresh id when None)."""
    a = _check_track(a)
    b = next_track_id(project, run) if b is None else _check_track(b)
    if a == b:
        raise ProjectError(f"reassign needs two different ids, got {a} twice")
    return _retrack_op(project, run, f"reassign {a} -> {b} from frame {from_frame}",
                       [(a, b, from_frame)], new_track=b)


def merge_tracks(project: Project, run: int, a: int, b: int) -> EditResult:
    """Track ``b`` becomes part of ``a`` (refused where both have a box in one frame)."""
    a, b = _check_track(a), _check_track(b)
    if a == b:
        raise ProjectError(f"merge needs two different ids, got {a} twice")
    return _retrack_op(project, run, f"merge {b} into {a}", [(b, a, 1)], new_track=a)


def split_track(project: Project, run: int, a: int, at_frame: int) -> EditResult:
    """Boxes of ``a`` from ``at_frame`` on get a fresh id (returned as ``new_track``)."""
    a = _check_track(a)
    new = next_track_id(project, run)
    return _retrack_op(project, run, f"split {a} at frame {at_frame} (new id {new})",
                       [(a, new, at_frame)], new_track=new)


def set_box_track(project: Project, box_id: int, track: int) -> EditResult:
    """Give one box another id (-1 makes it an unassigned detection)."""
    run = _run_of_box(project, box_id)
    track = int(track)
    if track < -1:
        raise ProjectError(f"track id must be >= -1, got {track}")

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        c.execute("INSERT INTO edit_retrack (op_id, part, box_id, frame, old_track, new_track) "
                  "SELECT ?, 0, id, frame, track, ? FROM boxes WHERE id = ? AND track != ? "
                  "AND track >= -1",
                  (op_id, track, box_id, track))
        return {"op": "retrack", "run": run, "part": 0, "dir": 1, "swap": False}

    return _apply(project, run, f"set id of box {box_id} to {track}", build)


# ------------------------------------------------------------------ stash-based ops
def _park(c: sqlite3.Connection, op_id: int, run: int, where: str, args: tuple) -> oplog.Record:
    """Undoable delete: move rows to a per-op negative id (``track <= -2``) that every
    read skips. Only the track column and its index change, so deleting a 135,000-box
    track costs what an id edit costs; undo moves them back."""
    park = PARK_BASE - op_id
    c.execute("INSERT INTO edit_retrack (op_id, part, box_id, frame, old_track, new_track) "
              f"SELECT ?, 0, id, frame, track, ? FROM boxes WHERE run_id = ? AND {where}",
              (op_id, park, run, *args))
    return {"op": "retrack", "run": run, "part": 0, "dir": 1, "swap": False}


def delete_track(project: Project, run: int, a: int, from_frame: int | None = None,
                 to_frame: int | None = None) -> EditResult:
    """Delete all boxes of ``a``, or those in [from_frame, to_frame] (inclusive)."""
    a = _check_track(a)
    lo = 1 if from_frame is None else int(from_frame)
    hi = 2**62 if to_frame is None else int(to_frame)
    if hi < lo:
        raise ProjectError(f"delete range is empty: frame {lo} > {hi}")
    span = "" if from_frame is None and to_frame is None else f" frames {lo}-{to_frame or 'end'}"

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        return _park(c, op_id, run, "track = ? AND frame BETWEEN ? AND ?",
                     (a, lo, hi))

    return _apply(project, run, f"delete track {a}{span}", build)


def delete_box(project: Project, box_id: int) -> EditResult:
    run = _run_of_box(project, box_id)

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        return _park(c, op_id, run, "id = ? AND track >= -1", (box_id,))

    return _apply(project, run, f"delete box {box_id}", build)


_NEXT_BOX_ID = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'boxes'), 0)"


def insert_boxes(project: Project, run: int, track: int, frames: Sequence[int] | np.ndarray,
                 xywh: np.ndarray, *, conf: float = 1.0, cls: int = -1,
                 label: str | None = None) -> EditResult:
    """Add boxes of one track (e.g. computed by a tracker between keyframes), undoable.

    Refused with ``EditConflict`` if ``track`` already has a box in any of ``frames``.
    """
    track = _check_track(track)
    frames = np.asarray(frames, dtype=np.int64).reshape(-1)
    xywh = np.asarray(xywh, dtype=np.float64).reshape(-1, 4)
    if len(frames) != len(xywh) or len(frames) == 0:
        raise ProjectError(f"insert_boxes needs one box per frame, got {len(frames)} frames "
                           f"and {len(xywh)} boxes")
    if (frames < 1).any() or not np.isfinite(xywh).all() or (xywh[:, 2:] <= 0).any():
        raise ProjectError("insert_boxes: frames must be >= 1 and boxes finite with w, h > 0")

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        base = c.execute(f"SELECT {_NEXT_BOX_ID}").fetchone()[0]
        ids = (base + 1 + np.arange(len(frames))).tolist()
        c.executemany(
            "INSERT INTO edit_stash VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, -1)",
            zip([op_id] * len(ids), ids, [run] * len(ids), frames.tolist(),
                [track] * len(ids), *xywh.T.tolist(), [conf] * len(ids), [cls] * len(ids),
                strict=True))
        return {"op": "stash_in", "run": run, "part": 0}

    return _apply(project, run, label or f"add {len(frames)} box(es) to track {track}", build)


def add_box(project: Project, run: int, frame: int, track: int,
            xywh: Sequence[float]) -> EditResult:
    """Draw a new box; returns the result whose op stashed the new box id."""
    return insert_boxes(project, run, track, [frame], np.asarray([xywh]),
                        label=f"add box to track {track} in frame {frame}")


def interpolate_track(project: Project, run: int, a: int, from_frame: int,
                      to_frame: int) -> EditResult:
    """Fill frames of ``a`` missing between two keyframes by linear interpolation.

    Boxes at ``from_frame`` and ``to_frame`` must exist; every gap in between is filled
    from its own neighbouring boxes (one recursive-CTE statement).
    """
    a, f0, f1 = _check_track(a), int(from_frame), int(to_frame)
    if f1 <= f0 + 1:
        raise ProjectError(f"interpolate needs keyframes at least 2 frames apart, got {f0}, {f1}")
    for f in (f0, f1):
        if project.conn.execute("SELECT 1 FROM boxes WHERE run_id = ? AND track = ? AND "
                                "frame = ?", (run, a, f)).fetchone() is None:
            raise ProjectError(f"track {a} has no box in keyframe {f} to interpolate from")
    lerp = "a.{c} + (b.{c} - a.{c}) * (m.f - m.k0) * 1.0 / (m.k1 - m.k0)"

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        base = c.execute(f"SELECT {_NEXT_BOX_ID}").fetchone()[0]
        k = "SELECT {agg}(frame) FROM boxes WHERE run_id = :r AND track = :t AND frame {cmp} fr.f"
        c.execute(
            "WITH RECURSIVE fr(f) AS (SELECT :f0 + 1 UNION ALL SELECT f + 1 FROM fr WHERE f < :f1 - 1),"
            f" m AS (SELECT f, ({k.format(agg='MAX', cmp='<')}) AS k0,"
            f" ({k.format(agg='MIN', cmp='>')}) AS k1 FROM fr WHERE NOT EXISTS"
            " (SELECT 1 FROM boxes WHERE run_id = :r AND track = :t AND frame = fr.f))"
            " INSERT INTO edit_stash SELECT :op, 0, :base + ROW_NUMBER() OVER (ORDER BY m.f),"
            f" :r, m.f, :t, {lerp.format(c='x')}, {lerp.format(c='y')}, {lerp.format(c='w')},"
            f" {lerp.format(c='h')}, a.conf, a.cls, -1 FROM m"
            " JOIN boxes a ON a.run_id = :r AND a.track = :t AND a.frame = m.k0"
            " JOIN boxes b ON b.run_id = :r AND b.track = :t AND b.frame = m.k1",
            {"r": run, "t": a, "f0": f0, "f1": f1, "op": op_id, "base": base})
        return {"op": "stash_in", "run": run, "part": 0}

    return _apply(project, run, f"interpolate track {a} frames {f0}-{f1}", build)


# ------------------------------------------------------------------ single-box geometry
def set_box_xywh(project: Project, box_id: int, xywh: Sequence[float]) -> EditResult:
    """Move and/or resize one box (the editor's drag)."""
    run = _run_of_box(project, box_id)
    x, y, w, h = (float(v) for v in xywh)
    if not np.isfinite([x, y, w, h]).all() or w <= 0 or h <= 0:
        raise ProjectError(f"box needs finite x, y and w, h > 0, got {xywh}")

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        return {"op": "set_box", "box": box_id, "values": {"x": x, "y": y, "w": w, "h": h}}

    return _apply(project, run, f"move/resize box {box_id}", build)


def move_box(project: Project, box_id: int, dx: float, dy: float) -> EditResult:
    b = project.box(box_id)
    return set_box_xywh(project, box_id, (b["x"] + dx, b["y"] + dy, b["w"], b["h"]))


def resize_box(project: Project, box_id: int, w: float, h: float) -> EditResult:
    b = project.box(box_id)
    return set_box_xywh(project, box_id, (b["x"], b["y"], w, h))


# ------------------------------------------------------------------ track metadata
def set_track_fields(project: Project, run: int, track: int, **fields: str | None) -> EditResult:
    """Undoable label/class/team/colour/note change of one track."""
    bad = set(fields) - set(TRACK_FIELDS)
    if bad or not fields:
        raise ProjectError(f"set one or more of {TRACK_FIELDS}; got {sorted(fields)}")

    def build(c: sqlite3.Connection, op_id: int) -> oplog.Record:
        return {"op": "track_meta", "run": run, "track": int(track), "exists": True,
                "values": fields}

    names = ", ".join(f"{k}={v!r}" for k, v in fields.items())
    return _apply(project, run, f"set {names} of track {track}", build)
