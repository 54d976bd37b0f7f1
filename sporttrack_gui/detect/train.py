"""Fine-tune a YOLO detector on a project's corrected runs.

Flow: a YOLO dataset (given, or exported from the chosen runs by ``pipeline.train``) ->
optionally tile it at native resolution (:mod:`tiles`) -> ``ultralytics`` training with a
progress callback and cooperative cancel -> loss/mAP curves from ``results.csv`` ->
precision/recall of the best weights on the test split at whole-frame scale. Everything
is written under the folder the user gives; nothing is downloaded.
"""

from __future__ import annotations

import csv
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.detect.evaluate import DetectionScores, evaluate_detector
from sporttrack_gui.detect.weights import resolve_model
from sporttrack_gui.errors import InputError, ModelError

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """``runs``: project run names whose boxes become labels (ignored with ``data_yaml``,
    an existing YOLO dataset). ``tile``: train on native-resolution tiles of this size and
    predict on whole frames at their own size (small players on a CPU)."""

    out: str | Path
    project: str | Path | None = None
    runs: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=lambda: ["player"])
    frame_stride: int = 1
    data_yaml: str | Path | None = None
    model: str = "yolov8n.yaml"
    epochs: int = 20
    imgsz: int = 640
    batch: int = 8
    tile: int | None = None
    tile_scale: float = 1.0
    name: str = "train"
    device: str = "cpu"
    seed: int = 0
    eval_conf: float = 0.25
    extra: dict[str, Any] = field(default_factory=dict)  # more ultralytics train() args

    def validate(self) -> None:
        if self.epochs < 1 or self.batch < 1 or self.imgsz < 32:
            raise InputError("epochs and batch must be >= 1 and imgsz >= 32")
        if self.data_yaml is None and (self.project is None or not self.runs):
            raise InputError("give a project and at least one run name (or a data.yaml)")
        if self.tile is not None and self.tile < 64:
            raise InputError(f"tile size must be >= 64 px, got {self.tile}")


@dataclass(frozen=True)
class EpochReport:
    """Sent to the progress callback after each epoch (plain values)."""

    epoch: int
    epochs: int
    metrics: dict[str, float]
    elapsed_s: float


@dataclass
class TrainResult:
    status: str  # complete | incomplete (cancelled)
    out_dir: str
    data_yaml: str
    best: str | None
    last: str | None
    epochs_done: int
    wall_s: float
    curves: dict[str, list[float]]
    predict_imgsz: int
    test: DetectionScores | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_results_csv(path: str | Path) -> dict[str, list[float]]:
    """Columns of ultralytics' ``results.csv`` (names stripped) as float lists."""
    p = Path(path)
    if not p.is_file():
        return {}
    with p.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        return {}
    names = [h.strip() for h in rows[0]]
    curves: dict[str, list[float]] = {n: [] for n in names}
    for row in rows[1:]:
        for name, value in zip(names, row, strict=False):
            try:
                curves[name].append(float(value))
            except ValueError:
                curves[name].append(float("nan"))
    return curves


def class_index_for(class_names: list[str]):
    """Box ``cls`` -> label index. One class: every box is that class (a project's runs
    often carry -1 or MOT class ids); several: ``cls`` must already index ``class_names``
    (SportTrack detector runs do), other values are skipped."""
    n = len(class_names)

    def index(cls: np.ndarray) -> np.ndarray:
        cls = np.asarray(cls, np.int64)
        if n == 1:
            return np.zeros(len(cls), np.int64)
        return np.where((cls >= 0) & (cls < n), cls, -1)

    return index


