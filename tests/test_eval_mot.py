"""MOT metrics: pinned to published values, to motmetrics field by field, to a loop HOTA."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval.mot import MotAccumulator, evaluate_many, evaluate_mot
from sporttrack_gui.eval.motmetrics_ref import FIELDS, reference_many, reference_metrics
from sporttrack_gui.formats.mot import MotTable, read_mot

PUBLISHED = {  # py-motmetrics test_motchallenge_files; HOTA from TrackEval (SOURCE.txt)
    "TUD-Campus": {"mota": 0.526462, "idf1": 0.557659, "hota": 0.391397, "deta": 0.418047,
                   "assa": 0.369121, "loca": 0.770052, "hota_50": 0.520610,
                   "num_switches": 7, "num_fragmentations": 7, "motp": 0.277201},
    "TUD-Stadtmitte": {"mota": 0.564014, "idf1": 0.644619, "hota": 0.397849, "deta": 0.392268,
                       "assa": 0.408841, "loca": 0.737521, "hota_50": 0.573517,
                       "num_switches": 7, "num_fragmentations": 6, "motp": 0.345904},
    "OVERALL": {"mota": 0.555116, "idf1": 0.624296, "hota": 0.399957, "deta": 0.397683,
                "assa": 0.412450, "loca": 0.732480, "hota_50": 0.561536},
}


def table(rows) -> MotTable:
    """MotTable from (frame, id, x, y, w, h) tuples."""
    a = np.asarray(rows, np.float64).reshape(-1, 6)
    return MotTable.from_arrays(a[:, 0], a[:, 1], a[:, 2:6])


def crowd(seed: int, frames: int = 50, n: int = 12) -> tuple[MotTable, MotTable]:
    """Objects random-walking in a small area (many ambiguous frames), noisy predictions
    with misses and random id changes."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 120, (n, 2))
    size = rng.uniform(20, 40, (n, 2))
    fr, ids, box = [], [], []
    for f in range(1, frames + 1):
        pos += rng.normal(0, 3, (n, 2))
        for i in np.flatnonzero(rng.random(n) < 0.85):
            fr.append(f)
            ids.append(i + 1)
            box.append([*pos[i], *size[i]])
    fr, ids, box = np.array(fr), np.array(ids), np.array(box)
    keep = rng.random(len(fr)) < 0.85
    pid = np.where(rng.random(keep.sum()) < 0.1, rng.integers(1, n + 6, keep.sum()), ids[keep])
    pf, pb = fr[keep], box[keep] + rng.normal(0, 4, (keep.sum(), 4))
    _, first = np.unique(pf * 1000 + pid, return_index=True)
    gt = MotTable.from_arrays(fr, ids, box)
    return gt, MotTable.from_arrays(pf[first], pid[first], pb[first])


def _tud_sequences(root) -> dict[str, tuple[MotTable, MotTable]]:
    # MOT15 gt carries world coordinates in columns 8-10, so read it as a results file
    return {name: (read_mot(root / name / "gt.txt", kind="results"), read_mot(root / name / "test.txt"))
            for name in ("TUD-Campus", "TUD-Stadtmitte")}


def test_published_reference_values(metrics_reference):
    res = evaluate_many(_tud_sequences(metrics_reference))
    for name, expected in PUBLISHED.items():
        for key, value in expected.items():
            assert res[name][key] == pytest.approx(value, abs=1e-4), (name, key)


def test_every_clear_id_field_equals_motmetrics_on_tud(metrics_reference):
    seqs = _tud_sequences(metrics_reference)
    ours, ref = evaluate_many(seqs, rules="motmetrics"), reference_many(seqs)
    assert set(ref) == {"TUD-Campus", "TUD-Stadtmitte", "OVERALL"}
    for name in ref:
        for key in FIELDS:
            assert ours[name][key] == pytest.approx(ref[name][key], rel=1e-12, abs=1e-12), (name, key)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("thr", [0.5, 0.3])
