"""Frame-by-frame MOT metrics for live plots while a tracker runs.

Each ``update`` does motmetrics' per-frame matching on one frame (~0.3-0.6 ms for 25
boxes, i.e. ~1 % of a 25 fps frame budget) and bumps running counters, so MOTA, precision/recall and the event
counts are free to read at any time. IDF1 needs a global assignment: the accumulator keeps
the (gt id, pred id) overlap counts in a dict and solves the small id-by-id matching only
when ``summary`` is called (~20 ms after 20,000 frames of a 25-player match). HOTA needs two passes over the whole sequence, so the positive
IoU pairs are kept (ids and IoU only, no boxes) and HOTA is computed on request.

The final numbers equal :func:`sporttrack_gui.eval.mot.evaluate_mot` with ``ignore="none"``
on the same rows (frames must arrive in increasing order; a frame with neither gt nor
prediction rows is not counted, as in motmetrics' ``compare_to_groundtruth``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval import clear, hota
from sporttrack_gui.eval._matching import max_weight
from sporttrack_gui.eval._pairs import Pairs, iou_block, xywh_to_xyxy64
from sporttrack_gui.eval.prepare import Rows, Sequence


def frame_rows(rows: Any, frame: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids int64, xyxy float64) from a ``MotTable`` slice, ``Tracks`` or ``(ids, xywh)``."""
    if isinstance(rows, tuple) and len(rows) == 2:
        ids = np.asarray(rows[0], np.int64).reshape(-1)
        box = xywh_to_xyxy64(rows[1])
    elif hasattr(rows, "xywh") and hasattr(rows, "frame"):
        ids = np.asarray(rows.track_id, np.int64).reshape(-1)
        box = xywh_to_xyxy64(rows.xywh)
    elif hasattr(rows, "xyxy") and hasattr(rows, "track_id"):
        ids = np.asarray(rows.track_id, np.int64).reshape(-1)
        box = np.asarray(rows.xyxy, np.float64).reshape(-1, 4)
    elif rows is None:
        return np.zeros(0, np.int64), np.zeros((0, 4))
    else:
        raise InputError(f"frame {frame}: {what} must be a MotTable, Tracks or (ids, xywh)")
    if len(ids) != len(box):
        raise InputError(f"frame {frame}: {what} has {len(ids)} ids but {len(box)} boxes")
    if not np.isfinite(box).all():
        raise InputError(f"frame {frame}: {what} has a non-finite box")
    uniq, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"{what}: id {uniq[counts > 1][0]} occurs more than once in frame {frame}")
    return ids, box


