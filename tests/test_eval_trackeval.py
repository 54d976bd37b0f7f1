"""TrackEval's rules: every CLEAR / Identity / HOTA field equal to TrackEval 1.3.0's own.

Each case writes a MOTChallenge split (``<gt>/<seq>/gt/gt.txt``, ``<pred>/<seq>.txt``)
and scores it twice: with :func:`evaluate_split` and with TrackEval's dataset + metric
classes (``eval.trackeval_ref``). Counts must be equal; ratios equal to 1e-12 (TrackEval
sums some floats in another order).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.eval.split import evaluate_split, read_boxes, sequence_length

trackeval_ref = pytest.importorskip("sporttrack_gui.eval.trackeval_ref")
pytest.importorskip("trackeval", reason="TrackEval (test-only reference) is not installed")
FIELDS = trackeval_ref.FIELDS


def write_rows(path: Path, rows: np.ndarray, gt: bool) -> None:
    """MOT text with two decimals; gt rows carry flag, class, visibility."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for r in rows:
        head = f"{int(r[0])},{int(r[1])},{r[2]:.2f},{r[3]:.2f},{r[4]:.2f},{r[5]:.2f}"
        if gt:
            lines.append(f"{head},{int(r[6])},{int(r[7])},1")
        else:
            lines.append(f"{head},-1,-1,-1,-1")
    path.write_text("\n".join(lines) + ("\n" if lines else ""))


def write_split(root: Path, seqs: dict[str, tuple[np.ndarray, np.ndarray, int]]) -> tuple[Path, Path]:
    """seqs: name -> (gt rows [f,id,x,y,w,h,flag,cls], pred rows [f,id,x,y,w,h], length)."""
    gt_dir, pred_dir = root / "gt", root / "trk"
    pred_dir.mkdir(parents=True, exist_ok=True)
    for name, (g, p, length) in seqs.items():
        write_rows(gt_dir / name / "gt" / "gt.txt", g, True)
        (gt_dir / name / "seqinfo.ini").write_text(
            f"[Sequence]\nname={name}\nimDir=img1\nframeRate=25\nseqLength={length}\n"
            "imWidth=1280\nimHeight=720\nimExt=.jpg\n")
        write_rows(pred_dir / f"{name}.txt", p, False)
    return gt_dir, pred_dir


def assert_equal_to_trackeval(gt_dir: Path, pred_dir: Path, lengths: dict[str, int],
                              preproc: str | None = None, threshold: float = 0.5):
    ref = trackeval_ref.reference_split(gt_dir, pred_dir, lengths, preproc=preproc,
                                        threshold=threshold)
    ours = evaluate_split(gt_dir, pred_dir, rules="trackeval", preproc=preproc,
                          iou_threshold=threshold)
    assert list(ours.sequences) == sorted(lengths)
    assert ours.combined["rules"] == "trackeval"
    for name, expected in ref.items():
        got = ours.combined if name == "OVERALL" else ours.sequences[name]
        for key in FIELDS:
            assert got[key] == pytest.approx(expected[key], rel=1e-12, abs=1e-12), (name, key)
    return ours, ref