def test_crowded_scenes_equal_motmetrics(seed, thr):
    gt, pred = crowd(seed)
    ours = evaluate_mot(gt, pred, iou_threshold=thr, ignore="none", with_hota=False,
                        rules="motmetrics")
    ref = reference_metrics(gt, pred, iou_threshold=thr)
    assert ours["rules"] == "motmetrics"
    assert ref["num_switches"] > 0  # the scene really exercises the history-dependent path
    for key in FIELDS:
        assert ours[key] == pytest.approx(ref[key], rel=1e-12, abs=1e-12), key


def loop_hota(gt: MotTable, pred: MotTable) -> dict[str, float]:
    """HOTA written from the paper / TrackEval's definition with plain per-frame loops."""
    alphas = np.arange(0.05, 0.99, 0.05)
    gids, pids = np.unique(gt.track_id), np.unique(pred.track_id)
    gcount = {g: int((gt.track_id == g).sum()) for g in gids}
    pcount = {p: int((pred.track_id == p).sum()) for p in pids}
    frames = sorted(set(gt.frame.tolist()) | set(pred.frame.tolist()))

    def frame_data(f):
        gi, pi = np.flatnonzero(gt.frame == f), np.flatnonzero(pred.frame == f)
        sim = np.zeros((len(gi), len(pi)))
        for a, i in enumerate(gi):
            for b, j in enumerate(pi):
                x1, y1, w1, h1 = gt.xywh[i].astype(float)
                x2, y2, w2, h2 = pred.xywh[j].astype(float)
                iw = max(0.0, min(x1 + w1, x2 + w2) - max(x1, x2))
                ih = max(0.0, min(y1 + h1, y2 + h2) - max(y1, y2))
                inter = iw * ih
                sim[a, b] = inter / (w1 * h1 + w2 * h2 - inter) if inter > 0 else 0.0
        return gt.track_id[gi], pred.track_id[pi], sim

    potential: dict[tuple[int, int], float] = {}
    for f in frames:
        g, p, sim = frame_data(f)
        for a in range(len(g)):
            for b in range(len(p)):
                den = sim[a].sum() + sim[:, b].sum() - sim[a, b]
                if den > np.finfo(float).eps:
                    potential[(g[a], p[b])] = potential.get((g[a], p[b]), 0.0) + sim[a, b] / den
    tp, fn, fp, loc = (np.zeros(len(alphas)) for _ in range(4))
    counts = [dict() for _ in alphas]
    for f in frames:
        g, p, sim = frame_data(f)
        if len(g) == 0 or len(p) == 0:
            fn += len(g)
            fp += len(p)
            continue
        score = np.array([[sim[a, b] * potential.get((g[a], p[b]), 0.0)
                           / (gcount[g[a]] + pcount[p[b]] - potential.get((g[a], p[b]), 0.0))
                           for b in range(len(p))] for a in range(len(g))])
        rows, cols = linear_sum_assignment(-score)
        for k, alpha in enumerate(alphas):
            ok = [(r, c) for r, c in zip(rows, cols, strict=True) if sim[r, c] >= alpha - np.finfo(float).eps]
            tp[k] += len(ok)
            fn[k] += len(g) - len(ok)
            fp[k] += len(p) - len(ok)
            for r, c in ok:
                loc[k] += sim[r, c]
                counts[k][(g[r], p[c])] = counts[k].get((g[r], p[c]), 0) + 1
    assa = np.array([sum(n * n / (gcount[a] + pcount[b] - n) for (a, b), n in counts[k].items())
                     / max(1.0, tp[k]) for k in range(len(alphas))])
    deta = tp / np.maximum(1.0, tp + fn + fp)
    loca = np.maximum(1e-10, loc) / np.maximum(1e-10, tp)
    return {"hota": float(np.sqrt(deta * assa).mean()), "deta": float(deta.mean()),
            "assa": float(assa.mean()), "loca": float(loca.mean())}


@pytest.mark.parametrize("seed", range(3))
def test_hota_equals_loop_definition(seed):
    gt, pred = crowd(seed, frames=25, n=8)
    ours = evaluate_mot(gt, pred, ignore="none")
    ref = loop_hota(gt, pred)
    for key, value in ref.items():
        assert ours[key] == pytest.approx(value, abs=1e-9), key


def _one_object(frames: int = 10):
    return table([(f, 1, 10 * f, 0, 20, 40) for f in range(1, frames + 1)])


