"""Tiling, label reading, result curves and detection matching used by training."""

from __future__ import annotations

import cv2
import numpy as np
import yaml

from sporttrack_gui.detect.evaluate import evaluate_detector, match_frame
from sporttrack_gui.detect.tiles import tile_boxes, tile_dataset, tile_origins
from sporttrack_gui.detect.train import class_index_for, read_results_csv
from sporttrack_gui.detect.yolo_data import label_path, read_labels, split_images


def test_tile_origins_cover_the_whole_side():
    assert tile_origins(720, 320, 0.0) == [0, 320, 400]
    assert tile_origins(200, 320, 0.25) == [0]
    starts = tile_origins(1280, 320, 0.25)
    assert starts[0] == 0 and starts[-1] == 960 and np.diff(starts).max() <= 240


def test_tile_boxes_clip_and_drop_mostly_outside_boxes():
    xyxy = np.array([[10, 10, 50, 90], [285, 10, 325, 90], [300, 10, 340, 90],
                     [330, 10, 370, 90]], np.float32)
    boxes, rows = tile_boxes(xyxy, 0, 0, 320, min_visible=0.6)
    assert rows.tolist() == [0, 1]  # 35/40 inside kept; 20/40 inside and outside dropped
    np.testing.assert_allclose(boxes, [[10, 10, 50, 90], [285, 10, 320, 90]])
    shifted, rows = tile_boxes(xyxy, 240, 0, 320, min_visible=0.6)
    assert rows.tolist() == [1, 2, 3]
    np.testing.assert_allclose(shifted[0], [45, 10, 85, 90])


def _dataset(tmp_path, n: int = 3):
    """A 3-image YOLO dataset: one 40x80 white box per 640x360 image."""
    for split in ("train", "test"):
        (tmp_path / "images" / split).mkdir(parents=True)
        (tmp_path / "labels" / split).mkdir(parents=True)
        for i in range(n):
            img = np.zeros((360, 640, 3), np.uint8)
            x0 = 100 + 150 * i
            img[100:180, x0:x0 + 40] = 255
            cv2.imwrite(str(tmp_path / "images" / split / f"f{i}.jpg"), img)
            cx, cy = (x0 + 20) / 640, 140 / 360
            (tmp_path / "labels" / split / f"f{i}.txt").write_text(
                f"0 {cx:.6f} {cy:.6f} {40 / 640:.6f} {80 / 360:.6f}\n")
    data = {"path": str(tmp_path), "train": "images/train", "val": "images/train",
            "test": "images/test", "names": {0: "player"}}
    (tmp_path / "data.yaml").write_text(yaml.safe_dump(data))
    return tmp_path / "data.yaml"


def test_tile_dataset_keeps_boxes_in_pixels(tmp_path):
    data = _dataset(tmp_path / "src")
    tiled = tile_dataset(data, tmp_path / "tiles", 160, scale=0.5, overlap=0.0, empty_every=1000)
    images = split_images(tiled, "train")
    assert images and all(cv2.imread(str(p)).shape[:2] == (160, 160) for p in images)
    for p in images:
        cls, cxcywh = read_labels(p)
        assert len(cls) == 1  # empty tiles were skipped, every kept tile has its box
        np.testing.assert_allclose(cxcywh[0, 2:] * 160, [20, 40], atol=1.0)
    # the test split still points at the whole frames
    assert split_images(tiled, "test") == split_images(data, "test")
    assert label_path(images[0]).parent.name == "train"


def test_match_frame_is_one_to_one_and_class_aware():
    gt = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)
    pred = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32)
    conf = np.array([0.9, 0.8, 0.7], np.float32)
    assert match_frame(gt, np.zeros(2), pred, conf, np.zeros(3), 0.5) == 2
    assert match_frame(gt, np.array([0, 1]), pred, conf, np.zeros(3), 0.5) == 1


class _Oracle:
    """Detects the white rectangle exactly (or shifted), to check the scoring itself."""

    needs_pixels = True
    class_names = ("player",)

    def __init__(self, shift: int = 0) -> None:
        self.shift = shift

    def detect(self, frames, frame_numbers):
        from sporttrack_gui.core.boxes import Detections

        out = []
        for img in frames:
            ys, xs = np.nonzero(img[:, :, 0] > 128)
            box = [[xs.min() + self.shift, ys.min(), xs.max() + 1 + self.shift, ys.max() + 1]]
            out.append(Detections(np.array(box, np.float32), np.array([0.9]), np.array([0])))
        return out

    def close(self) -> None:
        pass


def test_evaluate_detector_scores_recall_and_precision(tmp_path):
    data = _dataset(tmp_path)
    perfect = evaluate_detector(_Oracle(), data, "test")
    assert (perfect.gt, perfect.tp, perfect.recall, perfect.precision) == (3, 3, 1.0, 1.0)
    off = evaluate_detector(_Oracle(shift=30), data, "test")  # IoU 10/70 < 0.5
    assert off.tp == 0 and off.recall == 0.0


def test_results_csv_curves(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("epoch, train/box_loss,metrics/mAP50(B)\n1,2.5,0.1\n2,2.0,0.3\n")
    curves = read_results_csv(path)
    assert curves == {"epoch": [1.0, 2.0], "train/box_loss": [2.5, 2.0],
                      "metrics/mAP50(B)": [0.1, 0.3]}
    assert read_results_csv(tmp_path / "missing.csv") == {}


def test_class_index_single_and_multi():
    one = class_index_for(["player"])
    assert one(np.array([-1, 1, 7])).tolist() == [0, 0, 0]
    two = class_index_for(["player", "ball"])
    assert two(np.array([-1, 0, 1, 2])).tolist() == [-1, 0, 1, -1]
