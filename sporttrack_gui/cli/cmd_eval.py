"""``sporttrack eval``: score a tracker (or detector) output against ground truth.

One sequence: GT and PRED may each be a MOT text file, a MOTChallenge sequence folder
(its gt/gt.txt) or a project run written PROJECT.stp:RUN (or PROJECT.stp:SEQUENCE/RUN).
A whole split: --gt-dir holds <seq>/gt/gt.txt (+ seqinfo.ini), --pred-dir holds
<seq>.txt, as TrackEval expects; the table has one row per sequence and a COMBINED row
combined as TrackEval does (summed counts, not a mean of means).

Metrics follow TrackEval's rules by default (CLEAR, Identity, HOTA: what SportsMOT,
SoccerNet-Tracking and MOTChallenge rank with); --rules motmetrics gives py-motmetrics'
CLEAR/ID numbers instead. Every report names its rules. Preprocessing is off by default
(flag-0 gt rows are dropped, as TrackEval does); --preproc mot17 applies TrackEval's
MOTChallenge preprocessing (distractors, pedestrians only). --detection gives precision,
recall, AP50 and AP50-95 of a detection file instead.

examples:
  sporttrack eval --gt SNMOT-116 --pred results.txt
  sporttrack eval --gt match.stp:gt --pred match.stp:bytetrack-1 --json
  sporttrack eval --gt-dir sportsmot/val --pred-dir bytetrack/ --seqmap val.txt --csv val.csv
  sporttrack eval --gt-dir MOT17/train --pred-dir trk/ --preproc mot17
  sporttrack eval --gt gt.txt --pred det.txt --detection --classes 1
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from sporttrack_gui.cli.common import bounded, emit
from sporttrack_gui.errors import InputError


def parse_classes(values: list[str] | None) -> list[int] | None:
    """``--classes 1 2`` or ``--classes 1,2`` -> [1, 2]."""
    if not values:
        return None
    out = []
    for v in values:
        for part in v.split(","):
            if part.strip():
                try:
                    out.append(int(part))
                except ValueError:
                    raise InputError(f"--classes expects integer class ids, got {part!r}") from None
    return out


def register(subparsers) -> None:
    p = subparsers.add_parser("eval", help="MOT metrics (MOTA, IDF1, HOTA, ...) or detector AP",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gt", help="ground truth: file, MOT folder or PROJECT.stp:RUN")
    p.add_argument("--pred", help="tracker output: file, MOT folder or PROJECT.stp:RUN")
    p.add_argument("--gt-dir", help="a whole split: folder of <seq>/gt/gt.txt")
    p.add_argument("--pred-dir", help="with --gt-dir: folder of <seq>.txt tracker outputs")
    p.add_argument("--seqmap", help="with --gt-dir: TrackEval seqmap (header line, then one "
                                    "sequence per line); default: every <seq>/gt/gt.txt")
    p.add_argument("--missing", choices=["error", "empty", "skip"], default="error",
                   help="with --gt-dir: a sequence without a prediction file is an error "
                        "(default), scored as an empty prediction, or left out")
    p.add_argument("--csv", help="with --gt-dir: write the per-sequence + combined table here")
    p.add_argument("--save-json", help="with --gt-dir: write the full results as JSON here")
    p.add_argument("--rules", choices=["trackeval", "motmetrics"], default="trackeval",
                   help="CLEAR/ID rules: TrackEval's, as the leaderboards (default), or "
                        "py-motmetrics'")
    p.add_argument("--preproc", choices=["none", "mot15", "mot16", "mot17", "mot20"],
                   help="TrackEval's MOTChallenge preprocessing (default none: only flag-0 "
                        "gt rows dropped, right for sports gt)")
    p.add_argument("--seq-length", type=int,
                   help="one sequence: its frame count (TrackEval's CLR_Frames); default: "
                        "the last frame with a box")
    p.add_argument("--iou", type=float, default=0.5, help="IoU threshold for a match (default 0.5)")
    p.add_argument("--classes", nargs="+", help="evaluate only these class ids (e.g. 1 or 1,2)")
    p.add_argument("--ignore", choices=["mot", "regions", "zero", "none"],
                   help="one sequence, instead of --preproc: MOTChallenge devkit rule, every "
                        "flag-0/distractor box as a don't-care region, flag-0 rows only, or none")
    p.add_argument("--gt-kind", default="auto", choices=["auto", "gt", "det", "results"],
                   help="column layout of the gt file (MOT15 gt with world coordinates: results)")
    p.add_argument("--pred-kind", default="auto", choices=["auto", "gt", "det", "results"])
    p.add_argument("--detection", action="store_true",
                   help="detector metrics (precision, recall, AP50, AP50-95) instead of MOT")
    p.add_argument("--conf", type=bounded(float, 0), default=0.0,
                   help="with --detection: confidence threshold for precision/recall")
    p.add_argument("--json", action="store_true", help="print all metrics as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.eval.sources import load_table

    if args.gt_dir or args.pred_dir:
        return run_split(args)
    if not args.gt or not args.pred:
        raise InputError("give --gt and --pred (one sequence) or --gt-dir and --pred-dir "
                         "(a whole split)")
    for opt in ("seqmap", "csv", "save_json"):
        if getattr(args, opt):
            raise InputError(f"--{opt.replace('_', '-')} needs --gt-dir and --pred-dir")
    gt = load_table(args.gt, kind=args.gt_kind)
    pred = load_table(args.pred, kind=args.pred_kind)
    classes = parse_classes(args.classes)
    if args.detection:
        from sporttrack_gui.eval.detection import evaluate_detection

        res = evaluate_detection(gt, pred, conf_threshold=args.conf, classes=classes)
        if not args.json:
            per_class = res.pop("per_class")
            for c, v in per_class.items():
                res[f"class {c}"] = {k: v[k] for k in ("ap50", "ap50_95", "precision", "recall")}
        emit(res, args.json)
        return 0
    from sporttrack_gui.eval.mot import evaluate_mot

    res = evaluate_mot(gt, pred, iou_threshold=args.iou, classes=classes, ignore=args.ignore,
                       preproc=args.preproc, rules=args.rules, num_frames=args.seq_length)
    emit(res if args.json else _ordered(res), args.json)
    return 0


def run_split(args: argparse.Namespace) -> int:
    """``--gt-dir``/``--pred-dir``: every sequence, then the combined row."""
    from sporttrack_gui.atomic_io import atomic_write_text
    from sporttrack_gui.eval.split import csv_text, evaluate_split, markdown

    if not (args.gt_dir and args.pred_dir):
        raise InputError("a whole split needs both --gt-dir and --pred-dir")
    for opt in ("gt", "pred", "ignore", "classes", "seq_length"):
        if getattr(args, opt) not in (None, []):
            raise InputError(f"--{opt.replace('_', '-')} does not apply to --gt-dir/--pred-dir")
    if args.detection:
        raise InputError("--detection scores one file; use --gt and --pred")

    def progress(done: int, total: int, name: str) -> None:
        if name:
            print(f"[{done + 1}/{total}] {name}", file=sys.stderr, flush=True)

    res = evaluate_split(args.gt_dir, args.pred_dir, args.seqmap, rules=args.rules,
                         preproc=args.preproc, iou_threshold=args.iou, missing=args.missing,
                         progress=progress)
    if args.csv:
        atomic_write_text(args.csv, csv_text(res))
    if args.save_json:
        buf = io.StringIO()
        emit(res.to_json(), True, stream=buf)
        atomic_write_text(args.save_json, buf.getvalue())
    if args.json:
        emit(res.to_json(), True)
    else:
        print(markdown(res), end="")
        for path in (args.csv, args.save_json):
            if path:
                print(f"wrote {path}")
    return 0


def _ordered(res: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics first for people reading a terminal (the full table's fields)."""
    from sporttrack_gui.eval.metrics import columns

    out = {k: res[k] for k in ["rules", *columns("table")] if k in res}
    out.update({k: v for k, v in res.items() if k not in out})
    return out
