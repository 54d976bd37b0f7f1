"""Appearance embedders: kit colours separate teams; the ONNX re-id model tells people apart."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from conftest import shared_path

from sporttrack_gui.errors import InputError, ModelError
from sporttrack_gui.track.embed import ColorEmbedder, OnnxReidEmbedder, make_embedder


def _pitch_with_players(kits: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Green frame with one 'player' per kit: shirt colour on top, dark shorts, skin head."""
    img = np.zeros((200, 60 * len(kits) + 20, 3), np.uint8)
    img[:] = (40, 140, 40)
    rng = np.random.default_rng(0)
    boxes = []
    for i, kit in enumerate(kits):
        x = 10 + 60 * i
        img[40:50, x + 15:x + 25] = (120, 160, 220)        # head
        img[50:110, x + 5:x + 35] = kit                     # shirt
        img[110:140, x + 5:x + 35] = (30, 30, 30)           # shorts
        boxes.append([x, 38, x + 40, 170])
    noisy = np.clip(img.astype(int) + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
    return noisy, np.array(boxes, np.float32)


def test_color_embedder_separates_teams():
    red, red2, blue, white = (30, 30, 200), (40, 25, 190), (200, 60, 30), (235, 235, 235)
    img, boxes = _pitch_with_players([red, red2, blue, white])
    f = ColorEmbedder()(img, boxes)
    assert f.shape == (4, ColorEmbedder().dim)
    assert np.allclose(np.linalg.norm(f, axis=1), 1, atol=1e-5)
    d = 1 - f @ f.T
    assert d[0, 1] < 0.1  # same kit
    assert d[0, 2] > 0.8 and d[0, 3] > 0.8 and d[2, 3] > 0.8  # other kits


def test_color_embedder_handles_boxes_outside_and_empty():
    img, _ = _pitch_with_players([(0, 0, 255)])
    boxes = np.array([[-100, -100, -50, -20], [10, 10, 10, 50], [np.nan, 0, 5, 5]], np.float32)
    f = ColorEmbedder()(img, boxes)
    assert f.shape[0] == 3 and np.isfinite(f).all() and not f.any()
    assert ColorEmbedder()(img, np.zeros((0, 4))).shape == (0, ColorEmbedder().dim)


def test_make_embedder_specs():
    assert make_embedder("none") is None
    assert isinstance(make_embedder("colour"), ColorEmbedder)
    with pytest.raises(InputError, match="embedder"):
        make_embedder("resnet")
    with pytest.raises(ModelError, match="not found"):
        make_embedder("onnx:/no/such/model.onnx")


def _soccernet_pairs(root):
    from sporttrack_gui.formats.mot import read_mot

    gt = read_mot(root / "gt" / "gt.txt")
    by = gt.by_frame()
    a, b = by[1], by[40]
    common = np.intersect1d(gt.track_id[a], gt.track_id[b])
    a = a[np.isin(gt.track_id[a], common)]
    b = b[np.isin(gt.track_id[b], common)]
    a, b = a[np.argsort(gt.track_id[a])], b[np.argsort(gt.track_id[b])]
    big = (gt.xywh[a, 3] > 40) & (gt.xywh[b, 3] > 40)
    im1 = cv2.imread(str(root / "img1" / "000001.jpg"))
    im2 = cv2.imread(str(root / "img1" / "000040.jpg"))
    return im1, gt.xyxy[a[big]], im2, gt.xyxy[b[big]]


@pytest.mark.parametrize("backend", ["onnxruntime", "opencv"])
def test_onnx_reid_same_person_closer(snmot116, backend):
    model = shared_path("models", "osnet_x0_25_msmt17.onnx")
    emb = OnnxReidEmbedder(model, backend=backend)
    im1, b1, im2, b2 = _soccernet_pairs(snmot116)
    x, y = emb(im1, b1), emb(im2, b2)
    assert x.shape == (len(b1), 512) and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-4)
    d = 1 - x @ y.T
    off = ~np.eye(len(d), dtype=bool)
    assert d.diagonal().mean() < 0.7 * d[off].mean()
    assert (d.argmin(axis=1) == np.arange(len(d))).mean() >= 0.6  # 39 frames (1.6 s) apart
