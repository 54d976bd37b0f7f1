"""``sporttrack compare``: run several trackers on the same detections and compare them.

Writes comparison.md, comparison.csv and comparison.png (MOTA, IDF1, HOTA, ID switches,
fps) plus each tracker's MOT results file into --out. Detections come from --det or the
sequence folder's det/det.txt; ground truth from --gt or its gt/gt.txt (without gt only
speed and track counts are reported).

example:
  sporttrack compare SNMOT-116 --trackers bytetrack,sort,deepsort --out cmp/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sporttrack_gui.cli.common import bounded, emit
from sporttrack_gui.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser("compare", help="run several trackers on one input; table + chart",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="MOT sequence folder (or any folder/video when --det is given)")
    p.add_argument("--trackers", default="bytetrack,sort",
                   help="comma-separated tracker names (default bytetrack,sort)")
    p.add_argument("--det", help="detections file (MOTChallenge det.txt)")
    p.add_argument("--gt", help="ground truth: file, MOT folder or PROJECT.stp:RUN")
    p.add_argument("--iou", type=bounded(float, 0, 1, lo_open=True), default=0.5, help="IoU threshold for a match")
    p.add_argument("--rules", choices=["trackeval", "motmetrics"], default="trackeval",
                   help="CLEAR/ID rules: TrackEval's, as the leaderboards (default), or "
                        "py-motmetrics'")
    p.add_argument("--out", required=True, help="output folder for the report")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=run)


def rows_frames(rows: list[dict], default: int) -> int:
    """The frame count every tracker was scored on (see ``pipeline.compare.compare``)."""
    return min((int(r["frames"]) for r in rows if "frames" in r), default=default)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.eval.report import write_report
    from sporttrack_gui.formats.mot import write_mot
    from sporttrack_gui.pipeline.compare import (
        chart_columns,
        compare,
        resolve_source,
        table_columns,
    )

    names = [t.strip() for t in args.trackers.split(",") if t.strip()]
    if not names:
        raise InputError("--trackers is empty")
    info = resolve_source(args.source, det=args.det, gt=args.gt)
    rows, runs = compare(info, names, iou_threshold=args.iou, rules=args.rules,
                         progress=lambda n: print(f"running {n} ...", file=sys.stderr))
    out = Path(args.out)
    has_gt = info.gt is not None
    columns = table_columns() if has_gt else ["tracker", "ids", "boxes", "fps"]
    chart = chart_columns() if has_gt else ["fps"]
    if any("error" in r for r in rows):
        columns = [*columns, "error"]
    paths = write_report(out, "comparison", rows, columns, chart,
                         title=f"{info.source.name}: {len(info.det)} detections, scored on "
                               f"frames 1-{rows_frames(rows, info.n_frames)}"
                               + (f", {args.rules} rules" if has_gt else ""))
    for r in runs:
        write_mot(out / f"{r.name}.txt", r.tracks, kind="results")
    if args.json:
        emit({"rows": rows, "files": {k: str(v) for k, v in paths.items()}}, True)
    else:
        print(paths["markdown"].read_text(encoding="utf-8"), end="")
        print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0
