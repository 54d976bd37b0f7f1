"""Multi-object tracking metrics: CLEAR-MOT, identity (IDF1) and HOTA in one pass.

``evaluate_mot`` gives the numbers of py-motmetrics (CLEAR and ID fields, same names) and
of TrackEval (HOTA family) for one sequence; ``evaluate_many`` adds the micro-averaged
summary over several sequences. Both share the expensive part - every overlapping
(gt, pred) pair - between the three metric families. ``MotAccumulator`` is the
frame-by-frame variant for live plots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval import clear, hota
from sporttrack_gui.eval._pairs import positive_pairs
from sporttrack_gui.eval.accumulator import MotAccumulator
from sporttrack_gui.eval.prepare import DISTRACTOR_CLASSES, Sequence, prepare_sequence

__all__ = ["evaluate_mot", "evaluate_many", "MotAccumulator", "DISTRACTOR_CLASSES"]


def _check_threshold(iou_threshold: float) -> float:
    t = float(iou_threshold)
    if not 0.0 < t <= 1.0:
        raise InputError(f"IoU threshold must be in (0, 1], got {iou_threshold}")
    return t


def _counts(seq: Sequence, iou_threshold: float, with_hota: bool
            ) -> tuple[clear.MotCounts, hota.HotaCounts | None]:
    pairs = positive_pairs(seq.gt.frame, seq.gt.xyxy, seq.pred.frame, seq.pred.xyxy)
    # motmetrics' test: distance 1 - IoU must not exceed 1 - threshold (float64, as it does)
    valid = pairs.subset((1.0 - pairs.iou) <= (1.0 - iou_threshold))
    counts = clear.mot_counts(seq, valid)
    return counts, (hota.hota_counts(seq, pairs) if with_hota else None)


def _summary(counts: clear.MotCounts, hc: hota.HotaCounts | None, curves: bool) -> dict[str, Any]:
    out: dict[str, Any] = dict(clear.summarize(counts))
    out["motp_iou"] = 1.0 - out["motp"] if counts.num_detections else float("nan")
    if hc is not None:
        out.update(hota.summarize(hc, curves=curves))
    return out


def evaluate_mot(gt: Any, pred: Any, *, iou_threshold: float = 0.5,
                 classes: Iterable[int] | None = None, ignore: str = "mot",
                 distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                 with_hota: bool = True, curves: bool = False) -> dict[str, Any]:
    """CLEAR, ID and HOTA metrics of ``pred`` against ``gt`` (both ``MotTable``).

    Keys follow motmetrics (``mota``, ``motp`` as a distance, ``idf1``, ``num_switches``,
    ...) plus ``motp_iou`` and TrackEval's ``hota``, ``deta``, ``assa``, ``loca`` (means over
    alpha 0.05..0.95), ``hota_0``, ``hota_50``; ``curves=True`` adds per-alpha lists.
    ``ignore`` selects the ignore-region rule (see :mod:`sporttrack_gui.eval.prepare`).
    Raises :class:`InputError` for an id repeated within one frame or a non-finite box.
    """
    thr = _check_threshold(iou_threshold)
    seq = prepare_sequence(gt, pred, classes=classes, ignore=ignore,
                           distractor_classes=distractor_classes)
    counts, hc = _counts(seq, thr, with_hota)
    return _summary(counts, hc, curves)


def evaluate_many(sequences: Mapping[str, tuple[Any, Any]] | Iterable[tuple[str, Any, Any]], *,
                  iou_threshold: float = 0.5, classes: Iterable[int] | None = None,
                  ignore: str = "mot", distractor_classes: Iterable[int] = DISTRACTOR_CLASSES,
                  with_hota: bool = True, curves: bool = False) -> dict[str, dict[str, Any]]:
    """Per-sequence metrics plus ``"OVERALL"``: counts summed over sequences (micro average).

    The combination matches motmetrics' ``compute_many(generate_overall=True)`` for the
    CLEAR/ID fields and TrackEval's ``combine_sequences`` for HOTA.
    """
    thr = _check_threshold(iou_threshold)
    items = (list(sequences.items()) if isinstance(sequences, Mapping)
             else [(name, (g, p)) for name, g, p in sequences])
    out: dict[str, dict[str, Any]] = {}
    total = clear.MotCounts()
    parts: list[hota.HotaCounts] = []
    for name, (g, p) in items:
        if name == "OVERALL" or name in out:
            raise InputError(f"sequence name {name!r} is reserved or repeated")
        try:
            seq = prepare_sequence(g, p, classes=classes, ignore=ignore,
                                   distractor_classes=distractor_classes)
        except InputError as exc:
            raise InputError(f"sequence {name}: {exc}") from None
        counts, hc = _counts(seq, thr, with_hota)
        out[name] = _summary(counts, hc, curves)
        total = total + counts
        if hc is not None:
            parts.append(hc)
    out["OVERALL"] = _summary(total, hota.combine(parts) if with_hota else None, curves)
    return out
