"""Turn a (gt, pred) pair of MOT tables into the clean, frame-sorted arrays the metrics use.

Here live the decisions a user may disagree with, so they are in one place: validation
(duplicate ids in a frame, non-finite boxes), the class filter, and ignore regions.

Ignore regions (``ignore=``):

* ``"mot"`` (default) - the MOTChallenge devkit rule as implemented by TrackEval and by
  motmetrics' ``CLEAR_MOT_M``: predictions matched (per frame, maximum total IoU, IoU >= 0.5)
  to a gt box of a *distractor class* (2 person on vehicle, 7 static person, 8 distractor,
  12 reflection) are removed; then gt rows with consider-flag 0, distractor rows, and rows of
  classes outside ``classes`` are dropped (predictions on them stay and count as false
  positives, as on the benchmark server).
* ``"regions"`` - stricter "don't care" reading: every gt row with flag 0 or a distractor
  class is an ignore region; predictions matched to any of them are removed too.
* ``"zero"`` - only gt rows whose consider flag is 0 are dropped: what TrackEval does with
  its preprocessing off (``DO_PREPROC=False``), the leaderboard setting for sports gt.
* ``"none"`` - every row is evaluated (what the py-motmetrics reference numbers use).

``preproc=`` instead reproduces TrackEval's ``MotChallenge2DBox`` preprocessing exactly:
``"mot16"``/``"mot17"`` (and ``"mot20"``, which adds class 6 to the distractors) remove
predictions matched to a distractor, keep only pedestrian (class 1) gt rows whose flag is
non-zero, and refuse prediction classes above 1 and unknown gt classes as TrackEval does;
``"mot15"`` and ``"none"`` only drop flag-0 gt rows. Flags and classes are truncated to
integers first, as TrackEval reads them.

A gt table without flags/classes (flag 1, class -1, as in MOT15 or SoccerNet) is unaffected
by any mode. Prediction rows with class < 0 (unknown) survive the class filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval._matching import max_weight_full_frames
from sporttrack_gui.eval._pairs import positive_pairs, xywh_to_xyxy64

DISTRACTOR_CLASSES: tuple[int, ...] = (2, 7, 8, 12)
IGNORE_MODES = ("mot", "regions", "zero", "none")
#: TrackEval MotChallenge2DBox preprocessing variants (``None`` = ``"none"``)
PREPROCS = ("none", "mot15", "mot16", "mot17", "mot20")
_MOT_CLASSES = np.arange(1, 14)  # pedestrian .. crowd, TrackEval's valid_class_numbers
#: the devkit matches predictions to distractors at this IoU whatever the evaluation threshold
_IGNORE_IOU = 0.5


@dataclass
class Rows:
    """One side (gt or pred) as plain columns, sorted by frame; ``dense`` ids are 0..n_ids-1."""

    frame: np.ndarray  # int64
    track_id: np.ndarray  # int64, original ids
    dense: np.ndarray  # int64
    xyxy: np.ndarray  # float64 (N, 4)
    n_ids: int

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class Sequence:
    """Both sides of one sequence, ready for matching."""

    gt: Rows
    pred: Rows
    num_frames: int
    last_frame: int = 0  # last frame with any row before filtering (default sequence length)


def columns(table: Any, what: str) -> dict[str, np.ndarray]:
    """Columns of a ``MotTable`` (or anything with the same attributes) as numpy arrays."""
    try:
        n = len(table.frame)
        cols = {
            "frame": np.asarray(table.frame, np.int64).reshape(-1),
            "track_id": np.asarray(table.track_id, np.int64).reshape(-1),
            "xywh": np.asarray(table.xywh, np.float64).reshape(-1, 4),
        }
    except (AttributeError, TypeError, ValueError) as exc:
        raise InputError(f"{what}: expected a MOT table with frame, track_id and xywh ({exc})") from None
    for name, default in (("conf", 1.0), ("cls", -1)):
        val = getattr(table, name, None)
        cols[name] = (np.full(n, default) if val is None else np.asarray(val).reshape(-1))
    if any(len(v) != n for v in cols.values()):
        raise InputError(f"{what}: columns have different lengths")
    return cols


def check_rows(cols: dict[str, np.ndarray], what: str) -> None:
    """Refuse non-finite boxes and an id occurring twice in one frame, naming the first case."""
    bad = ~np.isfinite(cols["xywh"]).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{what}: non-finite box for id {cols['track_id'][i]} "
                         f"in frame {cols['frame'][i]} ({int(bad.sum())} such rows)")
    if len(cols["frame"]) < 2:
        return
    f, t = cols["frame"], cols["track_id"]
    span = int(t.max()) - int(t.min()) + 1
    if (int(f.max()) - int(f.min()) + 1) * span < (1 << 62):
        key = (f - f.min()) * span + (t - t.min())  # one int64 sort instead of a lexsort
        order = np.argsort(key)
        dup = np.flatnonzero(key[order][1:] == key[order][:-1])
    else:
        order = np.lexsort((t, f))
        dup = np.flatnonzero((f[order][1:] == f[order][:-1]) & (t[order][1:] == t[order][:-1]))
    if len(dup):
        i = order[dup[0]]
        raise InputError(f"{what}: id {cols['track_id'][i]} occurs more than once in frame "
                         f"{cols['frame'][i]} ({len(dup)} duplicate rows in total)")


def _select(cols: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in cols.items()}


def to_rows(cols: dict[str, np.ndarray]) -> Rows:
    f = cols["frame"]
    order = (np.arange(len(f)) if len(f) < 2 or bool((f[1:] >= f[:-1]).all())
             else np.argsort(f, kind="stable"))
    tid = cols["track_id"][order]
    uniq, dense = np.unique(tid, return_inverse=True)
    return Rows(cols["frame"][order], tid, dense.astype(np.int64),
                xywh_to_xyxy64(cols["xywh"][order]), len(uniq))


def _frame_sorted(frame: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Indices of the rows lying in ``frames``, ordered by frame (stable)."""
    idx = np.flatnonzero(np.isin(frame, frames))
    return idx[np.argsort(frame[idx], kind="stable")]


