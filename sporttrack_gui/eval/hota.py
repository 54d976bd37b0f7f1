"""HOTA (Luiten et al., IJCV 2021) exactly as TrackEval computes it, vectorised.

TrackEval's recipe, which we follow step for step:

1. Per frame, each (gt, pred) pair gets ``sim_iou = IoU / (rowsum + colsum - IoU)``; summed
   over frames per (gt id, pred id) it gives a soft co-occurrence count, and with the id
   frame counts a global alignment score ``A = C / (n_gt + n_pred - C)``.
2. Per frame one matching maximises ``sum A * IoU`` (a single Hungarian, not one per alpha);
   a matched pair counts as a TP at localisation threshold alpha when IoU >= alpha - eps.
3. For each alpha in 0.05, 0.10, ..., 0.95: DetA = TP / (TP + FN + FP); AssA = mean over TPs
   of the Jaccard index of their id pair's match count; LocA = mean IoU over TPs;
   HOTA = sqrt(DetA * AssA). The reported values are the means over the 19 alphas.

Sequences combine (``combine``) as TrackEval does: TP/FN/FP add up, AssA/AssRe/AssPr and
LocA are TP-weighted averages, and the final fields are recomputed per alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.eval._matching import max_weight_full_frames
from sporttrack_gui.eval._pairs import Pairs, compact_keys
from sporttrack_gui.eval.metrics import MetricFamily, field
from sporttrack_gui.eval.prepare import Sequence

#: the fields this family reports (``eval.metrics`` builds every table from them)
FAMILY = MetricFamily("hota", (
    field("hota", "HOTA", "table", "terminal", "compare", "chart", ratio=True,
          help="higher order tracking accuracy: sqrt(DetA * AssA), averaged over IoU 0.05..0.95"),
    field("deta", "DetA", "table", "terminal", "compare", ratio=True, help="detection accuracy"),
    field("assa", "AssA", "table", "terminal", "compare", ratio=True, help="association accuracy"),
    field("loca", "LocA", "table", "terminal", ratio=True, help="localisation accuracy"),
), "HOTA (Luiten et al., 2021) by TrackEval's rules")

ALPHAS = np.arange(0.05, 0.99, 0.05)  # TrackEval's array_labels, 19 values
_EPS = np.finfo(float).eps


@dataclass
class HotaCounts:
    """Per-alpha arrays (length 19) that combine across sequences."""

    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray
    ass_a: np.ndarray
    ass_re: np.ndarray
    ass_pr: np.ndarray
    loc_a: np.ndarray


def _empty(num_gt: int, num_pred: int) -> HotaCounts:
    z = np.zeros(len(ALPHAS))
    return HotaCounts(z.copy(), z + num_gt, z + num_pred, z.copy(), z.copy(), z.copy(), z + 1.0)


def hota_counts(seq: Sequence, pairs: Pairs) -> HotaCounts:
    """HOTA building blocks of one sequence from all its positive-IoU pairs."""
    gt, pr = seq.gt, seq.pred
    if len(gt) == 0 or len(pr) == 0:
        return _empty(len(gt), len(pr))
    g, p, sim = pairs.gt_row, pairs.pred_row, pairs.iou
    row_sum = np.bincount(g, weights=sim, minlength=len(gt))
    col_sum = np.bincount(p, weights=sim, minlength=len(pr))
    denom = row_sum[g] + col_sum[p] - sim
    sim_iou = np.where(denom > _EPS, sim / np.where(denom > _EPS, denom, 1.0), 0.0)
    n_p = max(pr.n_ids, 1)
    key = gt.dense[g] * n_p + pr.dense[p]
    keys, key_idx = compact_keys(key, gt.n_ids * n_p)
    kg, kp = keys // n_p, keys % n_p
    gt_count = np.bincount(gt.dense, minlength=gt.n_ids).astype(np.float64)
    pr_count = np.bincount(pr.dense, minlength=pr.n_ids).astype(np.float64)
    potential = np.bincount(key_idx, weights=sim_iou, minlength=len(keys))
    align = potential / (gt_count[kg] + pr_count[kp] - potential)
    score = align[key_idx] * sim
    matched = max_weight_full_frames(g, p, score, gt.frame, pr.frame)
    ms, mk = sim[matched], key_idx[matched]
    # number of alphas each match passes: alpha_a counts when sim >= alpha_a - eps
    passes = np.searchsorted(ALPHAS - _EPS, ms, side="right")
    na = len(ALPHAS)
    per_key = np.bincount(mk * (na + 1) + passes, minlength=len(keys) * (na + 1))
    per_key = per_key.reshape(len(keys), na + 1)
    # count[k, a] = matches of key k passing alpha a = those with passes > a
    count = np.cumsum(per_key[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(np.float64)
    tp = count.sum(axis=0)
    loc_sum = np.cumsum(np.bincount(passes, weights=ms, minlength=na + 1)[::-1])[::-1][1:]
    gk, pk = gt_count[kg][:, None], pr_count[kp][:, None]
    tp1 = np.maximum(1.0, tp)
    ass_a = (count * count / np.maximum(1.0, gk + pk - count)).sum(axis=0) / tp1
    ass_re = (count * count / np.maximum(1.0, gk)).sum(axis=0) / tp1
    ass_pr = (count * count / np.maximum(1.0, pk)).sum(axis=0) / tp1
    loc_a = np.maximum(1e-10, loc_sum) / np.maximum(1e-10, tp)
    return HotaCounts(tp, len(gt) - tp, len(pr) - tp, ass_a, ass_re, ass_pr, loc_a)


def combine(parts: list[HotaCounts]) -> HotaCounts:
    """TrackEval's ``combine_sequences`` for HOTA."""
    if not parts:
        return _empty(0, 0)
    tp = sum(h.tp for h in parts)
    w = np.maximum(1.0, tp)

    def wav(name: str) -> np.ndarray:
        return sum(getattr(h, name) * h.tp for h in parts) / w

    loc = np.maximum(1e-10, sum(h.loc_a * h.tp for h in parts)) / np.maximum(1e-10, tp)
    return HotaCounts(tp, sum(h.fn for h in parts), sum(h.fp for h in parts),
                      wav("ass_a"), wav("ass_re"), wav("ass_pr"), loc)


def per_alpha(h: HotaCounts) -> dict[str, np.ndarray]:
    """TrackEval's final fields per alpha."""
    det_re = h.tp / np.maximum(1.0, h.tp + h.fn)
    det_pr = h.tp / np.maximum(1.0, h.tp + h.fp)
    det_a = h.tp / np.maximum(1.0, h.tp + h.fn + h.fp)
    return {"hota": np.sqrt(det_a * h.ass_a), "deta": det_a, "assa": h.ass_a,
            "loca": h.loc_a, "detre": det_re, "detpr": det_pr, "assre": h.ass_re,
            "asspr": h.ass_pr, "owta": np.sqrt(det_re * h.ass_a)}


def summarize(h: HotaCounts, *, curves: bool = False) -> dict[str, float | list[float]]:
    """Means over alpha, plus HOTA at alpha 0.05 ("hota_0") and 0.5 ("hota_50")."""
    arr = per_alpha(h)
    out: dict[str, float | list[float]] = {k: float(v.mean()) for k, v in arr.items()}
    out["hota_0"] = float(arr["hota"][0])
    out["loca_0"] = float(arr["loca"][0])
    out["hota_50"] = float(arr["hota"][9])
    if curves:
        out["alphas"] = [round(float(a), 2) for a in ALPHAS]
        for k in ("hota", "deta", "assa", "loca"):
            out[f"{k}_curve"] = [float(x) for x in arr[k]]
    return out
