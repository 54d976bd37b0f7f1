"""The ID-switch event log by TrackEval's rules, and how well a list of suspects covers it.

Why a log and not only the count: the assistant is judged by whether it points at the
places where identities really changed. A switch (TrackEval ``CLEAR``) is a CLEAR match
whose gt id was last matched, any number of frames before, to a different prediction id;
the log keeps each one as (frame, gt id, prediction id before, prediction id after).

A suspect *finds* a switch when it lies within ``window`` frames of it and names one of
the two prediction ids involved; a suspect is *real* when it finds at least one switch.
Both tests are sorted searches, so a match-length log and list cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sporttrack_gui.eval._pairs import positive_pairs
from sporttrack_gui.eval.clear_trackeval import clear_matched
from sporttrack_gui.eval.prepare import prepare_sequence


@dataclass
class SwitchEvents:
    """One row per ID switch, sorted by frame."""

    frame: np.ndarray   # int64, frame of the first match with the new prediction id
    gt_id: np.ndarray   # int64, original gt ids
    before: np.ndarray  # int64, prediction id the gt id was matched to before
    after: np.ndarray   # int64, prediction id it is matched to from ``frame``

    def __len__(self) -> int:
        return len(self.frame)

    def to_dicts(self) -> list[dict[str, int]]:
        return [{"frame": int(f), "gt_id": int(g), "before": int(b), "after": int(a)}
                for f, g, b, a in zip(self.frame, self.gt_id, self.before, self.after,
                                      strict=True)]


def switch_events(gt: Any, pred: Any, iou_threshold: float = 0.5) -> SwitchEvents:
    """TrackEval-rule ID switches of ``pred`` against ``gt`` (``MotTable`` or mapping of
    columns); flag-0 gt rows dropped, no other preprocessing (the sports setting)."""
    seq = prepare_sequence(gt, pred, ignore="mot")
    z = np.zeros(0, np.int64)
    if len(seq.gt) == 0 or len(seq.pred) == 0:
        return SwitchEvents(z, z, z, z)
    pairs = positive_pairs(seq.gt.frame, seq.gt.xyxy, seq.pred.frame, seq.pred.xyxy)
    m = clear_matched(seq, pairs, iou_threshold)
    g, p = pairs.gt_row[m], pairs.pred_row[m]
    fr = seq.gt.frame[g]
    order = np.lexsort((fr, seq.gt.dense[g]))
    g, p, fr = g[order], p[order], fr[order]
    gid, pid = seq.gt.dense[g], seq.pred.track_id[p]
    sw = np.flatnonzero((gid[1:] == gid[:-1]) & (pid[1:] != pid[:-1])) + 1
    out = SwitchEvents(fr[sw].astype(np.int64), seq.gt.track_id[g[sw]].astype(np.int64),
                       pid[sw - 1].astype(np.int64), pid[sw].astype(np.int64))
    by_frame = np.argsort(out.frame, kind="stable")
    return SwitchEvents(*(x[by_frame] for x in (out.frame, out.gt_id, out.before, out.after)))


def _near(keys_track: np.ndarray, keys_frame: np.ndarray, q_track: np.ndarray,
          q_frame: np.ndarray, window: int) -> np.ndarray:
    """For each query (track, frame): is some key of the same track within ``window`` frames."""
    if not len(keys_track) or not len(q_track):
        return np.zeros(len(q_track), bool)
    span = int(max(keys_frame.max(), q_frame.max())) + 2 * window + 2
    key = np.sort(keys_track * span + keys_frame + window)
    base = q_track * span + q_frame + window
    lo = np.searchsorted(key, base - window, side="left")
    hi = np.searchsorted(key, base + window, side="right")
    return hi > lo


def _suspect_rows(suspects: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(suspect index, track, frame) with one row per track a suspect names."""
    idx = [i for i, s in enumerate(suspects) for _ in s.tracks]
    tr = [int(t) for s in suspects for t in s.tracks]
    fr = [int(s.frame) for s in suspects for _ in s.tracks]
    return (np.asarray(idx, np.int64), np.asarray(tr, np.int64), np.asarray(fr, np.int64))


def suspect_coverage(suspects: Sequence[Any], events: SwitchEvents,
                     window: int = 15) -> dict[str, Any]:
    """Recall of the switches and the share of suspects that are real.

    ``suspects``: objects with ``frame``, ``tracks`` and ``kind`` (``assist.Suspect``).
    Returns ``switches``, ``found``, ``recall``, ``suspects``, ``real``, ``real_share``
    and ``by_kind`` ({kind: [suspects, real]}); ``found`` per event in ``found_mask``.
    """
    si, st, sf = _suspect_rows(suspects)
    ev_t = np.concatenate([events.before, events.after])
    ev_f = np.concatenate([events.frame, events.frame])
    n_ev = len(events)
    hit2 = _near(st, sf, ev_t, ev_f, window)
    found = hit2[:n_ev] | hit2[n_ev:] if n_ev else np.zeros(0, bool)
    real_rows = _near(ev_t, ev_f, st, sf, window)
    real = np.zeros(len(suspects), bool)
    if len(si):
        np.logical_or.at(real, si, real_rows)
    by_kind: dict[str, list[int]] = {}
    for s, r in zip(suspects, real.tolist(), strict=True):
        k = by_kind.setdefault(s.kind, [0, 0])
        k[0] += 1
        k[1] += int(r)
    return {
        "switches": n_ev, "found": int(found.sum()),
        "recall": float(found.mean()) if n_ev else 1.0,
        "suspects": len(suspects), "real": int(real.sum()),
        "real_share": float(real.mean()) if len(suspects) else 1.0,
        "by_kind": by_kind, "found_mask": found, "real_mask": real,
    }
