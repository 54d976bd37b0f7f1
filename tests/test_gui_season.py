"""The season view lists a batch folder's matches (read in a worker) and opens one."""

from __future__ import annotations

import pytest

from sporttrack_gui.batch import BatchSettings, load_jobs, run_batch
from sporttrack_gui.batch.synthetic import write_synthetic_match

pytestmark = pytest.mark.gui


@pytest.fixture
def season_folder(tmp_path):
    for i in range(2):
        write_synthetic_match(tmp_path / "data" / f"m{i}", frames=60, players=4, seed=i)
    (tmp_path / "data" / "broken.txt").write_text("x")
    out = tmp_path / "out"
    run_batch(load_jobs(str(tmp_path / "data" / "*")), BatchSettings(out_dir=str(out)),
              engine="local")
    return out


def test_season_dialog_lists_matches_and_opens_one(qtbot, season_folder):
    from sporttrack_gui.ui.main_window import MainWindow
    from sporttrack_gui.ui.season_view import SeasonDialog

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    opened = []
    dialog = SeasonDialog(season_folder, lambda p: opened.append(p) or w.open_project(p), w)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=20000)
    rows = {r["match"]: r for r in dialog.model.rows}
    assert rows["m0"]["status"] == "complete" and rows["broken"]["status"] == "failed"
    assert "3 matches" in dialog.summary.text() and "Combined over the 2 matches" in dialog.summary.text()
    assert dialog.model.data(dialog.model.index(0, 1)) in ("complete", "failed")
    # a failed match has no project: Open explains instead of failing
    src = [r["match"] for r in dialog.model.rows].index("broken")
    dialog.table.selectRow(dialog.proxy.mapFromSource(dialog.model.index(src, 0)).row())
    dialog.open_selected()
    assert not opened
    assert "Select a match that has a project file" in dialog.summary.text()
    src = [r["match"] for r in dialog.model.rows].index("m1")
    dialog.table.selectRow(dialog.proxy.mapFromSource(dialog.model.index(src, 0)).row())
    dialog.open_selected()
    assert opened == [season_folder / "m1.stp"]
    assert w.session is not None and str(w.session.project.path).endswith("m1.stp")
    w.close()
