"""Cross-camera identity metrics: global IDF1, hand-off accuracy, conflicts, fusion error.

Global IDF1 follows the multi-camera benchmarks (DukeMTMC-style): every camera's frames
are laid end to end into one long sequence and a single identity matching is solved, so
one player must carry one id in every camera to score. Per-camera IDF1 of the input
tracks uses the same global truth, which makes the two comparable. Conflicts need no
truth: they check the invariants the association promises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.multicam.associate import CONFLICT_APART_M, group_ranks, incompatible
from sporttrack_gui.multicam.fusion import FusedPositions
from sporttrack_gui.multicam.observations import Observations


def _stack(tables: Sequence, stride: int):
    from sporttrack_gui.formats.mot import MotTable

    parts = []
    for c, t in enumerate(tables):
        parts.append(MotTable(t.frame + c * stride, t.track_id, t.xywh, t.conf, t.cls, t.vis))
    return MotTable.concat(parts)


def global_idf1(gt_global: Sequence, pred_global: Sequence) -> dict[str, float]:
    """IDF1 (and IDP/IDR, MOTA) with every camera's frames concatenated into one sequence.

    ``gt_global[c]`` / ``pred_global[c]``: camera ``c``'s MotTables with GLOBAL ids.
    """
    from sporttrack_gui.eval.mot import evaluate_mot

    stride = 1 + max([int(t.frame.max(initial=0)) for t in list(gt_global) + list(pred_global)] + [0])
    m = evaluate_mot(_stack(gt_global, stride), _stack(pred_global, stride), ignore="none",
                     with_hota=False)
    return {k: float(m[k]) for k in ("idf1", "idp", "idr", "mota") if k in m}


def per_camera_idf1(gt_global: Sequence, pred: Sequence) -> list[float]:
    """IDF1 of each camera's own tracks (any ids) against its global truth."""
    from sporttrack_gui.eval.mot import evaluate_mot

    return [float(evaluate_mot(g, p, ignore="none", with_hota=False)["idf1"])
            for g, p in zip(gt_global, pred, strict=True)]


def match_rows(gt, pred, min_iou: float = 0.5) -> np.ndarray:
    """For every gt row, the matched pred row (per frame, max IoU assignment) or -1."""
    out = np.full(len(gt), -1, np.int64)
    by_p = pred.by_frame()
    for f, gi in gt.by_frame().items():
        pi = by_p.get(f)
        if pi is None or not len(pi):
            continue
        iou = iou_matrix(gt.xyxy[gi], pred.xyxy[pi])
        m, _, _ = linear_assignment(1.0 - iou, 1.0 - min_iou)
        out[gi[m[:, 0]]] = pi[m[:, 1]]
    return out


@dataclass
class HandoffScore:
    cross_camera: int = 0         # entries into a view while the player was last seen elsewhere
    cross_correct: int = 0
    reentries: int = 0            # back into the same view after being seen nowhere else
    reentry_correct: int = 0

    @property
    def accuracy(self) -> float:
        return self.cross_correct / self.cross_camera if self.cross_camera else float("nan")

    @property
    def reentry_accuracy(self) -> float:
        return self.reentry_correct / self.reentries if self.reentries else float("nan")


def handoff_accuracy(gt_global: Sequence, pred_global: Sequence, offsets: Sequence[int],
                     gap: int = 5, span: int = 10) -> HandoffScore:
    """Was a player who enters a view given the id he carried where he was last seen?

    An entry is the first gt box of an object in a camera after at least ``gap`` frames
    without one there. The id given is the majority predicted id over the first ``span``
    matched boxes of the entry; the id carried is the predicted id of his latest matched
    box anywhere (any camera) before the entry's global frame.
    """
    cams, gframes, objs, pids = [], [], [], []
    for c, (g, p) in enumerate(zip(gt_global, pred_global, strict=True)):
        m = match_rows(g, p)
        cams.append(np.full(len(g), c))
        gframes.append(g.frame.astype(np.int64) + int(offsets[c]))
        objs.append(g.track_id)
        pids.append(np.where(m >= 0, p.track_id[np.maximum(m, 0)], -1))
    cam, gf, obj, pid = (np.concatenate(a) for a in (cams, gframes, objs, pids))
    score = HandoffScore()
    order = np.lexsort((gf, cam, obj))
    cam, gf, obj, pid = cam[order], gf[order], obj[order], pid[order]
    start = np.concatenate([[True], (obj[1:] != obj[:-1]) | (cam[1:] != cam[:-1]) | (gf[1:] - gf[:-1] > gap)])
    # "latest matched box of the object anywhere before frame f" for every entry by one
    # binary search (a scan of all boxes per entry was quadratic at match scale): matched
    # rows sorted by (object, gf * 8 + camera), the earliest row first among equal keys
    when = gf * 8 + cam
    m_rows = np.flatnonzero(pid >= 0)
    m_rows = m_rows[np.lexsort((-m_rows, when[m_rows], obj[m_rows]))]
    m_obj, m_when = obj[m_rows], when[m_rows]
    starts = np.flatnonzero(start)
    lo = np.searchsorted(m_obj, obj[starts], side="left")      # the object's first matched row
    at = np.searchsorted(m_obj, obj[starts], side="right")     # one past its last
    for s, a, b in zip(starts.tolist(), lo.tolist(), at.tolist(), strict=True):
        o, c, f = obj[s], cam[s], gf[s]
        seg = np.arange(s, min(s + span, len(obj)))
        seg = seg[(obj[seg] == o) & (cam[seg] == c) & (pid[seg] >= 0)]
        k = a + int(np.searchsorted(m_when[a:b], f * 8, side="left")) - 1
        if not len(seg) or k < a:
            continue
        last = m_rows[k]
        vals, counts = np.unique(pid[seg], return_counts=True)
        given = vals[np.argmax(counts)]
        if cam[last] != c:
            score.cross_camera += 1
            score.cross_correct += int(given == pid[last])
        else:
            score.reentries += 1
            score.reentry_correct += int(given == pid[last])
    return score


