"""Undo/redo over the persistent edit log of a run.

Why in the project file: an annotator's hour of fixes must survive a crash or a
restart, so the log is rows, not Python objects. Undo runs the stored inverse of the
newest applied op; redo re-applies the oldest undone one. The GUI wraps these calls in
``QUndoCommand`` objects; the CLI calls them directly.
"""

from __future__ import annotations

import json
from typing import Any

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import oplog
from sporttrack_gui.project.delta import Delta
from sporttrack_gui.project.edits import EditResult
from sporttrack_gui.project.store import Project


def _step(project: Project, run: int, undo: bool) -> EditResult | None:
    state, order, new_state = ("done", "DESC", "undone") if undo else ("undone", "ASC", "done")
    with project.transaction() as c:
        row = c.execute(f"SELECT id, label, forward, inverse FROM edit_ops WHERE run_id = ? "
                        f"AND state = ? ORDER BY id {order} LIMIT 1", (run, state)).fetchone()
        if row is None:
            return None
        op_id, label, forward, inverse = row
        record = json.loads(inverse if undo else forward)
        delta = Delta(run)
        result, rows = oplog.execute(c, op_id, record, delta)
        column = "forward" if undo else "inverse"
        c.execute(f"UPDATE edit_ops SET state = ?, {column} = ? WHERE id = ?",
                  (new_state, json.dumps(result), op_id))
        project._touch(c, run)  # noqa: SLF001 - same package
    return EditResult(op_id, ("undo " if undo else "redo ") + label, rows, delta=delta)


def undo(project: Project, run: int) -> EditResult | None:
    """Revert the newest applied edit of ``run``; None when there is nothing to undo."""
    return _step(project, run, undo=True)


def redo(project: Project, run: int) -> EditResult | None:
    """Re-apply the oldest undone edit of ``run``; None when there is nothing to redo."""
    return _step(project, run, undo=False)


def history(project: Project, run: int) -> list[dict[str, Any]]:
    """Edits of ``run`` oldest first: id, label, state ("done"/"undone"), created."""
    if project.conn.execute("SELECT 1 FROM runs WHERE id = ?", (run,)).fetchone() is None:
        raise ProjectError(f"{project.path}: no run with id {run}")
    return list(project.db.query("SELECT id, label, state, created FROM edit_ops "
                                 "WHERE run_id = ? ORDER BY id", (run,)))


def clear_history(project: Project, run: int) -> int:
    """Forget the edit log of ``run`` (no more undo) and drop the rows deleted edits
    kept for undo (parked boxes, rows hidden by a segment); returns how many rows were
    freed. The id mapping stays: it is the run's current state. One transaction."""
    from sporttrack_gui.project import blocks, mapping
    from sporttrack_gui.project.edits import PARK_BASE

    with project.transaction() as c:
        project._require_run(c, run)  # noqa: SLF001
        with blocks.bulk(c):  # parked rows have negative raw ids: they are in no block
            freed = c.execute("DELETE FROM boxes WHERE run_id = ? AND track <= ?",
                              (run, PARK_BASE)).rowcount
        freed += mapping.purge_hidden(c, run)
        c.execute("DELETE FROM edit_ops WHERE run_id = ?", (run,))
    return freed
