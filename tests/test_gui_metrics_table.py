"""The metrics table (issue 18): IDSW/FP/FN/MT/ML/Frag next to MOTA/IDF1/Prec/Rec with the
delta against the raw run, stale marks after an edit until a worker has rescored it, "—"
instead of nan for SOT runs, and a comparison legend with each metric once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from sporttrack_gui.eval import project_metrics as pm
from sporttrack_gui.formats.mot import MotTable
from sporttrack_gui.project import edits, run_admin

SWITCH_AT = 300


def _switched_copy(gt: MotTable) -> tuple[MotTable, int, int]:
    """The gt with two tracks' ids swapped from ``SWITCH_AT`` on (one ID switch each)."""
    ids_before = set(gt.track_id[gt.frame == SWITCH_AT - 1].tolist())
    ids_after = set(gt.track_id[gt.frame == SWITCH_AT].tolist())
    a, b = sorted(ids_before & ids_after)[:2]
    tid = gt.track_id.copy()
    late = gt.frame >= SWITCH_AT
    tid[late & (gt.track_id == a)] = b
    tid[late & (gt.track_id == b)] = a
    return MotTable.from_arrays(gt.frame, tid, gt.xywh), a, b


def _add_tracker_run(project, seq: int, gt_run: int) -> tuple[int, int, int]:
    table, a, b = _switched_copy(project.boxes(gt_run))
    run = project.create_run(seq, "bytetrack", kind="tracker")
    project.append_boxes(run, table)
    project.set_run_status(run, "complete")
    return run, a, b


# ---- Qt-free ---------------------------------------------------------------------------------

def _run(id_, name, kind="tracker", metrics=None, params=None):
    return {"id": id_, "sequence_id": 1, "name": name, "kind": kind, "metrics": metrics or {},
            "params": params or {}}


def test_table_rows_deltas_sot_dash_and_staleness():
    gt = _run(1, "gt", "gt")
    raw = _run(2, "bytetrack", metrics={"mota": 0.8, "idf1": 0.7, "num_switches": 12,
                                        "num_misses": 100, pm.BASIS_KEY: "run2=0|gt1=0"})
    fixed = _run(3, "fixed", "manual", params={"copied_from": "bytetrack"},
                 metrics={"mota": 0.82, "idf1": 0.75, "num_switches": 9, "num_misses": 100,
                          pm.BASIS_KEY: "run3=1:7:7|gt1=0"})
    sot = _run(4, "csrt", "sot", metrics={"auc": 0.61, "precision_20": 0.72, "mota": "nan"})
    states = {3: "1:7:7"}
    rows = {r["name"]: r for r in pm.table_rows([gt, raw, fixed, sot], states)}
    f = rows["fixed"]
    assert f["raw"] == "bytetrack" and not f["stale"]
    assert f["cells"]["num_switches"] == "9 (−3)" and f["deltas"]["num_switches"] == -3
    assert f["cells"]["idf1"] == "0.750 (+0.050)" and f["cells"]["num_misses"] == "100 (±0)"
    assert f["cells"]["mostly_tracked"] == pm.DASH  # not in the stored metrics
    assert rows["bytetrack"]["cells"]["mota"] == "0.800" and rows["bytetrack"]["raw"] is None
    s = rows["csrt"]
    assert s["sot"] and all(v == pm.DASH for v in s["cells"].values())
    assert "AUC 0.610" in s["note"] and "nan" not in " ".join(s["cells"].values())
    # another edit of the copy, or of the gt, makes its numbers stale
    assert pm.table_rows([gt, raw, fixed, sot], {3: "2:8:15"})[2]["stale"]
    assert pm.table_rows([gt, raw, fixed, sot], {3: "1:7:7", 1: "1:9:9"})[1]["stale"]
    assert not pm.has_mot_metrics(sot) and pm.has_mot_metrics(fixed)


