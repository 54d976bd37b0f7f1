"""``sporttrack project PROJECT.stp``: list sequences and runs with their counts;
``sporttrack project relink PROJECT.stp --sequence NAME NEWPATH``: point a sequence at
its media's new place (a project whose video or MOT folder moved elsewhere);
``sporttrack project runs PROJECT --run NAME --copy/--rename/--delete/--lock/--unlock``:
manage runs (``cli.project_runs``);
``sporttrack project metrics PROJECT [--evaluate]``: the metrics table with deltas against
the raw run and stale flags (``cli.project_metrics``).

Media paths are stored relative to the project file (absolute as a fallback), so a
project moved together with its media needs no relink; the listing flags media that is
found in neither place.
"""

from __future__ import annotations

import argparse
import sys

from sporttrack_gui.cli import project_metrics, project_runs
from sporttrack_gui.cli.common import emit
from sporttrack_gui.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "project", help="list a project's sequences and runs, or relink moved media",
        usage="%(prog)s PROJECT [--json]\n       %(prog)s relink PROJECT --sequence NAME "
              "NEWPATH [--json]\n       " + project_runs.USAGE.replace("sporttrack project",
                                                                     "%(prog)s") + " [--json]"
              "\n       " + project_metrics.USAGE.replace("sporttrack project", "%(prog)s"),
        description="List the sequences and runs of PROJECT (media that cannot be found is "
                    "flagged), or with 'relink' point sequence NAME at NEWPATH (its video, "
                    "image folder or MOT folder); boxes and edits are untouched.")
    p.add_argument("first", metavar="PROJECT", help="project file (.stp), or 'relink'")
    # everything after the first word is parsed here, intermixed, so that
    # "relink PROJECT --sequence NAME NEWPATH" works with the option in the middle
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.add_argument("--sequence", help="relink: the sequence name (or id)")
    p.add_argument("--json", action="store_true")
    project_runs.add_options(p)
    _metrics_options(p)
    p.set_defaults(func=run, print_help=p.print_help)


def _metrics_options(parser) -> None:
    parser.add_argument("--evaluate", action="store_true",
                        help="metrics: first score runs whose metrics are missing or stale")
    parser.add_argument("--rules", default=None, help="metrics: trackeval (default) or motmetrics")


class _Usage(argparse.ArgumentParser):
    def error(self, message: str):  # an InputError: "error: ...", exit code 2
        raise InputError(f"{message}; see 'sporttrack project --help'")


def run(args: argparse.Namespace) -> int:
    if any(word in ("-h", "--help") for word in args.rest):  # "project metrics --help"
        args.print_help()
        return 0
    tail = _Usage(prog="sporttrack project", add_help=False)
    tail.add_argument("words", nargs="*")
    tail.add_argument("--sequence")
    tail.add_argument("--json", action="store_true")
    project_runs.add_options(tail)
    _metrics_options(tail)
    more = tail.parse_intermixed_args(args.rest)
    for key in ("run", "copy", "rename", "delete", "lock", "unlock"):
        setattr(more, key, getattr(more, key) or getattr(args, key))
    words = [args.first, *more.words]
    sequence, as_json = more.sequence or args.sequence, more.json or args.json
    if words[0] == "relink":
        if len(words) != 3:
            raise InputError("usage: sporttrack project relink PROJECT --sequence NAME NEWPATH")
        args.project = words[1]  # named by the CLI's fault report if the file is damaged
        return _relink(words[1], sequence, words[2], as_json)
    if words[0] == "metrics":
        if len(words) != 2:
            raise InputError(f"usage: {project_metrics.USAGE}")
        args.project = words[1]
        return project_metrics.show(words[1], sequence, more.evaluate or args.evaluate,
                                    more.rules or args.rules or "trackeval", as_json)
    if words[0] == "runs":
        if len(words) != 2:
            raise InputError(f"usage: {project_runs.USAGE}")
        args.project = words[1]
        return project_runs.manage(words[1], sequence, more, as_json)
    args.project = words[0]
    if len(words) != 1:
        raise InputError(f"unexpected arguments {' '.join(words[1:])!r}; did you mean "
                         "'sporttrack project relink PROJECT --sequence NAME NEWPATH'?")
    return _list(words[0], as_json)


def _relink(project_path: str, sequence: str | None, new_path: str, as_json: bool) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project._media import relink_sequence

    if not sequence:
        raise InputError("relink needs --sequence NAME")
    with Project.open(project_path) as project:
        seq = int(sequence) if sequence.isdigit() and not _has_name(project, sequence) \
            else sequence
        result = relink_sequence(project, seq, new_path)
    emit(result, as_json)
    return 0


def _has_name(project, name: str) -> bool:
    return any(s["name"] == name for s in project.sequences())


def _list(project_path: str, as_json: bool) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project._media import missing_message

    with Project.open(project_path, readonly=True) as project:
        sequences = project.sequences()
        runs = project.runs()
        for r in runs:
            r.update(project.run_stats(r["id"]))
    if as_json:
        emit({"project": str(project_path), "sequences": sequences, "runs": runs}, True)
        return 0
    out = sys.stdout
    for s in sequences:
        out.write(f"sequence {s['id']} {s['name']}: {s['kind']} {s['width']}x{s['height']} "
                  f"@ {s['fps']} fps, {s['frame_count']} frames ({s['source']})\n")
        if not s.get("source_found", True):
            out.write(f"  MISSING: {missing_message({**s, 'tried': s['source_tried']})}\n")
        for r in (r for r in runs if r["sequence_id"] == s["id"]):
            out.write(f"  run {r['id']:<4} {r['name']:<20} {r['kind']:<8} {r['status']:<10} "
                      f"{r['boxes']:>9} boxes {r['tracks']:>6} tracks\n")
    if not sequences:
        out.write("empty project\n")
    return 0
