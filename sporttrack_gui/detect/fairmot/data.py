"""Training samples for FairMOT: resized frames plus centre-heatmap/size/offset/id targets.

Identities come from project runs: every (run, track id) pair becomes one class of the
identity classifier (a track in another run, even of the same sequence, is another
identity: runs are annotated independently). Boxes without an id (track < 0) train
detection only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from sporttrack_gui.detect.fairmot.model import STRIDE

MAX_OBJECTS = 128


def input_size(width: int, height: int, imgsz: int) -> tuple[float, int, int]:
    """(scale, input width, input height): width resized to ``imgsz``, height rounded up
    to a multiple of 16 (the encoder's stride) after the same scale."""
    scale = imgsz / float(width)
    h = int(math.ceil(height * scale / 16) * 16)
    return scale, int(imgsz), h


def prepare_image(frame: np.ndarray, imgsz: int) -> tuple[np.ndarray, float]:
    """BGR uint8 frame -> (3, H, W) float32 network input in [0, 1], and the scale used."""
    scale, w, h = input_size(frame.shape[1], frame.shape[0], imgsz)
    resized = cv2.resize(frame, (w, int(round(frame.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((h, w, 3), np.uint8)
    canvas[:resized.shape[0]] = resized
    return canvas[:, :, ::-1].transpose(2, 0, 1).astype(np.float32) / 255.0, scale


def gaussian_radius(h: float, w: float, min_overlap: float = 0.7) -> float:
    """CenterNet's radius: a corner shift this large keeps IoU >= ``min_overlap``."""
    a1, b1 = 1.0, h + w
    c1 = w * h * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1 ** 2 - 4 * a1 * c1)) / 2
    a2, b2 = 4.0, 2 * (h + w)
    c2 = (1 - min_overlap) * w * h
    r2 = (b2 + math.sqrt(b2 ** 2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (h + w)
    c3 = (min_overlap - 1) * w * h
    r3 = (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def _splat(hm: np.ndarray, cx: int, cy: int, radius: int) -> None:
    d = 2 * radius + 1
    sigma = d / 6
    ys, xs = np.ogrid[-radius:radius + 1, -radius:radius + 1]
    g = np.exp(-(xs * xs + ys * ys) / (2 * sigma * sigma))
    h, w = hm.shape
    left, r = min(cx, radius), min(w - cx, radius + 1)
    t, b = min(cy, radius), min(h - cy, radius + 1)
    patch = hm[cy - t:cy + b, cx - left:cx + r]
    np.maximum(patch, g[radius - t:radius + b, radius - left:radius + r], out=patch)


@dataclass
class Sample:
    """One training image and its targets (all numpy, stacked into a batch later)."""

    image: np.ndarray   # (3, H, W) float32
    hm: np.ndarray      # (C, H/4, W/4) float32
    wh: np.ndarray      # (K, 2) float32, output-grid units
    reg: np.ndarray     # (K, 2)
    ind: np.ndarray     # (K,) int64 flat output index
    mask: np.ndarray    # (K,) uint8
    ids: np.ndarray     # (K,) int64 identity class, -1 = none


def build_targets(image: np.ndarray, xyxy: np.ndarray, cls: np.ndarray, ids: np.ndarray,
                  num_classes: int, flip: bool = False) -> Sample:
    """Targets for boxes ``xyxy`` already in network-input pixels (``image`` is CHW)."""
    _, h, w = image.shape
    oh, ow = h // STRIDE, w // STRIDE
    if flip:
        image = image[:, :, ::-1].copy()
        xyxy = xyxy.copy()
        xyxy[:, [0, 2]] = w - xyxy[:, [2, 0]]
    hm = np.zeros((num_classes, oh, ow), np.float32)
    wh = np.zeros((MAX_OBJECTS, 2), np.float32)
    reg = np.zeros((MAX_OBJECTS, 2), np.float32)
    ind = np.zeros(MAX_OBJECTS, np.int64)
    mask = np.zeros(MAX_OBJECTS, np.uint8)
    out_ids = np.full(MAX_OBJECTS, -1, np.int64)
    b = np.clip(np.asarray(xyxy, np.float32) / STRIDE, 0, [ow - 1e-3, oh - 1e-3, ow - 1e-3, oh - 1e-3])
    k = 0
    for i in range(min(len(b), MAX_OBJECTS)):  # <= MAX_OBJECTS boxes per image
        bw, bh = b[i, 2] - b[i, 0], b[i, 3] - b[i, 1]
        if bw <= 0.5 or bh <= 0.5:
            continue
        cx, cy = (b[i, 0] + b[i, 2]) / 2, (b[i, 1] + b[i, 3]) / 2
        ci, cj = int(cx), int(cy)
        radius = max(0, int(gaussian_radius(math.ceil(bh), math.ceil(bw))))
        _splat(hm[int(cls[i])], ci, cj, radius)
        wh[k] = bw, bh
        reg[k] = cx - ci, cy - cj
        ind[k] = cj * ow + ci
        mask[k] = 1
        out_ids[k] = ids[i]
        k += 1
    return Sample(image, hm, wh, reg, ind, mask, out_ids)


def collate(samples: list[Sample]) -> dict:
    import torch

    return {name: torch.from_numpy(np.stack([getattr(s, name) for s in samples]))
            for name in ("image", "hm", "wh", "reg", "ind", "mask", "ids")}
