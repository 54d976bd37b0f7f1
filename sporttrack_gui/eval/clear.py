"""CLEAR-MOT and identity (IDF1) counts with motmetrics' exact event semantics, vectorised.

motmetrics decides each frame in two steps: (1) keep a gt object's previous partner if it
is present and still within the distance threshold (first object in row order wins a
contested partner), (2) solve a maximum-cardinality minimum-distance assignment on the
rest. Only frames where some box has a *choice* (several valid partners) depend on the
history; all other valid pairs are matched whatever happened before. So we take those
forced pairs in bulk, replay only the ambiguous frames in order (looking up each object's
last partner by binary search), and derive every event count from the sorted match list:

* SWITCH: a match whose object was matched before to a different prediction id;
* TRANSFER: a step-2 match whose prediction's last step-2 partner is another object;
  ASCEND / MIGRATE: a SWITCH to a never-matched prediction / a TRANSFER of a never-matched
  object (motmetrics' sub-events);
* Frag: tracked -> missed transitions of an object between its first and last match;
* MT/PT/ML: matched share of an object's frames >= 0.8 / in [0.2, 0.8) / < 0.2.

Identity: IDTP is a maximum-weight matching of gt ids to predicted ids where the weight
is the number of frames the two overlap within the threshold (Ristani et al. 2016); this
is the same optimum as motmetrics' (no+nh)^2 min-cost formulation, solved on the small
matrix of ids that overlap at all.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sporttrack_gui.eval._matching import frame_blocks, max_weight, motmetrics_lsa, simple_mask
from sporttrack_gui.eval._pairs import Pairs, compact_keys
from sporttrack_gui.eval.prepare import Sequence


@dataclass
class MotCounts:
    """Additive CLEAR/ID counts; sums over sequences give the micro-averaged summary."""

    num_frames: int = 0
    num_objects: int = 0
    num_predictions: int = 0
    num_unique_objects: int = 0
    num_detections: int = 0
    num_switches: int = 0
    num_transfer: int = 0
    num_ascend: int = 0
    num_migrate: int = 0
    num_fragmentations: int = 0
    mostly_tracked: int = 0
    partially_tracked: int = 0
    mostly_lost: int = 0
    idtp: int = 0
    dist_sum: float = 0.0
    sim_sum: float = 0.0  # sum of matched IoUs (TrackEval's MOTP_sum)

    def __add__(self, other: MotCounts) -> MotCounts:
        return MotCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                            for f in fields(self)})


def _div(a: float, b: float) -> float:
    """motmetrics' quiet divide: 0/0 is NaN, x/0 is inf, never a warning."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.true_divide(a, b))


def summarize(c: MotCounts) -> dict[str, float | int]:
    """Metric dict with motmetrics' names; ``motp`` is a distance (1 - mean IoU)."""
    fp = c.num_predictions - c.num_detections
    fn = c.num_objects - c.num_detections
    idfn = c.num_objects - c.idtp
    idfp = c.num_predictions - c.idtp
    return {
        "idf1": _div(2 * c.idtp, c.num_objects + c.num_predictions),
        "idp": _div(c.idtp, c.idtp + idfp),
        "idr": _div(c.idtp, c.idtp + idfn),
        "recall": _div(c.num_detections, c.num_objects),
        "precision": _div(c.num_detections, fp + c.num_detections),
        "num_unique_objects": c.num_unique_objects,
        "mostly_tracked": c.mostly_tracked,
        "partially_tracked": c.partially_tracked,
        "mostly_lost": c.mostly_lost,
        "num_false_positives": fp,
        "num_misses": fn,
        "num_switches": c.num_switches,
        "num_fragmentations": c.num_fragmentations,
        "mota": 1.0 - _div(fn + c.num_switches + fp, c.num_objects),
        "motp": _div(c.dist_sum, c.num_detections),
        "num_transfer": c.num_transfer,
        "num_ascend": c.num_ascend,
        "num_migrate": c.num_migrate,
        "num_frames": c.num_frames,
        "num_matches": c.num_detections - c.num_switches,
        "num_detections": c.num_detections,
        "num_objects": c.num_objects,
        "num_predictions": c.num_predictions,
        "idtp": c.idtp,
        "idfp": idfp,
        "idfn": idfn,
    }


@dataclass
class Matches:
    """The CLEAR matches of a sequence (gt row, pred row, distance), any order."""

    gt_row: np.ndarray
    pred_row: np.ndarray
    dist: np.ndarray


