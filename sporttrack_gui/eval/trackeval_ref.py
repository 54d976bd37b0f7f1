"""TrackEval 1.3.0 as a reference (test-only dependency), driven on a MOTChallenge folder.

Why keep it: it is the leaderboards' scorer; tests pin our TrackEval-rule metrics to it
field by field and the benchmark times it on the same files. We call its own dataset
class (``MotChallenge2DBox``: file reading, similarity, preprocessing) and its metric
classes sequence by sequence, then its ``combine_sequences`` - the path its ``Evaluator``
takes, without the printing, plotting and output files.

Layout: ``<gt_dir>/<seq>/gt/gt.txt`` and ``<pred_dir>/<seq>.txt`` (what
:func:`sporttrack_gui.eval.split.evaluate_split` reads too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

#: TrackEval field -> our key (CLEAR, Identity; HOTA arrays are averaged over alpha)
CLEAR_FIELDS = {
    "MOTA": "mota", "MODA": "moda", "sMOTA": "smota", "MOTAL": "motal", "CLR_F1": "clr_f1",
    "CLR_Re": "recall", "CLR_Pr": "precision", "MTR": "mtr", "PTR": "ptr", "MLR": "mlr",
    "FP_per_frame": "fp_per_frame", "MOTP": "motp_iou", "CLR_TP": "num_detections",
    "CLR_FN": "num_misses", "CLR_FP": "num_false_positives", "IDSW": "num_switches",
    "MT": "mostly_tracked", "PT": "partially_tracked", "ML": "mostly_lost",
    "Frag": "num_fragmentations", "CLR_Frames": "num_frames",
}
ID_FIELDS = {"IDF1": "idf1", "IDR": "idr", "IDP": "idp", "IDTP": "idtp", "IDFN": "idfn",
             "IDFP": "idfp"}
HOTA_FIELDS = {"HOTA": "hota", "DetA": "deta", "AssA": "assa", "LocA": "loca", "DetRe": "detre",
               "DetPr": "detpr", "AssRe": "assre", "AssPr": "asspr", "OWTA": "owta"}
#: every key the reference yields (what tests compare)
FIELDS = [*CLEAR_FIELDS.values(), *ID_FIELDS.values(), *HOTA_FIELDS.values(),
          "hota_0", "loca_0", "hota_50"]


def _trackeval():
    """Import trackeval; numpy-2 aliases only if its code still needs them (1.3.0 does not)."""
    for name, typ in (("float", float), ("int", int), ("bool", bool)):
        if name not in np.__dict__:
            setattr(np, name, typ)
    import trackeval

    return trackeval


def _plain(v: Any) -> float:
    return float(v.item() if hasattr(v, "item") else v)


def _convert(clear: dict, ident: dict, hota: dict) -> dict[str, float]:
    out = {ours: _plain(clear[k]) for k, ours in CLEAR_FIELDS.items()}
    out.update({ours: _plain(ident[k]) for k, ours in ID_FIELDS.items()})
    out.update({ours: float(np.mean(hota[k])) for k, ours in HOTA_FIELDS.items()})
    out["hota_0"] = _plain(hota["HOTA(0)"])
    out["loca_0"] = _plain(hota["LocA(0)"])
    out["hota_50"] = float(hota["HOTA"][9])
    return out


def _setup(gt_dir: str | Path, pred_dir: Path, seq_lengths: dict[str, int],
           preproc: str | None, threshold: float):
    te = _trackeval()
    bench = preproc.upper() if preproc not in (None, "none") else "MOT17"
    cfg = {
        "GT_FOLDER": str(gt_dir), "TRACKERS_FOLDER": str(pred_dir.parent),
        "TRACKERS_TO_EVAL": [pred_dir.name], "TRACKER_SUB_FOLDER": "", "SKIP_SPLIT_FOL": True,
        "SEQ_INFO": dict(seq_lengths), "BENCHMARK": bench, "PRINT_CONFIG": False,
        "DO_PREPROC": preproc not in (None, "none"),
    }
    ds = te.datasets.MotChallenge2DBox(cfg)
    metric_cfg = {"THRESHOLD": threshold, "PRINT_CONFIG": False}
    return ds, [te.metrics.CLEAR(metric_cfg), te.metrics.Identity(metric_cfg), te.metrics.HOTA()]


def reference_split(gt_dir: str | Path, pred_dir: str | Path, seq_lengths: dict[str, int], *,
                    preproc: str | None = None, threshold: float = 0.5,
                    timings: dict[str, float] | None = None) -> dict[str, dict[str, float]]:
    """TrackEval's per-sequence results plus ``"OVERALL"`` (its COMBINED_SEQ).

    ``preproc``: None/"none" (``DO_PREPROC=False``), or "mot15"/"mot16"/"mot17"/"mot20"
    (that benchmark, ``DO_PREPROC=True``). ``timings``, when given, receives the seconds
    CPU seconds spent per stage (load = reading + similarity, preproc, CLEAR,
    Identity, HOTA).
    """
    import time

    pred_dir = Path(pred_dir)
    ds, metrics = _setup(gt_dir, pred_dir, seq_lengths, preproc, threshold)
    clock = timings if timings is not None else {}
    stages = ["load", "preproc", "CLEAR", "Identity", "HOTA"]
    for k in stages:
        clock.setdefault(k, 0.0)
    per_seq: list[dict[str, dict]] = [{}, {}, {}]
    out: dict[str, dict[str, float]] = {}
    for seq in seq_lengths:
        t0 = time.process_time()
        raw = ds.get_raw_seq_data(pred_dir.name, seq)
        t1 = time.process_time()
        data = ds.get_preprocessed_seq_data(raw, "pedestrian")
        clock["load"] += t1 - t0
        clock["preproc"] += time.process_time() - t1
        res = []
        for name, m in zip(stages[2:], metrics, strict=True):
            t0 = time.process_time()
            res.append(m.eval_sequence(data))
            clock[name] += time.process_time() - t0
        for store, r in zip(per_seq, res, strict=True):
            store[seq] = r
        out[seq] = _convert(*res)
    out["OVERALL"] = _convert(*(m.combine_sequences(s) for m, s in zip(metrics, per_seq, strict=True)))
    return out
