"""Training detectors from a project's corrected runs: the project side of ``sporttrack train``.

Why here and not in ``detect/``: the detector room knows models and datasets, not the
project file. This module reads the runs (boxes from the project, frames from the
sequence media) and hands ``detect.train`` / ``detect.fairmot.train`` plain data: a YOLO
dataset folder or the FairMOT training frames.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from sporttrack_gui.detect.fairmot.train import (
    FairMOTTrainConfig,
    FairMOTTrainResult,
    TrainingFrames,
)
from sporttrack_gui.detect.fairmot.train import train_fairmot as _train_fairmot
from sporttrack_gui.detect.train import EpochReport, TrainConfig, TrainResult, class_index_for
from sporttrack_gui.detect.train import train_detector as _train_detector
from sporttrack_gui.errors import InputError
from sporttrack_gui.media.source import open_source
from sporttrack_gui.project import Project

log = logging.getLogger(__name__)


def train_detector(config: TrainConfig, progress: Callable[[EpochReport], None] | None = None,
                   cancel: threading.Event | None = None) -> TrainResult:
    """``detect.train.train_detector`` with the dataset exported from ``config.project``'s
    runs when ``config.data_yaml`` is not given."""
    def build(cfg: TrainConfig, folder: Path) -> Path:
        return export_project_dataset(cfg.project, cfg.runs, folder, class_names=cfg.class_names,
                                      frame_stride=cfg.frame_stride, seed=cfg.seed)

    return _train_detector(config, progress, cancel, build_dataset=build)


def train_fairmot(config: FairMOTTrainConfig,
                  progress: Callable[[EpochReport], None] | None = None,
                  cancel: threading.Event | None = None) -> FairMOTTrainResult:
    """Validate, read the runs' frames, train FairMOT on them."""
    config.validate()
    data = load_training_frames(config.project, config.runs, config.class_names, config.imgsz,
                                config.frame_stride, config.max_frames)
    return _train_fairmot(config, data, progress, cancel)


def resolve_training_runs(project: Project, runs: list[str]) -> list[int]:
    """Run ids for ``runs`` entries of an open project: ``NAME`` takes that run of every
    sequence that has one (``gt`` = the ground truth of all sequences), ``SEQUENCE/NAME``
    one sequence's run. Duplicates are dropped; a name found nowhere is an error naming it."""
    ids: list[int] = []
    for entry in runs:
        seq_name, _, name = entry.rpartition("/")
        if seq_name:
            found = [project.run_id(name, seq_name)]
        else:
            found = [int(r["id"]) for r in project.runs() if r["name"] == name]
            if not found:
                raise InputError(f"no run named {name!r} in any sequence", str(project.path))
        ids.extend(i for i in found if i not in ids)
    return ids


def export_project_dataset(project: str | Path, runs: list[str], out_dir: Path, *,
                           class_names: list[str] | None = None,
                           split: tuple[float, float, float] = (0.8, 0.1, 0.1),
                           frame_stride: int = 1, seed: int = 0) -> Path:
    """Project runs -> YOLO dataset (split by sequence, ``formats.yolo``); returns its
    ``data.yaml``. Each run must belong to a different sequence (one sequence in two
    splits would leak near-identical frames from training into the test)."""
    from sporttrack_gui.formats.yolo import YoloSequenceInput, export_yolo_dataset

    names = list(class_names or ["player"])
    with ExitStack() as stack:
        p = stack.enter_context(Project.open(project, readonly=True))
        inputs, seen = [], set()
        for run_id in resolve_training_runs(p, runs):
            run = p.run(run_id)
            seq = p.sequence(int(run["sequence_id"]))
            if seq["id"] in seen:
                raise InputError(f"runs {runs} include two runs of sequence {seq['name']!r}; "
                                 "give one run per sequence", str(project))
            seen.add(seq["id"])
            src = open_source(seq["source"])
            stack.callback(src.close)
            inputs.append(YoloSequenceInput(
                name=seq["name"], width=int(seq["width"] or src.width),
                height=int(seq["height"] or src.height), boxes=p.boxes(run["id"]),
                class_index=class_index_for(names), frame_image=src.read_frame))
        summary = export_yolo_dataset(out_dir, inputs, names, split=split, seed=seed,
                                      frame_stride=frame_stride, overwrite=True)
    for note in summary.notes:
        log.info("dataset: %s", note)
    return Path(summary.data_yaml)


def load_training_frames(project: str | Path, runs: list[str], class_names: list[str],
                         imgsz: int, frame_stride: int = 1, max_frames: int = 2000) -> TrainingFrames:
    """Frames with boxes of ``runs``; each (run, track) is one identity class."""
    from sporttrack_gui.detect.fairmot.data import prepare_image

    index = class_index_for(class_names)
    out = TrainingFrames([], [], [], [], 0)
    id_map: dict[tuple[int, int], int] = {}
    with ExitStack() as stack:
        p = stack.enter_context(Project.open(project, readonly=True))
        for run_id in resolve_training_runs(p, runs):
            run = p.run(run_id)
            seq = p.sequence(int(run["sequence_id"]))
            src = open_source(seq["source"])
            stack.callback(src.close)
            table = p.boxes(run["id"])
            cls = index(table.cls)
            keep = cls >= 0
            frames = np.unique(table.frame[keep])[::frame_stride]
            for fn in frames:
                if len(out.images) >= max_frames:
                    break
                rows = np.flatnonzero(keep & (table.frame == fn))
                frame = src.read_frame(int(fn))
                if frame is None:
                    raise InputError(f"cannot read frame {int(fn)} of sequence {seq['name']!r}",
                                     str(seq["source"]))
                image, scale = prepare_image(frame, imgsz)
                xywh = table.xywh[rows].astype(np.float32)
                xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], 1) * scale
                tids = table.track_id[rows]
                ids = np.array([id_map.setdefault((int(run["id"]), int(t)), len(id_map))
                                if t >= 0 else -1 for t in tids], np.int64)
                out.images.append((image * 255).round().astype(np.uint8))
                out.boxes.append(xyxy)
                out.cls.append(cls[rows])
                out.ids.append(ids)
    out.identities = len(id_map)
    if not out.images:
        raise InputError(f"runs {runs} hold no boxes of classes {class_names}", str(project))
    return out