def scene(seed: int, frames: int = 120, n: int = 10, *, crowd: float = 90.0):
    """Objects random-walking close together, leaving and re-entering (gaps); predictions
    with jitter, misses, dropped segments, id switches, re-used ids and false positives."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, crowd, (n, 2))
    size = rng.uniform(25, 40, (n, 2))
    present = np.ones(n, bool)
    gt, pred = [], []
    pid = np.arange(1, n + 1)
    next_id = n + 1
    for f in range(1, frames + 1):
        pos += rng.normal(0, 2.5, (n, 2))
        flip = rng.random(n) < 0.04  # leave / re-enter: gaps in the gt tracks
        present ^= flip
        if rng.random() < 0.05:  # two predicted ids swap
            a, b = rng.choice(n, 2, replace=False)
            pid[[a, b]] = pid[[b, a]]
        for i in np.flatnonzero(rng.random(n) < 0.03):  # a fresh id after a switch
            pid[i] = next_id
            next_id += 1
        order = rng.permutation(n)  # file order within a frame is not id order
        for i in order[present[order]]:
            gt.append([f, i + 1, *pos[i], *size[i], 1, 1])
            if rng.random() < 0.85:
                pred.append([f, pid[i], *(pos[i] + rng.normal(0, 3, 2)),
                             *(size[i] * rng.uniform(0.9, 1.1, 2))])
        for _ in range(rng.poisson(0.7)):
            pred.append([f, 900 + rng.integers(0, 5), *rng.uniform(0, crowd, 2), 30, 30])
    g = np.array(gt, float)
    p = np.array(pred, float)
    # one predicted id per frame (TrackEval refuses duplicates): keep the first
    _, first = np.unique(p[:, 0] * 10_000 + p[:, 1], return_index=True)
    return g, p[np.sort(first)]


def test_tud_sequences_equal_trackeval(metrics_reference, tmp_path):
    seqs = {}
    for name in ("TUD-Campus", "TUD-Stadtmitte"):
        gt_file = tmp_path / "gt" / name / "gt" / "gt.txt"
        gt_file.parent.mkdir(parents=True)
        gt_file.write_bytes((metrics_reference / name / "gt.txt").read_bytes())
        pred_file = tmp_path / "trk" / f"{name}.txt"
        pred_file.parent.mkdir(exist_ok=True)
        pred_file.write_bytes((metrics_reference / name / "test.txt").read_bytes())
        seqs[name] = int(max(read_boxes(gt_file, "auto").frame.max(),
                             read_boxes(pred_file, "results").frame.max()))
    ours, ref = assert_equal_to_trackeval(tmp_path / "gt", tmp_path / "trk", seqs, "mot15")
    # the leaderboard numbers of these files (TrackEval), not motmetrics' 0.526 / 7 switches
    assert ours.sequences["TUD-Campus"]["mota"] == pytest.approx(ref["TUD-Campus"]["mota"])
    assert ours.combined["num_switches"] == ref["OVERALL"]["num_switches"]


@pytest.mark.parametrize("seed", range(8))
def test_random_scenes_with_gaps_equal_trackeval(seed, tmp_path):
    seqs = {}
    lengths = {}
    for k in range(2):
        g, p = scene(seed * 10 + k)
        name = f"seq{k}"
        lengths[name] = 130  # longer than the rows: trailing empty frames count as timesteps
        seqs[name] = (g, p, lengths[name])
    gt_dir, pred_dir = write_split(tmp_path, seqs)
    ours, _ = assert_equal_to_trackeval(gt_dir, pred_dir, lengths)
    mm = evaluate_split(gt_dir, pred_dir, rules="motmetrics")
    assert mm.combined["rules"] == "motmetrics"
    assert ours.combined["num_switches"] > 0 and ours.combined["num_fragmentations"] > 0


def test_rules_differ_where_a_match_survives_a_gap(tmp_path):
    """gt 1 is matched to pred 11, absent in frame 2, then covered by 11 and (better) 12:
    motmetrics keeps the old partner across the gap; TrackEval gives no continuation bonus
    across it, so 12 wins on IoU and the match counts as an ID switch."""
    g = np.array([[1, 1, 0, 0, 40, 80, 1, 1], [3, 1, 0, 0, 40, 80, 1, 1],
                  [2, 2, 300, 0, 40, 80, 1, 1]], float)
    p = np.array([[1, 11, 0, 0, 40, 80], [2, 13, 300, 0, 40, 80],
                  [3, 11, 6, 0, 40, 80], [3, 12, 1, 0, 40, 80]], float)
    gt_dir, pred_dir = write_split(tmp_path, {"s": (g, p, 3)})
    ours, _ = assert_equal_to_trackeval(gt_dir, pred_dir, {"s": 3})
    mm = evaluate_split(gt_dir, pred_dir, rules="motmetrics")
    assert ours.sequences["s"]["num_switches"] == 1
    assert mm.sequences["s"]["num_switches"] == 0


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_sportsmot_gt_with_generated_outputs_equals_trackeval(tmp_path, threshold):
    from conftest import shared_path

    root = shared_path("sportsmot-gt", "sportsmot-val")
    rng = np.random.default_rng(7)
    seqs, lengths = {}, {}
    for seq_dir in sorted(root.iterdir()):
        name = seq_dir.name
        g = np.loadtxt(seq_dir / "gt" / "gt.txt", delimiter=",")
        length = int(next(line.split("=")[1] for line in (seq_dir / "seqinfo.ini").read_text().split()
                          if line.startswith("seqLength")))
        p = g[:, :6].copy()
        p[:, 2:4] += rng.normal(0, 4, (len(p), 2))
        p[:, 4:6] *= rng.uniform(0.9, 1.1, (len(p), 2))
        ids = p[:, 1].astype(int)
        for tid in np.unique(ids):  # dropped segments and id switches per track
            rows = np.flatnonzero(ids == tid)
            cut = rng.integers(0, len(rows))
            p[rows[cut:], 1] = tid + 1000 * (1 + rng.integers(0, 3))
            gap = rng.integers(0, len(rows))
            p[rows[gap:gap + rng.integers(0, 25)], 0] = -1
        p = p[(p[:, 0] > 0) & (rng.random(len(p)) > 0.05)]
        seqs[name], lengths[name] = (g, p, length), length
    gt_dir, pred_dir = write_split(tmp_path, seqs)
    ours, ref = assert_equal_to_trackeval(gt_dir, pred_dir, lengths, threshold=threshold)
    assert ours.combined["num_switches"] > 50
    assert math.isclose(ours.combined["hota"], ref["OVERALL"]["hota"], rel_tol=1e-12)


def test_mot17_preprocessing_equals_trackeval(tmp_path):
    """Distractor classes (2, 7, 8, 12), a non-pedestrian class and zero-marked rows."""
    rng = np.random.default_rng(3)
    g, p = scene(99, frames=60, n=12, crowd=200.0)
    ids = g[:, 1].astype(int)
    g[:, 7] = np.array([1, 1, 2, 7, 3, 1, 8, 12, 1, 1, 4, 1])[ids - 1]  # a class per track
    g[:, 6] = np.where(rng.random(len(g)) < 0.1, 0, 1)
    gt_dir, pred_dir = write_split(tmp_path, {"MOT17-xx": (g, p, 60)})
    ours, _ = assert_equal_to_trackeval(gt_dir, pred_dir, {"MOT17-xx": 60}, "mot17")
    plain = evaluate_split(gt_dir, pred_dir)
    assert ours.combined["num_predictions"] < plain.combined["num_predictions"]
    assert ours.combined["num_objects"] < plain.combined["num_objects"]


def test_real_mot17_gt_with_preprocessing_equals_trackeval(tmp_path):
    """MOT17-mini's real gt (distractors 7/8, zero-marked rows, other classes) scored with
    --preproc mot17: predictions are jittered copies of every gt box, including those on
    distractors, which the preprocessing must remove exactly as TrackEval does."""
    from conftest import shared_path

    root = shared_path("mot17-mini", "train")
    rng = np.random.default_rng(11)
    pred_dir = tmp_path / "trk"
    pred_dir.mkdir()
    lengths = {}
    for seq_dir in sorted(root.iterdir()):
        g = np.loadtxt(seq_dir / "gt" / "gt.txt", delimiter=",")
        p = g[rng.random(len(g)) > 0.1, :6].copy()
        p[:, 2:4] += rng.normal(0, 3, (len(p), 2))
        p[p[:, 0] > 2, 1] += 10_000 * (rng.random((p[:, 0] > 2).sum()) < 0.2)  # some switches
        write_rows(pred_dir / f"{seq_dir.name}.txt", p, False)
        lengths[seq_dir.name] = sequence_length(seq_dir)  # what seqinfo.ini claims
    ours, _ = assert_equal_to_trackeval(root, pred_dir, lengths, "mot17")
    plain = evaluate_split(root, pred_dir)
    # MOT17 marks its non-pedestrian rows with flag 0 (dropped either way); the predictions
    # on distractors are what the preprocessing removes
    assert ours.combined["num_objects"] == plain.combined["num_objects"]
    assert ours.combined["num_predictions"] < plain.combined["num_predictions"]
    assert ours.combined["num_frames"] == sum(lengths.values()) > 1000
