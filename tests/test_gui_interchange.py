"""GUI: File ▸ Export entries come from the format registry; missing media is reported
with a relink action that repairs the project (pytest-qt, offscreen)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from sporttrack_gui.project import Project
from sporttrack_gui.project.importer import import_source

pytestmark = pytest.mark.gui


@pytest.fixture
def small_match(tmp_path):
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    m = render_match(tmp_path / "media" / "match", MatchConfig(n_frames=8, seed=5, width=320,
                                                               height=192), write_video=False)
    with Project.open(tmp_path / "match.stp", create=True) as p:
        import_source(p, m.img_dir)
    return tmp_path / "match.stp"


@pytest.fixture
def window(qtbot):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.jobs.busy():
        w.jobs.shutdown()
    w.close()


def test_export_menu_lists_registry_formats_and_writes_cvat(window, qtbot, small_match, tmp_path):
    from sporttrack_gui.formats.cvat import read_cvat

    texts = [a.text() for a in window.exports.menu_actions()]
    assert "Export CVAT for video XML…" in texts and "Export COCO JSON with track ids…" in texts
    with qtbot.waitSignal(window.frameShown, timeout=15000):
        assert window.open_project(small_match)
    with qtbot.waitSignal(window.exports.exported, timeout=30000) as done:
        assert window.exports.export_format("cvat", {}, tmp_path / "out.xml") is not None
    kind, result = done.args
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=5000)
    want = window.session.project.boxes(window.session.run["id"])
    got = read_cvat(tmp_path / "out.xml").table
    assert kind == "cvat" and result["boxes"] == len(want) == len(got)
    assert sorted(zip(got.frame.tolist(), got.track_id.tolist(), strict=True)) == \
        sorted(zip(want.frame.tolist(), want.track_id.tolist(), strict=True))
    np.testing.assert_allclose(np.sort(got.xywh, axis=0), np.sort(want.xywh, axis=0), atol=1e-3)


def test_missing_media_prompts_and_relinks(window, qtbot, small_match, tmp_path):
    moved = tmp_path / "archive" / "match"
    shutil.move(str(tmp_path / "media" / "match"), str(moved))
    assert window.open_project(small_match)
    box = window.relinker.prompt
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "media of sequence 'match' not found" in box.text() and "media/match" in box.text()
    box.close()
    with qtbot.waitSignal(window.frameShown, timeout=15000):
        assert window.relinker.relink(moved)
    seq = window.session.sequence
    assert seq["source_found"] and seq["source"] == str(moved)
    with Project.open(small_match, readonly=True) as p:  # stored in the project file
        assert p.sequences()[0]["source"] == str(moved)


def test_export_entry_of_a_format_without_extensions_asks_for_a_file(window, qtbot, small_match,
                                                                      monkeypatch, request):
    """A plugin's file format may list no extensions: the export dialog is still offered
    (a file named after the run; Browse opens the save dialog), not an IndexError in the
    menu's slot."""
    from gui_testutil import when_modal

    from sporttrack_gui.formats import registry
    from sporttrack_gui.ui import export_dialogs
    from sporttrack_gui.ui.export_dialogs import ExportDialog

    spec = registry.FormatSpec("noext", "a plugin format", (), "file", None,
                               lambda *a: {"boxes": 0})
    registry.register_format(spec)
    request.addfinalizer(lambda: registry.FORMATS.unregister("noext"))
    asked, seen = [], {}
    monkeypatch.setattr(export_dialogs.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    with qtbot.waitSignal(window.frameShown, timeout=15000):
        assert window.open_project(small_match)

    def browse_then_cancel(d):
        seen["target"] = d.target()
        d._browse()  # noqa: SLF001 - the Browse button
        d.reject()

    timer = when_modal(ExportDialog, browse_then_cancel)
    assert window.exports.export_format("noext") is None  # dialog cancelled
    timer.stop()
    assert seen["target"].endswith(window.session.run["name"]) and len(asked) == 1


def test_missing_media_prompt_is_not_stacked(window, small_match, tmp_path):
    """Showing the sequence again (switching back, reloading) replaces the prompt instead
    of piling one more message box on the others."""
    shutil.move(str(tmp_path / "media" / "match"), str(tmp_path / "gone"))
    assert window.open_project(small_match)
    assert not window.relinker.check() and not window.relinker.check()
    shown = [b for b in window.findChildren(QMessageBox, "missingMediaBox") if b.isVisible()]
    assert len(shown) == 1
