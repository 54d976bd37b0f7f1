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
                   help="apply proposals whose fix confidence (fix_score) is >= --min-score, "
                        "best first, rescanning after each")
    p.add_argument("--min-score", type=bounded(float, 0, 1), default=0.5)
    p.add_argument("--max-fixes", type=bounded(int, 0, 10**7), default=10_000, help="stop after this many fixes")
    p.add_argument("--eval-gt", metavar="GT",
                   help="measure the assistant against ground truth (a run name of this "
                        "project, a MOT file or PROJECT.stp:RUN): recall of real ID switches, "
                        "share of real suspects and, with --apply-all, IDF1 before/after")
    p.add_argument("--window", type=bounded(int, 0, 10_000), default=15,
                   help="with --eval-gt: a suspect this many frames from a switch counts")
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


def _gt_table(project, text: str, sequence: str | None):
    """Ground truth named by ``--eval-gt``: a run of the open project, else a file/ref."""
    from sporttrack_gui.errors import ProjectError
    from sporttrack_gui.eval.sources import load_table, split_project_ref

    if split_project_ref(text) is None:
        try:
            return project.boxes(project.run_id(text, sequence))
        except ProjectError:
            pass
    return load_table(text)


def _eval(args: argparse.Namespace, cfg) -> int:
    from sporttrack_gui.assist import Assistant
    from sporttrack_gui.assist.evaluate import evaluate_assistant
    from sporttrack_gui.project import Project

    with Project.open(args.project, readonly=not args.apply_all) as project:
        gt = _gt_table(project, args.eval_gt, args.sequence)
        assistant = Assistant(project, project.run_id(args.run, args.sequence), cfg)
        res = evaluate_assistant(assistant, gt, window=args.window, apply=args.apply_all,
                                 min_score=args.min_score, max_fixes=args.max_fixes)
    if args.json:
        emit(res, True)
        return 0
    for kind, (n, real) in sorted(res["by_kind"].items()):
        print(f"{kind:<10} {n:>5} suspects  {real:>5} real")
    print(f"switches {res['switches']}  found {res['found']}  recall {res['recall']:.3f}  "
          f"suspects {res['suspects']}  real share {res['real_share']:.3f}")
    if args.apply_all:
        print(f"IDF1 {res['idf1_before']:.4f} -> {res['idf1_after']:.4f} after "
              f"{res['applied']} fixes ({res['refused']} refused)")
    return 0


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.assist import Assistant
    from sporttrack_gui.assist.evaluate import apply_all
    from sporttrack_gui.project import Project

    cfg = _config(args)
    if args.eval_gt:
        return _eval(args, cfg)
    with Project.open(args.project, readonly=not args.apply_all) as project:
        run_id = project.run_id(args.run, args.sequence)
        assistant = Assistant(project, run_id, cfg)
        found = list(assistant.suspects)
        applied, refused = ([], 0)
        if args.apply_all:
            applied, refused = apply_all(assistant, args.min_score, args.max_fixes)
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
