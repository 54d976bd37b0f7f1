"""``sporttrack eval``: score a tracker (or detector) output against ground truth.

GT and PRED may each be a MOT text file, a MOTChallenge sequence folder (its gt/gt.txt) or
a project run written PROJECT.stp:RUN (or PROJECT.stp:SEQUENCE/RUN). MOT metrics are
py-motmetrics' CLEAR/ID numbers plus TrackEval's HOTA; --detection gives precision,
recall, AP50 and AP50-95 of a detection file instead.

examples:
  sporttrack eval --gt SNMOT-116 --pred results.txt
  sporttrack eval --gt match.stp:gt --pred match.stp:bytetrack-1 --json
  sporttrack eval --gt gt.txt --pred det.txt --detection --classes 1
"""

from __future__ import annotations

import argparse
from typing import Any

from sporttrack_gui.cli.common import bounded, emit
from sporttrack_gui.errors import InputError

HEADLINE = ["mota", "idf1", "hota", "deta", "assa", "loca", "motp_iou", "precision", "recall",
            "num_switches", "num_fragmentations", "num_false_positives", "num_misses",
            "mostly_tracked", "partially_tracked", "mostly_lost", "idp", "idr",
            "num_objects", "num_predictions", "num_unique_objects", "num_frames"]


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
    p.add_argument("--gt", required=True, help="ground truth: file, MOT folder or PROJECT.stp:RUN")
    p.add_argument("--pred", required=True, help="tracker output: file, MOT folder or PROJECT.stp:RUN")
    p.add_argument("--iou", type=float, default=0.5, help="IoU threshold for a match (default 0.5)")
    p.add_argument("--classes", nargs="+", help="evaluate only these class ids (e.g. 1 or 1,2)")
    p.add_argument("--ignore", choices=["mot", "regions", "none"], default="mot",
                   help="ignore regions: MOTChallenge devkit rule (default), every flag-0/"
                        "distractor box as a don't-care region, or none")
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

    res = evaluate_mot(gt, pred, iou_threshold=args.iou, classes=classes, ignore=args.ignore)
    emit(res if args.json else _ordered(res), args.json)
    return 0


def _ordered(res: dict[str, Any]) -> dict[str, Any]:
    """Headline metrics first for people reading a terminal."""
    out = {k: res[k] for k in HEADLINE if k in res}
    out.update({k: v for k, v in res.items() if k not in out})
    return out
