"""Training a small YOLO on the synthetic match, then finding its players on held-out frames.

Cost control (2 shared CPU cores): a YOLOv8 architecture at 1/8 width, trained on 160 px
tiles cut from frames at half size (players ~40 px), predicted on whole half-size frames
(imgsz 640 for 1280x720) so the scale matches training.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
import yaml

from sporttrack_gui.detect.train import TrainConfig, train_detector

#: YOLOv8 layout at width 0.125 (yolov8n is 0.25): ~4x fewer FLOPs, enough for flat sprites
TINY_YOLO = """\
nc: 1
scales:
  t: [0.33, 0.125, 1024]
backbone:
  - [-1, 1, Conv, [64, 3, 2]]
  - [-1, 1, Conv, [128, 3, 2]]
  - [-1, 3, C2f, [128, True]]
  - [-1, 1, Conv, [256, 3, 2]]
  - [-1, 6, C2f, [256, True]]
  - [-1, 1, Conv, [512, 3, 2]]
  - [-1, 6, C2f, [512, True]]
  - [-1, 1, Conv, [1024, 3, 2]]
  - [-1, 3, C2f, [1024, True]]
  - [-1, 1, SPPF, [1024, 5]]
head:
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]
  - [[-1, 6], 1, Concat, [1]]
  - [-1, 3, C2f, [512]]
  - [-1, 1, nn.Upsample, [None, 2, "nearest"]]
  - [[-1, 4], 1, Concat, [1]]
  - [-1, 3, C2f, [256]]
  - [-1, 1, Conv, [256, 3, 2]]
  - [[-1, 12], 1, Concat, [1]]
  - [-1, 3, C2f, [512]]
  - [-1, 1, Conv, [512, 3, 2]]
  - [[-1, 9], 1, Concat, [1]]
  - [-1, 3, C2f, [1024]]
  - [[15, 18, 21], 1, Detect, [nc]]
"""
FAST = {"warmup_epochs": 1, "close_mosaic": 2, "val": False, "optimizer": "AdamW",
        "lr0": 0.003}


@pytest.fixture(scope="module")
def synthetic_dataset(synthetic_match, tmp_path_factory):
    """Frames 1-100 (every 5th) to train, 121-150 (every 8th) held out as val/test.
    Players and the referee are class ``player``; the ball is left out."""
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.formats.yolo import YoloSequenceInput, export_yolo_dataset

    root = tmp_path_factory.mktemp("yolo_synth")
    gt = read_mot(synthetic_match.gt_path, kind="gt")
    frames_dir = synthetic_match.img_dir / "img1"

    def image(fn: int):
        return cv2.imread(str(frames_dir / f"{fn:06d}.jpg"))

    def people(cls: np.ndarray) -> np.ndarray:
        return np.where(np.isin(cls, (1, 3)), 0, -1)  # 1 player, 3 referee (2 is the ball)

    for name, frames in (("train", range(1, 101, 5)), ("heldout", range(121, 151, 8))):
        export_yolo_dataset(root / name, [YoloSequenceInput(name, 1280, 720, gt, people, image,
                                                            list(frames))],
                            ["player"], split=(1, 0, 0))
    data = {"path": str(root), "train": str(root / "train/images/train"),
            "val": str(root / "heldout/images/train"), "test": str(root / "heldout/images/train"),
            "names": {0: "player"}}
    (root / "data.yaml").write_text(yaml.safe_dump(data))
    (root / "tiny-yolo.yaml").write_text(TINY_YOLO)
    return root


@pytest.mark.slow
def test_tiny_model_learns_to_find_players(synthetic_dataset, tmp_path):
    epochs = []
    cfg = TrainConfig(out=tmp_path / "train", data_yaml=synthetic_dataset / "data.yaml",
                      model=str(synthetic_dataset / "tiny-yolo.yaml"), epochs=15, batch=16,
                      tile=160, tile_scale=0.5, eval_conf=0.2, extra=FAST)
    result = train_detector(cfg, progress=epochs.append)
    assert result.status == "complete" and result.epochs_done == 15
    assert [e.epoch for e in epochs] == list(range(1, 16))
    assert result.best and result.predict_imgsz == 640
    loss = result.curves["train/box_loss"]
    assert len(loss) == 15 and loss[-1] < loss[0]
    test = result.test
    assert test is not None and test.images == 4 and test.gt > 30
    assert test.recall > 0.8, test
    assert test.precision > 0.5, test


def test_cancel_stops_training_early(synthetic_dataset, tmp_path):
    cancel = threading.Event()
    cancel.set()  # stop after the first batch
    cfg = TrainConfig(out=tmp_path / "train", data_yaml=synthetic_dataset / "data.yaml",
                      model=str(synthetic_dataset / "tiny-yolo.yaml"), epochs=50, batch=16,
                      tile=160, tile_scale=0.5, extra=FAST)
    result = train_detector(cfg, cancel=cancel)
    assert result.status == "incomplete" and result.epochs_done <= 1 and result.test is None


def test_bad_training_config_is_refused(tmp_path):
    from sporttrack_gui.errors import InputError

    with pytest.raises(InputError, match="project and at least one run"):
        train_detector(TrainConfig(out=tmp_path))
    with pytest.raises(InputError, match="tile size"):
        train_detector(TrainConfig(out=tmp_path, data_yaml=tmp_path / "d.yaml", tile=8))


@pytest.mark.slow
def test_cli_train_from_project_runs(synthetic_match, tmp_path, capsys):
    """Three sequences' runs -> split by sequence -> one short epoch -> test scores."""
    import json

    from sporttrack_gui.cli.main import main
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.project import Project

    gt = read_mot(synthetic_match.gt_path, kind="gt")
    project = tmp_path / "p.sqlite"
    with Project.open(project, create=True) as p:
        for name, (first, last) in {"a": (1, 40), "b": (51, 90), "c": (101, 140)}.items():
            seq = p.add_sequence(name, synthetic_match.img_dir, kind="mot", width=1280,
                                 height=720, fps=25.0, frame_count=150)
            run = p.create_run(seq, f"gt-{name}", kind="gt", status="complete")
            p.append_boxes(run, gt.select((gt.frame >= first) & (gt.frame <= last)))
    code = main(["train", str(project), "--runs", "gt-a,gt-b,gt-c", "--epochs", "1",
                 "--model", "yolov8n.yaml", "--out", str(tmp_path / "out"), "--imgsz", "160",
                 "--batch", "8", "--frame-stride", "10", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["epochs_done"] == 1 and data["best"] and "train/box_loss" in data["curves"]
    assert data["test"]["images"] == 4 and data["test"]["gt"] > 0  # sequence c: 4 frames
    for split in ("train", "val", "test"):
        assert any((tmp_path / "out" / "dataset" / "images" / split).iterdir())
