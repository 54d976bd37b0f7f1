"""``sporttrack assist PROJECT --run NAME``: list a run's suspicious places (ID switches,
jumps, fragments, gaps, false tracks) with the proposed fix, and optionally apply them.

Why apply one by one with a rescan in between: fixes interact (a merge creates the gap
that the next proposal interpolates; a swap removes two jumps), so proposals are only
trusted against the current state of the run. Every applied fix is one undoable edit
(``sporttrack edit PROJECT --run NAME undo``).
"""

from __future__ import annotations

import argparse
from collections import Counter

from sporttrack_gui.cli.common import bounded, emit


def register(subparsers) -> None:
    p = subparsers.add_parser("assist", help="find likely ID switches and propose fixes")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name")
    p.add_argument("--sequence", help="sequence name, when several sequences have this run")
    p.add_argument("--list", action="store_true", help="print every suspect (default: summary)")
    p.add_argument("--kinds", help="comma-separated kinds to look for "
                                   "(crossing,jump,end_begin,duplicate,short,gap)")
    p.add_argument("--apply-all", action="store_true",
                   help="apply proposals with score >= --min-score, rescanning after each")
    p.add_argument("--min-score", type=bounded(float, 0, 1), default=0.5)
    p.add_argument("--max-fixes", type=bounded(int, 0, 10**7), default=10_000, help="stop after this many fixes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _config(args: argparse.Namespace):
    from sporttrack_gui.assist import KINDS, ScanConfig
    from sporttrack_gui.errors import InputError

    if not args.kinds:
        return ScanConfig()
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    bad = sorted(set(kinds) - set(KINDS))
    if bad:
        raise InputError(f"--kinds: unknown kind(s) {bad}; valid: {', '.join(KINDS)}")
    return ScanConfig(kinds=kinds)


def _apply_all(assistant, min_score: float, max_fixes: int) -> tuple[list[dict], int]:
    """Best-scoring proposal first, rescan, repeat; refused edits are skipped."""
    from sporttrack_gui.errors import SportTrackError

    applied, refused, seen = [], 0, set()
    while len(applied) < max_fixes:
        todo = [s for s in assistant.suspects if s.score >= min_score
                and (s.kind, s.tracks, tuple(sorted(s.fix.items()))) not in seen]
        if not todo:
            break
        s = max(todo, key=lambda s: (s.score, -s.frame))
        seen.add((s.kind, s.tracks, tuple(sorted(s.fix.items()))))
        try:
            res = assistant.apply(s)
        except SportTrackError:
            refused += 1
            continue
        applied.append({**s.to_dict(), "op_id": res.op_id, "rows": res.rows})
    return applied, refused


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.assist import Assistant
    from sporttrack_gui.project import Project

    cfg = _config(args)
    with Project.open(args.project, readonly=not args.apply_all) as project:
        run_id = project.run_id(args.run, args.sequence)
        assistant = Assistant(project, run_id, cfg)
        found = list(assistant.suspects)
        applied, refused = ([], 0)
        if args.apply_all:
            applied, refused = _apply_all(assistant, args.min_score, args.max_fixes)
        left = assistant.suspects
    kinds = Counter(s.kind for s in found)
    if args.json:
        emit({"run": args.run, "suspects": [s.to_dict() for s in found],
              "by_kind": dict(kinds), "applied": applied, "refused": refused,
              "remaining": [s.to_dict() for s in left]}, True)
        return 0
    if args.list or not args.apply_all:
        rows = found if args.list else found[:20]
        for s in rows:
            print(f"{s.frame:>7}  {s.kind:<9}  {','.join(map(str, s.tracks)):<11}  "
                  f"{s.score:4.2f}  {s.describe_fix():<34}  {s.reason}")
        if len(found) > len(rows):
            print(f"... {len(found) - len(rows)} more (--list shows all)")
    for a in applied:
        print(f"applied  frame {a['frame']:>6}  {a['kind']:<9}  {a['fix']}")
    emit({"suspects": len(found), "by_kind": dict(kinds) or "-",
          "applied": len(applied), "refused": refused, "remaining": len(left)}, False)
    return 0
