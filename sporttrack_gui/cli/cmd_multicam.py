"""``sporttrack multicam``: global identities across the cameras of a group, and their edits."""

from __future__ import annotations

import argparse
import sys

from sporttrack_gui.cli.common import emit
from sporttrack_gui.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "multicam", help="one id per player across the cameras of a match (hand-offs, fused positions)",
        description="Map every camera's tracks onto the pitch, link them across cameras into global "
                    "ids (hand-offs included; one id is never in two places), write one 'global' run "
                    "per camera, fused pitch positions and, when the cameras have a 'gt-global' run, "
                    "global IDF1, hand-off accuracy and position errors. Also makes camera groups and "
                    "edits global ids (swap/merge/split/reassign/delete, undo/redo in every camera).")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--group", required=True, help="camera group name")
    p.add_argument("--create", metavar="SEQ,SEQ,...",
                   help="make (or redefine) the group from these sequences first")
    p.add_argument("--calib", action="append", default=[], metavar="FILE",
                   help="with --create: one calibration JSON per sequence, in order")
    p.add_argument("--homographies", action="append", default=[], metavar="FILE.npy",
                   help="with --create: per-frame image->pitch homographies (frames,3,3) per sequence")
    p.add_argument("--motion", choices=["sparse", "ecc", "none"], default="sparse",
                   help="with --create: camera-motion chaining of the calibration (none = fixed camera)")
    p.add_argument("--offsets", help="frame offsets per camera, e.g. 0,7,? (? = estimate from the players' motion, within 5 s)")
    p.add_argument("--run", action="append", default=[], metavar="RUN|CAMERA=RUN",
                   help="input run: one name for every camera, or one per camera (default gt)")
    p.add_argument("--appearance", metavar="colour|onnx:MODEL",
                   help="appearance tie-breaker: kit colour (also gives teams) or a ReID ONNX model; "
                        "decodes a few frames per track")
    p.add_argument("--out", help="CSV of every box with its global id and pitch position")
    p.add_argument("--fused", help="CSV of fused pitch positions per global id and frame")
    p.add_argument("--write-run", default="global", help="per-camera run of global ids (default global)")
    p.add_argument("--no-write", action="store_true", help="leave the project unchanged")
    p.add_argument("--replace", action="store_true", help="replace existing global runs")
    p.add_argument("--truth", default="gt-global", help="per-camera run with global ids to score against")
    p.add_argument("--edit", nargs="+", metavar="OP",
                   help="edit global ids instead: swap A B | merge A B | split A | reassign A [B] | "
                        "delete A | undo | redo (--frame: global frame)")
    p.add_argument("--frame", type=int, help="global frame for --edit (from there on) or --screenshot")
    p.add_argument("--screenshot", metavar="PNG",
                   help="save the side-by-side camera view (global ids, shared minimap) on --frame and exit")
    p.add_argument("--select", type=int, help="with --screenshot: global id to highlight")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(func=run)


def _offsets(text: str | None) -> list[int | None] | None:
    if not text:
        return None
    out: list[int | None] = []
    for part in text.split(","):
        part = part.strip()
        if part in ("?", "auto", ""):
            out.append(None)
            continue
        try:
            out.append(int(part))
        except ValueError:
            raise InputError(f"--offsets: {part!r} is not a whole number of frames or '?'") from None
    return out


def _create(args: argparse.Namespace) -> None:
    from sporttrack_gui.multicam.group import make_group, save_group
    from sporttrack_gui.project import Project

    seqs = [s.strip() for s in args.create.split(",") if s.strip()]
    with Project.open(args.project) as p:
        g = make_group(p, args.group, seqs, offsets=_offsets(args.offsets),
                       calibrations=args.calib or None, homographies=args.homographies or None,
                       motion=args.motion)
        for moved in save_group(p, g):
            print(f"warning: sequence {moved} now belongs to camera group {args.group!r}",
                  file=sys.stderr)


def _edit(args: argparse.Namespace) -> int:
    from sporttrack_gui.multicam.edits import apply_global_edit, redo_global, undo_global
    from sporttrack_gui.project import Project

    op, rest = args.edit[0], args.edit[1:]
    try:
        ids = [int(v) for v in rest]
    except ValueError:
        raise InputError(f"--edit {op}: ids must be whole numbers, got {rest}") from None
    with Project.open(args.project) as p:
        if op in ("undo", "redo"):
            r = (undo_global if op == "undo" else redo_global)(p, args.group)
            emit({"edit": r.label if r else f"nothing to {op}", "rows": r.rows if r else 0}, args.json)
            return 0
        if not ids:
            raise InputError(f"--edit {op} needs a global id")
        r = apply_global_edit(p, args.group, op, ids[0], ids[1] if len(ids) > 1 else None,
                              args.frame, run_name=args.write_run)
    emit({"edit": r.label, "rows": r.rows, "cameras": r.cameras, "new_id": r.new_id}, args.json)
    return 0


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.multicam.workflow import run_multicam

    if args.create:
        _create(args)
    if args.edit:
        return _edit(args)
    if args.screenshot:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from sporttrack_gui.ui.multicam_view import save_screenshot

        out = save_screenshot(args.project, args.group, args.frame or 1, args.screenshot, args.select)
        emit({"screenshot": str(out)}, args.json)
        return 0
    offsets = None if args.create else _offsets(args.offsets)
    res = run_multicam(args.project, args.group, args.run or None, offsets=offsets,
                       write_run=None if args.no_write else args.write_run, replace=args.replace,
                       truth_run=args.truth, out_csv=args.out, fused_csv=args.fused,
                       appearance=args.appearance)
    out = res.summary()
    if args.out:
        out["out"] = args.out
    if args.fused:
        out["fused"] = args.fused
    emit(out, args.json)
    return 0
