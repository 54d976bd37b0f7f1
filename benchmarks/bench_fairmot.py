"""FairMOT vs a YOLO of similar size + ByteTrack / + DeepSORT (OSNet) on held-out synthetic frames.

    .venv/bin/python benchmarks/bench_fairmot.py [--epochs 12] [--yolo-epochs 15] [--imgsz 384]

Both detectors are trained from scratch here on every 2nd frame of a synthetic match
(seed 7; players + referee, no ball) and evaluated on another match (seed 11, 150 frames:
two scripted crossings and a player hidden ~1.5 s behind the pitch-side platform).
Systems: FairMOT (its own embeddings) with the fairmot tracker and with DeepSORT;
YOLO (yolov8n layout, ``--yolo-width`` scale) with ByteTrack (IoU only) and with DeepSORT
on OSNet x0.25 ONNX crops from ``../shared/data/models`` (skipped when absent).
Prints IDF1 / HOTA / MOTA / ID switches (TrackEval rules) and wall ms/frame per stage:
detect (FairMOT: including its id head, timed on its own), embed (DeepSORT's crop
network), track. Timings are wall clock on whatever load the machine has: compare the
ratios within one run. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sporttrack_gui.core.boxes import Detections  # noqa: E402
from sporttrack_gui.formats.mot import read_mot, write_mot  # noqa: E402
from sporttrack_gui.formats.mot_table import MotTable  # noqa: E402

OSNET = Path(__file__).resolve().parents[2] / "shared" / "data" / "models" / "osnet_x0_25_msmt17.onnx"


def people(path: Path) -> MotTable:
    gt = read_mot(path, kind="gt")
    return gt.select(gt.cls != 2)  # class 2 is the ball


def train_fairmot_model(match, root: Path, epochs: int, imgsz: int) -> str:
    from sporttrack_gui.detect.fairmot.train import FairMOTTrainConfig
    from sporttrack_gui.pipeline.train import train_fairmot
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    if (root / "fairmot/weights/best.pt").is_file():  # --work reused: keep the trained model
        return str(root / "fairmot/weights/best.pt")
    write_mot(root / "people.txt", people(match.gt_path), kind="gt")
    with Project.open(root / "p.sqlite", create=True) as p:
        import_source(p, match.img_dir, gt=root / "people.txt", name="m")
    res = train_fairmot(FairMOTTrainConfig(out=root / "fairmot", project=root / "p.sqlite",
                                           runs=["gt"], epochs=epochs, imgsz=imgsz,
                                           frame_stride=2),
                        progress=lambda r: print(f"  fairmot epoch {r.epoch}: loss "
                                                 f"{r.metrics['train/loss']:.3f}", flush=True))
    print(f"FairMOT trained: {res.images} images, {res.identities} ids, {res.wall_s:.0f} s")
    return res.best


def train_yolo_model(match, root: Path, epochs: int, imgsz: int, width: float) -> tuple[str, int]:
    """Train the YOLO baseline on 160 px tiles cut at the scale FairMOT sees the frames
    (``imgsz`` / 1280): whole frames at this size leave a CPU budget of epochs far too few
    to learn ~15 px players. Returns (weights, whole-frame inference size)."""
    from sporttrack_gui.detect.train import TrainConfig
    from sporttrack_gui.formats.yolo import YoloSequenceInput, export_yolo_dataset
    from sporttrack_gui.pipeline.train import train_detector

    scale = imgsz / 1280
    if (root / "yolo_train/train/weights/best.pt").is_file():  # --work reused
        return str(root / "yolo_train/train/weights/best.pt"), imgsz
    gt = people(match.gt_path)

    def image(fn: int):
        return cv2.imread(str(match.frames_dir / f"{fn:06d}.jpg"))

    export_yolo_dataset(root / "yolo", [YoloSequenceInput("m", 1280, 720, gt,
                                                          lambda c: np.zeros(len(c), np.int64),
                                                          image, list(range(1, 151, 2)))],
                        ["player"], split=(1, 0, 0))
    data = {"path": str(root / "yolo"), "train": str(root / "yolo/images/train"),
            "val": str(root / "yolo/images/train"), "names": {0: "player"}}
    (root / "data.yaml").write_text(yaml.safe_dump(data))
    arch = yaml.safe_load(Path(__import__("ultralytics").__file__).parent.joinpath(
        "cfg/models/v8/yolov8.yaml").read_text())
    arch["nc"] = 1
    arch["scales"] = {"b": [0.33, width, 1024]}
    (root / "yolo-bench.yaml").write_text(yaml.safe_dump(arch))
    t0 = time.perf_counter()
    res = train_detector(TrainConfig(out=root / "yolo_train", data_yaml=root / "data.yaml",
                                     model=str(root / "yolo-bench.yaml"), epochs=epochs,
                                     imgsz=imgsz, batch=16, tile=160, tile_scale=scale,
                                     extra={"warmup_epochs": 1, "close_mosaic": 2, "val": False,
                                            "optimizer": "AdamW", "lr0": 0.003}))
    print(f"YOLO trained: {time.perf_counter() - t0:.0f} s (tiles at scale {scale:.2f}, "
          f"inference at {res.predict_imgsz} px)")
    return res.best, res.predict_imgsz


def n_params(module) -> float:
    return sum(p.numel() for p in module.parameters()) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--yolo-epochs", type=int, default=15)
    ap.add_argument("--imgsz", type=int, default=384)
    ap.add_argument("--yolo-width", type=float, default=0.125,
                    help="yolov8 width multiple (0.25 = yolov8n; 0.125 is near FairMOT's size)")
    ap.add_argument("--work", help="working folder (default: a temporary one); trained "
                                   "weights found there are reused")
    args = ap.parse_args()

    from sporttrack_gui.detect.fairmot.detector import FairMOTDetector
    from sporttrack_gui.detect.yolo import YoloDetector
    from sporttrack_gui.eval.mot import evaluate_mot
    from sporttrack_gui.media.synthetic import MatchConfig, render_match
    from sporttrack_gui.track import create_tracker
    from sporttrack_gui.track.embed import make_embedder

    tmp = tempfile.TemporaryDirectory() if args.work is None else None
    root = Path(args.work or tmp.name)
    root.mkdir(parents=True, exist_ok=True)
    train = render_match(root / "train", MatchConfig(n_frames=150, seed=7))
    held = render_match(root / "heldout", MatchConfig(n_frames=150, seed=11))
    frames = [cv2.imread(str(held.frames_dir / f"{fn:06d}.jpg")) for fn in range(1, 151)]
    gt = people(held.gt_path)

    fm = FairMOTDetector(train_fairmot_model(train, root, args.epochs, args.imgsz), conf=0.3)
    yolo_weights, yolo_imgsz = train_yolo_model(train, root, args.yolo_epochs, args.imgsz,
                                                args.yolo_width)
    yolo = YoloDetector(yolo_weights, conf=0.25, imgsz=yolo_imgsz, device="cpu", class_map="all")
    print(f"parameters: FairMOT {n_params(fm.net):.2f} M, YOLO {n_params(yolo._model.model):.2f} M")

    id_time = [0.0]
    fm.net.id.register_forward_pre_hook(lambda m, i: id_time.__setitem__(0, id_time[0] - time.perf_counter()))
    fm.net.id.register_forward_hook(lambda m, i, o: id_time.__setitem__(0, id_time[0] + time.perf_counter()))

    def detect(det) -> tuple[list[Detections], float]:
        det.detect(frames[:1], [1])  # warm-up
        id_time[0] = 0.0
        t0 = time.perf_counter()
        out = [det.detect([f], [i + 1])[0] for i, f in enumerate(frames)]
        return out, (time.perf_counter() - t0) * 1000 / len(frames)

    fm_dets, fm_ms = detect(fm)
    fm_id_ms = id_time[0] * 1000 / len(frames)
    y_dets, y_ms = detect(yolo)
    osnet = {}  # detections name -> (per-frame OSNet features, ms/frame)
    if OSNET.is_file():
        emb = make_embedder(f"onnx:{OSNET}")
        emb(frames[0], fm_dets[0].xyxy)  # warm-up
        for key, dets in (("fairmot", fm_dets), ("yolo", y_dets)):
            t0 = time.perf_counter()
            feats = [emb(f, d.xyxy) if len(d) else np.zeros((0, 512), np.float32)
                     for f, d in zip(frames, dets, strict=True)]
            osnet[key] = (feats, (time.perf_counter() - t0) * 1000 / len(frames))
    else:
        print(f"OSNet ONNX not found at {OSNET}: the DeepSORT(OSNet) rows are skipped")
    if sum(len(d) for d in y_dets) == 0:
        print("NOTE: the YOLO found no players on the held-out frames (undertrained: raise "
              "--yolo-epochs); its rows score 0")

    def track(name: str, dets: list[Detections], feats=None, **params) -> tuple[dict, float]:
        tr = create_tracker(name, frame_rate=25, **params)
        rows_f, rows_i, rows_b = [], [], []
        t0 = time.perf_counter()
        for i, d in enumerate(dets):
            if feats is not None and len(d):
                d = Detections(d.xyxy, d.conf, d.cls, feats[i])
            out = tr.update(d, None)
            rows_f += [i + 1] * len(out.track_id)
            rows_i += list(out.track_id)
            rows_b.append(out.xyxy)
        ms = (time.perf_counter() - t0) * 1000 / len(dets)
        b = np.concatenate(rows_b)
        pred = MotTable.from_arrays(rows_f, rows_i, np.concatenate([b[:, :2], b[:, 2:] - b[:, :2]], 1))
        return evaluate_mot(gt, pred), ms

    def no_feat(dets: list[Detections]) -> list[Detections]:
        return [Detections(d.xyxy, d.conf, d.cls) for d in dets]

    systems = [("FairMOT + fairmot tracker", fm_dets, None, "fairmot", {}, fm_ms, fm_id_ms),
               ("FairMOT + DeepSORT (its embeddings)", fm_dets, None, "deepsort",
                {"embedder": "none"}, fm_ms, fm_id_ms),
               ("FairMOT boxes + ByteTrack (IoU only)", no_feat(fm_dets), None, "bytetrack", {},
                fm_ms, 0.0),
               ("YOLO + ByteTrack (IoU only)", no_feat(y_dets), None, "bytetrack", {}, y_ms, 0.0)]
    if "fairmot" in osnet:
        systems.append(("FairMOT boxes + DeepSORT (OSNet crops)", no_feat(fm_dets),
                        osnet["fairmot"][0], "deepsort", {"embedder": "none"}, fm_ms,
                        osnet["fairmot"][1]))
        systems.append(("YOLO + DeepSORT (OSNet crops)", no_feat(y_dets), osnet["yolo"][0],
                        "deepsort", {"embedder": "none"}, y_ms, osnet["yolo"][1]))
    print(f"\nheld-out synthetic match, 150 frames 1280x720, network width {args.imgsz} px; "
          "wall ms/frame on a possibly loaded machine")
    print(f"{'system':40s} {'IDF1':>6s} {'HOTA':>6s} {'MOTA':>6s} {'IDsw':>5s} "
          f"{'det ms':>7s} {'emb ms':>7s} {'trk ms':>7s}")
    for label, dets, feats, tracker, params, det_ms, emb_ms in systems:
        r, trk_ms = track(tracker, dets, feats, **params)
        extra = 0.0 if feats is None else emb_ms  # crop network runs after detection
        inside = "" if feats is not None or emb_ms == 0 else " (in det)"
        print(f"{label:40s} {r['idf1']:6.3f} {r['hota']:6.3f} {r['mota']:6.3f} "
              f"{int(r['num_switches']):5d} {det_ms:7.1f} {emb_ms:7.2f}{inside} {trk_ms:7.2f}"
              f"   total {det_ms + extra + trk_ms:6.1f}")
    if "fairmot" in osnet:
        ms = osnet["fairmot"][1]
        print(f"\nembedding cost per frame on the same boxes: FairMOT id head {fm_id_ms:.2f} ms "
              f"(inside its {fm_ms:.1f} ms forward) vs OSNet x0.25 on crops {ms:.1f} ms "
              f"(ratio {ms / max(fm_id_ms, 1e-9):.1f}x)")
    fm.close()
    yolo.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
