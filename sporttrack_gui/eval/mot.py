"""Multi-object tracking metrics: CLEAR-MOT, identity (IDF1) and HOTA in one pass.

``evaluate_mot`` scores one sequence; ``evaluate_many`` adds the combined summary over
several sequences. Two rule sets, named in every result (``"rules"``):

* ``"trackeval"`` (default): TrackEval's CLEAR/Identity/HOTA, what SportsMOT,
  SoccerNet-Tracking and MOTChallenge rank with (see :mod:`.clear_trackeval`);
* ``"motmetrics"``: py-motmetrics' CLEAR/ID (some papers report these), HOTA as TrackEval.

Key names are shared (motmetrics' ``mota``, ``motp`` as a distance, ``idf1``,
``num_switches`` ...). Both share the expensive part - every overlapping (gt, pred) pair -
between the three metric families. ``MotAccumulator`` is the frame-by-frame variant for
live plots (motmetrics' rules: it cannot see the future, TrackEval's rules do not need to,
but its matching is kept identical to the batch motmetrics path it is tested against).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval import clear, clear_trackeval, hota
from sporttrack_gui.eval._pairs import positive_pairs
from sporttrack_gui.eval.accumulator import MotAccumulator
from sporttrack_gui.eval.prepare import DISTRACTOR_CLASSES, PREPROCS, Sequence, prepare_sequence

__all__ = ["evaluate_mot", "evaluate_many", "MotAccumulator", "DISTRACTOR_CLASSES", "RULES",
           "PREPROCS"]

#: CLEAR/ID rule sets; the first is the default
RULES = ("trackeval", "motmetrics")


def check_rules(rules: str) -> str:
    if rules not in RULES:
        raise InputError(f"unknown metric rules {rules!r}; use one of {', '.join(RULES)}")
    return rules


def _filters(ignore: str | None, preproc: str | None) -> tuple[str, str | None]:
    """(ignore mode, preproc) from what the caller gave: no choice = TrackEval without
    preprocessing (flag-0 gt rows dropped), the sports leaderboards' setting."""
    if ignore is not None and preproc is not None:
        raise InputError("give either an ignore mode or a TrackEval preprocessing, not both")
    if ignore is None:
        return "mot", preproc or "none"
    return ignore, None


def _check_threshold(iou_threshold: float) -> float:
    t = float(iou_threshold)
    if not 0.0 < t <= 1.0:
        raise InputError(f"IoU threshold must be in (0, 1], got {iou_threshold}")
    return t


def _num_timesteps(seq: Sequence, num_frames: int | None) -> int:
    """Sequence length (TrackEval's timesteps); rows past it are an error, as in TrackEval."""
    if num_frames is None:
        return seq.last_frame
    n = int(num_frames)
    if seq.last_frame > n:
        raise InputError(f"rows in frame {seq.last_frame}, past the sequence length {n}")
    return n


def _counts(seq: Sequence, iou_threshold: float, with_hota: bool, rules: str,
            num_frames: int | None = None) -> tuple[clear.MotCounts, hota.HotaCounts | None]:
    pairs = positive_pairs(seq.gt.frame, seq.gt.xyxy, seq.pred.frame, seq.pred.xyxy)
    if rules == "trackeval":
        counts = clear_trackeval.clear_counts(seq, pairs, iou_threshold,
                                              _num_timesteps(seq, num_frames))
    else:
        # motmetrics' test: distance 1 - IoU must not exceed 1 - threshold (float64, as it does)
        valid = pairs.subset((1.0 - pairs.iou) <= (1.0 - iou_threshold))
        counts = clear.mot_counts(seq, valid)
    return counts, (hota.hota_counts(seq, pairs) if with_hota else None)


def summarize_counts(counts: clear.MotCounts, hc: hota.HotaCounts | None, curves: bool, rules: str,
             *, sequence: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"rules": rules}
    if rules == "trackeval":
        out.update(clear_trackeval.summarize(counts, sequence=sequence))
    else:
        out.update(clear.summarize(counts))
        out["motp_iou"] = 1.0 - out["motp"] if counts.num_detections else float("nan")
    if hc is not None:
        out.update(hota.summarize(hc, curves=curves))
    return out


