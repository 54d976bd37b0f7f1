"""Managing runs as a whole: copy, rename, delete, and the ground-truth lock.

Why a module of its own: the GUI's run menu and the CLI (``sporttrack project runs``)
call the same Qt-free functions, so a rename or a delete means the same thing (and
is checked the same way) everywhere. Ground truth is *locked* unless the user unlocked
it (``params["unlocked"]``): the GUI refuses every edit of a locked run in one place
(``MainWindow.push_edit``) with :func:`locked_message`; the CLI's explicit ``--run``
edits are the user's deliberate choice and stay allowed.
"""

from __future__ import annotations

import json
from typing import Any

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import lock
from sporttrack_gui.project.naming import free_run_name
from sporttrack_gui.project.store import TRASH_KEY, Project

UNLOCK_KEY = "unlocked"
RAW_KINDS = ("tracker", "sot")  # a tracker's raw output: its first edit offers a copy
RAW_EDITS_KEY = "raw_edits"  # params: the user chose to edit this raw output in place


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
    return free_run_name(project, sequence, base)


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


# ---- copy on first edit -------------------------------------------------------------
def is_untouched_raw(project: Project, run: dict[str, Any] | None) -> bool:
    """Whether an edit of ``run`` would be the first change to a tracker's raw output.

    True for a finished ``tracker``/``sot`` run with no applied edit in its log whose
    user has not chosen to edit it in place; false for ground truth, manual runs and
    copies (they are the user's own work), runs still being written, and raw runs
    already edited (the choice was made at their first edit).
    """
    if not run or run["kind"] not in RAW_KINDS or run["status"] == "running":
        return False
    if run["params"].get(RAW_EDITS_KEY):
        return False
    done = project.conn.execute("SELECT 1 FROM edit_ops WHERE run_id = ? AND state = 'done' "
                                "LIMIT 1", (int(run["id"]),)).fetchone()
    return done is None


def edit_copy_name(project: Project, run: dict[str, Any]) -> str:
    """The name proposed for the editable copy: ``NAME-fixed`` (``-fixed-2``, … if taken)."""
    return free_name(project, int(run["sequence_id"]), f"{run['name']}-fixed")


def allow_raw_edits(project: Project, run: int) -> None:
    """Remember that the user chose to edit this raw output in place (never asked again)."""
    row = project.run(run)
    project.set_run_params(run, {**row["params"], RAW_EDITS_KEY: True})


def fork_for_edit(project: Project, run: int, copy_name: str) -> int:
    """Keep ``run``'s raw output under its name and make ``run`` itself the editable copy.

    Why the copy keeps the id rather than the raw output: every edit in flight (the
    editor's, the assistant's, a worker's) names its run and its boxes by id, so the
    edit that triggered the copy lands on the copy unchanged, and the shown run's model,
    undo stack and selection stay valid. The new run gets a copy of the boxes plus the
    raw run's name, kind, parameters, metrics, status and creation time; ``run`` becomes
    ``copy_name``, kind ``manual``, with ``copied_from``. One transaction: all or
    nothing. Returns the id of the run now holding the raw output.
    """
    row = project.run(run)
    seq = int(row["sequence_id"])
    copy_name = _check_name(project, seq, copy_name)
    with project.transaction() as c:
        raw = project.copy_run(run, free_name(project, seq, f".raw-{run}"), kind=row["kind"])
        c.execute("UPDATE runs SET name = ?, kind = 'manual', params = ?, metrics = '{}', "
                  "updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                  (copy_name, json.dumps({**row["params"], "copied_from": row["name"]},
                                         default=str), run))
        c.execute("UPDATE runs SET name = ?, params = ?, metrics = ?, status = ?, created = ?, "
                  "owner = (SELECT owner FROM runs WHERE id = ?) WHERE id = ?",
                  (row["name"], json.dumps(row["params"], default=str),
                   json.dumps(row["metrics"], default=str), row["status"], row["created"],
                   run, raw))
    return raw


