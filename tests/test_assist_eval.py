"""The assistant measured against ground truth: the TrackEval-rule switch log, recall of
switches by suspects and ``sporttrack assist --eval-gt`` with ``--apply-all``."""

from __future__ import annotations

import json

from test_assist_scan import crossing_run, swap_ids

from sporttrack_gui.assist.suspects import Suspect
from sporttrack_gui.cli.main import main
from sporttrack_gui.eval.switches import suspect_coverage, switch_events
from sporttrack_gui.project import Project


def test_switch_log_names_both_ids_at_the_exchange():
    ev = switch_events(crossing_run(), swap_ids(crossing_run(), 1, 2, 31))
    assert sorted(ev.to_dicts(), key=lambda d: d["gt_id"]) == [
        {"frame": 31, "gt_id": 1, "before": 1, "after": 2},
        {"frame": 31, "gt_id": 2, "before": 2, "after": 1}]
    assert len(switch_events(crossing_run(), crossing_run())) == 0


def test_coverage_needs_the_right_track_within_the_window():
    ev = switch_events(crossing_run(), swap_ids(crossing_run(), 1, 2, 31))
    near = Suspect("crossing", 40, (2, 9), 0.9, "")
    far = Suspect("jump", 47, (1,), 0.9, "")       # 16 frames away
    other = Suspect("gap", 31, (5,), 0.9, "")      # right frame, wrong track
    cov = suspect_coverage([near, far, other], ev, window=15)
    assert cov["found"] == 2 and cov["recall"] == 1.0
    assert cov["real"] == 1 and cov["by_kind"] == {"crossing": [1, 1], "jump": [1, 0],
                                                   "gap": [1, 0]}
    assert suspect_coverage([far], ev, window=15)["recall"] == 0.0
    assert suspect_coverage([far], ev, window=16)["recall"] == 1.0


def test_cli_eval_gt_measures_and_apply_all_restores_idf1(tmp_path, capsys):
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "synthetic", width=1280, height=720, fps=25.0, frame_count=60)
        p.append_boxes(p.create_run("s", "gt", kind="manual", status="complete"),
                       crossing_run())
        p.append_boxes(p.create_run("s", "bt", kind="tracker", status="complete"),
                       swap_ids(crossing_run(), 1, 2, 31))
    assert main(["assist", str(path), "--run", "bt", "--eval-gt", "gt", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["switches"], out["found"], out["real"], out["suspects"]) == (2, 2, 1, 1)
    assert main(["assist", str(path), "--run", "bt", "--eval-gt", "gt", "--apply-all",
                 "--min-score", "0.1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["idf1_before"] < 1.0 and out["idf1_after"] == 1.0 and out["applied"] == 1
    assert main(["assist", str(path), "--run", "bt", "--eval-gt", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err


def test_rejected_proposal_does_not_come_back(tmp_path):
    from sporttrack_gui.assist import Assistant

    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "synthetic", width=1280, height=720, fps=25.0, frame_count=60)
        run = p.create_run("s", "bt", kind="tracker", status="complete")
        p.append_boxes(run, swap_ids(crossing_run(), 1, 2, 31))
        a = Assistant(p, run)
        assert len(a.suspects) == 1
        a.reject(a.suspects[0])
        assert a.suspects == [] and a.scan() == []
    with Project.open(path) as p:  # remembered in the project, and only for that run
        assert Assistant(p, p.run_id("bt")).suspects == []
        other = p.create_run("s", "b2", kind="tracker", status="complete")
        p.append_boxes(other, swap_ids(crossing_run(), 1, 2, 31))
        assert len(Assistant(p, other).suspects) == 1


def test_fix_confidence_follows_its_model_and_apply_all_respects_it(tmp_path):
    """The fix confidence is a per-group logistic of the fix's cues: a planted exchange's
    motion favours exchanging the ids; a group whose model says "no" is listed but never
    applied by apply-all; a swap back near an applied swap of the same pair is left alone."""
    from dataclasses import replace

    from sporttrack_gui.assist import Assistant, ScanConfig
    from sporttrack_gui.assist.evaluate import _swaps_back, apply_all
    from sporttrack_gui.assist.fix_confidence import FIX_FEATURES, fix_features, fix_group
    from sporttrack_gui.assist.scan import TrackArrays

    bad = swap_ids(crossing_run(), 1, 2, 31)
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "synthetic", width=1280, height=720, fps=25.0, frame_count=60)
        run = p.create_run("s", "bt", kind="tracker", status="complete")
        p.append_boxes(run, bad)
        a = Assistant(p, run, ScanConfig(fix_weights=()))
        (s,) = a.suspects
        assert fix_group(s) == "crossing"
        x = fix_features(TrackArrays.from_table(bad), [s], a.config)[0]
        assert x[FIX_FEATURES.index("motion")] > 1.0  # the exchanged ids fit the motion
        # a model that trusts motion: confident; one that refuses the group: not applied
        trust = ScanConfig(fix_weights=(("crossing", (0.0, 0.0, 3.0, 0, 0, 0)),))
        refuse = ScanConfig(fix_weights=(("crossing", (-9.0, 0, 0, 0, 0, 0)),))
        assert Assistant(p, run, trust).suspects[0].fix_confidence > 0.9
        a = Assistant(p, run, refuse)
        assert a.suspects and a.suspects[0].fix_confidence < 0.01
        assert apply_all(a, 0.5) == ([], 0)
        a = Assistant(p, run, trust)
        applied, refused = apply_all(a, 0.5)
        assert len(applied) == 1 and refused == 0
    near = replace(s, fix={**s.fix, "from_frame": s.fix["from_frame"] + 5})
    assert _swaps_back(near, {(1, 2): [s.fix["from_frame"]]})
    assert not _swaps_back(near, {(1, 3): [s.fix["from_frame"]]})
