"""Whole benchmark splits: ``evaluate_split`` and ``sporttrack eval --gt-dir/--pred-dir``."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path

from sporttrack_gui.cli.main import main
from sporttrack_gui.errors import Cancelled, InputError
from sporttrack_gui.eval.mot import evaluate_many
from sporttrack_gui.eval.split import evaluate_split, read_boxes, read_seqmap
from sporttrack_gui.formats.mot import read_mot


@pytest.fixture
def sportsmot(tmp_path) -> tuple[Path, Path, Path, list[str]]:
    """The three SportsMOT val sequences and generated predictions (jitter, misses, a
    switched id per sequence, a few false positives)."""
    root = shared_path("sportsmot-gt", "sportsmot-val")
    seqmap = shared_path("sportsmot-gt", "seqmaps", "sportsmot-val.txt")
    pred_dir = tmp_path / "bytetrack"
    pred_dir.mkdir()
    rng = np.random.default_rng(5)
    names = read_seqmap(seqmap)
    for name in names:
        g = np.loadtxt(root / name / "gt" / "gt.txt", delimiter=",")
        p = g[:, :6].copy()
        p[:, 2:4] += rng.normal(0, 3, (len(p), 2))
        ids = p[:, 1].astype(int)
        p[(ids == ids.min()) & (p[:, 0] > np.median(p[:, 0])), 1] = 500  # one id switch
        p = p[rng.random(len(p)) > 0.05]
        fp = np.c_[rng.integers(1, int(g[:, 0].max()) + 1, 20), 900 + np.arange(20),
                   rng.uniform(0, 1000, (20, 2)), np.full((20, 2), 40.0)]
        rows = np.r_[p, fp]
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
        np.savetxt(pred_dir / f"{name}.txt", np.c_[rows, -np.ones((len(rows), 4))],
                   fmt="%.2f", delimiter=",")
    return root, pred_dir, seqmap, names


def test_cli_scores_the_sportsmot_split_with_a_combined_row(sportsmot, tmp_path, capsys):
    root, pred_dir, seqmap, names = sportsmot
    out_csv = tmp_path / "table.csv"
    rc = main(["eval", "--gt-dir", str(root), "--pred-dir", str(pred_dir), "--seqmap",
               str(seqmap), "--csv", str(out_csv)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert cap.out.startswith("rules: trackeval, preprocessing: none")
    assert "| COMBINED |" in cap.out and all(f"| {n} |" in cap.out for n in names)
    assert "[3/3]" in cap.err  # progress on stderr, not in the table
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["sequence"] for r in rows] == [*names, "COMBINED"]
    assert {r["rules"] for r in rows} == {"trackeval"}
    res = evaluate_split(root, pred_dir, seqmap)
    assert float(rows[-1]["hota"]) == pytest.approx(res.combined["hota"], rel=1e-12)
    # combined = summed counts, not a mean of per-sequence ratios
    seqs = res.sequences.values()
    assert res.combined["num_objects"] == sum(s["num_objects"] for s in seqs)
    assert res.combined["num_switches"] == sum(s["num_switches"] for s in seqs) > 0
    tp = sum(s["num_detections"] for s in seqs)
    assert res.combined["mota"] == pytest.approx(
        (tp - res.combined["num_false_positives"] - res.combined["num_switches"])
        / res.combined["num_objects"])
    assert res.combined["mota"] != pytest.approx(np.mean([s["mota"] for s in seqs]), abs=1e-9)


def test_cli_json_and_saved_json(sportsmot, tmp_path, capsys):
    root, pred_dir, seqmap, names = sportsmot
    saved = tmp_path / "r.json"
    assert main(["eval", "--gt-dir", str(root), "--pred-dir", str(pred_dir), "--json",
                 "--rules", "motmetrics", "--save-json", str(saved)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == json.loads(saved.read_text())
    assert out["rules"] == "motmetrics" and list(out["sequences"]) == sorted(names)
    # the split with motmetrics' rules equals evaluate_many on the same tables
    tables = {n: (read_mot(root / n / "gt" / "gt.txt"), read_mot(pred_dir / f"{n}.txt"))
              for n in sorted(names)}
    many = evaluate_many(tables, rules="motmetrics")
    for key in ("mota", "idf1", "num_switches", "num_fragmentations", "hota"):
        assert out["combined"][key] == pytest.approx(many["OVERALL"][key], rel=1e-6), key


def test_missing_prediction_file(sportsmot, tmp_path, capsys):
    root, pred_dir, seqmap, names = sportsmot
    (pred_dir / f"{names[1]}.txt").unlink()
    argv = ["eval", "--gt-dir", str(root), "--pred-dir", str(pred_dir), "--seqmap", str(seqmap)]
    assert main(argv) == 2
    assert f"no prediction file for sequence {names[1]}" in capsys.readouterr().err
    empty = evaluate_split(root, pred_dir, seqmap, missing="empty")
    gone = empty.sequences[names[1]]
    assert gone["num_predictions"] == 0 and gone["num_misses"] == gone["num_objects"]
    skip = evaluate_split(root, pred_dir, seqmap, missing="skip")
    assert list(skip.sequences) == [names[0], names[2]] and skip.missing == [names[1]]
    assert main([*argv, "--missing", "skip"]) == 0
    assert f"no prediction file: {names[1]}" in capsys.readouterr().out


def test_bad_split_inputs_name_the_sequence(tmp_path, capsys):
    gt = tmp_path / "gt" / "s1" / "gt"
    gt.mkdir(parents=True)
    (gt / "gt.txt").write_text("1,1,10,10,20,40,1,1,1\n2,1,12,10,20,40,1,1,1\n")
    (tmp_path / "gt" / "s1" / "seqinfo.ini").write_text(
        "[Sequence]\nname=s1\nimDir=img1\nframeRate=25\nseqLength=2\nimWidth=64\n"
        "imHeight=64\nimExt=.jpg\n")
    pred = tmp_path / "trk"
    pred.mkdir()
    (pred / "s1.txt").write_text("1,5,10,10,20,40,1,-1,-1,-1\n3,5,10,10,20,40,1,-1,-1,-1\n")
    with pytest.raises(InputError, match=r"sequence s1: .*frame 3, past the sequence length 2"):
        evaluate_split(tmp_path / "gt", pred)
    (pred / "s1.txt").write_text("1,5,10,10,20,40,1,-1,-1,-1\n1,5,11,10,20,40,1,-1,-1,-1\n")
    assert main(["eval", "--gt-dir", str(tmp_path / "gt"), "--pred-dir", str(pred)]) == 2
    err = capsys.readouterr().err
    assert "s1" in err and "duplicate" in err
    seqmap = tmp_path / "map.txt"
    seqmap.write_text("name\n")
    assert main(["eval", "--gt-dir", str(tmp_path / "gt"), "--pred-dir", str(pred),
                 "--seqmap", str(seqmap)]) == 2
    assert "lists no sequences" in capsys.readouterr().err
    assert main(["eval", "--gt-dir", str(tmp_path / "gt")]) == 2
    assert main(["eval", "--gt-dir", str(tmp_path / "nope"), "--pred-dir", str(pred)]) == 2
    assert "not found" in capsys.readouterr().err


def test_progress_and_cancel(sportsmot):
    root, pred_dir, seqmap, names = sportsmot
    seen = []
    evaluate_split(root, pred_dir, seqmap, progress=lambda d, t, n: seen.append((d, t, n)))
    assert seen == [(0, 3, names[0]), (1, 3, names[1]), (2, 3, names[2]), (3, 3, "")]
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        evaluate_split(root, pred_dir, seqmap, cancel=stop)


def test_float64_reader_keeps_the_text_values(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("1, 3, 113.84, 274.5, 57.307, 130.05, -1, -1, -1, -1\n")
    t = read_boxes(f, "results")
    assert t.xywh.dtype == np.float64 and t.xywh[0, 0] == 113.84 and t.xywh[0, 2] == 57.307


def test_evaluate_project_combines_every_sequence_with_the_run(tmp_path):
    from sporttrack_gui.eval.mot import evaluate_many
    from sporttrack_gui.eval.split import evaluate_project
    from sporttrack_gui.formats.mot import MotTable
    from sporttrack_gui.project import Project

    rng = np.random.default_rng(2)

    def walk(frames: int, n: int) -> MotTable:
        pos = np.cumsum(rng.normal(0, 3, (frames, n, 2)), axis=0) + rng.uniform(50, 500, (n, 2))
        f = np.repeat(np.arange(1, frames + 1), n)
        ids = np.tile(np.arange(1, n + 1), frames)
        return MotTable.from_arrays(f, ids, np.c_[pos.reshape(-1, 2), np.full((frames * n, 2), 40.0)])

    path = tmp_path / "season.stp"
    tables = {}
    with Project.open(path, create=True) as p:
        for k, frames in enumerate((40, 60, 30)):
            name = f"match{k}"
            seq = p.add_sequence(name, str(tmp_path), width=1280, height=720, fps=25.0,
                                 frame_count=frames)
            gt = walk(frames, 5)
            p.append_boxes(p.create_run(seq, "gt", kind="gt", status="complete"), gt)
            if k < 2:  # the third sequence was never tracked
                keep = rng.random(len(gt)) > 0.1
                pred = MotTable.from_arrays(gt.frame[keep], gt.track_id[keep] + 10 * (gt.frame[keep] > 20),
                                            gt.xywh[keep] + rng.normal(0, 2, (keep.sum(), 4)))
                p.append_boxes(p.create_run(seq, "sort", kind="tracker", status="complete"), pred)
                tables[name] = (gt, pred)
    res = evaluate_project(path, "sort")
    assert list(res.sequences) == ["match0", "match1"] and res.missing == ["match2"]
    many = evaluate_many(tables)
    for key in ("hota", "mota", "idf1", "num_switches", "num_fragmentations", "mostly_tracked"):
        assert res.combined[key] == pytest.approx(many["OVERALL"][key], rel=1e-12), key
    assert res.sequences["match1"]["num_frames"] == 60
    with pytest.raises(InputError, match="no sequence has both"):
        evaluate_project(path, "bytetrack")
