"""The comparison panel's metric-rules selector and its "evaluate on all sequences" action."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def test_rules_selector_and_request_signal(qtbot):
    from sporttrack_gui.ui.plot_panels import ComparisonPanel

    panel = ComparisonPanel()
    qtbot.addWidget(panel)
    assert panel.rules() == "trackeval"  # the leaderboards' rules by default
    panel.rules_box.setCurrentIndex(panel.rules_box.findData("motmetrics"))
    with qtbot.waitSignal(panel.evaluateAllRequested) as sig:
        qtbot.mouseClick(panel.all_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["motmetrics"]
    rows = [{"sequence": "a", "hota": 0.5, "mota": 0.6, "idf1": 0.7, "num_switches": 3},
            {"sequence": "COMBINED", "hota": 0.55, "mota": 0.65, "idf1": 0.75, "num_switches": 5}]
    panel.show_split("sort", "motmetrics", rows)
    assert "on 1 sequence(s), motmetrics rules" in panel.split.text()
    assert "HOTA 0.550" in panel.split.text() and "IDSW 5" in panel.split.text()
    assert "a: HOTA 0.500" in panel.split.toolTip()


def test_window_evaluates_shown_run_on_all_sequences(qtbot, tmp_path, snmot116):
    from sporttrack_gui.eval.mot import evaluate_mot
    from sporttrack_gui.formats.mot import MotTable
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(tmp_path / "m.stp", create=True)
    with qtbot.waitSignal(w.frameShown, timeout=15000):
        assert w.import_media(snmot116)
    p = w.session.project
    gt_id = p.run_id("gt")
    gt = p.boxes(gt_id)
    rng = np.random.default_rng(0)
    keep = rng.random(len(gt)) > 0.1
    noisy = MotTable.from_arrays(gt.frame[keep], gt.track_id[keep],
                                 gt.xywh[keep] + rng.normal(0, 3, (keep.sum(), 4)))
    run = p.create_run(w.session.sequence["id"], "noisy", kind="tracker", status="complete")
    p.append_boxes(run, noisy)
    w.refresh_runs()
    w.show_run(run)
    w.plots.compare.rules_box.setCurrentIndex(w.plots.compare.rules_box.findData("motmetrics"))
    worker = w.jobs.evaluate_all_sequences(w.plots.compare.rules())
    assert worker is not None
    qtbot.waitUntil(lambda: "sequence(s)" in w.plots.compare.split.text(), timeout=30000)
    qtbot.waitUntil(lambda: not w.jobs.busy(), timeout=10000)
    expect = evaluate_mot(gt, noisy, rules="motmetrics")
    text = w.plots.compare.split.text()
    assert "“noisy” on 1 sequence(s), motmetrics rules" in text
    assert f"HOTA {expect['hota']:.3f}" in text and f"MOTA {expect['mota']:.3f}" in text
    w.close()