def conflicts(obs: Observations, global_id: np.ndarray, fps: float, *, apart_m: float = CONFLICT_APART_M,
              same_spot_m: float = 0.5, same_spot_s: float = 1.0) -> dict[str, int]:
    """Invariant violations of a global labelling (no truth needed).

    ``two_places``: (frame, id) groups with two boxes in one camera, or two boxes farther
    apart than ``apart_m`` plus three sigmas of their uncertainty. ``same_spot``: episodes of two ids, each seen
    only by cameras the other is not seen by, within ``same_spot_m`` for ``same_spot_s``.
    """
    gid = np.asarray(global_id, np.int64)
    # one id in two places: any pair of its boxes in one frame that cannot be one player
    order, rank, start = group_ranks(obs, gid)
    bad_groups = set()
    for r in range(1, int(rank.max(initial=0)) + 1):
        at = np.flatnonzero((rank == r) & (gid[order] > 0))
        for q in range(r):
            partner = start[at] + q
            hit = incompatible(obs, order[at], order[partner], apart_m)
            bad_groups.update(start[at][hit].tolist())
    two_places = len(bad_groups)
    ok = gid > 0
    f, c, g, xy = obs.frame[ok].astype(np.int64), obs.cam[ok].astype(np.int64), gid[ok], obs.xy[ok]
    key = f * (1 << 32) + g
    order = np.lexsort((c, key))
    key, c, xy, f, g = key[order], c[order], xy[order], f[order], g[order]
    same = key[1:] == key[:-1]
    grp = np.cumsum(np.concatenate([[True], ~same])) - 1
    # same spot: per frame, pairs of ids within same_spot_m seen by disjoint camera sets
    pos_key, pos_idx = np.unique(key, return_index=True)
    pf, pg, pxy = f[pos_idx], g[pos_idx], xy[pos_idx]
    cam_bits = np.zeros(len(pos_key), np.int64)
    np.bitwise_or.at(cam_bits, grp, 1 << c)
    bounds = np.searchsorted(pf, np.unique(pf))
    bounds = np.append(bounds, len(pf))
    run: dict[tuple[int, int], int] = {}
    episodes = 0
    need = max(1, int(round(same_spot_s * fps)))
    prev_frame = None
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        frame = int(pf[lo])
        if prev_frame is not None and frame != prev_frame + 1:
            run.clear()
        prev_frame = frame
        p = pxy[lo:hi]
        dd = np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])
        ii, jj = np.nonzero(np.triu(dd <= same_spot_m, 1))
        bits = cam_bits[lo:hi]
        keep = (bits[ii] & bits[jj]) == 0
        now = {(int(pg[lo + a]), int(pg[lo + b])) for a, b in zip(ii[keep], jj[keep], strict=True)}
        for k in list(run):
            if k not in now:
                del run[k]
        for k in now:
            run[k] = run.get(k, 0) + 1
            if run[k] == need:
                episodes += 1
    return {"two_places": two_places, "same_spot": episodes}


def position_errors(obs: Observations, fused: FusedPositions, obs_truth_id: np.ndarray,
                    truth_xy: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    global_id: np.ndarray) -> dict[str, float]:
    """Median distance to the truth of single-camera positions and of fused positions.

    ``obs_truth_id[i]``: the true object of observation ``i`` (-1 unmatched). A fused row is
    scored against the object most of its observations belong to. ``multi_*`` restricts
    both to frames where an id is seen by two or more cameras.
    """
    tid = np.asarray(obs_truth_id, np.int64)
    ok = tid > 0
    single = np.hypot(*(obs.xy[ok] - truth_xy(obs.frame[ok], tid[ok])).T)
    key_obs = obs.frame.astype(np.int64) * (1 << 32) + np.asarray(global_id, np.int64)
    key_f = fused.frame.astype(np.int64) * (1 << 32) + fused.global_id
    row = np.searchsorted(key_f, key_obs[ok])
    # majority truth per fused row: the smallest truth id wins ties (rare)
    pair = np.unique(np.column_stack([row, tid[ok]]), axis=0, return_counts=True)
    rows_t, counts = pair[0], pair[1]
    best = np.full(len(fused), -1, np.int64)
    if len(rows_t):  # per fused row the most frequent truth id, the smallest on a tie
        order = np.lexsort((rows_t[:, 1], -counts, rows_t[:, 0]))
        r_sorted = rows_t[order, 0]
        first = np.concatenate([[True], r_sorted[1:] != r_sorted[:-1]])
        best[r_sorted[first]] = rows_t[order[first], 1]
    fr = np.flatnonzero(best > 0)
    fused_err = np.hypot(*(fused.xy[fr] - truth_xy(fused.frame[fr], best[fr])).T)
    multi_rows = fr[fused.n_cams[fr] >= 2]
    multi_obs = fused.n_cams[row] >= 2
    out = {"single_median_m": float(np.median(single)) if len(single) else float("nan"),
           "fused_median_m": float(np.median(fused_err)) if len(fused_err) else float("nan")}
    if len(multi_rows):
        out["multi_single_median_m"] = float(np.median(single[multi_obs]))
        out["multi_fused_median_m"] = float(np.median(
            np.hypot(*(fused.xy[multi_rows] - truth_xy(fused.frame[multi_rows], best[multi_rows])).T)))
    return out
