"""App folders: platformdirs per role on every OS, SPORTTRACK_HOME still puts all in one place."""

from __future__ import annotations

import sys

import platformdirs
import pytest

from sporttrack_gui import diagnostics, runtime


def test_sporttrack_home_holds_every_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path))
    folders = runtime.app_folders()
    assert folders == {"settings": tmp_path, "data": tmp_path, "cache": tmp_path / "cache",
                       "logs": tmp_path / "logs"}
    assert runtime.app_home() == tmp_path
    assert diagnostics.log_file() == tmp_path / "logs" / "sporttrack.log"


def test_platform_folders_by_role(monkeypatch):
    monkeypatch.delenv("SPORTTRACK_HOME", raising=False)
    name = runtime.APP_NAME
    assert runtime.data_dir() == runtime.app_home()
    assert str(runtime.data_dir()) == platformdirs.user_data_dir(name, False, roaming=False)
    assert str(runtime.settings_dir()) == platformdirs.user_config_dir(name, False, roaming=True)
    assert str(runtime.cache_dir()) == platformdirs.user_cache_dir(name, False)
    assert str(runtime.log_dir()) == platformdirs.user_log_dir(name, False)
    assert len(set(runtime.app_folders().values())) == 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux only")
def test_linux_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("SPORTTRACK_HOME", raising=False)
    for var in ("DATA", "CONFIG", "CACHE", "STATE"):
        monkeypatch.setenv(f"XDG_{var}_HOME", str(tmp_path / var.lower()))
    assert runtime.data_dir() == tmp_path / "data" / "sporttrack"
    assert runtime.settings_dir() == tmp_path / "config" / "sporttrack"
    assert runtime.cache_dir() == tmp_path / "cache" / "sporttrack"
    assert runtime.log_dir() == tmp_path / "state" / "sporttrack" / "log"


def _legacy_settings(tmp_path, monkeypatch):
    """XDG folders under tmp_path and an earlier version's INI in the old app folder."""
    monkeypatch.delenv("SPORTTRACK_HOME", raising=False)
    for var in ("DATA", "CONFIG", "CACHE", "STATE"):
        monkeypatch.setenv(f"XDG_{var}_HOME", str(tmp_path / var.lower()))
    old = tmp_path / "data" / "sporttrack" / "SportTrack" / "SportTrack.ini"
    old.parent.mkdir(parents=True)
    old.write_text("[General]\nrecent=/x/match.stp\n", encoding="utf-8")
    return old


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux only")
def test_settings_of_an_earlier_version_are_adopted_once(tmp_path, monkeypatch):
    from sporttrack_gui.ui import settings as ui_settings

    old = _legacy_settings(tmp_path, monkeypatch)
    new = ui_settings.adopt_legacy_settings()
    assert new == tmp_path / "config" / "sporttrack" / "SportTrack" / "SportTrack.ini"
    assert new.read_text(encoding="utf-8") == old.read_text(encoding="utf-8") and old.is_file()
    assert ui_settings.value("recent") == "/x/match.stp"
    new.write_text("[General]\nrecent=/y.stp\n", encoding="utf-8")
    assert ui_settings.adopt_legacy_settings() is None  # never overwrites newer settings
    assert ui_settings.value("recent") == "/y.stp"
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    assert ui_settings.adopt_legacy_settings() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are Linux only")
def test_an_interrupted_settings_copy_is_retried_next_time(tmp_path, monkeypatch):
    """A copy cut midway must not leave a partial INI under its final name: that file
    would count as "already adopted" and the old settings would never be copied."""
    from sporttrack_gui.ui import settings as ui_settings

    old = _legacy_settings(tmp_path, monkeypatch)
    real_copy = ui_settings.shutil.copy2

    def cut(src, dst, **kw):
        with open(dst, "w", encoding="utf-8") as fh:
            fh.write("[Gen")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ui_settings.shutil, "copy2", cut)
    assert ui_settings.adopt_legacy_settings() is None
    new = tmp_path / "config" / "sporttrack" / "SportTrack" / "SportTrack.ini"
    assert not new.exists()
    monkeypatch.setattr(ui_settings.shutil, "copy2", real_copy)
    assert ui_settings.adopt_legacy_settings() == new
    assert new.read_text(encoding="utf-8") == old.read_text(encoding="utf-8")