def _matched_to(gt_cols: dict[str, np.ndarray], pred_cols: dict[str, np.ndarray],
                target: np.ndarray) -> np.ndarray:
    """Mask of predictions matched (max total IoU >= 0.5, per frame) to a ``target`` gt row.

    Matching runs against *all* gt rows of the frame, so a prediction on a real person
    standing next to a distractor stays.
    """
    frames = np.unique(gt_cols["frame"][target])
    gi = _frame_sorted(gt_cols["frame"], frames)
    pi = _frame_sorted(pred_cols["frame"], frames)
    pairs = positive_pairs(gt_cols["frame"][gi], xywh_to_xyxy64(gt_cols["xywh"][gi]),
                           pred_cols["frame"][pi], xywh_to_xyxy64(pred_cols["xywh"][pi]))
    w = np.where(pairs.iou >= _IGNORE_IOU - np.finfo(float).eps, pairs.iou, 0.0)
    matched = max_weight_full_frames(pairs.gt_row, pairs.pred_row, w,
                                     gt_cols["frame"][gi], pred_cols["frame"][pi])
    hit = matched & target[gi][pairs.gt_row]
    remove = np.zeros(len(pred_cols["frame"]), bool)
    remove[pi[pairs.pred_row[hit]]] = True
    return remove


def _trackeval_preproc(g: dict[str, np.ndarray], p: dict[str, np.ndarray], preproc: str
                       ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """TrackEval's ``MotChallenge2DBox.get_preprocessed_seq_data`` on whole columns."""
    flag = np.trunc(g["conf"]) != 0
    if preproc in ("none", "mot15"):
        return _select(g, flag), p
    g_cls = np.trunc(g["cls"]).astype(np.int64)
    bad = np.flatnonzero(~np.isin(g_cls, _MOT_CLASSES))
    if len(bad):
        raise InputError(f"ground truth: class {g_cls[bad[0]]} in frame {g['frame'][bad[0]]} is "
                         f"not a MOTChallenge class (1-13); --preproc {preproc} needs MOT17-style "
                         "gt (use no preprocessing for sports gt)")
    p_cls = np.trunc(p["cls"]).astype(np.int64)
    bad = np.flatnonzero(p_cls > 1)
    if len(bad):
        raise InputError(f"prediction: class {p_cls[bad[0]]} in frame {p['frame'][bad[0]]}; "
                         f"--preproc {preproc} evaluates pedestrians (class 1) only")
    distract = list(DISTRACTOR_CLASSES) + ([6] if preproc == "mot20" else [])
    target = np.isin(g_cls, distract)
    if target.any() and len(p["frame"]):
        p = _select(p, ~_matched_to(g, p, target))
    return _select(g, flag & (g_cls == 1)), p


def prepare_sequence(gt: Any, pred: Any, *, classes: Iterable[int] | None = None,
                     ignore: str = "mot",
                     distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                     preproc: str | None = None) -> Sequence:
    """Validate, filter and sort one (gt, pred) pair; raises :class:`InputError` on bad rows.

    ``preproc`` (one of :data:`PREPROCS`) replaces ``ignore``/``distractor_classes`` by
    TrackEval's preprocessing; ``classes`` still filters afterwards.
    """
    if ignore not in IGNORE_MODES:
        raise InputError(f"unknown ignore mode {ignore!r}; use one of {', '.join(IGNORE_MODES)}")
    if preproc is not None and preproc not in PREPROCS:
        raise InputError(f"unknown preprocessing {preproc!r}; use one of {', '.join(PREPROCS)}")
    g = columns(gt, "ground truth")
    p = columns(pred, "prediction")
    check_rows(g, "ground truth")
    check_rows(p, "prediction")
    last = int(max(g["frame"].max(initial=0), p["frame"].max(initial=0)))
    keep_cls = None if classes is None else np.asarray(sorted(set(classes)), np.int64)
    if preproc is not None:
        g, p = _trackeval_preproc(g, p, preproc)
    elif ignore == "zero":
        g = _select(g, np.trunc(g["conf"]) != 0)
    elif ignore != "none":
        distract = np.isin(g["cls"], np.asarray(list(distractor_classes), np.int64))
        zero_flag = g["conf"] == 0
        target = distract if ignore == "mot" else (distract | zero_flag)
        if target.any() and len(p["frame"]):
            p = _select(p, ~_matched_to(g, p, target))
        drop = distract | zero_flag
        g = _select(g, ~drop)
    if keep_cls is not None:
        g = _select(g, np.isin(g["cls"], keep_cls))
        p = _select(p, (p["cls"] < 0) | np.isin(p["cls"], keep_cls))
    frames = np.union1d(g["frame"], p["frame"])
    return Sequence(to_rows(g), to_rows(p), len(frames), last)
