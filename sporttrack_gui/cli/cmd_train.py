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
    p.add_argument("--runs", required=True, help="comma-separated run names (one per sequence)")
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


def _run_fairmot(args: argparse.Namespace, runs: list[str]) -> int:
    from sporttrack_gui.detect.fairmot.train import FairMOTTrainConfig
    from sporttrack_gui.pipeline.train import train_fairmot

    config = FairMOTTrainConfig(out=args.out, project=args.project, runs=runs,
                                class_names=_classes(args), epochs=args.epochs,
                                imgsz=args.imgsz or 384, batch=args.batch,
                                frame_stride=args.frame_stride)

    def show(report) -> None:
        if not args.json:
            m = report.metrics
            sys.stderr.write(f"epoch {report.epoch}/{report.epochs}  loss {m['train/loss']:.3f}  "
                             f"hm {m['train/hm_loss']:.3f}  id {m['train/id_loss']:.3f}  "
                             f"{report.elapsed_s:.0f}s\n")

    result = train_fairmot(config, progress=show, cancel=threading.Event())
    data = result.to_dict()
    if not args.json:
        data["curves"] = ", ".join(sorted(data["curves"]))
    emit(data, args.json)
    return 0 if result.status == "complete" else 1


def _classes(args: argparse.Namespace) -> list[str]:
    return [c.strip() for c in args.classes.split(",") if c.strip()]


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.detect.train import TrainConfig
    from sporttrack_gui.pipeline.train import train_detector

    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    if args.arch == "fairmot":
        return _run_fairmot(args, runs)
    config = TrainConfig(out=args.out, project=args.project, runs=runs, model=args.model,
                         epochs=args.epochs, imgsz=args.imgsz or 640, batch=args.batch,
                         tile=args.tile, device=args.device, frame_stride=args.frame_stride,
                         class_names=_classes(args))

    def show(report) -> None:
        if args.json:
            return
        m = report.metrics
        sys.stderr.write(f"epoch {report.epoch}/{report.epochs}  "
                         f"box_loss {m.get('train/box_loss', float('nan')):.3f}  "
                         f"mAP50 {m.get('metrics/mAP50(B)', float('nan')):.3f}  "
                         f"{report.elapsed_s:.0f}s\n")

    result = train_detector(config, progress=show, cancel=threading.Event())
    data = result.to_dict()
    curves = data.pop("curves")
    if not args.json:
        data["curves"] = ", ".join(sorted(curves))
        test = data.pop("test")
        if test:
            data["test"] = {k: test[k] for k in ("images", "gt", "precision", "recall", "f1")}
    else:
        data["curves"] = curves
    emit(data, args.json)
    return 0 if result.status == "complete" else 1
