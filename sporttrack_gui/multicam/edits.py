"""Identity edits on global ids: one op applied to every camera's global run, with undo.

Global ids live as the track ids of one run per camera (``global``), so the project's
undoable id edits (swap, merge, split, reassign, delete) do the work. A global edit
applies the same op to each camera's run inside ONE transaction (a refusal in any camera,
e.g. a merge of two ids seen together, leaves every camera as it was) and records the
per-run op ids in the group's meta, so undo/redo revert or replay the whole group edit
together. Frames are GLOBAL frames; each camera gets its own frame (minus its offset).
"""

from __future__ import annotations

from dataclasses import dataclass

from sporttrack_gui.errors import InputError, ProjectError
from sporttrack_gui.multicam.group import load_group, resolved_offsets

LOG_KEY = "camera_group_edits"
LOG_LIMIT = 500
OPS = ("swap", "merge", "split", "reassign", "delete")


@dataclass
class GlobalEditResult:
    label: str
    rows: int
    cameras: list[str]
    new_id: int | None = None


def _runs(project, group_name: str, run_name: str) -> list[tuple[str, int, int, int]]:
    """(camera, sequence id, run id, offset) of every camera holding ``run_name``."""
    g = load_group(project, group_name)
    offsets = resolved_offsets(project, g, run_name)
    out = []
    for c, off in zip(g.cameras, offsets, strict=True):
        try:
            out.append((c.camera, c.sequence_id, project.run_id(run_name, c.sequence_id), off))
        except ProjectError:
            continue
    if not out:
        raise InputError(f"no camera of group {group_name!r} has a run {run_name!r}: run "
                         "`sporttrack multicam` first")
    return out


def _log(project, group_name: str) -> tuple[int, list[dict]]:
    first = load_group(project, group_name).cameras[0].sequence_id
    return first, list(project.sequence(first)["meta"].get(LOG_KEY, []))


def apply_global_edit(project, group_name: str, op: str, a: int, b: int | None = None,
                      frame: int | None = None, run_name: str = "global") -> GlobalEditResult:
    """``op`` on global id ``a`` (and ``b``) in every camera; ``frame`` is a global frame
    (swap/reassign/split: from there on; delete: that frame only when given)."""
    from sporttrack_gui.project import edits

    if op not in OPS:
        raise InputError(f"unknown global edit {op!r}; use one of {OPS}")
    if op in ("swap", "merge") and b is None:
        raise InputError(f"{op} needs two global ids")
    if op == "split" and frame is None:
        raise InputError("split needs the global frame to split at")
    runs = _runs(project, group_name, run_name)
    label = {"swap": f"swap global {a} <-> {b}", "merge": f"merge global {b} into {a}",
             "split": f"split global {a} at frame {frame}", "reassign": f"reassign global {a} -> {b}",
             "delete": f"delete global {a}"}[op] + (f" from frame {frame}" if frame and op in
                                                     ("swap", "reassign") else "")
    new_id = None
    if op == "split" or (op == "reassign" and b is None):
        new_id = max(edits.next_track_id(project, r) for _, _, r, _ in runs)
    done, rows, cams = [], 0, []
    with project.transaction():
        for cam, _seq, run, off in runs:
            if frame is not None and op == "delete" and int(frame) - off < 1:
                continue  # that global frame is before this camera's clip: nothing of it to delete
            f = max(1, int(frame) - off) if frame is not None else 1
            try:
                if op == "swap":
                    res = edits.swap_tracks(project, run, a, b, f)
                elif op == "merge":
                    res = edits.merge_tracks(project, run, a, b)
                elif op == "split":
                    res = edits.reassign_track(project, run, a, new_id, f)
                elif op == "reassign":
                    res = edits.reassign_track(project, run, a, new_id if b is None else b, f)
                else:
                    res = edits.delete_track(project, run, a, f if frame else None, f if frame else None)
            except ProjectError as exc:
                if str(exc).startswith("nothing to change"):
                    continue  # this camera never shows the id(s) there
                raise ProjectError(f"camera {cam!r}: {exc}") from None
            done.append([run, res.op_id])
            rows += res.rows
            cams.append(cam)
        if not done:
            raise ProjectError(f"nothing to change in any camera: {label}")
        first, log = _log(project, group_name)
        log = [e for e in log if e.get("state") == "done"][-LOG_LIMIT:]
        log.append({"label": label, "ops": done, "state": "done"})
        project.set_sequence_meta(first, LOG_KEY, log)
    return GlobalEditResult(label, rows, cams, new_id)


def forget_runs(project, group_name: str, run_ids: set[int]) -> None:
    """Drop the group's logged edits that touched any of ``run_ids`` (runs being deleted,
    e.g. global runs replaced by a new ``multicam`` run): they can never be undone."""
    if not run_ids:
        return
    first, log = _log(project, group_name)
    kept = [e for e in log if not any(int(run) in run_ids for run, _ in e.get("ops", []))]
    if len(kept) != len(log):
        project.set_sequence_meta(first, LOG_KEY, kept)


def _step(project, group_name: str, undo: bool) -> GlobalEditResult | None:
    from sporttrack_gui.project import history

    first, log = _log(project, group_name)
    want = "done" if undo else "undone"
    idx = [i for i, e in enumerate(log) if e.get("state") == want]
    if not idx:
        return None
    i = idx[-1] if undo else idx[0]
    entry = log[i]
    for run, op_id in entry["ops"]:
        ops = history.history(project, run)
        states = [o for o in ops if o["state"] == ("done" if undo else "undone")]
        nxt = states[-1] if undo and states else (states[0] if states else None)
        if nxt is None or int(nxt["id"]) != int(op_id):
            raise ProjectError(f"run {run} has other edits after {entry['label']!r}; "
                               f"{'undo' if undo else 'redo'} those in that camera first")
    rows = 0
    with project.transaction():
        for run, _op in entry["ops"]:
            r = history.undo(project, run) if undo else history.redo(project, run)
            rows += r.rows if r else 0
        entry["state"] = "undone" if undo else "done"
        log[i] = entry
        project.set_sequence_meta(first, LOG_KEY, log)
    return GlobalEditResult(("undo " if undo else "redo ") + entry["label"], rows, [])


def undo_global(project, group_name: str) -> GlobalEditResult | None:
    """Revert the newest global edit in every camera at once (None: nothing to undo)."""
    return _step(project, group_name, undo=True)


def redo_global(project, group_name: str) -> GlobalEditResult | None:
    """Re-apply the oldest undone global edit (None: nothing to redo)."""
    return _step(project, group_name, undo=False)
