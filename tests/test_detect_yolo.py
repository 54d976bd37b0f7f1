"""The ultralytics YOLO detector with architecture-only weights (no download, offline)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import shared_path

from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.detect import create_detector
from sporttrack_gui.errors import MediaError

# random-weight YOLOv8n scores sit around 1e-5..2e-4: this keeps a dozen boxes per frame
LOW_CONF = 5e-5


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(shared_path("videos", "soccer_broadcast_1280x720.mp4")))
    out = [cap.read()[1] for _ in range(3)]
    cap.release()
    assert all(f is not None for f in out)
    return out


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory) -> str:
    """One set of random weights saved as .pt so torch and ONNX runs can be compared."""
    from sporttrack_gui.runtime import import_ultralytics

    path = tmp_path_factory.mktemp("weights") / "rand-v8n.pt"
    import_ultralytics().YOLO("yolov8n.yaml").save(str(path))
    return str(path)


def test_yaml_model_detects_in_frame_pixels(frames):
    det = create_detector("yolo:yolov8n.yaml", conf=LOW_CONF, batch=2)
    assert det.needs_pixels and det.device == "cpu" and det.half is False
    assert len(det.class_names) == 80  # no COCO names in a bare architecture: all kept
    out = det.detect(frames, [1, 2, 3])
    assert len(out) == 3
    for d in out:
        assert len(d) > 0
        assert d.xyxy.dtype == np.float32 and (d.xyxy[:, 2:] > d.xyxy[:, :2]).all()
        assert d.xyxy[:, [0, 2]].max() <= 1280 + 1 and d.xyxy[:, [1, 3]].max() <= 720 + 1
        assert (d.conf >= LOW_CONF).all()
    det.close()


def test_thread_count_survives_ultralytics_setup(frames, random_weights):
    import torch

    # ultralytics resets torch to cpu_count - 1 when its predictor is built; ours stands
    det = create_detector(f"yolo:{random_weights}", conf=LOW_CONF, threads=3)
    det.detect(frames[:1], [1])
    assert torch.get_num_threads() == 3
    create_detector(f"yolo:{random_weights}", conf=LOW_CONF, threads=1).detect(frames[:1], [1])
    assert torch.get_num_threads() == 1


def test_batching_does_not_change_results(frames, random_weights):
    one = create_detector(f"yolo:{random_weights}", conf=LOW_CONF, batch=1).detect(frames, [1, 2, 3])
    three = create_detector(f"yolo:{random_weights}", conf=LOW_CONF, batch=3).detect(frames, [1, 2, 3])
    for a, b in zip(one, three, strict=True):
        assert len(a) == len(b)
        np.testing.assert_allclose(np.sort(a.xyxy, axis=0), np.sort(b.xyxy, axis=0), atol=0.5)


def test_conf_threshold_filters(frames, random_weights):
    loose = create_detector(f"yolo:{random_weights}", conf=LOW_CONF).detect(frames[:1], [1])[0]
    strict = create_detector(f"yolo:{random_weights}", conf=0.5).detect(frames[:1], [1])[0]
    assert len(loose) > 0 and len(strict) == 0


def test_bad_frame_is_a_media_error_naming_the_frame(random_weights):
    det = create_detector(f"yolo:{random_weights}")
    with pytest.raises(MediaError, match="frame 7"):
        det.detect([np.zeros((10, 10), np.uint8)], [7])
    with pytest.raises(MediaError, match="frame 8"):
        det.detect([None], [8])


@pytest.mark.slow
def test_onnx_runtime_matches_torch(frames, random_weights, tmp_path):
    torch_det = create_detector(f"yolo:{random_weights}", conf=LOW_CONF)
    onnx_path = tmp_path / "model.onnx"
    onnx_det = create_detector(f"yolo:{random_weights}", conf=LOW_CONF, onnx=str(onnx_path))
    assert onnx_path.is_file() and onnx_det.model_path.endswith(".onnx")
    a = torch_det.detect(frames[:2], [1, 2])
    b = onnx_det.detect(frames[:2], [1, 2])
    for x, y in zip(a, b, strict=True):
        assert abs(len(x) - len(y)) <= 1 and len(x) > 0
        best = iou_matrix(y.xyxy, x.xyxy).max(axis=1)
        assert (best > 0.98).mean() >= 0.9
    # a .onnx file given directly runs as is
    direct = create_detector(f"yolo:{onnx_path}", conf=LOW_CONF)
    assert len(direct.detect(frames[:1], [1])[0]) == len(b[0])