def test_evaluate_run_counts_switches_and_basis(tmp_path, snmot116):
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    with Project.open(tmp_path / "m.stp", create=True) as project:
        summary = import_source(project, snmot116)
        gt_run = summary.runs["gt"][0]
        run, a, b = _add_tracker_run(project, summary.sequence_id, gt_run)
        m = pm.evaluate_and_store(project, run)
        assert m["num_switches"] >= 2 and m["num_false_positives"] == 0
        assert {"mostly_tracked", "mostly_lost", "num_fragmentations", "num_misses"} <= set(m)
        copy = run_admin.copy_run(project, run, "bytetrack fixed")
        edits.swap_tracks(project, copy, a, b, from_frame=SWITCH_AT)
        runs = project.runs(summary.sequence_id)
        states = pm.edit_state(project)
        assert not pm.is_stale(project.run(run), runs, states)
        fixed = pm.evaluate_and_store(project, copy)
        assert fixed["num_switches"] == 0 and fixed["idf1"] == pytest.approx(1.0)
        rows = {r["name"]: r for r in pm.table_rows(project.runs(summary.sequence_id),
                                                    pm.edit_state(project))}
        assert rows["bytetrack fixed"]["deltas"]["num_switches"] == -m["num_switches"]
        edits.swap_tracks(project, copy, a, b, from_frame=SWITCH_AT + 50)
        rows = {r["name"]: r for r in pm.table_rows(project.runs(summary.sequence_id),
                                                    pm.edit_state(project))}
        assert rows["bytetrack fixed"]["stale"] and not rows["bytetrack"]["stale"]


# ---- the window --------------------------------------------------------------------------------

pytestmark = pytest.mark.gui


def test_metrics_table_follows_an_edit(window, qtbot):
    s = window.session
    gt_run = int(s.gt_run()["id"])
    run, a, b = _add_tracker_run(s.project, int(s.sequence["id"]), gt_run)
    pm.evaluate_and_store(s.project, run)
    copy = run_admin.copy_run(s.project, run, "bytetrack fixed")
    window.refresh_runs()
    window.show_run(copy)
    qtbot.waitUntil(lambda: not s.loading, timeout=15000)
    window.actions_["evaluate"].trigger()  # Ctrl+M: the copy's numbers before fixing
    panel = window.plots.metrics
    before = panel.row("bytetrack fixed")
    assert before is not None and before["values"]["num_switches"] >= 2
    assert before["deltas"]["num_switches"] == 0 and before["raw"] == "bytetrack"
    headers = [panel.model.headerData(i, Qt.Orientation.Horizontal)
               for i in range(panel.model.columnCount())]
    assert headers[:11] == ["Run", "MOTA", "IDF1", "Prec", "Rec", "IDSW", "FP", "FN", "MT",
                            "ML", "Frag"]
    # the fix: the row is marked stale at once, then rescored by the worker
    assert window.push_edit("swap", lambda: edits.swap_tracks(s.project, copy, a, b,
                                                              from_frame=SWITCH_AT))
    assert panel.row("bytetrack fixed")["stale"]
    runs_model = window.runs_panel.runs_model
    r = next(i for i, row in enumerate(runs_model.rows) if row["id"] == copy)
    col = [c for c, _ in runs_model.columns].index("IDF1")
    assert runs_model.data(runs_model.index(r, col)).endswith("⟳")
    qtbot.waitUntil(lambda: not window.metrics.busy()
                    and not panel.row("bytetrack fixed")["stale"], timeout=60000)
    after = panel.row("bytetrack fixed")
    assert after["values"]["num_switches"] == 0
    assert after["deltas"]["num_switches"] == -before["values"]["num_switches"]
    assert after["cells"]["num_switches"].startswith("0 (−")
    assert s.project.run(copy)["metrics"]["num_switches"] == 0  # stored
    assert not runs_model.data(runs_model.index(r, col)).endswith("⟳")
    assert "rescored" in panel.status.text()


