"""``sporttrack train``: fine-tune a YOLO detector, or train FairMOT, on a project's runs.

Example::

    sporttrack train match.sqlite --runs gt-half1,gt-half2,gt-half3 --epochs 30 \
        --model yolov8n.pt --out training/ --imgsz 640
    sporttrack train --arch fairmot match.sqlite --runs gt,fixed --epochs 20 --imgsz 384 \
        --out fairmot/   # then: run --detector fairmot:fairmot/weights/best.pt --tracker fairmot
"""

from __future__ import annotations

import argparse
import sys
import threading

from sporttrack_gui.cli.common import bounded, emit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="fine-tune a YOLO detector (or train FairMOT) on project runs",
        description="yolo: export the given runs (one per sequence; sequences are split into "
                    "train/val/test) to a YOLO dataset under --out, train with ultralytics "
                    "(offline), and report loss/mAP curves and test precision/recall. "
                    "fairmot: train one network for boxes and identity embeddings (identities "
                    "from the runs' track ids) from scratch; writes results.csv and "
                    "weights/best.pt, usable as --detector fairmot:<best.pt>.")
    p.add_argument("project", help="project file")
    p.add_argument("--arch", choices=("yolo", "fairmot"), default="yolo",
                   help="yolo (default) or fairmot (joint detection + re-ID, no pretrained "
                        "weights; --model/--tile are ignored)")
    p.add_argument("--runs", required=True,
                   help="comma-separated runs: NAME (that run of every sequence that has one, "
                        "e.g. gt) or SEQUENCE/NAME")
    p.add_argument("--epochs", type=bounded(int, 1, 100_000), default=20)
    p.add_argument("--model", default="yolov8n.yaml",
                   help="start from weights (.pt path/name) or an architecture (.yaml)")
    p.add_argument("--out", required=True, help="folder for the dataset, weights and curves")
    p.add_argument("--imgsz", type=bounded(int, 32, 8192), default=None,
                   help="network input size (default 640 for yolo, 384 for fairmot)")
    p.add_argument("--batch", type=bounded(int, 1, 1024), default=8)
    p.add_argument("--tile", type=bounded(int, 32, 8192),
                   help="train on native-resolution tiles of this size")
    p.add_argument("--classes", default="player",
                   help="comma-separated class names (default: one class, 'player')")
    p.add_argument("--frame-stride", type=bounded(int, 1, 10**6), default=1, help="export every N-th frame")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _classes(args: argparse.Namespace) -> list[str]:
    return [c.strip() for c in args.classes.split(",") if c.strip()]


def _show(report) -> None:
    """One line per epoch on stderr: the losses each architecture is judged by."""
    m = report.metrics
    if "train/id_loss" in m:  # fairmot
        text = (f"loss {m['train/loss']:.3f}  hm {m['train/hm_loss']:.3f}  "
                f"id {m['train/id_loss']:.3f}")
    else:
        text = (f"box_loss {m.get('train/box_loss', float('nan')):.3f}  "
                f"mAP50 {m.get('metrics/mAP50(B)', float('nan')):.3f}")
    sys.stderr.write(f"epoch {report.epoch}/{report.epochs}  {text}  {report.elapsed_s:.0f}s\n")


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.pipeline.training import TrainRequest, train_model

    request = TrainRequest(project=args.project, out=args.out, arch=args.arch,
                           runs=[r.strip() for r in args.runs.split(",") if r.strip()],
                           epochs=args.epochs, imgsz=args.imgsz, batch=args.batch,
                           classes=_classes(args), frame_stride=args.frame_stride,
                           model=args.model, tile=args.tile, device=args.device)
    result = train_model(request, progress=None if args.json else _show,
                         cancel=threading.Event())
    data = result.to_dict()
    if not args.json:
        data["curves"] = ", ".join(sorted(data["curves"]))
        test = data.pop("test", None)
        if test:
            data["test"] = {k: test[k] for k in ("images", "gt", "precision", "recall", "f1")}
    emit(data, args.json)
    return 0 if result.status == "complete" else 1
