"""``sporttrack sot`` end to end on OTB Bolt, and its error messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.cli.main import main


def _run(capsys, argv: list[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_otb_folder_finds_gt_and_prints_metrics(bolt, tmp_path, capsys):
    out_file = tmp_path / "boxes.txt"
    rc, out, err = _run(capsys, ["sot", str(bolt), "--end", "60", "--out", str(out_file),
                                 "--json"])
    assert rc == 0, err
    res = json.loads(out)
    assert res["tracker"] == "csrt" and res["frames"] == 60 and res["start_frame"] == 1
    assert res["evaluated_frames"] == 60
    assert 0.6 <= res["success_auc"] <= 0.9 and res["precision_20"] >= 0.95
    assert 0 < res["norm_precision"] <= 1 and res["fps"] > 0
    lines = out_file.read_text().splitlines()
    assert len(lines) == 60
    first = [float(v) for v in lines[0].split(",")]
    assert first == [336, 165, 26, 61]  # Bolt's first gt box is the default start box


def test_start_frame_and_explicit_init_and_text_output(bolt, capsys):
    rc, out, err = _run(capsys, ["sot", str(bolt), "--tracker", "kcf", "--frame", "140",
                                 "--init", "320,150,26,61", "--recover"])
    assert rc == 0, err
    assert "success_auc" in out and "precision_20" in out and "recoveries" in out
    assert "start_frame" in out


def test_project_gets_a_sot_run(bolt, tmp_path, capsys):
    from sporttrack_gui.project import Project

    proj = tmp_path / "p.stp"
    for _ in range(2):  # a second run gets a new name, same sequence
        rc, out, err = _run(capsys, ["sot", str(bolt), "--end", "20", "--project", str(proj),
                                     "--json"])
        assert rc == 0, err
    with Project.open(proj) as p:
        seqs = p.sequences()
        runs = p.runs()
        assert len(seqs) == 1 and seqs[0]["name"] == "Bolt"
        assert [r["name"] for r in runs] == ["sot-csrt-f1", "sot-csrt-f1-2"]
        assert runs[0]["kind"] == "sot" and runs[0]["metrics"]["success_auc"] > 0.5
        table = p.boxes(runs[0]["id"])
    assert len(table) == 20 and np.unique(table.track_id).tolist() == [1]


@pytest.mark.parametrize("extra, message", [
    (["--frame", "151"], "start frame 151 is beyond the end"),
    (["--init", "700,10,20,20"], "outside the 640x360 frame"),
    (["--init", "10,10,0,20"], "must be positive"),
    (["--init", "1,2,3"], "expects 4 numbers"),
    (["--plain", "--recover"], "exclude each other"),
    (["--param", "paddin=2"], "no parameter 'paddin'"),
    (["--tracker", "vit"], "needs model files: net=<path to"),
])
def test_bad_input_is_a_clear_error(bolt, capsys, extra, message):
    rc, out, err = _run(capsys, ["sot", str(bolt), *extra])
    assert rc == 2
    assert err.startswith("error: ") and message in err


def test_missing_source_and_missing_init(tmp_path, capsys):
    rc, _, err = _run(capsys, ["sot", str(tmp_path / "nope.mp4")])
    assert rc == 2 and "source not found" in err
    rc, _, err = _run(capsys, ["sot", str(tmp_path)])
    assert rc == 2 and "--init x,y,w,h is required" in err


def test_detections_feed_recovery(bolt, tmp_path, capsys):
    """KCF loses Bolt every few frames; with the true boxes offered as detections recovery
    re-acquires from them and the track is far better than from the search alone."""
    gt = np.loadtxt(bolt / "groundtruth_rect.txt", delimiter=",")[:60]
    det = tmp_path / "det.txt"
    det.write_text("".join(f"{i + 1},-1,{x:g},{y:g},{w:g},{h:g},0.9,-1,-1,-1\n"
                           for i, (x, y, w, h) in enumerate(gt)))
    auc = {}
    for extra in ([], ["--det", str(det)]):
        rc, out, err = _run(capsys, ["sot", str(bolt), "--tracker", "kcf", "--recover",
                                     "--end", "60", "--json", *extra])
        assert rc == 0, err
        res = json.loads(out)
        assert res["recoveries"] >= 1
        auc[bool(extra)] = res["success_auc"]
    assert auc[True] > auc[False] + 0.1
