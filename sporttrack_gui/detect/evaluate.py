"""Precision/recall of a detector on a YOLO dataset split (IoU-matched, one-to-one).

Why here and not in ``eval/``: it runs a ``Detector`` over image files, which ``eval/``
(pure metrics on tables) does not do. Matching is greedy by confidence like COCO/VOC:
each prediction, best first, takes the unmatched same-class ground-truth box it overlaps
most if that IoU reaches the threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.detect.base import Detector
from sporttrack_gui.detect.yolo_data import (
    class_names,
    labels_xyxy,
    load_data_yaml,
    read_labels,
    split_images,
)
from sporttrack_gui.errors import InputError


@dataclass
class DetectionScores:
    images: int
    gt: int
    predictions: int
    tp: int
    precision: float
    recall: float
    f1: float
    iou_threshold: float

    def to_dict(self) -> dict:
        return asdict(self)


def match_frame(gt_xyxy: np.ndarray, gt_cls: np.ndarray, pred_xyxy: np.ndarray,
                pred_conf: np.ndarray, pred_cls: np.ndarray, iou_threshold: float) -> int:
    """True positives in one image (greedy by descending confidence, same class only)."""
    if len(gt_xyxy) == 0 or len(pred_xyxy) == 0:
        return 0
    iou = iou_matrix(pred_xyxy, gt_xyxy).astype(np.float64)
    iou[pred_cls[:, None] != gt_cls[None, :]] = 0.0
    taken = np.zeros(len(gt_xyxy), bool)
    tp = 0
    for p in np.argsort(-pred_conf, kind="stable"):
        row = np.where(taken, 0.0, iou[p])
        g = int(np.argmax(row))
        if row[g] >= iou_threshold:
            taken[g] = True
            tp += 1
    return tp


def evaluate_detector(detector: Detector, data_yaml: str | Path, split: str = "test", *,
                      iou_threshold: float = 0.5, batch: int = 4) -> DetectionScores:
    """Run ``detector`` on every image of ``split`` and score it against the labels.

    Classes are compared by name; when the dataset names a class the detector does not
    output, matching is class-agnostic (e.g. a COCO model's ``player`` vs ``person``).
    """
    images = split_images(data_yaml, split)
    if not images:
        raise InputError(f"dataset has no {split!r} images", str(data_yaml))
    names = class_names(load_data_yaml(data_yaml))
    det_index = {n: i for i, n in enumerate(detector.class_names)}
    by_name = all(n in det_index for n in names.values())
    lut = {k: det_index[v] for k, v in names.items()} if by_name else None
    n_gt = n_pred = tp = 0
    for start in range(0, len(images), batch):
        paths = images[start:start + batch]
        frames = []
        for p in paths:
            img = cv2.imread(str(p))
            if img is None:
                raise InputError("cannot read image", str(p))
            frames.append(img)
        found = detector.detect(frames, list(range(start + 1, start + 1 + len(paths))))
        for path, img, dets in zip(paths, frames, found, strict=True):
            cls, cxcywh = read_labels(path)
            gt = labels_xyxy(cxcywh, img.shape[1], img.shape[0])
            gt_cls = (np.array([lut.get(int(c), -1) for c in cls], np.int64) if lut is not None
                      else np.zeros(len(cls), np.int64))
            pred_cls = dets.cls.astype(np.int64) if lut is not None else np.zeros(len(dets), np.int64)
            n_gt += len(gt)
            n_pred += len(dets)
            tp += match_frame(gt, gt_cls, dets.xyxy, dets.conf, pred_cls, iou_threshold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gt if n_gt else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return DetectionScores(len(images), n_gt, n_pred, tp, precision, recall, f1, iou_threshold)
