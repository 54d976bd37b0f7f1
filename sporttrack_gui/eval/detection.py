"""Detector metrics against a gt run: precision, recall, AP50 and AP50-95 (COCO style).

Matching follows pycocotools per frame and class: detections in descending confidence each
take the highest-IoU gt box still free with IoU >= t (ties go to the later gt, as in
pycocotools). AP uses COCO's 101-point interpolation of the monotone precision envelope;
AP50-95 averages AP over IoU 0.50:0.05:0.95; the overall AP is the mean over classes that
have gt boxes. Deliberately not reproduced: COCO's area ranges, crowd boxes and its
100-detections-per-image cap (sports frames have < 100 boxes; a cap would hide FPs).

Greedy matching is sequential within a frame, so it is vectorised *across* frames: round r
handles the r-th most confident detection of every (frame, class) group at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval._pairs import positive_pairs, xywh_to_xyxy64
from sporttrack_gui.eval.metrics import MetricFamily, field
from sporttrack_gui.eval.prepare import columns

#: the fields of detection AP
FAMILY = MetricFamily("detection", (
    field("ap50", "AP50", ratio=True),
    field("ap50_95", "AP50:95", ratio=True),
), "detection average precision (COCO-style interpolation)")

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def _sorted_side(table: Any, what: str) -> dict[str, np.ndarray]:
    cols = columns(table, what)
    if not np.isfinite(cols["xywh"]).all():
        i = int(np.flatnonzero(~np.isfinite(cols["xywh"]).all(axis=1))[0])
        raise InputError(f"{what}: non-finite box in frame {cols['frame'][i]}")
    order = np.argsort(cols["frame"], kind="stable")
    out = {k: v[order] for k, v in cols.items()}
    out["xyxy"] = xywh_to_xyxy64(out["xywh"])
    return out


def _rank_in_group(frame: np.ndarray, cls: np.ndarray, conf: np.ndarray) -> np.ndarray:
    """0 for the most confident detection of each (frame, class), 1 for the next, ..."""
    order = np.lexsort((np.arange(len(conf)), -conf, cls, frame))
    f, c = frame[order], cls[order]
    start = np.ones(len(order), bool)
    start[1:] = (f[1:] != f[:-1]) | (c[1:] != c[:-1])
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(order)), 0))
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order)) - group_start
    return rank


def greedy_tp(pg: np.ndarray, pd: np.ndarray, iou: np.ndarray, rank: np.ndarray,
              n_gt: int, n_det: int) -> np.ndarray:
    """True-positive flag per detection under COCO's greedy matching on the given pairs."""
    tp = np.zeros(n_det, bool)
    if len(pg) == 0:
        return tp
    taken = np.zeros(n_gt, bool)
    by_rank = np.argsort(rank[pd], kind="stable")
    r_sorted = rank[pd][by_rank]
    cuts = np.flatnonzero(np.diff(r_sorted)) + 1
    for idx in np.split(by_rank, cuts):
        free = idx[~taken[pg[idx]]]
        if len(free) == 0:
            continue
        order = np.lexsort((pg[free], iou[free], pd[free]))  # last per det = best, later gt on ties
        best = free[order]
        last = np.ones(len(best), bool)
        last[:-1] = pd[best][1:] != pd[best][:-1]
        best = best[last]
        tp[pd[best]] = True
        taken[pg[best]] = True
    return tp


def average_precision(tp: np.ndarray, conf: np.ndarray, order_key: np.ndarray, n_pos: int) -> float:
    """COCO 101-point AP of detections (flags ``tp``) against ``n_pos`` gt boxes."""
    if n_pos == 0:
        return float("nan")
    if len(tp) == 0:
        return 0.0
    order = np.lexsort((order_key, -conf))
    t = np.cumsum(tp[order])
    f = np.cumsum(~tp[order])
    recall = t / n_pos
    precision = t / (t + f + np.spacing(1))
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    idx = np.searchsorted(recall, RECALL_POINTS, side="left")
    q = np.where(idx < len(precision), precision[np.minimum(idx, len(precision) - 1)], 0.0)
    return float(q.mean())


def evaluate_detection(gt: Any, det: Any, *, conf_threshold: float = 0.0,
                       classes: Iterable[int] | None = None,
                       class_agnostic: bool = False) -> dict[str, Any]:
    """Precision/recall (IoU 0.5, detections with conf >= ``conf_threshold``), AP50 and
    AP50-95 overall and per class. ``gt``/``det`` are ``MotTable``s (det ids are ignored).
    """
    g = _sorted_side(gt, "ground truth")
    d = _sorted_side(det, "detections")
    if class_agnostic:
        g["cls"] = np.zeros(len(g["cls"]), np.int64)
        d["cls"] = np.zeros(len(d["cls"]), np.int64)
    if classes is not None:
        keep = np.asarray(sorted(set(classes)), np.int64)
        g = {k: v[np.isin(g["cls"], keep)] for k, v in g.items()}
        d = {k: v[np.isin(d["cls"], keep)] for k, v in d.items()}
    conf = d["conf"].astype(np.float64)
    pairs = positive_pairs(g["frame"], g["xyxy"], d["frame"], d["xyxy"])
    same = g["cls"][pairs.gt_row] == d["cls"][pairs.pred_row]
    pairs = pairs.subset(same)
    rank = _rank_in_group(d["frame"], d["cls"], conf)
    n_gt, n_det = len(g["frame"]), len(d["frame"])
    tps = []
    for t in IOU_THRESHOLDS:
        m = pairs.iou >= t - 1e-12
        tps.append(greedy_tp(pairs.gt_row[m], pairs.pred_row[m], pairs.iou[m], rank, n_gt, n_det))
    order_key = np.arange(n_det)
    per_class: dict[int, dict[str, float]] = {}
    for c in np.union1d(g["cls"], d["cls"]).tolist():
        dm = d["cls"] == c
        n_pos = int((g["cls"] == c).sum())
        aps = [average_precision(tp[dm], conf[dm], order_key[dm], n_pos) for tp in tps]
        sel = dm & (conf >= conf_threshold)
        tp50 = int(tps[0][sel].sum())
        per_class[int(c)] = {
            "ap50": aps[0], "ap50_95": float(np.mean(aps)) if n_pos else float("nan"),
            "precision": tp50 / sel.sum() if sel.any() else float("nan"),
            "recall": tp50 / n_pos if n_pos else float("nan"),
            "num_gt": n_pos, "num_det": int(dm.sum()),
        }
    with_gt = [v for v in per_class.values() if v["num_gt"] > 0]
    sel = conf >= conf_threshold
    tp50 = int(tps[0][sel].sum())
    return {
        "ap50": float(np.mean([v["ap50"] for v in with_gt])) if with_gt else float("nan"),
        "ap50_95": float(np.mean([v["ap50_95"] for v in with_gt])) if with_gt else float("nan"),
        "precision": tp50 / int(sel.sum()) if sel.any() else float("nan"),
        "recall": tp50 / n_gt if n_gt else float("nan"),
        "num_gt": n_gt, "num_det": n_det, "conf_threshold": conf_threshold,
        "per_class": per_class,
    }