def evaluate_counts(gt: Any, pred: Any, *, iou_threshold: float = 0.5, rules: str = "trackeval",
                    classes: Iterable[int] | None = None, ignore: str | None = None,
                    preproc: str | None = None, num_frames: int | None = None,
                    distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                    with_hota: bool = True) -> tuple[clear.MotCounts, hota.HotaCounts | None]:
    """The additive counts behind :func:`evaluate_mot` (what whole splits sum up)."""
    thr = _check_threshold(iou_threshold)
    check_rules(rules)
    mode, pre = _filters(ignore, preproc)
    seq = prepare_sequence(gt, pred, classes=classes, ignore=mode, preproc=pre,
                           distractor_classes=distractor_classes)
    return _counts(seq, thr, with_hota, rules, num_frames)


def evaluate_mot(gt: Any, pred: Any, *, iou_threshold: float = 0.5, rules: str = "trackeval",
                 classes: Iterable[int] | None = None, ignore: str | None = None,
                 preproc: str | None = None, num_frames: int | None = None,
                 distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                 with_hota: bool = True, curves: bool = False) -> dict[str, Any]:
    """CLEAR, ID and HOTA metrics of ``pred`` against ``gt`` (both ``MotTable``).

    Keys follow motmetrics (``mota``, ``motp`` as a distance, ``idf1``, ``num_switches``,
    ...) plus ``rules``, ``motp_iou`` and TrackEval's ``hota``, ``deta``, ``assa``, ``loca``
    (means over alpha 0.05..0.95), ``hota_0``, ``hota_50``; ``curves=True`` adds per-alpha
    lists; TrackEval's rules add ``moda``, ``smota``, ``motal``, ``clr_f1``, ``mtr``/``ptr``/
    ``mlr`` and ``fp_per_frame``. Filtering: ``preproc`` (TrackEval's MOTChallenge
    preprocessing, :data:`PREPROCS`) or ``ignore`` (see :mod:`sporttrack_gui.eval.prepare`);
    neither = TrackEval with preprocessing off. ``num_frames`` is the sequence length
    (default: the last frame with a row). Raises :class:`InputError` for an id repeated
    within one frame or a non-finite box.
    """
    counts, hc = evaluate_counts(gt, pred, iou_threshold=iou_threshold, rules=rules,
                                 classes=classes, ignore=ignore, preproc=preproc,
                                 num_frames=num_frames, distractor_classes=distractor_classes,
                                 with_hota=with_hota)
    return summarize_counts(counts, hc, curves, rules, sequence=True)


def evaluate_many(sequences: Mapping[str, tuple[Any, Any]] | Iterable[tuple[str, Any, Any]], *,
                  iou_threshold: float = 0.5, rules: str = "trackeval",
                  classes: Iterable[int] | None = None, ignore: str | None = None,
                  preproc: str | None = None,
                  distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                  with_hota: bool = True, curves: bool = False) -> dict[str, dict[str, Any]]:
    """Per-sequence metrics plus ``"OVERALL"``: counts summed over sequences (micro average).

    The combination matches TrackEval's ``combine_sequences`` (or, with motmetrics' rules,
    motmetrics' ``compute_many(generate_overall=True)``) for the CLEAR/ID fields and
    TrackEval's for HOTA. Whole benchmark folders: :func:`sporttrack_gui.eval.split.evaluate_split`.
    """
    thr = _check_threshold(iou_threshold)
    check_rules(rules)
    mode, pre = _filters(ignore, preproc)
    items = (list(sequences.items()) if isinstance(sequences, Mapping)
             else [(name, (g, p)) for name, g, p in sequences])
    out: dict[str, dict[str, Any]] = {}
    total = clear.MotCounts()
    parts: list[hota.HotaCounts] = []
    for name, (g, p) in items:
        if name == "OVERALL" or name in out:
            raise InputError(f"sequence name {name!r} is reserved or repeated")
        try:
            seq = prepare_sequence(g, p, classes=classes, ignore=mode, preproc=pre,
                                   distractor_classes=distractor_classes)
        except InputError as exc:
            raise InputError(f"sequence {name}: {exc}") from None
        counts, hc = _counts(seq, thr, with_hota, rules)
        out[name] = summarize_counts(counts, hc, curves, rules, sequence=True)
        total = total + counts
        if hc is not None:
            parts.append(hc)
    out["OVERALL"] = summarize_counts(total, hota.combine(parts) if with_hota else None, curves, rules)
    return out
