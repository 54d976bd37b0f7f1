"""Train FairMOT on frames of a project's corrected runs (headless; ``pipeline.train`` reads them).

Frames are read from each run's sequence media, resized once to the network width and
kept in memory as uint8 (``frame_stride`` / ``max_frames`` bound that memory on a full
match); targets are rebuilt per batch with a random horizontal flip. Each epoch appends a
row to ``results.csv`` and reports to ``progress``; ``weights/last.pt`` and
``weights/best.pt`` (lowest epoch loss) are written under their final names only when
complete. Nothing is downloaded: the network starts from random weights.
"""

from __future__ import annotations

import csv
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.detect.train import EpochReport, read_results_csv
from sporttrack_gui.errors import InputError

CSV_COLUMNS = ("epoch", "train/loss", "train/hm_loss", "train/wh_loss", "train/off_loss",
               "train/id_loss", "s_det", "s_id", "lr", "time")


@dataclass
class FairMOTTrainConfig:
    out: str | Path
    project: str | Path
    runs: list[str]
    class_names: list[str] = field(default_factory=lambda: ["player"])
    epochs: int = 20
    imgsz: int = 384
    batch: int = 8
    lr: float = 2e-3
    width: int = 16
    frame_stride: int = 1
    max_frames: int = 2000
    seed: int = 0
    threads: int = 0  # 0: leave torch's default

    def validate(self) -> None:
        if self.epochs < 1 or self.batch < 1 or self.imgsz < 64 or self.frame_stride < 1:
            raise InputError("epochs, batch and frame_stride must be >= 1 and imgsz >= 64")
        if not self.runs:
            raise InputError("give at least one run name (--runs)")


@dataclass
class FairMOTTrainResult:
    status: str
    out_dir: str
    best: str | None
    last: str | None
    epochs_done: int
    wall_s: float
    images: int
    boxes: int
    identities: int
    curves: dict[str, list[float]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainingFrames:
    """Network inputs with their boxes; each (run, track) is one identity class."""

    images: list[np.ndarray]   # (3, H, W) uint8 network inputs
    boxes: list[np.ndarray]    # xyxy in input pixels
    cls: list[np.ndarray]
    ids: list[np.ndarray]
    identities: int


def train_fairmot(config: FairMOTTrainConfig, data: TrainingFrames,
                  progress: Callable[[EpochReport], None] | None = None,
                  cancel: threading.Event | None = None) -> FairMOTTrainResult:
    """Train on ``data`` as configured (see the module docstring); the frames come from
    ``pipeline.train.load_training_frames`` (``detect/`` knows no project file)."""
    import torch

    from sporttrack_gui.detect.fairmot.data import build_targets, collate
    from sporttrack_gui.detect.fairmot.model import (
        FairMOTConfig,
        FairMOTLoss,
        FairMOTNet,
        save_weights,
    )

    config.validate()
    cancel = cancel or threading.Event()
    out = Path(config.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    cfg = FairMOTConfig(num_classes=len(config.class_names), width=config.width,
                        num_ids=max(data.identities, 1), imgsz=config.imgsz,
                        class_names=tuple(config.class_names))
    net = FairMOTNet(cfg)
    crit = FairMOTLoss(cfg)
    opt = torch.optim.Adam(list(net.parameters()) + list(crit.parameters()), lr=config.lr)
    steps = config.epochs * int(np.ceil(len(data.images) / config.batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=steps,
                                                pct_start=0.15)
    csv_path = out / "results.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(CSV_COLUMNS)
    weights = out / "weights"
    best_loss, done, t0 = float("inf"), 0, time.perf_counter()
    last_path = best_path = None
    net.train()
    for epoch in range(config.epochs):
        order = rng.permutation(len(data.images))
        sums: dict[str, float] = {}
        n_batches = 0
        for start in range(0, len(order), config.batch):
            if cancel.is_set():
                break
            samples = [build_targets(data.images[i].astype(np.float32) / 255.0, data.boxes[i],
                                     data.cls[i], data.ids[i], cfg.num_classes,
                                     flip=bool(rng.random() < 0.5))
                       for i in order[start:start + config.batch]]
            batch = collate(samples)
            loss, parts = crit(net(batch["image"]), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v
            n_batches += 1
        if n_batches == 0:
            break
        done = epoch + 1
        m = {f"train/{k}": v / n_batches for k, v in sums.items()}
        elapsed = time.perf_counter() - t0
        row = [done, *(m[f"train/{k}"] for k in ("loss", "hm_loss", "wh_loss", "off_loss", "id_loss")),
               crit.s_det.item(), crit.s_id.item(), opt.param_groups[0]["lr"], elapsed]
        with csv_path.open("a", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow([f"{v:.6g}" if isinstance(v, float) else v for v in row])
        net.eval()
        last_path = save_weights(weights / "last.pt", net, {"epoch": done})
        if m["train/loss"] < best_loss:
            best_loss = m["train/loss"]
            best_path = save_weights(weights / "best.pt", net, {"epoch": done})
        net.train()
        if progress is not None:
            progress(EpochReport(done, config.epochs, m, elapsed))
        if cancel.is_set():
            break
    status = "complete" if done == config.epochs else "incomplete"
    return FairMOTTrainResult(status=status, out_dir=str(out),
                              best=None if best_path is None else str(best_path),
                              last=None if last_path is None else str(last_path),
                              epochs_done=done, wall_s=time.perf_counter() - t0,
                              images=len(data.images), boxes=int(sum(len(b) for b in data.boxes)),
                              identities=data.identities, curves=read_results_csv(csv_path))
