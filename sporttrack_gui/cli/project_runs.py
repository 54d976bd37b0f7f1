"""``sporttrack project runs PROJECT --run NAME --copy NEW | --rename NEW | --delete |
--lock | --unlock | --add-to RUN``: the GUI's run menu on the command line (same
``project.run_admin`` functions, same checks: unique names, no deleting a running run,
gt-only locks; ``--add-to`` copies a "Track a box" run's track into an annotation run
as one undoable edit)."""

from __future__ import annotations

from typing import Any

from sporttrack_gui.cli.common import emit
from sporttrack_gui.errors import InputError

USAGE = ("sporttrack project runs PROJECT --run NAME [--sequence S] "
         "(--copy NEW | --rename NEW | --delete | --lock | --unlock | --add-to RUN)")


def add_options(parser: Any) -> None:
    parser.add_argument("--run", help="runs: the run's name")
    parser.add_argument("--copy", metavar="NEW", help="runs: save a copy (manual run) as NEW")
    parser.add_argument("--rename", metavar="NEW", help="runs: rename the run to NEW")
    parser.add_argument("--delete", action="store_true", help="runs: delete the run")
    parser.add_argument("--lock", action="store_true", help="runs: lock a gt run (read-only)")
    parser.add_argument("--unlock", action="store_true", help="runs: unlock a gt run")
    parser.add_argument("--add-to", metavar="RUN",
                        help="runs: add the run's track (a 'Track a box' run) to RUN of the "
                             "same sequence as a new track (undoable edit of RUN)")


def manage(project_path: str, sequence: str | None, opts: Any, as_json: bool) -> int:
    from sporttrack_gui.project import Project, run_admin

    chosen = [k for k in ("copy", "rename", "delete", "lock", "unlock", "add_to")
              if getattr(opts, k, None)]
    if not opts.run or len(chosen) != 1:
        raise InputError(f"usage: {USAGE}")
    with Project.open(project_path) as project:
        seq: int | str | None = sequence
        if sequence and sequence.isdigit() and not any(s["name"] == sequence
                                                       for s in project.sequences()):
            seq = int(sequence)
        run = project.run_id(opts.run, seq)
        out: dict[str, Any] = {"project": str(project_path), "run": opts.run, "action": chosen[0]}
        if opts.copy:
            new = run_admin.copy_run(project, run, opts.copy)
            out.update(new_run=project.run(new)["name"], new_run_id=new)
        elif opts.rename:
            run_admin.rename_run(project, run, opts.rename)
            out.update(new_name=opts.rename.strip())
        elif opts.delete:
            run_admin.delete_run(project, run)
        elif getattr(opts, "add_to", None):
            target = project.run_id(opts.add_to, int(project.run(run)["sequence_id"]))
            track, _ = run_admin.add_track_to_run(project, run, target)
            out.update(added_to=opts.add_to, track=track)
        else:
            row = run_admin.set_locked(project, run, bool(opts.lock))
            out.update(locked=run_admin.is_locked(row))
    emit(out, as_json)
    return 0
