"""About box, crash dialog + handler, plugins dialog and CLI (pytest-qt, offscreen).

A deliberately broken plugin in SPORTTRACK_PLUGIN_PATH must be listed with its error by
``sporttrack plugins`` and the dialog, while the main window still starts.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from sporttrack_gui import diagnostics, plugins

pytestmark = pytest.mark.gui


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """Own app home; excepthooks and log handlers restored afterwards."""
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    before = list(logging.getLogger().handlers)
    yield tmp_path / "home"
    root = logging.getLogger()
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()


@pytest.fixture
def broken_plugins(tmp_path, monkeypatch):
    """Two broken user plugins and one good one registering a tracker named after the
    test folder (a fresh name, so "what it registered" is visible on every reload)."""
    folder = tmp_path / "user_plugins"
    folder.mkdir()
    probe = f"probe_{abs(hash(str(tmp_path))) % 10**8}"
    (folder / "good_probe.py").write_text(
        "from sporttrack_gui.track.base import TrackerSpec, register_tracker\n"
        "from sporttrack_gui.track import create_tracker\n"
        f"register_tracker(TrackerSpec(name={probe!r}, "
        "factory=lambda **kw: create_tracker('sort', **kw), defaults={}, "
        "description='test probe', needs_pixels=False, origin='plugin'))\n")
    (folder / "broken_import.py").write_text("import sporttrack_no_such_module\n")
    (folder / "raises_at_import.py").write_text("raise RuntimeError('plugin exploded on purpose')\n")
    monkeypatch.setenv("SPORTTRACK_PLUGIN_PATH", str(folder))
    plugins.load_plugins(force=True)
    yield folder, probe
    from sporttrack_gui.track import base

    base.TRACKERS.unregister(probe)  # leave no test tracker behind
    monkeypatch.delenv("SPORTTRACK_PLUGIN_PATH")
    plugins.load_plugins(force=True)  # leave the registry as other tests expect it


def _error_trace():
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        return sys.exc_info()


# ----------------------------------------------------------------------------- about

def test_about_shows_version_stack_and_log_location(qtbot, home):
    from sporttrack_gui.ui.about_dialog import AboutDialog, app_icon

    opened: list[Path] = []
    dlg = AboutDialog(opener=lambda p: opened.append(p) or True)
    qtbot.addWidget(dlg)
    versions = diagnostics.stack_versions()
    assert f"SportTrack {versions['sporttrack']}" in dlg.title.text()
    table = {dlg.table.item(r, 0).text(): dlg.table.item(r, 1).text()
             for r in range(dlg.table.rowCount())}
    assert table["torch"] == versions["torch"] and table["PySide6-Essentials"] == versions[
        "PySide6-Essentials"]
    assert set(diagnostics.STACK) <= set(table)
    assert str(home / "logs" / "sporttrack.log") in dlg.log_label.text()
    assert dlg.open_log_folder() and opened == [home / "logs"]
    text = dlg.copy_versions()
    assert QGuiApplication.clipboard().text() == text and "ultralytics" in text
    assert not app_icon().isNull() and not app_icon().pixmap(64, 64).isNull()


def test_about_reports_a_folder_that_cannot_be_opened(qtbot, home):
    from sporttrack_gui.ui.about_dialog import AboutDialog

    dlg = AboutDialog(versions={"sporttrack": "9.9", "torch": "x"}, log_path=home / "l.log",
                      opener=lambda p: False)
    qtbot.addWidget(dlg)
    assert "SportTrack 9.9" in dlg.title.text() and dlg.table.rowCount() == 2
    assert not dlg.open_log_folder() and "could not open" in dlg.status.text()


# ----------------------------------------------------------------------------- crash

def test_crash_dialog_shows_summary_path_and_report(qtbot, home):
    from sporttrack_gui.ui.crash_dialog import CrashDialog

    report = diagnostics.write_crash_report(*_error_trace())
    opened, quits = [], []
    dlg = CrashDialog(report, "ValueError: boom in a slot", opener=lambda p: opened.append(p) or True,
                      quit_app=quits.append)
    qtbot.addWidget(dlg)
    assert dlg.error_label.text() == "ValueError: boom in a slot"
    assert str(report) in dlg.path_label.text()
    assert "Traceback" in dlg.details.toPlainText() and "torch:" in dlg.details.toPlainText()
    assert dlg.copy_report() == report.read_text(encoding="utf-8")
    assert QGuiApplication.clipboard().text().startswith("SportTrack crash report")
    assert dlg.open_folder() and opened == [report.parent]
    dlg.quit()
    assert quits == [CrashDialog.QUIT_CODE]


def test_crash_dialog_with_an_unreadable_report_still_opens(qtbot, home):
    from sporttrack_gui.ui.crash_dialog import CrashDialog

    missing = home / "logs" / "crash-gone.log"
    dlg = CrashDialog(missing, "OSError: disk full")
    qtbot.addWidget(dlg)
    assert "OSError: disk full" in dlg.details.toPlainText()
    assert "could not be read" in dlg.copy_report()


def test_crash_handler_writes_report_and_shows_dialog(qtbot, home):
    from sporttrack_gui.ui.crash_dialog import install_crash_handler

    app = QGuiApplication.instance()
    handler = install_crash_handler(app, block=False)
    sys.excepthook(*_error_trace())  # what PySide6 does for an exception in a slot
    dlg = handler.dialog
    assert dlg is not None and dlg.isVisible()
    qtbot.addWidget(dlg)
    reports = list((home / "logs").glob("crash-*.log"))
    assert len(reports) == 1 and str(reports[0]) in dlg.path_label.text()
    assert "boom in a slot" in dlg.error_label.text()
    # a second error while the dialog is open: counted, not a second dialog
    sys.excepthook(*_error_trace())
    assert handler.dialog is dlg and handler.shown == 1 and dlg.extra_errors == 1
    assert "1 more error" in dlg.more_label.text()
    # the log file of the session records the crash
    log_text = diagnostics.log_file().read_text(encoding="utf-8")
    assert "uncaught exception; report at" in log_text
    dlg.accept()


def test_crash_from_a_worker_thread_reaches_the_gui_thread(qtbot, home):
    from sporttrack_gui.ui.crash_dialog import install_crash_handler

    handler = install_crash_handler(QGuiApplication.instance(), block=False)

    def worker():
        raise RuntimeError("failure in a background thread")

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: handler.dialog is not None, timeout=5000)
    qtbot.addWidget(handler.dialog)
    assert "failure in a background thread" in handler.dialog.error_label.text()
    handler.dialog.accept()


def test_crash_handler_never_raises_when_the_dialog_fails(qtbot, home, capfd):
    from sporttrack_gui.ui.crash_dialog import CrashHandler

    def factory(path, summary):
        raise RuntimeError("dialog construction failed")

    handler = CrashHandler(dialog_factory=factory, block=False)
    diagnostics.install_excepthook(show=handler.show)
    sys.excepthook(*_error_trace())  # must not raise
    err = capfd.readouterr().err  # written to sys.__stderr__, the process's own fd 2
    assert "crash dialog failed" in err and "crash report written to" in err
    assert list((home / "logs").glob("crash-*.log"))


# ----------------------------------------------------------------------------- plugins

def test_broken_plugin_listed_by_cli(broken_plugins, capsys):
    from sporttrack_gui.cli.main import main

    folder, probe = broken_plugins
    assert main(["plugins", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_name = {p["name"]: p for p in report["plugins"]}
    assert not by_name["broken_import"]["ok"]
    assert "sporttrack_no_such_module" in by_name["broken_import"]["error"]
    assert by_name["raises_at_import"]["error"] == "RuntimeError: plugin exploded on purpose"
    assert by_name["raises_at_import"]["origin"] == "user"
    assert by_name["centroid_tracker"]["ok"] and by_name["centroid_tracker"]["origin"] == "shipped"
    assert by_name["good_probe"]["ok"] and by_name["good_probe"]["registered"] == [probe]
    assert {"origin": "user", "path": str(folder), "exists": True} in report["folders"]
    # text output and --strict
    assert main(["plugins", "--strict"]) == 1
    text = capsys.readouterr().out
    assert "raises_at_import" in text and "ERROR" in text and "2 failed" in text


def test_broken_plugin_listed_in_red_by_dialog(qtbot, broken_plugins):
    from sporttrack_gui.ui.plugins_dialog import ERROR_COLOR, PluginsDialog

    opened: list[Path] = []
    dlg = PluginsDialog(opener=lambda p: opened.append(p) or True)
    qtbot.addWidget(dlg)
    rows = {dlg.row_texts(r)[0]: r for r in range(dlg.table.rowCount())}
    broken = rows["raises_at_import"]
    assert dlg.row_texts(broken)[2:4] == ["error", "RuntimeError: plugin exploded on purpose"]
    assert dlg.table.item(broken, 3).foreground().color() == ERROR_COLOR
    good = rows["good_probe"]
    assert dlg.row_texts(good)[2:4] == ["ok", broken_plugins[1]]
    assert dlg.table.item(good, 3).foreground().color() != ERROR_COLOR
    assert "2 failed" in dlg.summary.text()
    assert dlg.open_user_folder() and opened and opened[0].name == "plugins"


def test_app_starts_with_a_broken_plugin(qtbot, home, broken_plugins):
    from sporttrack_gui.track import tracker_names
    from sporttrack_gui.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.isVisible()
    names = tracker_names()
    assert "centroid" in names and broken_plugins[1] in names  # good plugins still registered
    window.close()