class _IdMap:
    """Original id -> dense index, with per-id arrays that grow as ids appear."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}

    def dense(self, ids: np.ndarray) -> np.ndarray:
        idx = self.index
        return np.fromiter((idx.setdefault(int(i), len(idx)) for i in ids), np.int64, len(ids))

    def __len__(self) -> int:
        return len(self.index)


def _grow(arr: np.ndarray, n: int, fill: int) -> np.ndarray:
    if n <= len(arr):
        return arr
    return np.concatenate([arr, np.full(max(n, 2 * len(arr)) - len(arr), fill, arr.dtype)])


class MotAccumulator:
    """Incremental CLEAR/ID (and on-demand HOTA) metrics: ``update`` per frame, ``summary`` any time."""

    def __init__(self, iou_threshold: float = 0.5, *, keep_pairs: bool = True) -> None:
        self.iou_threshold = float(iou_threshold)
        self.keep_pairs = keep_pairs
        self.reset()

    def reset(self) -> None:
        self._g, self._p = _IdMap(), _IdMap()
        self._last_frame: int | None = None
        self._c = clear.MotCounts()
        self._prev = np.full(16, -1, np.int64)  # m: object -> last partner
        self._appear = np.zeros(16, np.int64)
        self._tracked = np.zeros(16, np.int64)
        self._status = np.zeros(16, np.int8)  # 0 never seen matched, 1 tracked, 2 missed after
        self._pending = np.zeros(16, bool)
        self._res: dict[int, int] = {}  # res_m: prediction -> object of its last step-2 match
        self._hyp_seen: set[int] = set()
        self._tp: dict[tuple[int, int], int] = {}
        self._frames: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def update(self, frame: int, gt: Any, pred: Any) -> dict[str, int]:
        """Add one frame; returns its own counts (matches, switches, fp, misses)."""
        frame = int(frame)
        if self._last_frame is not None and frame <= self._last_frame:
            raise InputError(f"frame {frame} arrived after frame {self._last_frame}; "
                             "frames must be increasing")
        gids, gbox = frame_rows(gt, frame, "ground truth")
        pids, pbox = frame_rows(pred, frame, "prediction")
        if len(gids) == 0 and len(pids) == 0:
            return {"matches": 0, "switches": 0, "false_positives": 0, "misses": 0}
        self._last_frame = frame
        g, p = self._g.dense(gids), self._p.dense(pids)
        n = len(self._g)
        self._prev, self._appear = _grow(self._prev, n, -1), _grow(self._appear, n, 0)
        self._tracked, self._status = _grow(self._tracked, n, 0), _grow(self._status, n, 0)
        self._pending = _grow(self._pending, n, False)
        iou = iou_block(gbox[:, None, :], pbox[None, :, :]) if len(g) and len(p) \
            else np.zeros((len(g), len(p)))
        gi, pj = np.nonzero(iou > 0)
        if self.keep_pairs:
            self._frames.append((frame, g, p, gi, pj, iou[gi, pj]))
        ok = (1.0 - iou[gi, pj]) <= (1.0 - self.iou_threshold)
        vi, vj = gi[ok], pj[ok]
        d = 1.0 - iou[vi, vj]
        for key in zip(g[vi].tolist(), p[vj].tolist(), strict=True):
            self._tp[key] = self._tp.get(key, 0) + 1
        sel, kept = clear.frame_step(len(g), len(p), vi, vj, d, self._prev[g[vi]], p[vj])
        mo, mh = g[vi][sel], p[vj][sel]
        sw = self._events(mo, mh, kept)
        matched = np.zeros(len(g), bool)
        matched[vi[sel]] = True
        self._track_state(g, matched)
        c = self._c
        c.num_frames += 1
        c.num_objects += len(g)
        c.num_predictions += len(p)
        c.num_detections += len(sel)
        c.dist_sum += float(d[sel].sum())
        return {"matches": len(sel), "switches": sw, "false_positives": len(p) - len(sel),
                "misses": len(g) - len(sel)}

    def _events(self, mo: np.ndarray, mh: np.ndarray, kept: np.ndarray) -> int:
        """SWITCH/TRANSFER/ASCEND/MIGRATE bookkeeping, as motmetrics does it."""
        c = self._c
        had = self._prev[mo] >= 0
        first_o = self._status[mo] == 0
        switches = 0
        for o, h, k, had_o, new_o in zip(mo.tolist(), mh.tolist(), kept.tolist(),
                                         had.tolist(), first_o.tolist(), strict=True):
            if not k:
                switch = had_o
                switches += switch
                if switch and h not in self._hyp_seen:
                    c.num_ascend += 1
                last = self._res.get(h)
                if last is not None and last != o:
                    c.num_transfer += 1
                    c.num_migrate += new_o
                self._res[h] = o
            self._hyp_seen.add(h)
        self._prev[mo] = mh
        c.num_switches += switches
        return switches

    def _track_state(self, g: np.ndarray, matched: np.ndarray) -> None:
        """Appearance/tracked counts and fragmentation (tracked -> missed -> tracked)."""
        self._appear[g] += 1
        self._tracked[g[matched]] += 1
        hit, miss = g[matched], g[~matched]
        self._c.num_fragmentations += int(self._pending[hit].sum())
        self._pending[hit] = False
        self._status[hit] = 1
        was_tracked = miss[self._status[miss] == 1]
        self._pending[was_tracked] = True
        self._status[was_tracked] = 2

    def counts(self) -> clear.MotCounts:
        """Current additive counts (IDTP solved now)."""
        n = len(self._g)
        ratio = self._tracked[:n] / np.maximum(self._appear[:n], 1)
        c = clear.MotCounts(**vars(self._c))
        c.num_unique_objects = n
        c.mostly_tracked = int((ratio >= 0.8).sum())
        c.partially_tracked = int(((ratio >= 0.2) & (ratio < 0.8)).sum())
        c.mostly_lost = int((ratio < 0.2).sum())
        if self._tp:
            keys = np.array(list(self._tp.keys()), np.int64)
            w = np.array(list(self._tp.values()), np.float64)
            c.idtp = int(w[max_weight(keys[:, 0], keys[:, 1], w)].sum())
        return c

    def summary(self, *, with_hota: bool = False, curves: bool = False) -> dict[str, Any]:
        """Metrics so far, same keys as ``evaluate_mot``; HOTA only when asked (O(rows))."""
        c = self.counts()
        out: dict[str, Any] = {"rules": "motmetrics", **clear.summarize(c)}
        out["motp_iou"] = 1.0 - out["motp"] if c.num_detections else float("nan")
        if with_hota:
            if not self.keep_pairs:
                raise InputError("HOTA needs MotAccumulator(keep_pairs=True)")
            out.update(hota.summarize(self._hota_counts(), curves=curves))
        return out

    def _hota_counts(self) -> hota.HotaCounts:
        fr = self._frames
        if not fr:
            return hota.hota_counts(_empty_sequence(), _no_pairs())
        g_len = np.array([len(f[1]) for f in fr])
        p_len = np.array([len(f[2]) for f in fr])
        g_off = np.concatenate([[0], np.cumsum(g_len)[:-1]])
        p_off = np.concatenate([[0], np.cumsum(p_len)[:-1]])
        gt = Rows(np.repeat([f[0] for f in fr], g_len), np.zeros(0), np.concatenate([f[1] for f in fr]),
                  np.zeros((0, 4)), len(self._g))
        pr = Rows(np.repeat([f[0] for f in fr], p_len), np.zeros(0), np.concatenate([f[2] for f in fr]),
                  np.zeros((0, 4)), len(self._p))
        pairs = Pairs(np.concatenate([f[3] + o for f, o in zip(fr, g_off, strict=True)]),
                      np.concatenate([f[4] + o for f, o in zip(fr, p_off, strict=True)]),
                      np.concatenate([f[5] for f in fr]))
        return hota.hota_counts(Sequence(gt, pr, len(fr)), pairs)


def _empty_sequence() -> Sequence:
    z = np.zeros(0, np.int64)
    rows = Rows(z, z, z, np.zeros((0, 4)), 0)
    return Sequence(rows, rows, 0)


def _no_pairs() -> Pairs:
    z = np.zeros(0, np.int64)
    return Pairs(z, z, np.zeros(0))