def _scale_imgsz(data_yaml: Path, fallback: int, scale: float = 1.0) -> int:
    """Whole-frame inference size that keeps the native scale tiles were trained at."""
    import cv2

    from sporttrack_gui.detect.yolo_data import split_images

    for split in ("test", "val", "train"):
        images = split_images(data_yaml, split)
        if images:
            img = cv2.imread(str(images[0]))
            if img is not None:
                side = max(img.shape[:2]) * scale
                return int((side + 31) // 32 * 32)
    return fallback


#: ``(config, folder) -> data.yaml``: turns ``config.project``/``config.runs`` into a YOLO
#: dataset; given by the caller (``pipeline.train``), as ``detect/`` knows no project file
DatasetBuilder = Callable[[TrainConfig, Path], Path]


def train_detector(config: TrainConfig, progress: Callable[[EpochReport], None] | None = None,
                   cancel: threading.Event | None = None, *,
                   build_dataset: DatasetBuilder | None = None) -> TrainResult:
    """Train as configured; see the module docstring. Raises ``ModelError`` when
    ultralytics fails (message names the model and dataset). Without ``config.data_yaml``
    the dataset comes from ``build_dataset`` (``pipeline.train.train_detector`` passes the
    project export)."""
    config.validate()
    cancel = cancel or threading.Event()
    out = Path(config.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if config.data_yaml is not None:
        data_yaml = Path(config.data_yaml)
    else:
        if build_dataset is None:
            raise InputError("training from project runs goes through "
                             "pipeline.train.train_detector (it exports the dataset)")
        data_yaml = build_dataset(config, out / "dataset")
    full_data = data_yaml
    predict_imgsz = config.imgsz
    if config.tile:
        from sporttrack_gui.detect.tiles import tile_dataset

        data_yaml = tile_dataset(full_data, out / "dataset_tiles", config.tile,
                                 scale=config.tile_scale)
        predict_imgsz = _scale_imgsz(full_data, config.imgsz, config.tile_scale)
    train_imgsz = config.tile or config.imgsz

    from sporttrack_gui.runtime import import_ultralytics

    ultralytics = import_ultralytics()  # trains at ultralytics' cpu_count - 1 threads
    resolved = resolve_model(config.model)
    try:
        model = ultralytics.YOLO(resolved)
    except Exception as exc:
        raise ModelError(f"cannot load model {config.model!r} for training: {exc}") from exc
    t0 = time.perf_counter()
    done = {"epochs": 0}

    def on_epoch_start(trainer) -> None:
        done["in_epoch"] = True

    def on_epoch(trainer) -> None:
        if not done.pop("in_epoch", False):
            return  # ultralytics' final validation fires this event once more, epoch + 1
        done["epochs"] = trainer.epoch + 1
        if progress is not None:
            metrics = {k: float(v) for k, v in (trainer.metrics or {}).items()}
            losses = trainer.label_loss_items(trainer.tloss, prefix="train") \
                if getattr(trainer, "tloss", None) is not None else {}
            metrics.update({k: float(v) for k, v in losses.items()})
            progress(EpochReport(trainer.epoch + 1, trainer.epochs, metrics,
                                 time.perf_counter() - t0))

    def on_batch(trainer) -> None:
        if cancel.is_set():
            trainer.stop = True  # ultralytics stops between batches and still saves

    model.add_callback("on_train_epoch_start", on_epoch_start)
    model.add_callback("on_fit_epoch_end", on_epoch)
    model.add_callback("on_train_batch_end", on_batch)
    args = {"data": str(data_yaml), "epochs": config.epochs, "imgsz": train_imgsz,
            "batch": config.batch, "plots": False, "workers": 0, "device": config.device,
            "project": str(out), "name": config.name, "exist_ok": True, "seed": config.seed,
            "verbose": False, "amp": config.device != "cpu", **config.extra}
    try:
        model.train(**args)
    except Exception as exc:
        raise ModelError(f"training {config.model!r} on {data_yaml} failed: {exc}") from exc
    run_dir = Path(model.trainer.save_dir)
    best, last = run_dir / "weights" / "best.pt", run_dir / "weights" / "last.pt"
    best_path = best if best.is_file() else (last if last.is_file() else None)
    status = "incomplete" if cancel.is_set() else "complete"
    test = None
    if best_path is not None and not cancel.is_set():
        test = evaluate_best(best_path, full_data, predict_imgsz, config.eval_conf, config.device)
    return TrainResult(status=status, out_dir=str(run_dir), data_yaml=str(data_yaml),
                       best=None if best_path is None else str(best_path),
                       last=str(last) if last.is_file() else None,
                       epochs_done=done["epochs"], wall_s=time.perf_counter() - t0,
                       curves=read_results_csv(run_dir / "results.csv"),
                       predict_imgsz=predict_imgsz, test=test)


def evaluate_best(weights: Path, data_yaml: Path, imgsz: int, conf: float,
                  device: str) -> DetectionScores | None:
    """Scores on the test split (or val when there is none) at whole-frame scale."""
    from sporttrack_gui.detect.yolo import YoloDetector
    from sporttrack_gui.detect.yolo_data import split_images

    split = "test" if split_images(data_yaml, "test") else "val"
    if not split_images(data_yaml, split):
        return None
    det = YoloDetector(str(weights), conf=conf, imgsz=imgsz, device=device, class_map="all")
    try:
        return evaluate_detector(det, data_yaml, split)
    finally:
        det.close()