# ---- undoable delete ----------------------------------------------------------------
def trash_run(project: Project, run: int) -> dict[str, Any]:
    """Delete a run undoably: hidden from every list (``Project.runs``/``run_id``) and
    renamed out of the way, its boxes and edit log kept until :func:`purge_trashed`.

    Why not delete and re-insert on undo: a match-length run has millions of boxes and
    its edit log; hiding is one UPDATE, restoring another. Returns the run row as it was
    (what :func:`restore_run` needs).
    """
    row = project.run(run)
    if row["status"] == "running":
        raise ProjectError(f"run {row['name']!r} is still running; cancel it first")
    params = {**row["params"], TRASH_KEY: {"name": row["name"], "owner": lock.PROCESS_TOKEN}}
    with project.transaction() as c:
        c.execute("UPDATE runs SET name = ?, params = ? WHERE id = ?",
                  (f".trash-{run}-{row['name']}", json.dumps(params, default=str), run))
    return row


def restore_run(project: Project, run: int) -> dict[str, Any]:
    """Undo :func:`trash_run`: the run is back under its name (``NAME-2``… if a run of
    that name was made meanwhile). Returns the restored row."""
    found = [r for r in project.runs(trashed=True) if r["id"] == run]
    if not found or TRASH_KEY not in found[0]["params"]:
        raise ProjectError(f"{project.path}: run {run} is not in the trash (purged, or "
                           "never deleted); it cannot be restored")
    row = found[0]
    params = {k: v for k, v in row["params"].items() if k != TRASH_KEY}
    name = free_name(project, int(row["sequence_id"]), row["params"][TRASH_KEY]["name"])
    with project.transaction() as c:
        c.execute("UPDATE runs SET name = ?, params = ? WHERE id = ?",
                  (name, json.dumps(params, default=str), run))
    return project.run(run)


def trashed_runs(project: Project) -> list[dict[str, Any]]:
    return [r for r in project.runs(trashed=True) if TRASH_KEY in r["params"]]


def purge_trashed(project: Project, *, owner: str | None = None,
                  exclude_owner: str | None = None) -> list[int]:
    """Delete trashed runs for good: ``owner``'s (a window closing its project), or all
    but ``exclude_owner``'s (a project opened after a crash). Returns their ids."""
    gone = []
    for r in trashed_runs(project):
        who = r["params"][TRASH_KEY].get("owner")
        if (owner is not None and who != owner) or \
                (exclude_owner is not None and who == exclude_owner):
            continue
        project.delete_run(int(r["id"]))
        gone.append(int(r["id"]))
    return gone


# ---- add a tracked box to an annotation run --------------------------------------------
def add_track_to_run(project: Project, source: int, target: int, *, track: int | None = None,
                     new_id: int | None = None) -> tuple[int, Any]:
    """Copy one track of ``source`` (a "Track a box" run: its one track) into ``target``
    as one undoable edit of ``target``'s log; returns (its id in ``target``, the edit).

    Why not keep the tracked box as a run of its own: each target then became an oddly
    named one-track run that nothing could combine. The track gets ``new_id`` or the
    next free id of ``target``; a ``new_id`` already in use on those frames is refused
    (``EditConflict``), so nothing of ``target`` is overwritten. Both runs must belong
    to the same sequence (the boxes are in its pixels).
    """
    from sporttrack_gui.project import edits

    src, dst = project.run(source), project.run(target)
    if int(src["sequence_id"]) != int(dst["sequence_id"]):
        raise ProjectError(f"run {src['name']!r} and run {dst['name']!r} belong to different "
                           "sequences; a track can only be added within its sequence")
    if source == target:
        raise ProjectError(f"run {src['name']!r} cannot be added to itself")
    if track is None:
        ids = sorted({int(t) for t in project.boxes(source).track_id if t >= 0})
        if len(ids) != 1:
            raise ProjectError(f"run {src['name']!r} has {len(ids)} tracks; name the one "
                               "to add")
        track = ids[0]
    table = project.boxes(source, track=int(track))
    if not len(table):
        raise ProjectError(f"run {src['name']!r} has no boxes of track {track}")
    tid = edits.next_track_id(project, target) if new_id is None else int(new_id)
    result = edits.insert_boxes(project, target, tid, table.frame, table.xywh,
                                label=f"add track {track} of {src['name']} as {tid}")
    return tid, result
