"""Log file, crash reports and the excepthook (no Qt): what the About box and crash dialog
rely on. Each test points SPORTTRACK_HOME at its own folder and removes its log handler."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from importlib import metadata
from pathlib import Path

import pytest

from sporttrack_gui import diagnostics


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    before = list(logging.getLogger().handlers)
    yield tmp_path / "home"
    root = logging.getLogger()
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()


def _exc_info():
    def explode():
        return {}["missing-key"]

    try:
        explode()
    except KeyError:
        return sys.exc_info()
    raise AssertionError("unreachable")


def test_log_file_is_created_under_the_app_home_once(home):
    path = diagnostics.setup_logging()
    assert path == home / "logs" / "sporttrack.log" == diagnostics.log_file()
    logging.getLogger("sporttrack.test").warning("hello from the diagnostics test")
    assert diagnostics.setup_logging() == path  # second call: no second handler
    ours = [h for h in logging.getLogger().handlers
            if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path]
    assert len(ours) == 1
    ours[0].flush()
    text = path.read_text(encoding="utf-8")
    assert "WARNING sporttrack.test: hello from the diagnostics test" in text


def test_crash_report_has_traceback_and_versions(home):
    path = diagnostics.write_crash_report(*_exc_info())
    assert path.parent == home / "logs" and path.name.startswith("crash-") and path.is_file()
    text = path.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "in explode" in text and "KeyError: 'missing-key'" in text
    assert f"torch: {metadata.version('torch')}" in text
    assert f"PySide6-Essentials: {metadata.version('PySide6-Essentials')}" in text
    assert "python: " in text and "sporttrack: " in text


def test_stack_versions_are_the_installed_ones():
    versions = diagnostics.stack_versions()
    assert set(diagnostics.STACK) <= set(versions)
    assert versions["numpy"] == metadata.version("numpy")
    owner = next(d for d in diagnostics.OPENCV_DISTS if _installed(d))
    assert versions["opencv"] == f"{metadata.version(owner)} ({owner})"
    import sporttrack_gui

    assert versions["sporttrack"] == sporttrack_gui.__version__


def _installed(dist: str) -> bool:
    try:
        metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def test_excepthook_writes_report_before_showing(home):
    seen: list[tuple[Path, str, bool]] = []

    def show(path: Path, summary: str) -> None:
        seen.append((path, summary, path.is_file()))

    diagnostics.install_excepthook(show=show)
    sys.excepthook(*_exc_info())
    assert len(seen) == 1
    path, summary, existed = seen[0]
    assert existed and path.parent == home / "logs"
    assert summary == "KeyError: 'missing-key'"


def test_excepthook_survives_a_failing_dialog(home, capsys):
    def show(path: Path, summary: str) -> None:
        raise RuntimeError("the dialog itself broke")

    diagnostics.install_excepthook(show=show)
    sys.excepthook(*_exc_info())  # must not raise
    err = capsys.readouterr().err
    assert "KeyError: 'missing-key'" in err  # fell back to the default hook
    assert list((home / "logs").glob("crash-*.log"))