def test_perfect_tracking_scores_one():
    gt = table([(f, i, 50 * i + f, 10, 30, 60) for f in range(1, 21) for i in (1, 2, 3)])
    res = evaluate_mot(gt, gt)
    for key in ("mota", "idf1", "hota", "deta", "assa", "loca", "precision", "recall"):
        assert res[key] == pytest.approx(1.0), key
    assert res["num_switches"] == 0 and res["mostly_tracked"] == 3


def test_single_id_switch_halfway():
    gt = _one_object(10)
    pred = table([(f, 1 if f <= 5 else 2, 10 * f, 0, 20, 40) for f in range(1, 11)])
    res = evaluate_mot(gt, pred)
    assert res["num_switches"] == 1
    assert res["mota"] == pytest.approx(0.9)
    assert res["idf1"] == pytest.approx(0.5)  # 5 of 10 frames carry the matched id
    # each id pair matches 5 times: Jaccard 5 / (10 + 5 - 5) = 0.5 for every TP
    assert res["assa"] == pytest.approx(0.5)
    assert res["deta"] == pytest.approx(1.0)
    assert res["hota"] == pytest.approx(math.sqrt(0.5))


@pytest.mark.parametrize(("rules", "frags"), [("motmetrics", 2), ("trackeval", 0)])
def test_fragmentation_counts_interruptions(rules, frags):
    """motmetrics counts every tracked -> missed -> tracked; TrackEval steps over frames
    without any prediction (its "previous timestep"), so these gaps break no run."""
    gt = _one_object(10)
    tracked = [1, 2, 3, 6, 7, 8, 10]
    pred = table([(f, 7, 10 * f, 0, 20, 40) for f in tracked])
    res = evaluate_mot(gt, pred, rules=rules)
    assert res["num_fragmentations"] == frags
    assert res["num_switches"] == 0
    assert res["num_misses"] == 3
    assert res["mostly_tracked"] == 0 and res["partially_tracked"] == 1


@pytest.mark.parametrize("rules", ["motmetrics", "trackeval"])
def test_empty_prediction(rules):
    res = evaluate_mot(_one_object(10), MotTable.empty(), rules=rules)
    assert res["num_misses"] == 10 and res["num_false_positives"] == 0
    assert res["mota"] == 0.0 and res["recall"] == 0.0 and res["idf1"] == 0.0
    assert res["hota"] == 0.0 and res["mostly_lost"] == 1
    if rules == "motmetrics":
        assert math.isnan(res["precision"])  # 0/0, as motmetrics reports it
    else:
        assert res["precision"] == 0.0 and res["mlr"] == 1.0  # TrackEval's max(1, .)


@pytest.mark.parametrize("rules", ["motmetrics", "trackeval"])
def test_empty_ground_truth(rules):
    res = evaluate_mot(MotTable.empty(), _one_object(4), rules=rules)
    assert res["num_false_positives"] == 4 and res["num_objects"] == 0
    # motmetrics: 1 - 4/0; TrackEval returns early for an empty gt sequence, MOTA left 0
    assert res["mota"] == (-math.inf if rules == "motmetrics" else 0.0)
    assert res["hota"] == 0.0 and res["deta"] == 0.0
    assert res["precision"] == 0.0


@pytest.mark.parametrize("side", ["gt", "pred"])
def test_duplicate_id_in_frame_is_a_clear_error(side):
    good = _one_object(5)
    bad = table([(f, 1, 10 * f, 0, 20, 40) for f in range(1, 6)] + [(3, 1, 0, 0, 5, 5)])
    gt, pred = (bad, good) if side == "gt" else (good, bad)
    with pytest.raises(InputError, match=r"id 1 occurs more than once in frame 3"):
        evaluate_mot(gt, pred)
    acc = MotAccumulator()
    with pytest.raises(InputError, match=r"id 1 occurs more than once in frame 3"):
        acc.update(3, (gt.track_id[gt.frame == 3], gt.xywh[gt.frame == 3]),
                   (pred.track_id[pred.frame == 3], pred.xywh[pred.frame == 3]))