def frame_step(n_gt: int, n_pred: int, gi: np.ndarray, pj: np.ndarray, dist: np.ndarray,
               prev_pid: np.ndarray, pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One motmetrics frame: ``MOTAccumulator.update`` steps 1 and 2 on the valid pairs.

    ``gi``/``pj`` index the frame's gt/pred rows (pairs sorted by ``gi``), ``prev_pid`` is the
    last partner of each pair's object (-1 if none) and ``pid`` each pair's prediction id.
    Returns the indices of the matched pairs and whether step 1 (kept partner) made each.
    """
    keep = np.flatnonzero(prev_pid == pid)
    if len(keep) > 1 and np.bincount(pj[keep]).max() > 1:
        # a contested partner goes to the first object in row order
        _, first = np.unique(pj[keep], return_index=True)
        keep = keep[np.sort(first)]
    used_g = np.zeros(n_gt, bool)
    used_p = np.zeros(n_pred, bool)
    used_g[gi[keep]] = True
    used_p[pj[keep]] = True
    rest = np.flatnonzero(~used_g[gi] & ~used_p[pj])
    solved = rest
    if len(rest) and not simple_mask(gi[rest], pj[rest]).all():
        dmat = np.full((n_gt, n_pred), np.nan)
        dmat[gi[rest], pj[rest]] = dist[rest]
        index = np.empty((n_gt, n_pred), np.int64)  # only read where a pair was written
        index[gi[rest], pj[rest]] = rest
        r, c = motmetrics_lsa(dmat)
        solved = index[r, c]
    idx = np.concatenate([keep, solved])
    kept = np.zeros(len(idx), bool)
    kept[:len(keep)] = True
    return idx, kept


def clear_matches(seq: Sequence, valid: Pairs) -> Matches:
    """Replay motmetrics' matching over a whole sequence (see module docstring)."""
    g, p = valid.gt_row, valid.pred_row
    d = 1.0 - valid.iou
    gt, pr = seq.gt, seq.pred
    pair_frame = gt.frame[g]
    hard_frames = np.unique(pair_frame[~simple_mask(g, p)])
    if len(hard_frames) == 0:
        return Matches(g, p, d)
    forced = ~np.isin(pair_frame, hard_frames)
    s_g, s_p = g[forced], p[forced]
    fmin = int(gt.frame.min())
    span = int(gt.frame.max()) - fmin + 2
    s_key = gt.dense[s_g] * span + (gt.frame[s_g] - fmin)
    order = np.argsort(s_key, kind="stable")
    s_key, s_pid = s_key[order], pr.dense[s_p][order]
    # each hard pair's object's last forced match before its frame, found in one search
    hard = np.flatnonzero(~forced)
    h_gid = gt.dense[g[hard]]
    pos = np.searchsorted(s_key, h_gid * span + (pair_frame[hard] - fmin)) - 1
    ok = pos >= 0
    ok[ok] = s_key[pos[ok]] // span == h_gid[ok]
    h_prev_t = np.where(ok, s_key[np.maximum(pos, 0)] % span, -1)
    h_prev = np.where(ok, s_pid[np.maximum(pos, 0)], -1)
    h_at = np.full(len(g), -1, np.int64)
    h_at[hard] = np.arange(len(hard))
    amb_frame = np.full(gt.n_ids, -1, np.int64)  # frame offset of the last replayed match
    amb_pid = np.full(gt.n_ids, -1, np.int64)
    gdense, pdense = gt.dense, pr.dense
    sel_all = [np.flatnonzero(forced)]
    for f, g0, g1, p0, p1, a, b in frame_blocks(hard_frames, g, gt.frame, pr.frame):
        hi = h_at[a:b]
        gid, pid = gdense[g[a:b]], pdense[p[a:b]]
        prev = np.where(amb_frame[gid] > h_prev_t[hi], amb_pid[gid], h_prev[hi])
        sel, _ = frame_step(g1 - g0, p1 - p0, g[a:b] - g0, p[a:b] - p0, d[a:b], prev, pid)
        amb_frame[gid[sel]] = f - fmin
        amb_pid[gid[sel]] = pid[sel]
        sel_all.append(sel + a)
    idx = np.concatenate(sel_all)
    return Matches(g[idx], p[idx], d[idx])


def _first_in_run(key: np.ndarray) -> np.ndarray:
    """True where ``key`` differs from the previous element (sorted input)."""
    out = np.ones(len(key), bool)
    out[1:] = key[1:] != key[:-1]
    return out


def event_counts(seq: Sequence, m: Matches) -> dict[str, int]:
    """SWITCH/TRANSFER/ASCEND/MIGRATE counts from the match list (see module docstring)."""
    gt, pr = seq.gt, seq.pred
    gid, pid, fr = gt.dense[m.gt_row], pr.dense[m.pred_row], gt.frame[m.gt_row]
    by_g = np.lexsort((fr, gid))
    g_s, p_s = gid[by_g], pid[by_g]
    first_g = _first_in_run(g_s)
    switch_s = ~first_g & (p_s != np.roll(p_s, 1))
    switch = np.zeros(len(gid), bool)
    switch[by_g] = switch_s
    first_of_g = np.zeros(len(gid), bool)
    first_of_g[by_g] = first_g
    step2 = switch | first_of_g
    by_p = np.lexsort((fr, pid))
    first_of_p = np.zeros(len(gid), bool)
    first_of_p[by_p] = _first_in_run(pid[by_p])
    s2 = np.flatnonzero(step2)
    s2 = s2[np.lexsort((fr[s2], pid[s2]))]
    transfer_s = ~_first_in_run(pid[s2]) & (gid[s2] != np.roll(gid[s2], 1))
    transfer = np.zeros(len(gid), bool)
    transfer[s2] = transfer_s
    return {
        "num_switches": int(switch.sum()),
        "num_transfer": int(transfer.sum()),
        "num_ascend": int((switch & first_of_p).sum()),
        "num_migrate": int((transfer & first_of_g).sum()),
    }


def track_counts(seq: Sequence, matched_gt_row: np.ndarray) -> dict[str, int]:
    """Frag and MT/PT/ML from which gt rows were matched."""
    gt = seq.gt
    if len(gt) == 0:
        return {"num_fragmentations": 0, "mostly_tracked": 0, "partially_tracked": 0,
                "mostly_lost": 0}
    matched = np.zeros(len(gt), bool)
    matched[matched_gt_row] = True
    order = np.lexsort((gt.frame, gt.dense))
    ms, gs = matched[order], gt.dense[order]
    pos = np.arange(len(ms))
    last = np.full(gt.n_ids, -1, np.int64)
    np.maximum.at(last, gs[ms], pos[ms])
    trans = np.zeros(len(ms), bool)
    trans[1:] = ms[:-1] & ~ms[1:] & (gs[1:] == gs[:-1])
    frag = int((trans & (pos < last[gs])).sum())
    appear = np.bincount(gt.dense, minlength=gt.n_ids)
    tracked = np.bincount(gt.dense[matched], minlength=gt.n_ids)
    ratio = tracked / np.maximum(appear, 1)
    return {
        "num_fragmentations": frag,
        "mostly_tracked": int((ratio >= 0.8).sum()),
        "partially_tracked": int(((ratio >= 0.2) & (ratio < 0.8)).sum()),
        "mostly_lost": int((ratio < 0.2).sum()),
    }


def id_true_positives(gid: np.ndarray, pid: np.ndarray, n_pred_ids: int) -> int:
    """IDTP: maximum-weight matching of (gt id, pred id) co-occurrence counts."""
    if len(gid) == 0:
        return 0
    n_p = max(n_pred_ids, 1)
    keys, inv = compact_keys(gid * n_p + pid, (int(gid.max()) + 1) * n_p)
    tp = np.bincount(inv, minlength=len(keys))
    kg, kp = keys // n_p, keys % n_p
    sel = max_weight(kg, kp, tp.astype(np.float64))
    return int(tp[sel].sum())


def mot_counts(seq: Sequence, valid: Pairs) -> MotCounts:
    """All CLEAR/ID counts of one sequence from its valid (within-threshold) pairs."""
    m = clear_matches(seq, valid)
    ev = event_counts(seq, m)
    tc = track_counts(seq, m.gt_row)
    idtp = id_true_positives(seq.gt.dense[valid.gt_row], seq.pred.dense[valid.pred_row],
                             seq.pred.n_ids)
    return MotCounts(
        num_frames=seq.num_frames,
        num_objects=len(seq.gt),
        num_predictions=len(seq.pred),
        num_unique_objects=seq.gt.n_ids,
        num_detections=len(m.gt_row),
        idtp=idtp,
        dist_sum=float(m.dist.sum()),
        sim_sum=float((1.0 - m.dist).sum()),
        **ev, **tc,
    )
