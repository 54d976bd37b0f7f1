"""``sporttrack eval`` / ``sporttrack compare`` and the report writers, end to end."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from sporttrack_gui.cli.main import main
from sporttrack_gui.eval.mot import evaluate_mot
from sporttrack_gui.eval.report import bar_chart, markdown_table, write_csv
from sporttrack_gui.formats.mot import MotTable, read_mot, write_mot


def _walk(frames: int = 60, n: int = 6, seed: int = 0) -> MotTable:
    rng = np.random.default_rng(seed)
    pos = rng.uniform(50, 600, (n, 2))
    fr, ids, box = [], [], []
    for f in range(1, frames + 1):
        pos += rng.normal(0, 2, (n, 2))
        for i in range(n):
            fr.append(f)
            ids.append(i + 1)
            box.append([*pos[i], 30, 70])
    return MotTable.from_arrays(fr, ids, box)


def test_markdown_and_csv_tables(tmp_path):
    rows = [{"tracker": "a", "mota": 0.5, "num_switches": 3, "fps": 1234.5},
            {"tracker": "b", "mota": float("nan"), "num_switches": 0, "fps": 2.25}]
    md = markdown_table(rows, ["tracker", "mota", "num_switches", "fps"], title="t")
    assert "| tracker | mota (%) | num_switches | fps |" in md
    assert "| a | 50.0 | 3 | 1234.5 |" in md and "| b | n/a | 0 | 2.25 |" in md
    path = write_csv(tmp_path / "x.csv", rows, ["tracker", "mota", "fps"])
    back = list(csv.DictReader(path.open()))
    assert back[0] == {"tracker": "a", "mota": "0.5", "fps": "1234.5"}


def test_bar_chart_is_a_png(tmp_path):
    import matplotlib.image as mpimg

    rows = [{"tracker": "a", "mota": 0.5, "fps": 100.0}, {"tracker": "b", "mota": 0.7, "fps": 50.0}]
    path = bar_chart(tmp_path / "c.png", rows, ["mota", "fps"], title="demo")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(path)
    assert img.shape[0] > 100 and img.shape[1] > 300
    assert img[..., :3].std() > 0.05  # bars were drawn, not a blank canvas


def test_eval_json_on_reference_files(metrics_reference, capsys):
    d = metrics_reference / "TUD-Campus"
    rc = main(["eval", "--gt", str(d / "gt.txt"), "--pred", str(d / "test.txt"),
               "--gt-kind", "results", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mota"] == pytest.approx(0.526462, abs=1e-6)
    assert out["idf1"] == pytest.approx(0.557659, abs=1e-6)
    assert out["hota"] == pytest.approx(0.391397, abs=1e-6)
    assert out["rules"] == "trackeval"


def test_eval_rules_motmetrics_equals_motmetrics(metrics_reference, capsys):
    from sporttrack_gui.eval.motmetrics_ref import FIELDS, reference_metrics

    d = metrics_reference / "TUD-Stadtmitte"
    rc = main(["eval", "--gt", str(d / "gt.txt"), "--pred", str(d / "test.txt"),
               "--gt-kind", "results", "--rules", "motmetrics", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rules"] == "motmetrics"
    ref = reference_metrics(read_mot(d / "gt.txt", kind="results"), read_mot(d / "test.txt"))
    for key in FIELDS:
        assert out[key] == pytest.approx(ref[key], rel=1e-12, abs=1e-12), key
    rc = main(["eval", "--gt", str(d / "gt.txt"), "--pred", str(d / "test.txt"),
               "--gt-kind", "results"])
    assert rc == 0 and capsys.readouterr().out.startswith("rules")


def test_eval_project_runs(tmp_path, capsys):
    from sporttrack_gui.project import Project

    gt = _walk()
    pred = gt.select(gt.frame % 7 != 0)  # every 7th frame missed
    path = tmp_path / "m.stp"
    with Project.open(path, create=True) as p:
        seq = p.add_sequence("clip", str(tmp_path), width=1280, height=720, fps=25.0,
                             frame_count=60)
        p.append_boxes(p.create_run(seq, "gt", kind="gt"), gt)
        p.append_boxes(p.create_run(seq, "trk", kind="tracker"), pred)
    rc = main(["eval", "--gt", f"{path}:gt", "--pred", f"{path}:clip/trk", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out == pytest.approx(evaluate_mot(gt, pred), nan_ok=True)
    assert out["num_misses"] == 6 * 8 and out["num_false_positives"] == 0
    assert main(["eval", "--gt", f"{path}:gt", "--pred", f"{path}:nope"]) == 2
    assert "no run named 'nope'" in capsys.readouterr().err


def test_eval_user_errors_exit_2(tmp_path, capsys):
    good = tmp_path / "good.txt"
    write_mot(good, _walk(5, 2), kind="results")
    assert main(["eval", "--gt", str(tmp_path / "missing.txt"), "--pred", str(good)]) == 2
    assert "missing.txt" in capsys.readouterr().err
    assert main(["eval", "--gt", str(good), "--pred", str(good), "--iou", "1.5"]) == 2
    assert "IoU threshold" in capsys.readouterr().err
    assert main(["eval", "--gt", str(good), "--pred", str(good), "--classes", "x"]) == 2
    assert "--classes" in capsys.readouterr().err


def test_eval_detection_mode(tmp_path, capsys):
    gt = _walk(10, 3)
    gt_path, det_path = tmp_path / "gt.txt", tmp_path / "det.txt"
    write_mot(gt_path, gt, kind="gt")
    write_mot(det_path, MotTable.from_arrays(gt.frame, np.full(len(gt), -1), gt.xywh,
                                             conf=0.9), kind="det")
    assert main(["eval", "--gt", str(gt_path), "--pred", str(det_path), "--detection",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ap50_95"] == pytest.approx(1.0) and out["num_det"] == 30


def test_compare_writes_consistent_report(tmp_path, capsys):
    gt = _walk(80, 5, seed=3)
    seq = tmp_path / "seq"
    (seq / "gt").mkdir(parents=True)
    (seq / "det").mkdir()
    write_mot(seq / "gt" / "gt.txt", gt, kind="gt")
    rng = np.random.default_rng(1)
    keep = rng.random(len(gt)) > 0.1
    det = MotTable.from_arrays(gt.frame[keep], np.full(keep.sum(), -1),
                               gt.xywh[keep] + rng.normal(0, 1, (keep.sum(), 4)), conf=0.9)
    write_mot(seq / "det" / "det.txt", det, kind="det")
    out = tmp_path / "cmp"
    rc = main(["compare", str(seq), "--trackers", "sort,bytetrack,nosuch", "--out", str(out)])
    assert rc == 0
    for name in ("comparison.md", "comparison.csv", "comparison.png", "sort.txt", "bytetrack.txt"):
        assert (out / name).exists(), name
    rows = {r["tracker"]: r for r in csv.DictReader((out / "comparison.csv").open())}
    assert "unknown tracker" in rows["nosuch"]["error"]
    for name in ("sort", "bytetrack"):
        again = evaluate_mot(gt, read_mot(out / f"{name}.txt"))
        assert float(rows[name]["mota"]) == pytest.approx(again["mota"])
        assert float(rows[name]["idf1"]) == pytest.approx(again["idf1"])
        assert float(rows[name]["fps"]) > 0
    out_text = capsys.readouterr().out
    assert "| sort |" in out_text and "trackeval rules" in out_text
