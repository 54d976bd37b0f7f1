"""Review findings in the camera-group view (each test failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from multicam_testutil import project_without_pixels as _project  # noqa: E402


def test_failed_screenshot_leaves_no_file_under_its_name(tmp_path, qapp, monkeypatch):
    from PySide6.QtGui import QPixmap

    from sporttrack_gui.errors import MediaError
    from sporttrack_gui.ui.multicam_view import save_screenshot

    path, _ = _project(tmp_path, frames=40)

    def half_written(self, name, fmt=None, quality=-1):
        Path(name).write_bytes(b"\x89PNG half")     # a writer that gives up midway
        return False

    monkeypatch.setattr(QPixmap, "save", half_written)
    out = tmp_path / "shots" / "view.png"
    with pytest.raises(MediaError):
        save_screenshot(path, "match", 10, out)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_a_reload_that_fails_keeps_the_view_usable(tmp_path, qtbot):
    from sporttrack_gui.multicam.group import load_group
    from sporttrack_gui.project import Project
    from sporttrack_gui.ui.multicam_view import MulticamWindow

    path, _ = _project(tmp_path, frames=40)
    w = MulticamWindow(path, "match")
    qtbot.addWidget(w)
    shown = w.view
    with Project.open(path, readonly=True) as p:
        Path(load_group(p, "match").cameras[2].homographies).write_bytes(b"")
    w.reload()                                     # no exception out of a Qt slot
    assert "cannot read homographies" in w.status.text()
    assert w.view is shown
    w.set_frame(20)                                # the old view still scrubs
    assert w.frame == 20
