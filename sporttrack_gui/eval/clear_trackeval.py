"""CLEAR-MOT and identity counts by TrackEval's rules (the leaderboards' scorer), vectorised.

TrackEval (``metrics/clear.py``) and py-motmetrics disagree on purpose-built details, and a
number reported next to a leaderboard must follow TrackEval:

* **matching**: each evaluated frame (one with gt *and* predictions) solves one assignment
  on ``1000 * continues + IoU`` over pairs with IoU >= threshold - eps, where ``continues``
  marks a (gt, pred) pair that was matched in the *previous evaluated frame* only. A match
  interrupted by a gap gets no bonus (motmetrics keeps an old partner across gaps, which is
  why its ID-switch counts are lower).
* **ID switch**: a match whose gt id was last matched (any number of frames before) to a
  different prediction id.
* **Frag**: per gt id, the number of matched runs minus one, a run being broken by any
  evaluated frame where the id is not matched (absent or missed).
* **MT/PT/ML**: matched share > 0.8 / >= 0.2 / the rest (motmetrics: >= 0.8).
* **IDF1**: pairs with IoU >= threshold (no eps), ratios with ``max(1, .)`` denominators.

Only frames where some box has a *choice* of partners depend on history; every other
frame matches all its valid pairs whatever came before. Those forced frames are taken in
bulk, and only the ambiguous ones are replayed in order with scipy's solver on the very
matrix TrackEval builds (whole frame, same row/column order), so even exact ties resolve
the same way.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from sporttrack_gui.eval._matching import frame_blocks, simple_mask
from sporttrack_gui.eval._pairs import Pairs, compact_keys
from sporttrack_gui.eval.clear import MotCounts, id_true_positives
from sporttrack_gui.eval.metrics import MetricFamily, field
from sporttrack_gui.eval.prepare import Sequence

#: the fields of CLEAR + Identity shown in tables (both rule sets report these keys)
FAMILY = MetricFamily("clear", (
    field("mota", "MOTA", "table", "terminal", "compare", "chart", "live", ratio=True),
    field("idf1", "IDF1", "table", "terminal", "compare", "chart", "live", ratio=True),
    field("idp", "IDP", "table", ratio=True),
    field("idr", "IDR", "table", ratio=True),
    field("motp_iou", "MOTP", "table", "terminal", ratio=True, help="TrackEval's MOTP: mean IoU"),
    field("precision", "Precision", "table", "live", ratio=True),
    field("recall", "Recall", "table", "live", ratio=True),
    field("num_switches", "IDSW", "table", "terminal", "compare", "chart"),
    field("num_fragmentations", "Frag", "table", "terminal", "compare"),
    field("num_false_positives", "FP", "table", "terminal", "compare"),
    field("num_misses", "FN", "table", "terminal", "compare"),
    field("mostly_tracked", "MT", "table", "terminal"),
    field("partially_tracked", "PT", "table"),
    field("mostly_lost", "ML", "table", "terminal"),
    field("num_objects", "GT boxes", "table"),
    field("num_predictions", "Pred boxes", "table"),
    field("num_unique_objects", "GT ids", "table"),
    field("num_frames", "Frames", "table", "terminal"),
    field("moda", "MODA", ratio=True), field("smota", "sMOTA", ratio=True),
    field("motal", "MOTAL", ratio=True), field("clr_f1", "CLR_F1", ratio=True),
    field("mtr", "MTR", ratio=True), field("ptr", "PTR", ratio=True), field("mlr", "MLR", ratio=True),
), "CLEAR MOT and Identity metrics (TrackEval's or py-motmetrics' rules)")

_EPS = np.finfo(float).eps
#: TrackEval's bonus for continuing a match of the previous evaluated frame
_CONTINUE_BONUS = 1000


def evaluated_frames(seq: Sequence) -> np.ndarray:
    """Frames with gt *and* predictions (TrackEval's timesteps that are not skipped), from
    the frame-sorted columns in linear time."""
    def distinct(f: np.ndarray) -> np.ndarray:
        keep = np.ones(len(f), bool)
        keep[1:] = f[1:] != f[:-1]
        return f[keep]

    return np.intersect1d(distinct(seq.gt.frame), distinct(seq.pred.frame), assume_unique=True)


def clear_matched(seq: Sequence, pairs: Pairs, threshold: float,
                  evaluated: np.ndarray | None = None) -> np.ndarray:
    """Mask over ``pairs`` (sorted by gt row) of TrackEval's CLEAR matches."""
    gt, pr = seq.gt, seq.pred
    valid = pairs.iou >= threshold - _EPS
    matched = valid.copy()
    vi = np.flatnonzero(valid)
    g, p = pairs.gt_row[vi], pairs.pred_row[vi]
    if len(vi) == 0:
        return matched
    hard_frames = np.unique(gt.frame[g[~simple_mask(g, p)]])
    if len(hard_frames) == 0:
        return matched
    # evaluated frames (gt and predictions present): "previous timestep" steps over the rest
    if evaluated is None:
        evaluated = evaluated_frames(seq)
    prev_eval = np.full(len(hard_frames), -1, np.int64)
    k = np.searchsorted(evaluated, hard_frames)
    prev_eval[k > 0] = evaluated[k[k > 0] - 1]
    pair_frame = gt.frame[g]
    iou, gid, pid = pairs.iou[vi], gt.dense[g], pr.dense[p]
    # each hard pair's twin (same gt id, same pred id) in the previous evaluated frame, found
    # in one sorted search; in the loop the bonus is then "twin exists and was matched"
    hard = np.isin(pair_frame, hard_frames)
    h_idx = np.flatnonzero(hard)
    h_prev = prev_eval[np.searchsorted(hard_frames, pair_frame[h_idx])]
    _, kk = compact_keys(gid * max(pr.n_ids, 1) + pid, gt.n_ids * max(pr.n_ids, 1))
    fmin = int(pair_frame[0])
    span = int(pair_frame[-1]) - fmin + 2
    key = kk * span + (pair_frame - fmin)
    order = np.argsort(key, kind="stable")
    skey = key[order]
    want = kk[h_idx] * span + (h_prev - fmin)
    pos = np.minimum(np.searchsorted(skey, want), len(skey) - 1)
    twin = np.full(len(g), -1, np.int64)
    twin[h_idx] = np.where((h_prev >= 0) & (skey[pos] == want), order[pos], -1)
    ok = matched[vi]  # working copy over valid pairs
    for _, g0, g1, p0, p1, a, b in frame_blocks(hard_frames, g, gt.frame, pr.frame):
        t = twin[a:b]
        bonus = (t >= 0) & ok[np.maximum(t, 0)]
        gi, pj = g[a:b] - g0, p[a:b] - p0  # frame-local rows
        score = np.zeros((g1 - g0, p1 - p0))
        score[gi, pj] = _CONTINUE_BONUS * bonus + iou[a:b]
        r, c = linear_sum_assignment(-score)
        col = np.full(g1 - g0, -1, np.int64)
        hit = score[r, c] > _EPS
        col[r[hit]] = c[hit]
        ok[a:b] = col[gi] == pj
    matched[vi] = ok
    return matched


def clear_counts(seq: Sequence, pairs: Pairs, threshold: float, num_timesteps: int) -> MotCounts:
    """All CLEAR/ID counts of one sequence by TrackEval's rules.

    ``pairs`` holds every positive-IoU pair (sorted by gt row); ``num_timesteps`` is the
    sequence length TrackEval reports as ``CLR_Frames``.
    """
    gt, pr = seq.gt, seq.pred
    if len(gt) == 0 or len(pr) == 0:
        # TrackEval returns early here: everything missed / false, CLR_Frames left at 0
        return MotCounts(num_frames=0, num_objects=len(gt), num_predictions=len(pr),
                         num_unique_objects=gt.n_ids, mostly_lost=gt.n_ids)
    evaluated = evaluated_frames(seq)
    m = clear_matched(seq, pairs, threshold, evaluated)
    mg, mp, sim = pairs.gt_row[m], pairs.pred_row[m], pairs.iou[m]
    gid, pid, fr = gt.dense[mg], pr.dense[mp], gt.frame[mg]
    f0 = int(fr.min()) if len(fr) else 0
    by_g = np.argsort(gid * (int(fr.max(initial=f0)) - f0 + 1) + (fr - f0), kind="stable")
    g_s, p_s = gid[by_g], pid[by_g]
    same_g = np.zeros(len(g_s), bool)
    same_g[1:] = g_s[1:] == g_s[:-1]
    switches = int((same_g[1:] & (p_s[1:] != p_s[:-1])).sum()) if len(g_s) else 0
    # fragmentation: runs over consecutive *evaluated* frames
    e_idx = np.searchsorted(evaluated, fr[by_g])
    run_start = ~same_g
    run_start[1:] |= e_idx[1:] != e_idx[:-1] + 1
    frag = int(run_start.sum()) - len(np.unique(g_s))
    appear = np.bincount(gt.dense, minlength=gt.n_ids)
    tracked = np.bincount(gid, minlength=gt.n_ids)
    ratio = tracked[appear > 0] / appear[appear > 0]
    mt = int((ratio > 0.8).sum())
    pt = int((ratio >= 0.2).sum()) - mt
    idv = pairs.iou >= threshold
    idtp = id_true_positives(gt.dense[pairs.gt_row[idv]], pr.dense[pairs.pred_row[idv]],
                             pr.n_ids)
    return MotCounts(
        num_frames=num_timesteps,
        num_objects=len(gt),
        num_predictions=len(pr),
        num_unique_objects=gt.n_ids,
        num_detections=len(mg),
        num_switches=switches,
        num_fragmentations=frag,
        mostly_tracked=mt,
        partially_tracked=pt,
        mostly_lost=gt.n_ids - mt - pt,
        idtp=idtp,
        dist_sum=float((1.0 - sim).sum()),
        sim_sum=float(sim.sum()),
    )


def _ratio(a: float, b: float) -> float:
    """TrackEval's ``a / max(1, b)``: 0 rather than NaN on empty input."""
    return float(a / max(1.0, b))


def summarize(c: MotCounts, *, sequence: bool = False) -> dict[str, float | int]:
    """TrackEval's CLEAR + Identity final fields under our key names (plus TrackEval-only ones).

    ``motp`` stays a distance (1 - mean IoU) as under the motmetrics rules, so the two rule
    sets share every key; ``motp_iou`` is TrackEval's MOTP. ``sequence=True`` reproduces
    TrackEval's early return for a single sequence without gt (ratios left at 0, MLR 1);
    combined results are always recomputed from the sums, as TrackEval does.
    """
    tp, fn, fp = c.num_detections, c.num_objects - c.num_detections, \
        c.num_predictions - c.num_detections
    idsw = c.num_switches
    idfn, idfp = c.num_objects - c.idtp, c.num_predictions - c.idtp
    n_ids = c.mostly_tracked + c.partially_tracked + c.mostly_lost
    log_idsw = float(np.log10(idsw)) if idsw > 0 else float(idsw)
    motp_iou = _ratio(c.sim_sum, tp)
    out: dict[str, float | int] = {
        "idf1": _ratio(c.idtp, c.idtp + 0.5 * idfp + 0.5 * idfn),
        "idp": _ratio(c.idtp, c.idtp + idfp),
        "idr": _ratio(c.idtp, c.idtp + idfn),
        "recall": _ratio(tp, tp + fn),
        "precision": _ratio(tp, tp + fp),
        "num_unique_objects": c.num_unique_objects,
        "mostly_tracked": c.mostly_tracked,
        "partially_tracked": c.partially_tracked,
        "mostly_lost": c.mostly_lost,
        "num_false_positives": fp,
        "num_misses": fn,
        "num_switches": idsw,
        "num_fragmentations": c.num_fragmentations,
        "mota": _ratio(tp - fp - idsw, tp + fn),
        "motp": 1.0 - motp_iou if tp else float("nan"),
        "motp_iou": motp_iou,
        "moda": _ratio(tp - fp, tp + fn),
        "smota": _ratio(c.sim_sum - fp - idsw, tp + fn),
        "motal": _ratio(tp - fp - log_idsw, tp + fn),
        "clr_f1": _ratio(tp, tp + 0.5 * fn + 0.5 * fp),
        "mtr": _ratio(c.mostly_tracked, n_ids),
        "ptr": _ratio(c.partially_tracked, n_ids),
        "mlr": _ratio(c.mostly_lost, n_ids),
        "fp_per_frame": _ratio(fp, c.num_frames),
        "num_frames": c.num_frames,
        "num_matches": tp - idsw,
        "num_detections": tp,
        "num_objects": c.num_objects,
        "num_predictions": c.num_predictions,
        "idtp": c.idtp,
        "idfp": idfp,
        "idfn": idfn,
    }
    if sequence and c.num_objects == 0:
        out.update(mota=0.0, moda=0.0, smota=0.0, motal=0.0, mlr=1.0, fp_per_frame=0.0)
    return out
