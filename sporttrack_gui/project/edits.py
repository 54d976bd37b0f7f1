"""Undoable edit operations on the boxes of a run (Qt-free; the GUI wraps them).

Why this shape: each function saves what it changes under a new ``edit_ops`` row (see
:mod:`.oplog`), applies a primitive record and stores that record's inverse, all in one
transaction. Id edits (swap, reassign, merge, split, delete track) rewrite the few
frame-range segments of :mod:`.mapping` instead of every box, so they cost the same on
a 3.4 M-box match as on a toy one; box edits change single rows. A refused edit
(``EditConflict``, ``ProjectError``) leaves the project and the log exactly as they were.
A new edit drops the redo stack of its run, as every editor does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import mapping, oplog
from sporttrack_gui.project.delta import Delta
from sporttrack_gui.project.store import TRACK_FIELDS, Project

Targets = dict[int, list[tuple[int, int]]]
#: builds the op's forward record (saving rows/segments under op_id) and names the ids it
#: gives out with the frame ranges where, for the uniqueness check after applying it
Builder = Callable[[sqlite3.Connection, int], "tuple[oplog.Record, Targets]"]
#: deleted boxes wait for undo on track PARK_BASE - op_id (never a real or "-1" id)
PARK_BASE = -1_000_000


@dataclass(frozen=True)
class EditResult:
    """What an edit (or an undo/redo) did: ``rows`` boxes changed; ``delta`` says which
    (so an in-memory copy of the run follows without re-reading it)."""

    op_id: int
    label: str
    rows: int
    new_track: int | None = None
    delta: Delta | None = field(default=None, compare=False, repr=False)


def _apply(project: Project, run: int, label: str, build: Builder,
           new_track: int | None = None) -> EditResult:
    with project.transaction() as c:
        project._require_run(c, run)  # noqa: SLF001 - same package
        c.execute("DELETE FROM edit_ops WHERE run_id = ? AND state = 'undone'", (run,))
        op_id = int(c.execute("INSERT INTO edit_ops (run_id, label, forward, inverse, state) "
                              "VALUES (?, ?, '{}', '{}', 'done')", (run, label)).lastrowid)
        forward, targets = build(c, op_id)
        delta = Delta(run)
        inverse, rows = oplog.execute(c, op_id, forward, delta)
        if rows == 0:
            raise ProjectError(f"nothing to change: {label}")
        mapping.check_unique(c, run, targets)  # raising rolls the whole op back
        c.execute("UPDATE edit_ops SET forward = ?, inverse = ? WHERE id = ?",
                  (json.dumps(forward), json.dumps(inverse), op_id))
        project._touch(c, run)  # noqa: SLF001
    return EditResult(op_id, label, rows, new_track, delta)


def _visible_box(project: Project, box_id: int) -> tuple[int, int, int, int]:
    """(run, raw id, frame, shown id) of a box that is not deleted or hidden."""
    row = project._box_row(box_id)  # noqa: SLF001
    if row is None:
        raise ProjectError(f"{project.path}: no box with id {box_id}")
    return row


def _check_track(track: int, what: str = "track id") -> int:
    track = int(track)
    if track < 0:
        raise ProjectError(f"{what} must be >= 0, got {track}")
    return track


def _next_id(c: sqlite3.Connection, run: int) -> int:
    """One more than any raw id, shown id or track-metadata id of ``run`` (index seeks)."""
    found = c.execute(
        "SELECT MAX(COALESCE((SELECT MAX(track) FROM boxes WHERE run_id = ?1), 0), "
        "COALESCE((SELECT MAX(disp) FROM track_segments WHERE run_id = ?1), 0), "
        "COALESCE((SELECT MAX(track) FROM tracks WHERE run_id = ?1), 0))", (run,)).fetchone()
    return int(found[0]) + 1


def next_track_id(project: Project, run: int) -> int:
    """An id no box, segment or track metadata of ``run`` uses (three index seeks)."""
    return _next_id(project.conn, run)


# ------------------------------------------------------------------ mapping-based ops
def _remap_record(c: sqlite3.Connection, run: int, op_id: int, part: int,
                  changes: list[mapping.Change], count: bool = True
                  ) -> tuple[oplog.Record, Targets]:
    """Save the segment lists ``changes`` replace and the record that swaps them in."""
    mapping.save_plan(c, op_id, part, mapping.plan(c, run, changes))
    rows = mapping.count_boxes(c, run, [ch[:3] for ch in changes]) if count else 0
    return ({"op": "remap", "run": run, "part": part, "dir": 1, "rows": rows},
            mapping.targets_of(changes))


def _remap_op(project: Project, run: int, label: str,
              moves: Sequence[tuple[int, int | None, int, int]],
              new_track: int | None = None) -> EditResult:
    """``moves``: (shown id, new shown id or None to hide, first frame, last frame),
    all resolved against the mapping before the op, applied as one segment rewrite."""

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return _remap_record(c, run, op_id, 0, mapping.display_changes(c, run, moves))

    return _apply(project, run, label, build, new_track)


def swap_tracks(project: Project, run: int, a: int, b: int, from_frame: int = 1) -> EditResult:
    """Exchange ids ``a`` and ``b`` on every frame >= ``from_frame`` (an ID switch fix)."""
    a, b = _check_track(a), _check_track(b)
    if a == b:
        raise ProjectError(f"swap needs two different ids, got {a} twice")
    f = int(from_frame)
    return _remap_op(project, run, f"swap {a} <-> {b} from frame {from_frame}",
                     [(a, b, f, mapping.INF), (b, a, f, mapping.INF)])


def reassign_track(project: Project, run: int, a: int, b: int | None = None,
                   from_frame: int = 1) -> EditResult:
    """Give the boxes of ``a`` from ``from_frame`` on the id ``b`` (a fresh id when None)."""
    a = _check_track(a)
    b = next_track_id(project, run) if b is None else _check_track(b)
    if a == b:
        raise ProjectError(f"reassign needs two different ids, got {a} twice")
    return _remap_op(project, run, f"reassign {a} -> {b} from frame {from_frame}",
                     [(a, b, int(from_frame), mapping.INF)], new_track=b)


def merge_tracks(project: Project, run: int, a: int, b: int) -> EditResult:
    """Track ``b`` becomes part of ``a`` (refused where both have a box in one frame)."""
    a, b = _check_track(a), _check_track(b)
    if a == b:
        raise ProjectError(f"merge needs two different ids, got {a} twice")
    return _remap_op(project, run, f"merge {b} into {a}", [(b, a, 1, mapping.INF)],
                     new_track=a)


def split_track(project: Project, run: int, a: int, at_frame: int) -> EditResult:
    """Boxes of ``a`` from ``at_frame`` on get a fresh id (returned as ``new_track``)."""
    a = _check_track(a)
    new = next_track_id(project, run)
    return _remap_op(project, run, f"split {a} at frame {at_frame} (new id {new})",
                     [(a, new, int(at_frame), mapping.INF)], new_track=new)


def delete_track(project: Project, run: int, a: int, from_frame: int | None = None,
                 to_frame: int | None = None) -> EditResult:
    """Delete all boxes of ``a``, or those in [from_frame, to_frame] (inclusive).

    The boxes are hidden by a segment (shown id NULL), not moved: O(segments) like any id
    edit; :func:`history.clear_history` frees their rows once undo is no longer wanted.
    """
    a = _check_track(a)
    lo = 1 if from_frame is None else int(from_frame)
    hi = mapping.INF if to_frame is None else int(to_frame)
    if hi < lo:
        raise ProjectError(f"delete range is empty: frame {lo} > {hi}")
    span = "" if from_frame is None and to_frame is None else f" frames {lo}-{to_frame or 'end'}"
    return _remap_op(project, run, f"delete track {a}{span}", [(a, None, lo, hi)])


def set_box_track(project: Project, box_id: int, track: int) -> EditResult:
    """Give one box another id (-1 makes it an unassigned detection).

    A box with a raw id gets a one-frame segment. An unassigned detection (raw -1, many
    per frame, so no segment can single it out) gets a raw id: ``track`` itself where no
    segment of raw ``track`` covers its frame, else a fresh raw id mapped to ``track``.
    """
    run, raw, frame, shown = _visible_box(project, box_id)
    track = int(track)
    if track < -1:
        raise ProjectError(f"track id must be >= -1, got {track}")
    label = f"set id of box {box_id} to {track}"
    if shown == track:
        raise ProjectError(f"nothing to change: {label}")

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        if raw >= 0:
            return _remap_record(c, run, op_id, 0, [(raw, frame, frame, track)])
        covered = c.execute("SELECT 1 FROM track_segments WHERE run_id = ? AND raw = ? AND "
                            "f0 <= ? AND f1 >= ?", (run, track, frame, frame)).fetchone()
        new_raw = track if covered is None else _next_id(c, run)
        c.execute("INSERT INTO edit_retrack (op_id, part, box_id, frame, old_track, new_track) "
                  "VALUES (?, 0, ?, ?, -1, ?)", (op_id, box_id, frame, new_raw))
        rec = {"op": "retrack", "run": run, "part": 0, "dir": 1, "swap": False}
        if new_raw == track:
            return rec, {track: [(frame, frame)]}
        remap, targets = _remap_record(c, run, op_id, 1, [(new_raw, frame, frame, track)],
                                       count=False)
        return {"op": "batch", "ops": [rec, remap]}, targets

    return _apply(project, run, label, build)


# ------------------------------------------------------------------ row-level ops
def _park(c: sqlite3.Connection, op_id: int, run: int, where: str, args: tuple) -> oplog.Record:
    """Undoable delete of single boxes: move rows to a per-op negative id
    (``track <= -2``) that every read skips; undo moves them back."""
    park = PARK_BASE - op_id
    c.execute("INSERT INTO edit_retrack (op_id, part, box_id, frame, old_track, new_track) "
              f"SELECT ?, 0, id, frame, track, ? FROM boxes WHERE run_id = ? AND {where}",
              (op_id, park, run, *args))
    return {"op": "retrack", "run": run, "part": 0, "dir": 1, "swap": False}


def delete_box(project: Project, box_id: int) -> EditResult:
    run = _visible_box(project, box_id)[0]

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return _park(c, op_id, run, "id = ? AND track >= -1", (box_id,)), {}

    return _apply(project, run, f"delete box {box_id}", build)


_NEXT_BOX_ID = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'boxes'), 0)"


def _insert_record(c: sqlite3.Connection, op_id: int, run: int, track: int,
                   frames: np.ndarray, cols: dict[str, np.ndarray]
                   ) -> tuple[oplog.Record, Targets]:
    """Stash new boxes of shown id ``track`` for a ``stash_in``.

    They get raw id ``track`` unless a segment of raw ``track`` covers their frames
    (then that raw id shows something else there): then a fresh raw id plus one
    segment showing it as ``track``.
    """
    lo, hi = int(frames.min()), int(frames.max())
    covered = c.execute("SELECT 1 FROM track_segments WHERE run_id = ? AND raw = ? AND "
                        "f0 <= ? AND f1 >= ? LIMIT 1", (run, track, hi, lo)).fetchone()
    raw = track if covered is None else _next_id(c, run)
    base = c.execute(f"SELECT {_NEXT_BOX_ID}").fetchone()[0]
    n = len(frames)
    ids = (base + 1 + np.arange(n)).tolist()
    c.executemany(
        "INSERT INTO edit_stash VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        zip([op_id] * n, ids, [run] * n, frames.tolist(), [raw] * n,
            *(cols[k].tolist() for k in ("x", "y", "w", "h", "conf", "cls", "vis")),
            strict=True))
    rec: oplog.Record = {"op": "stash_in", "run": run, "part": 0}
    targets = {track: [(lo, hi)]}
    if raw != track:
        remap, _ = _remap_record(c, run, op_id, 1, [(raw, lo, hi, track)], count=False)
        rec = {"op": "batch", "ops": [rec, remap]}
    return rec, targets


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
    n = len(frames)
    cols = {"x": xywh[:, 0], "y": xywh[:, 1], "w": xywh[:, 2], "h": xywh[:, 3],
            "conf": np.full(n, float(conf)), "cls": np.full(n, int(cls)),
            "vis": np.full(n, -1.0)}

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return _insert_record(c, op_id, run, track, frames, cols)

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
    from its own neighbouring boxes (numpy over the track's boxes in the range).
    """
    a, f0, f1 = _check_track(a), int(from_frame), int(to_frame)
    if f1 <= f0 + 1:
        raise ProjectError(f"interpolate needs keyframes at least 2 frames apart, got {f0}, {f1}")
    have = project._track_columns(run, a, f0, f1)  # noqa: SLF001
    for f in (f0, f1):
        if not (have["frame"] == f).any():
            raise ProjectError(f"track {a} has no box in keyframe {f} to interpolate from")
    label = f"interpolate track {a} frames {f0}-{f1}"
    kf = have["frame"].astype(np.int64)
    frames = np.setdiff1d(np.arange(f0 + 1, f1, dtype=np.int64), kf)
    if not len(frames):
        raise ProjectError(f"nothing to change: {label}")
    i1 = np.searchsorted(kf, frames)  # next keyframe; the previous one is i1 - 1
    i0 = i1 - 1
    t = (frames - kf[i0]) / (kf[i1] - kf[i0])
    cols = {k: have[k][i0] + (have[k][i1] - have[k][i0]) * t for k in ("x", "y", "w", "h")}
    cols.update(conf=have["conf"][i0], cls=have["cls"][i0].astype(np.int64),
                vis=np.full(len(frames), -1.0))

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return _insert_record(c, op_id, run, a, frames, cols)

    return _apply(project, run, label, build)


# ------------------------------------------------------------------ single-box geometry
def set_box_xywh(project: Project, box_id: int, xywh: Sequence[float]) -> EditResult:
    """Move and/or resize one box (the editor's drag)."""
    run = _visible_box(project, box_id)[0]
    x, y, w, h = (float(v) for v in xywh)
    if not np.isfinite([x, y, w, h]).all() or w <= 0 or h <= 0:
        raise ProjectError(f"box needs finite x, y and w, h > 0, got {xywh}")

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return {"op": "set_box", "box": box_id, "values": {"x": x, "y": y, "w": w, "h": h}}, {}

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

    def build(c: sqlite3.Connection, op_id: int) -> tuple[oplog.Record, Targets]:
        return {"op": "track_meta", "run": run, "track": int(track), "exists": True,
                "values": fields}, {}

    names = ", ".join(f"{k}={v!r}" for k, v in fields.items())
    return _apply(project, run, f"set {names} of track {track}", build)
