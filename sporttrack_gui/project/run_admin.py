"""Managing runs as a whole: copy, rename, delete, and the ground-truth lock.

Why a module of its own: the GUI's run menu and the CLI (``sporttrack project runs``)
call the same Qt-free functions, so a rename or a delete means the same thing (and
is checked the same way) everywhere. Ground truth is *locked* unless the user unlocked
it (``params["unlocked"]``): the GUI refuses every edit of a locked run in one place
(``MainWindow.push_edit``) with :func:`locked_message`; the CLI's explicit ``--run``
edits are the user's deliberate choice and stay allowed.
"""

from __future__ import annotations

from typing import Any

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project.store import Project

UNLOCK_KEY = "unlocked"


def is_locked(run: dict[str, Any] | None) -> bool:
    """Ground truth is read-only until unlocked; other runs are never locked."""
    return bool(run) and run["kind"] == "gt" and not run["params"].get(UNLOCK_KEY, False)


def locked_message(run: dict[str, Any]) -> str:
    return (f"“{run['name']}” is ground truth and locked: unlock it (Track ▸ Lock ground "
            "truth, or right-click the run) or save a corrected copy first")


def set_locked(project: Project, run: int, locked: bool) -> dict[str, Any]:
    """Lock or unlock a ground-truth run; returns the updated run row."""
    row = project.run(run)
    if row["kind"] != "gt":
        raise ProjectError(f"run {row['name']!r} is not ground truth; only gt runs are locked")
    params = {k: v for k, v in row["params"].items() if k != UNLOCK_KEY}
    if not locked:
        params[UNLOCK_KEY] = True
    project.set_run_params(run, params)
    return project.run(run)


def _check_name(project: Project, sequence: int, name: str, *, skip: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ProjectError("a run name cannot be empty")
    for r in project.runs(sequence):
        if r["name"] == name and r["id"] != skip:
            raise ProjectError(f"{project.path}: the sequence already has a run {name!r}")
    return name


def free_name(project: Project, sequence: int, base: str) -> str:
    """``base``, else ``base-2``, ``base-3``, … (the first not used in ``sequence``)."""
    taken = {r["name"] for r in project.runs(sequence)}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def copy_run(project: Project, run: int, name: str) -> int:
    """"Save corrected copy as…": a new editable (manual) run with the same boxes."""
    row = project.run(run)
    return project.copy_run(run, _check_name(project, int(row["sequence_id"]), name))


def rename_run(project: Project, run: int, name: str) -> None:
    row = project.run(run)
    name = _check_name(project, int(row["sequence_id"]), name, skip=run)
    with project.transaction() as c:
        c.execute("UPDATE runs SET name = ?, updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                  "WHERE id = ?", (name, run))


def delete_run(project: Project, run: int) -> None:
    """Delete a run and its boxes; a run still being written is refused."""
    row = project.run(run)
    if row["status"] == "running":
        raise ProjectError(f"run {row['name']!r} is still running; cancel it first")
    project.delete_run(run)


def new_manual_run(project: Project, sequence: int, base: str = "manual") -> int:
    """An empty, complete, editable run for boxes drawn with no editable run shown."""
    return project.create_run(sequence, free_name(project, sequence, base), kind="manual",
                              status="complete")