def test_non_finite_box_names_frame_and_id():
    bad = table([(1, 1, 0, 0, 10, 10), (2, 4, np.nan, 0, 10, 10)])
    with pytest.raises(InputError, match=r"id 4 in frame 2"):
        evaluate_mot(bad, bad)


def _flagged():
    """Frame 1: a pedestrian (class 1), a static person (7, distractor), a car with flag 0."""
    a = np.array([[1, 1, 0, 0, 20, 40, 1, 1], [1, 2, 100, 0, 20, 40, 0, 7],
                  [1, 3, 200, 0, 40, 20, 0, 3]], np.float64)
    gt = MotTable.from_arrays(a[:, 0], a[:, 1], a[:, 2:6], conf=a[:, 6], cls=a[:, 7])
    pred = table([(1, 11, 0, 0, 20, 40), (1, 12, 101, 0, 20, 40), (1, 13, 201, 0, 40, 20)])
    return gt, pred


@pytest.mark.parametrize(("mode", "fp", "fn", "preds"), [
    ("mot", 1, 0, 2),      # pred on the distractor removed, pred on the car stays an FP
    ("regions", 0, 0, 1),  # both ignore regions swallow their predictions
    ("none", 0, 0, 3),     # every row evaluated
])
def test_ignore_regions(mode, fp, fn, preds):
    gt, pred = _flagged()
    res = evaluate_mot(gt, pred, ignore=mode)
    assert (res["num_false_positives"], res["num_misses"], res["num_predictions"]) == (fp, fn, preds)


def test_class_filter_keeps_unknown_class_predictions():
    gt, pred = _flagged()
    res = evaluate_mot(gt, pred, ignore="none", classes=[1])
    assert res["num_objects"] == 1
    assert res["num_false_positives"] == 2  # predictions have no class, so they all stay


def test_bad_threshold_and_mode_are_input_errors():
    gt = _one_object(3)
    with pytest.raises(InputError):
        evaluate_mot(gt, gt, iou_threshold=0)
    with pytest.raises(InputError):
        evaluate_mot(gt, gt, ignore="everything")


@pytest.mark.parametrize("seed", range(3))
def test_accumulator_equals_batch(seed):
    gt, pred = crowd(seed + 10)
    batch = evaluate_mot(gt, pred, ignore="none", rules="motmetrics")
    acc = MotAccumulator()
    gb, pb = gt.by_frame(), pred.by_frame()
    none = np.zeros(0, np.int64)
    mid = None
    for f in range(1, 60):  # includes trailing frames with no rows at all
        acc.update(f, gt.select(gb.get(f, none)), pred.select(pb.get(f, none)))
        if f == 20:
            mid = acc.summary()
    final = acc.summary(with_hota=True)
    assert final.pop("rules") == batch.pop("rules") == "motmetrics"
    for key, value in batch.items():
        assert final[key] == pytest.approx(value, rel=1e-12, abs=1e-12, nan_ok=True), key
    first20 = evaluate_mot(gt.select(gt.frame <= 20), pred.select(pred.frame <= 20),
                           ignore="none", with_hota=False, rules="motmetrics")
    for key in FIELDS:
        assert mid[key] == pytest.approx(first20[key], rel=1e-12, abs=1e-12), key


def test_accumulator_rejects_frames_out_of_order():
    acc = MotAccumulator()
    acc.update(5, ([1], [[0, 0, 10, 10]]), ([1], [[0, 0, 10, 10]]))
    with pytest.raises(InputError, match="frames must be increasing"):
        acc.update(5, ([1], [[0, 0, 10, 10]]), None)


def test_accumulator_takes_tracker_output():
    from sporttrack_gui.core.boxes import Tracks

    acc = MotAccumulator()
    for f in range(1, 5):
        box = np.array([[10.0 * f, 0, 10.0 * f + 20, 40]])
        acc.update(f, (np.array([1]), [[10.0 * f, 0, 20, 40]]), Tracks(box, track_id=[7 if f < 3 else 8]))
    res = acc.summary(with_hota=True)
    assert res["num_switches"] == 1 and res["mota"] == pytest.approx(0.75)
    assert res["assa"] == pytest.approx(0.5) and res["deta"] == pytest.approx(1.0)
