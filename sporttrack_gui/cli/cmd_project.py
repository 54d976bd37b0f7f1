"""``sporttrack project PROJECT.stp``: list sequences and runs with their counts."""

from __future__ import annotations

import argparse
import sys

from sporttrack_gui.cli.common import emit


def register(subparsers) -> None:
    p = subparsers.add_parser("project", help="list the sequences and runs of a project")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.project import Project

    with Project.open(args.project, readonly=True) as project:
        sequences = project.sequences()
        runs = project.runs()
        for r in runs:
            r.update(project.run_stats(r["id"]))
    if args.json:
        emit({"project": str(args.project), "sequences": sequences, "runs": runs}, True)
        return 0
    out = sys.stdout
    for s in sequences:
        out.write(f"sequence {s['id']} {s['name']}: {s['kind']} {s['width']}x{s['height']} "
                  f"@ {s['fps']} fps, {s['frame_count']} frames ({s['source']})\n")
        for r in (r for r in runs if r["sequence_id"] == s["id"]):
            out.write(f"  run {r['id']:<4} {r['name']:<20} {r['kind']:<8} {r['status']:<10} "
                      f"{r['boxes']:>9} boxes {r['tracks']:>6} tracks\n")
    if not sequences:
        out.write("empty project\n")
    return 0
