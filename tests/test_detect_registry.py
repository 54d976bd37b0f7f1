"""Detector specs, class maps and offline weight resolution (no model is built here)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sporttrack_gui.detect import create_detector, split_spec
from sporttrack_gui.detect.classes import ClassMap, parse_class_map
from sporttrack_gui.detect.weights import models_dir, resolve_model
from sporttrack_gui.errors import ModelError

COCO_LIKE = {0: "person", 1: "bicycle", 32: "sports ball", 33: "kite"}


def test_default_class_map_keeps_person_and_ball_only():
    cm = ClassMap(COCO_LIKE)
    assert cm.class_names == ("player", "ball")
    mapped, keep = cm.apply(np.array([0, 1, 32, 33, 99, -1]))
    assert keep.tolist() == [True, False, True, False, False, False]
    assert mapped[keep].tolist() == [0, 1]
    assert cm.source_ids == [0, 32]


def test_model_without_coco_names_keeps_its_own_classes():
    cm = ClassMap({0: "player", 1: "ball"})
    assert cm.class_names == ("player", "ball")
    assert cm.apply(np.array([1, 0]))[0].tolist() == [1, 0]


def test_custom_class_map_can_merge_classes():
    cm = ClassMap(COCO_LIKE, {"person": "human", "bicycle": "human"})
    assert cm.class_names == ("human",)
    assert cm.apply(np.array([0, 1, 32]))[1].tolist() == [True, True, False]


def test_class_map_naming_unknown_class_is_a_model_error():
    with pytest.raises(ModelError, match="goalpost"):
        ClassMap(COCO_LIKE, {"goalpost": "post"})


def test_parse_class_map_text():
    assert parse_class_map("person=player, sports ball=ball") == {"person": "player",
                                                                  "sports ball": "ball"}
    assert parse_class_map("all") == "all"
    assert parse_class_map(None) is None
    with pytest.raises(ModelError, match="not 'model_class=output_class'"):
        parse_class_map("person")


def test_split_spec_kinds_and_bare_paths():
    assert split_spec("yolo:best.pt")[0].name == "yolo"
    assert split_spec("det:/data/det.txt") == (split_spec("det:x")[0], "/data/det.txt")
    assert split_spec("weights/best.onnx")[1] == "weights/best.onnx"
    assert split_spec("gt:gt.txt")[0].needs_pixels is False
    with pytest.raises(ModelError, match="unknown detector 'rcnn'"):
        split_spec("rcnn:model.pth")
    with pytest.raises(ModelError, match="names no model"):
        split_spec("yolo:")


def test_missing_weights_error_says_how_to_provide_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError) as info:
        create_detector("yolo:yolov8n.pt")
    msg = str(info.value)
    assert "yolov8n.pt" in msg and "never downloads" in msg
    assert str(models_dir()) in msg and "yolo:yolov8n.yaml" in msg


def test_weights_in_the_models_folder_are_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    models_dir().mkdir(parents=True, exist_ok=True)
    target = models_dir() / "mine-test.pt"
    target.write_bytes(b"not really weights")
    try:
        assert resolve_model("mine-test.pt") == str(target.resolve())
        # a file that exists but is not a model: ModelError naming it, not a crash
        with pytest.raises(ModelError, match="mine-test.pt"):
            create_detector("yolo:mine-test.pt")
    finally:
        target.unlink()


def test_unknown_suffix_and_bad_options_are_model_errors():
    with pytest.raises(ModelError, match="expected a weights file"):
        resolve_model("model.pth")
    with pytest.raises(ModelError, match="conf and iou"):
        create_detector("yolo:yolov8n.yaml", conf=2.0)
    with pytest.raises(ModelError, match="bad option"):
        create_detector("yolo:yolov8n.yaml", colour="red")


def test_importing_detect_does_not_import_torch_or_ultralytics():
    code = ("import sys, sporttrack_gui.detect, sporttrack_gui.pipeline; "
            "print(any(m in sys.modules for m in ('torch', 'ultralytics')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