def test_sot_runs_show_a_dash_and_no_bars(window):
    s = window.session
    seq = int(s.sequence["id"])
    sot = s.project.create_run(seq, "csrt", kind="sot", status="complete")
    s.project.set_run_metrics(sot, {"auc": 0.6, "precision_20": 0.7})
    gt_run = int(s.gt_run()["id"])
    run, _, _ = _add_tracker_run(s.project, seq, gt_run)
    pm.evaluate_and_store(s.project, run)
    window.refresh_runs()
    rows = {r["name"]: r for r in window.runs_panel.runs_model.rows}
    assert rows["csrt"]["MOTA"] == pm.DASH and rows["csrt"]["IDF1"] == pm.DASH
    assert not math.isnan(rows["bytetrack"]["MOTA"])
    compare = window.plots.compare
    assert compare.names == ["bytetrack"]  # no empty SOT group
    legend = compare.plot.getPlotItem().legend
    labels = [label.text for _, label in legend.items]
    assert len(labels) == len(set(labels)) == len(compare.bars)  # each metric once
    assert window.plots.metrics.row("csrt")["sot"]
    assert np.all([c == pm.DASH for c in window.plots.metrics.row("csrt")["cells"].values()])


def test_long_runs_are_marked_stale_not_rescored(window, qtbot, monkeypatch):
    from sporttrack_gui.ui import metrics_panel

    s = window.session
    run, a, b = _add_tracker_run(s.project, int(s.sequence["id"]), int(s.gt_run()["id"]))
    pm.evaluate_and_store(s.project, run)
    window.refresh_runs()
    window.show_run(run)
    qtbot.waitUntil(lambda: not s.loading, timeout=15000)
    monkeypatch.setattr(metrics_panel, "AUTO_RESCORE_MAX_BOXES", 1000)
    assert window.push_edit("swap", lambda: edits.swap_tracks(s.project, run, a, b,
                                                              from_frame=SWITCH_AT))
    qtbot.wait(metrics_panel.DEBOUNCE_MS + 200)
    assert not window.metrics.busy()
    assert window.plots.metrics.row("bytetrack")["stale"]
    assert "Ctrl+M" in window.plots.metrics.status.text()
    window.actions_["evaluate"].trigger()  # the user's recompute clears the mark
    row = window.plots.metrics.row("bytetrack")
    assert not row["stale"] and row["values"]["num_switches"] == 0


def test_cli_project_metrics_table(tmp_path, snmot116, capsys):
    """``sporttrack project metrics``: the same table on the command line; --evaluate
    scores missing or stale runs and stores them; bad rules exit 2, project unchanged."""
    import json

    from sporttrack_gui.cli.main import main
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    path = tmp_path / "m.stp"
    with Project.open(path, create=True) as project:
        summary = import_source(project, snmot116)
        run, a, b = _add_tracker_run(project, summary.sequence_id, summary.runs["gt"][0])
        copy = run_admin.copy_run(project, run, "fixed")
        edits.swap_tracks(project, copy, a, b, from_frame=SWITCH_AT)
    assert main(["project", "metrics", str(path)]) == 0
    assert "not evaluated" in capsys.readouterr().out
    assert main(["project", "metrics", str(path), "--evaluate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert sorted(out["evaluated"]) == ["SNMOT-116/bytetrack", "SNMOT-116/fixed"]
    rows = {r["name"]: r for r in out["sequences"][0]["rows"]}
    assert rows["fixed"]["deltas"]["num_switches"] == -rows["bytetrack"]["values"]["num_switches"]
    assert main(["project", "metrics", str(path), "--evaluate"]) == 0  # nothing stale now
    text = capsys.readouterr().out
    assert "evaluated:" not in text and "IDSW" in text and "(−" in text
    with Project.open(path) as project:
        edits.swap_tracks(project, copy, a, b, from_frame=SWITCH_AT + 40)
    assert main(["project", "metrics", str(path)]) == 0
    assert "fixed (stale)" in capsys.readouterr().out
    assert main(["project", "metrics", str(path), "--rules", "bogus"]) == 2
    assert "bogus" in capsys.readouterr().err
