"""py-motmetrics 1.4.0 as a reference, made to run on numpy 2 / pandas 3.

Why keep it: it is the community's CLEAR/ID implementation; tests pin our vectorised
metrics to it field by field and the benchmark times it. What breaks and what we do:

* ``np.asfarray`` (removed in numpy 2) is called by ``distances.iou_matrix``: we alias it to
  ``np.asarray(x, float64)`` only if it is missing, leaving numpy otherwise untouched.
* ``merge_event_dataframes`` / ``DataFrame.append`` / ``pd.util.testing`` paths are avoided:
  each sequence gets its own accumulator fed frame by frame, the overall summary comes from
  ``compute_many``'s partial merge, which only adds numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: every CLEAR/ID field our ``evaluate_mot`` shares with motmetrics
FIELDS = ["idf1", "idp", "idr", "recall", "precision", "num_unique_objects", "mostly_tracked",
          "partially_tracked", "mostly_lost", "num_false_positives", "num_misses",
          "num_switches", "num_fragmentations", "mota", "motp", "num_transfer", "num_ascend",
          "num_migrate", "num_frames", "num_matches", "num_detections", "num_objects",
          "num_predictions", "idtp", "idfp", "idfn"]


def _motmetrics():
    """Import motmetrics with the numpy-2 alias in place."""
    if not hasattr(np, "asfarray"):
        np.asfarray = lambda a, dtype=np.float64: np.asarray(a, dtype=dtype)  # type: ignore[attr-defined]
    import motmetrics

    return motmetrics


def accumulate(gt: Any, pred: Any, *, iou_threshold: float = 0.5, frames: int | None = None):
    """A filled ``motmetrics.MOTAccumulator`` for two ``MotTable``s (every row kept).

    Frames are the union of gt and pred frames, as in ``utils.compare_to_groundtruth``;
    ``frames`` limits the run to the first N of them (used to time a prefix).
    """
    mm = _motmetrics()
    acc = mm.MOTAccumulator(auto_id=False)
    gt_rows, pr_rows = gt.by_frame(), pred.by_frame()
    all_frames = sorted(set(gt_rows) | set(pr_rows))
    if frames is not None:
        all_frames = all_frames[:frames]
    empty = np.zeros(0, np.int64)
    max_d = 1.0 - iou_threshold
    for f in all_frames:
        gi, pi = gt_rows.get(f, empty), pr_rows.get(f, empty)
        dists = mm.distances.iou_matrix(gt.xywh[gi], pred.xywh[pi], max_iou=max_d)
        acc.update(gt.track_id[gi], pred.track_id[pi], dists, frameid=f)
    return acc


def reference_metrics(gt: Any, pred: Any, *, iou_threshold: float = 0.5,
                      frames: int | None = None) -> dict[str, float]:
    """motmetrics' summary of one sequence as a plain dict over :data:`FIELDS`."""
    mm = _motmetrics()
    acc = accumulate(gt, pred, iou_threshold=iou_threshold, frames=frames)
    res = mm.metrics.create().compute(acc, metrics=FIELDS, return_dataframe=False)
    return {k: _plain(v) for k, v in res.items()}


def reference_many(sequences: Mapping[str, tuple[Any, Any]], *,
                   iou_threshold: float = 0.5) -> dict[str, dict[str, float]]:
    """Per-sequence summaries plus ``"OVERALL"`` exactly as ``compute_many`` builds it."""
    mm = _motmetrics()
    names = list(sequences)
    accs = [accumulate(g, p, iou_threshold=iou_threshold) for g, p in sequences.values()]
    df = mm.metrics.create().compute_many(accs, metrics=FIELDS, names=names, generate_overall=True)
    return {str(name): {k: _plain(df.loc[name, k]) for k in FIELDS} for name in df.index}


def _plain(v: Any) -> float:
    return float(v.item() if hasattr(v, "item") else v)
