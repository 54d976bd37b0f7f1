"""The match-length paths of the window on a small run: the model loaded by a worker,
edits followed by their deltas, the assistant scanning in a worker with stale results
dropped -- forced on by setting the inline thresholds to zero."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, synthetic_match, monkeypatch):
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source
    from sporttrack_gui.ui import assistant_panel, session
    from sporttrack_gui.ui.main_window import MainWindow

    monkeypatch.setattr(session, "INLINE_FRAMES", 0)
    monkeypatch.setattr(assistant_panel, "INLINE_BOXES", 0)
    path = tmp_path / "m.stp"
    with Project.open(path, create=True) as p:
        import_source(p, synthetic_match.img_dir)
        gt = p.runs()[0]["id"]
        p.copy_run(gt, "corrected")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.modelReady, timeout=30000):
        assert w.open_project(path)
    yield w
    w.assistant.worker.wait()
    w.close()


def _settled(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.assistant.busy() and not window.background.busy(),
                    timeout=30000)
    qtbot.wait(50)


def test_worker_model_follows_edits_and_the_assistant_rescans_in_a_worker(window, qtbot):
    from sporttrack_gui.assist import scan_table
    from sporttrack_gui.ui.run_index import RunIndex

    s = window.session
    run = int(s.run["id"])
    assert s.run["name"] == "corrected" and not s.loading and len(s.index) > 0
    _settled(window, qtbot)
    assert window.assistant.suspects == scan_table(s.project.boxes(run))
    ids = s.index.track_ids().tolist()
    a, b = ids[0], ids[1]
    assert window.editor.swap(a, b, 60)
    assert window.editor.split(a, 100)
    window.undo_stack.undo()
    window.undo_stack.undo()
    window.undo_stack.redo()
    fresh = RunIndex.load(s.project.conn, run)
    for k, v in s.index.columns().items():
        np.testing.assert_array_equal(v, fresh.columns()[k])
    # results of scans started before the last edit were dropped; the shown one is current
    _settled(window, qtbot)
    assert window.assistant.suspects == scan_table(s.project.boxes(run))
    rows = {r["track"]: r for r in window.runs_panel.tracks_model.rows}
    assert {t: (r["first"], r["last"], r["count"]) for t, r in rows.items()} == \
        s.index.track_stats()


def test_frames_show_from_the_project_while_the_model_loads(window, qtbot):
    s = window.session
    run = int(s.run["id"])
    s.select_run(run, load=False)  # as the window does for a long run
    assert s.loading and len(s.index) == 0
    sl = s.frame(10)
    assert sorted(sl.track_id.tolist()) == sorted(s.project.boxes(run, frame=10).track_id.tolist())
    window._load_model()  # noqa: SLF001 - what show_run does
    qtbot.waitUntil(lambda: not s.loading, timeout=30000)
    assert s.frame(10).track_id.tolist() == sl.track_id.tolist()
