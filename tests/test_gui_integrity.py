"""The window checks a project's pages in a worker (seconds on a whole match, so not on
the GUI thread) and closes a damaged project before anything is written on top of it."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.gui


def _project(tmp_path, snmot116):
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        import_source(p, snmot116)
    return path


def test_sound_project_stays_open(qtbot, tmp_path, snmot116, monkeypatch):
    import sporttrack_gui.ui.project_files as pf
    from sporttrack_gui.ui.main_window import MainWindow

    monkeypatch.setattr(pf, "INLINE_CHECK_BYTES", 0)  # as a whole match: checked in a worker
    path = _project(tmp_path, snmot116)
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(path)
    w._integrity.wait()
    qtbot.waitUntil(lambda: not w._integrity.busy(), timeout=10000)
    assert w.session is not None


def test_damaged_project_is_closed_unchanged(qtbot, tmp_path, snmot116):
    from PySide6.QtWidgets import QMessageBox

    from sporttrack_gui.ui.main_window import MainWindow

    path = _project(tmp_path, snmot116)
    data = bytearray(path.read_bytes())
    page = 4096
    for i in range(3 * page, len(data) - page, page * 4):  # garble interior pages
        data[i + 100:i + 700] = os.urandom(600)
    path.write_bytes(bytes(data))
    w = MainWindow()
    qtbot.addWidget(w)
    assert not w.open_project(path)  # small: checked on open, refused
    assert w.session is None
    boxes = [b for b in w.findChildren(QMessageBox) if b.objectName() == "errorBox"]
    assert boxes and "damaged" in boxes[-1].text() or "malformed" in boxes[-1].text()
    assert path.read_bytes() == bytes(data)
