"""Detector metrics: AP on toy cases with hand-computed values, COCO greedy matching."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval.detection import evaluate_detection
from sporttrack_gui.formats.mot import MotTable


def boxes(rows, with_conf: bool = False) -> MotTable:
    """(frame, x, y, w, h[, conf[, cls]]) rows -> MotTable with id -1."""
    a = np.asarray(rows, np.float64)
    conf = a[:, 5] if with_conf else None
    cls = a[:, 6] if a.shape[1] > 6 else None
    return MotTable.from_arrays(a[:, 0], np.full(len(a), -1), a[:, 1:5], conf=conf, cls=cls)


def test_perfect_detections_score_one():
    gt = boxes([(1, 0, 0, 10, 10), (1, 50, 0, 10, 10), (2, 5, 5, 10, 10)])
    det = boxes([(1, 0, 0, 10, 10, 0.9), (1, 50, 0, 10, 10, 0.8), (2, 5, 5, 10, 10, 0.7)], True)
    r = evaluate_detection(gt, det)
    assert r["ap50"] == pytest.approx(1.0) and r["ap50_95"] == pytest.approx(1.0)  # COCO: tp / (tp + fp + eps)
    assert r["precision"] == 1.0 and r["recall"] == 1.0


def test_confident_false_positive_halves_the_envelope():
    # ranked: FP (0.9), TP (0.8); one gt missed. recall [0, .5], precision [0, .5] ->
    # envelope 0.5 for the 51 recall points 0..0.5, 0 beyond: AP = 51 * 0.5 / 101
    gt = boxes([(1, 0, 0, 10, 10), (1, 100, 0, 10, 10)])
    det = boxes([(1, 200, 0, 10, 10, 0.9), (1, 0, 0, 10, 10, 0.8)], True)
    r = evaluate_detection(gt, det)
    assert r["ap50"] == pytest.approx(51 * 0.5 / 101)
    assert r["precision"] == 0.5 and r["recall"] == 0.5


def test_ap50_95_counts_thresholds_passed():
    # one det with IoU 0.82 (10x10 box shifted s in x: IoU = (10 - s) / (10 + s)):
    # TP at IoU thresholds 0.50..0.80 (7 of 10), so AP50-95 = 0.7
    gt = boxes([(1, 0, 0, 10, 10)])
    shift = 10 * (1 - 0.82) / (1 + 0.82)
    det = boxes([(1, shift, 0, 10, 10, 0.9)], True)
    r = evaluate_detection(gt, det)
    assert r["ap50"] == pytest.approx(1.0)
    assert r["ap50_95"] == pytest.approx(0.7)


def test_greedy_matching_prefers_confident_detection_and_duplicates_are_fp():
    gt = boxes([(1, 0, 0, 10, 10)])
    det = boxes([(1, 0, 0, 10, 10, 0.5), (1, 1, 0, 10, 10, 0.9)], True)  # both overlap the gt
    r = evaluate_detection(gt, det)
    # the 0.9 one (IoU 9/11 = 0.818) takes the gt; the exact 0.5 one is a duplicate FP
    assert r["precision"] == 0.5 and r["ap50"] == pytest.approx(1.0)
    # from IoU 0.85 on the 0.9 one misses, so the exact 0.5 one matches after one FP:
    # AP 0.5 at 0.85, 0.90, 0.95 and 1 at the 7 lower thresholds -> (7 + 1.5) / 10
    assert r["ap50_95"] == pytest.approx(0.85)


def test_per_class_and_class_filter():
    gt = boxes([(1, 0, 0, 10, 10, 1, 1), (1, 50, 0, 10, 10, 1, 2)], True)
    det = boxes([(1, 0, 0, 10, 10, 0.9, 1), (1, 50, 0, 10, 10, 0.9, 1)], True)  # 2nd: wrong class
    r = evaluate_detection(gt, det)
    assert r["per_class"][1]["ap50"] == pytest.approx(1.0) and r["per_class"][1]["precision"] == 0.5
    assert r["per_class"][2]["ap50"] == 0.0
    assert r["ap50"] == pytest.approx(0.5)
    assert evaluate_detection(gt, det, class_agnostic=True)["ap50"] == pytest.approx(1.0)
    only1 = evaluate_detection(gt, det, classes=[1])
    assert only1["num_gt"] == 1 and only1["recall"] == 1.0


def test_conf_threshold_and_empty_inputs():
    gt = boxes([(1, 0, 0, 10, 10)])
    det = boxes([(1, 0, 0, 10, 10, 0.2)], True)
    assert np.isnan(evaluate_detection(gt, det, conf_threshold=0.5)["precision"])
    assert evaluate_detection(gt, det, conf_threshold=0.5)["recall"] == 0.0
    assert evaluate_detection(gt, MotTable.empty())["ap50"] == 0.0
    assert np.isnan(evaluate_detection(MotTable.empty(), det)["ap50"])


def test_nan_box_is_an_input_error():
    gt = boxes([(3, 0, 0, 10, 10)])
    det = boxes([(3, np.nan, 0, 10, 10, 0.9)], True)
    with pytest.raises(InputError, match="frame 3"):
        evaluate_detection(gt, det)


def test_public_detections_of_soccernet_are_its_gt(snmot116):
    from sporttrack_gui.formats.mot import read_mot

    gt = read_mot(snmot116 / "gt" / "gt.txt")
    det = read_mot(snmot116 / "det" / "det.txt")
    r = evaluate_detection(gt, det)
    assert r["ap50_95"] == pytest.approx(1.0) and r["num_gt"] == r["num_det"] == len(gt)
