"""``sporttrack track``: pixel-free runs from det.txt, results file, project run, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.cli.main import main
from sporttrack_gui.formats.mot import read_mot


def _mini_sequence(tmp_path, shuffle: bool):
    """A MOT folder with only seqinfo.ini and det/det.txt: 3 walkers over 30 frames."""
    seq = tmp_path / ("shuffled" if shuffle else "ordered")
    (seq / "det").mkdir(parents=True)
    (seq / "seqinfo.ini").write_text(
        "[Sequence]\nname=mini\nimDir=img1\nframeRate=25\nseqLength=40\nimWidth=640\n"
        "imHeight=360\nimExt=.jpg\n")
    rows = []
    for f in range(1, 31):
        if f in (12, 13):  # two frames without any detection
            continue
        for k in range(3):
            rows.append(f"{f},-1,{50 + 150 * k + 2 * f},{100 + k},40,90,0.9,-1,-1,-1")
    if shuffle:
        rng = np.random.default_rng(0)
        rows = [rows[i] for i in rng.permutation(len(rows))]
    (seq / "det" / "det.txt").write_text("\n".join(rows) + "\n")
    return seq


@pytest.mark.parametrize("tracker", ["sort", "bytetrack"])
def test_track_from_det_decodes_nothing(tmp_path, capsys, tracker):
    seq = _mini_sequence(tmp_path, shuffle=False)
    out = tmp_path / "res.txt"
    assert main(["track", str(seq), "--tracker", tracker, "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["frames"] == 40 and info["decoded_frames"] == 0 and info["ids"] == 3
    for key in ("read_ms_per_frame", "decode_ms_per_frame", "tracker_ms_per_frame", "write_ms_per_frame"):
        assert info[key] >= 0
    res = read_mot(out, kind="results")
    assert len(np.unique(res.track_id)) == 3 and len(res) == info["boxes"]


def test_out_of_order_det_is_sorted_with_warning(tmp_path, caplog):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert main(["track", str(_mini_sequence(tmp_path, False)), "--out", str(a)]) == 0
    assert "out of order" not in caplog.text
    assert main(["track", str(_mini_sequence(tmp_path, True)), "--out", str(b)]) == 0
    assert "out of order" in caplog.text
    assert _trajectories(a) == _trajectories(b)  # same tracks; labels follow in-frame order


def _trajectories(path) -> set[frozenset]:
    t = read_mot(path, kind="results")
    return {frozenset(zip(t.frame[t.track_id == i].tolist(),
                          map(tuple, t.xywh[t.track_id == i].round(2).tolist()), strict=True))
            for i in np.unique(t.track_id)}


def test_bad_param_and_missing_output_are_clear_errors(tmp_path, capsys):
    seq = _mini_sequence(tmp_path, shuffle=False)
    assert main(["track", str(seq), "--out", str(tmp_path / "r.txt"), "--param", "buffer=3"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter" in err and "track_buffer" in err
    assert main(["track", str(seq)]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["track", str(tmp_path / "nope"), "--out", str(tmp_path / "r.txt")]) == 2


def test_param_override_is_applied(tmp_path, capsys):
    seq = _mini_sequence(tmp_path, shuffle=False)
    # frames 12-13 have no detections: a 1-frame max_age ends all three tracks there
    assert main(["track", str(seq), "--tracker", "sort", "--param", "max_age=1",
                 "--out", str(tmp_path / "r.txt"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ids"] == 6


def test_results_land_in_the_project(tmp_path, capsys):
    from sporttrack_gui.project import Project

    seq = _mini_sequence(tmp_path, shuffle=False)
    proj = tmp_path / "p.sqlite"
    assert main(["track", str(seq), "--project", str(proj), "--run-name", "bt-1", "--json"]) == 0
    boxes = json.loads(capsys.readouterr().out)["boxes"]
    with Project.open(proj) as p:
        run = p.run_id("bt-1")
        assert len(p.boxes(run)) == boxes > 0
        assert any(r["name"] == "bt-1" and r["status"] == "complete" for r in p.runs())


def test_pixel_tracker_stops_at_last_decodable_frame(snmot116, tmp_path, capsys):
    """det.txt covers 750 frames, img1/ only 150: a colour tracker tracks 1-150 and says so."""
    out = tmp_path / "r.txt"
    assert main(["track", str(snmot116), "--tracker", "bytetrack", "--param", "embedder=color",
                 "--out", str(out), "--json"]) == 0
    cap = capsys.readouterr()
    info = json.loads(cap.out)
    assert "decodes 150 frames" in cap.err
    assert info["frames"] == info["decoded_frames"] == 150
    assert read_mot(out, kind="results").frame.max() == 150


def test_soccernet_sequence(snmot116, tmp_path, capsys):
    out = tmp_path / "r.txt"
    assert main(["track", str(snmot116), "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["frames"] == 750 and info["decoded_frames"] == 0
    assert read_mot(out, kind="results").frame.max() == 750
