"""One training workflow for every detector architecture: a plain request in, a result out.

``sporttrack train`` and the GUI's "Train a detector…" dialog both call :func:`train_model`,
so the defaults (input size per architecture), the checks and the detector spec a trained
model is used by exist once. The project side (reading runs) is :mod:`pipeline.train`; the
architectures are :mod:`detect.train` (ultralytics YOLO) and :mod:`detect.fairmot.train`
(FairMOT, boxes + identity embeddings).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.detect.train import EpochReport
from sporttrack_gui.errors import InputError

#: architecture -> default network input size (px)
ARCHITECTURES: dict[str, int] = {"yolo": 640, "fairmot": 384}

#: the curve each architecture's progress is best judged by (plotted first, printed by the CLI)
MAIN_LOSS: dict[str, str] = {"yolo": "train/box_loss", "fairmot": "train/loss"}


@dataclass
class TrainRequest:
    """What the user asked for. ``imgsz=None`` takes the architecture's default;
    ``model``/``tile``/``device`` only matter for YOLO (FairMOT is trained from scratch
    on the CPU)."""

    project: str | Path
    runs: list[str]
    out: str | Path
    arch: str = "yolo"
    epochs: int = 20
    imgsz: int | None = None
    batch: int = 8
    classes: list[str] = field(default_factory=lambda: ["player"])
    frame_stride: int = 1
    model: str = "yolov8n.yaml"
    tile: int | None = None
    device: str = "cpu"

    def validate(self) -> None:
        if self.arch not in ARCHITECTURES:
            raise InputError(f"unknown architecture {self.arch!r}; choose one of "
                             f"{', '.join(ARCHITECTURES)}")
        if not self.runs:
            raise InputError("choose at least one run to train from", str(self.project))
        if not self.classes:
            raise InputError("give at least one class name")

    @property
    def input_size(self) -> int:
        return self.imgsz or ARCHITECTURES[self.arch]


@dataclass
class TrainOutcome:
    """What any architecture's training returns, in the terms a user acts on."""

    arch: str
    status: str  # complete | incomplete (cancelled)
    best: str | None
    epochs_done: int
    wall_s: float
    curves: dict[str, list[float]]
    details: dict[str, Any]  # the architecture's own result fields (test scores, ids, …)

    @property
    def detector_spec(self) -> str | None:
        """The ``--detector`` value that uses the trained weights (None before epoch 1)."""
        return None if self.best is None else f"{self.arch}:{self.best}"

    def to_dict(self) -> dict[str, Any]:
        return {**self.details, "arch": self.arch, "status": self.status, "best": self.best,
                "epochs_done": self.epochs_done, "wall_s": self.wall_s, "curves": self.curves,
                "detector": self.detector_spec}


def train_model(request: TrainRequest, progress: Callable[[EpochReport], None] | None = None,
                cancel: threading.Event | None = None) -> TrainOutcome:
    """Train the requested architecture on the project's runs; ``progress`` gets one
    :class:`EpochReport` per epoch, ``cancel`` stops after the current batch (the weights
    of the last finished epoch are kept)."""
    request.validate()
    cancel = cancel or threading.Event()
    if request.arch == "fairmot":
        from sporttrack_gui.detect.fairmot.train import FairMOTTrainConfig
        from sporttrack_gui.pipeline.train import train_fairmot

        fm = train_fairmot(FairMOTTrainConfig(
            out=request.out, project=request.project, runs=list(request.runs),
            class_names=list(request.classes), epochs=request.epochs,
            imgsz=request.input_size, batch=request.batch,
            frame_stride=request.frame_stride), progress=progress, cancel=cancel)
        details = {"out_dir": fm.out_dir, "last": fm.last, "images": fm.images,
                   "boxes": fm.boxes, "identities": fm.identities}
        return TrainOutcome("fairmot", fm.status, fm.best, fm.epochs_done, fm.wall_s,
                            fm.curves, details)
    from sporttrack_gui.detect.train import TrainConfig
    from sporttrack_gui.pipeline.train import train_detector

    yo = train_detector(TrainConfig(
        out=request.out, project=request.project, runs=list(request.runs), model=request.model,
        epochs=request.epochs, imgsz=request.input_size, batch=request.batch, tile=request.tile,
        device=request.device, frame_stride=request.frame_stride,
        class_names=list(request.classes)), progress=progress, cancel=cancel)
    data = yo.to_dict()
    details = {k: data[k] for k in ("out_dir", "data_yaml", "last", "predict_imgsz", "test")}
    return TrainOutcome("yolo", yo.status, yo.best, yo.epochs_done, yo.wall_s, yo.curves,
                        details)
