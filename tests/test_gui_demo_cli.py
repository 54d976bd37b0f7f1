"""The built-in demo (first start) and ``sporttrack gui --screenshot``."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("sporttrack_gui.ui.demo.DEMO_FRAMES", 60)
    return tmp_path / "home"


def test_first_start_builds_the_demo_and_tracks_it_from_gt(qtbot, demo_home):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.jobs.jobFinished, timeout=120000) as done:
        w.jobs.build_demo()
    assert done.args == ["demo", "complete"]
    assert (demo_home / "demo" / "done").exists()
    s = w.session
    assert s.sequence["frame_count"] == 60 and s.run["kind"] == "gt"
    qtbot.waitUntil(w.view.has_image, timeout=10000)

    dialog = w.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Ground truth" in t))
    dialog.tracker_box.setCurrentIndex(dialog.tracker_box.findData("bytetrack"))
    assert dialog.live_eval.isChecked()
    with qtbot.waitSignal(w.jobs.jobFinished, timeout=60000) as finished:
        qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["pipeline", "complete"]
    qtbot.waitUntil(lambda: not w.jobs.busy(), timeout=10000)
    run = s.project.run(s.project.run_id("bytetrack"))
    # exact gt boxes as detections: tracking is near perfect on the synthetic match (the
    # small, fast ball - class 2 - counts too: no MOTChallenge distractor rule on sports gt)
    assert run["metrics"]["mota"] > 0.93
    assert w.plots.live.point_count() > 0
    # a second start reuses the cached demo instead of rendering again
    from sporttrack_gui.ui.demo import demo_project

    marker = (demo_home / "demo" / "done").stat().st_mtime_ns
    assert demo_project() == s.path and (demo_home / "demo" / "done").stat().st_mtime_ns == marker
    w.close()


def _gui_args(**kw) -> argparse.Namespace:
    base = dict(project=None, frame=1, screenshot=None, size="1280x800", run=None, track=None,
                panel=None, trails=False)
    base.update(kw)
    return argparse.Namespace(**base)


def test_cli_gui_screenshot_renders_the_requested_frame(qtbot, tmp_path, snmot116, capsys):
    from sporttrack_gui.cli import cmd_gui
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    project = tmp_path / "shot.stp"
    with Project.open(project, create=True) as p:
        import_source(p, snmot116)
    out = tmp_path / "docs" / "main.png"
    assert cmd_gui.run(_gui_args(project=str(project), frame=42, screenshot=str(out),
                                 track=5, panel="heatmap")) == 0
    assert "saved" in capsys.readouterr().out
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1280, 800)
    # not a blank window: many distinct colours (video frame + boxes)
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)  # kept alive: bits() borrows it
    arr = np.frombuffer(rgb.constBits(), np.uint8)[: 1280 * 800 * 3].copy()
    assert len(np.unique(arr.reshape(-1, 3)[::97], axis=0)) > 500


def test_cli_gui_rejects_bad_arguments(tmp_path):
    from sporttrack_gui.cli import cmd_gui
    from sporttrack_gui.errors import InputError

    with pytest.raises(InputError, match="1-based"):
        cmd_gui.run(_gui_args(frame=0, screenshot=str(tmp_path / "x.png")))
    with pytest.raises(InputError, match="WIDTHxHEIGHT"):
        cmd_gui.run(_gui_args(size="big", screenshot=str(tmp_path / "x.png")))
