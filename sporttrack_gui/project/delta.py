"""What an edit changed, so an in-memory copy of the run can follow it in place.

Why: after an edit on a 3.4 M-box match the window used to re-read the whole run (8 s).
Every primitive record of :mod:`.oplog` knows exactly what it touched -- the new segment
lists of a few raw tracks, a few box rows that left or entered the run, one track's
metadata -- so it reports that here, inside the edit's transaction, at a cost
proportional to the change. A reader (``ui.run_index.RunIndex``) applies the steps in
order. Steps name boxes by their *raw* id and frame (plus geometry, which singles out
one of several unassigned detections in a frame), the key the packed blocks use too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from sporttrack_gui.project import mapping

#: columns of a box row in a delta, in this order
ROW_COLUMNS = ("raw", "frame", "x", "y", "w", "h", "conf", "cls", "vis")


def rows_array(rows: list[tuple] | np.ndarray) -> np.ndarray:
    """(n, 9) float64 rows in ``ROW_COLUMNS`` order."""
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(ROW_COLUMNS))


@dataclass
class Step:
    """One primitive change: ``segments`` (raw id -> its complete new segment list; an
    empty list is the identity), ``removed`` / ``added`` box rows (``ROW_COLUMNS``), or
    ``meta`` (track ids whose label/team/... changed)."""

    segments: dict[int, list[mapping.Seg]] = field(default_factory=dict)
    removed: np.ndarray = field(default_factory=lambda: rows_array([]))
    added: np.ndarray = field(default_factory=lambda: rows_array([]))
    meta: set[int] = field(default_factory=set)


@dataclass
class Delta:
    """The ordered steps of one edit, undo or redo of ``run``."""

    run: int
    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> None:
        self.steps.append(step)

    @property
    def rows_changed(self) -> int:
        return sum(len(s.removed) + len(s.added) for s in self.steps)

    def meta_tracks(self) -> set[int]:
        return set().union(*(s.meta for s in self.steps)) if self.steps else set()


# ------------------------------------------------------------------ collectors (in-transaction)
def saved_segments(c: sqlite3.Connection, op_id: int, part: int,
                   side: int) -> dict[int, list[mapping.Seg]]:
    """New segment lists of the raw tracks saved under (op, part), side ``side``."""
    out: dict[int, list[mapping.Seg]] = {r[0]: [] for r in c.execute(
        "SELECT DISTINCT raw FROM edit_remap WHERE op_id = ? AND part = ?", (op_id, part))}
    for raw, f0, f1, disp in c.execute(
            "SELECT raw, f0, f1, disp FROM edit_remap WHERE op_id = ? AND part = ? AND side = ? "
            "ORDER BY raw, f0", (op_id, part, side)):
        out[raw].append((f0, f1, disp))
    return out


_BOX = "x, y, w, h, conf, cls, vis"


def retrack_rows(c: sqlite3.Connection, op_id: int, part: int,
                 src: str, dst: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows a retrack moved from track column ``src`` to ``dst`` of ``edit_retrack``
    (read after the UPDATE: geometry is unchanged by it). Parked ids (<= -2) are not
    part of the run, so they count as neither removed nor added."""
    rows = c.execute(f"SELECT e.{src}, e.{dst}, e.frame, {', '.join('b.' + k for k in _BOX.split(', '))} "
                     "FROM edit_retrack e JOIN boxes b ON b.id = e.box_id "
                     "WHERE e.op_id = ? AND e.part = ?", (op_id, part)).fetchall()
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 10)
    old = arr[arr[:, 0] >= -1]
    new = arr[arr[:, 1] >= -1]
    return (rows_array(np.c_[old[:, 0], old[:, 2:]]), rows_array(np.c_[new[:, 1], new[:, 2:]]))


def stash_rows(c: sqlite3.Connection, op_id: int, part: int) -> np.ndarray:
    return rows_array(c.execute(f"SELECT track, frame, {_BOX} FROM edit_stash WHERE op_id = ? "
                                "AND part = ? AND track >= -1", (op_id, part)).fetchall())


def box_row(c: sqlite3.Connection, box_id: int) -> np.ndarray:
    """One box row (empty when it is parked or missing)."""
    return rows_array(c.execute(f"SELECT track, frame, {_BOX} FROM boxes WHERE id = ? "
                                "AND track >= -1", (box_id,)).fetchall())
