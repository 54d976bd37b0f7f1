"""``sporttrack edit PROJECT --run NAME <operation>``: scripted identity fixes with undo.

Each call is one undoable edit stored in the project, so ``undo``/``redo`` work across
invocations and in the GUI.
"""

from __future__ import annotations

import argparse

from sporttrack_gui.cli.common import emit, frame_arg, track_id_arg
from sporttrack_gui.errors import InputError

#: operations whose ids must already be tracks of the run (reassign's B may be a new id)
_EXISTING = {"swap": ("a", "b"), "merge": ("a", "b"), "split": ("a",), "reassign": ("a",),
             "delete": ("a",), "interpolate": ("a",), "label": ("a",)}


def register(subparsers) -> None:
    p = subparsers.add_parser("edit", help="fix track ids of a run (swap, merge, split, ...)")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name")
    p.add_argument("--sequence", help="sequence name, when several sequences have this run")
    p.add_argument("--json", action="store_true")
    ops = p.add_subparsers(dest="op", metavar="OPERATION", required=True)
    o = ops.add_parser("swap", help="exchange ids A and B from frame F on")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("b", type=track_id_arg)
    o.add_argument("--from", dest="start", type=frame_arg, default=1)
    o = ops.add_parser("merge", help="track B becomes part of track A")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("b", type=track_id_arg)
    o = ops.add_parser("split", help="boxes of A from frame F on get a new id")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("--at", type=frame_arg, required=True)
    o = ops.add_parser("reassign", help="boxes of A from frame F on get id B (new id if omitted)")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("b", type=track_id_arg, nargs="?")
    o.add_argument("--from", dest="start", type=frame_arg, default=1)
    o = ops.add_parser("delete", help="delete track A, or its frames F..G")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("--from", dest="start", type=frame_arg)
    o.add_argument("--to", dest="end", type=frame_arg)
    o = ops.add_parser("interpolate", help="fill missing frames of A between keyframes F and G")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("--from", dest="start", type=frame_arg, required=True)
    o.add_argument("--to", dest="end", type=frame_arg, required=True)
    o = ops.add_parser("label", help="set label/team/class of track A")
    o.add_argument("a", type=track_id_arg)
    o.add_argument("--label")
    o.add_argument("--team")
    o.add_argument("--class", dest="klass")
    ops.add_parser("undo", help="revert the last edit of the run")
    ops.add_parser("redo", help="re-apply the last undone edit")
    ops.add_parser("history", help="list the edits of the run")
    p.set_defaults(func=run)


def operation(args: argparse.Namespace):
    """The typed operation (``project.ops``) the command line names; None for
    undo/redo/history. The GUI and the assistant apply the same operations."""
    from sporttrack_gui.project import ops

    op = args.op
    if op == "swap":
        return ops.Swap(args.a, args.b, args.start)
    if op == "merge":
        return ops.Merge(args.a, args.b)
    if op == "split":
        return ops.Split(args.a, args.at)
    if op == "reassign":
        return ops.Reassign(args.a, args.b, args.start)
    if op == "delete":
        return ops.Delete(args.a, args.start, args.end)
    if op == "interpolate":
        return ops.Interpolate(args.a, args.start, args.end)
    if op == "label":
        fields = tuple((k, v) for k, v in (("label", args.label), ("team", args.team),
                                           ("class", args.klass)) if v is not None)
        return ops.SetTrackFields(args.a, fields)
    return None


def _apply(project, run_id: int, args: argparse.Namespace):
    from sporttrack_gui.project import history

    op = operation(args)
    if op is not None:
        return op.apply(project, run_id)
    return (history.undo if args.op == "undo" else history.redo)(project, run_id)


def _check_ids(project, run_id: int, args: argparse.Namespace) -> None:
    """Refuse an id that is not a track of the run before anything is written
    (``merge 99999 3`` would otherwise rename 3 to 99999), and frame ranges that end
    before they start."""
    names = _EXISTING.get(args.op, ())
    if not names:
        return
    known = set(project.track_spans(run_id, with_counts=False)["track"].tolist())
    for name in names:
        value = getattr(args, name)
        if value is not None and value not in known:
            raise InputError(f"run {args.run!r} has no track {value} (it has {len(known)} "
                             "tracks; `sporttrack project` lists them)")
    if args.op in ("swap", "merge") and args.a == args.b:
        raise InputError(f"{args.op} needs two different tracks, got {args.a} twice")
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if start is not None and end is not None and end < start:
        raise InputError(f"--to {end} is before --from {start}")


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.project import Project, history

    with Project.open(args.project) as project:
        run_id = project.run_id(args.run, args.sequence)
        _check_ids(project, run_id, args)
        if args.op == "history":
            for h in history.history(project, run_id):
                print(f"{h['id']:>5}  {h['state']:<6}  {h['created']}  {h['label']}")
            return 0
        result = _apply(project, run_id, args)
    if result is None:
        emit({"changed": f"nothing to {args.op}", "rows": 0}, args.json)
        return 1
    data = {"changed": result.label, "rows": result.rows, "op_id": result.op_id}
    if result.new_track is not None:
        data["new_track"] = result.new_track
    emit(data, args.json)
    return 0
