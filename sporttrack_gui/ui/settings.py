"""Remembered settings (QSettings, organisation "SportTrack"): window, recent files, tracker.

Stored as an INI file in the settings folder (platformdirs) (``SPORTTRACK_HOME`` wins), not the platform
registry, so tests, portable installs and the bundle never touch the user's real
settings, and "reset the app" is deleting one folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSettings

from sporttrack_gui.runtime import legacy_home, settings_dir

ORG, APP = "SportTrack", "SportTrack"
MAX_RECENT = 8


def settings() -> QSettings:
    fmt, scope = QSettings.Format.IniFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(settings_dir()))
    adopt_legacy_settings()
    return QSettings(fmt, scope, ORG, APP)


def adopt_legacy_settings() -> Path | None:
    """Copy the INI an earlier version kept in the single app folder (before settings got
    their own platform folder) once, so recent files and layout survive the upgrade; the
    old file is left in place. Returns the new file when it copied one."""
    new = settings_dir() / ORG / f"{APP}.ini"
    old_home = legacy_home()
    if old_home is None or new.exists():
        return None
    old = old_home / ORG / f"{APP}.ini"
    if old == new or not old.is_file():
        return None
    from sporttrack_gui.atomic_io import atomic_path

    try:
        # all or nothing: a partial INI under its name would count as adopted for good
        with atomic_path(new) as tmp:
            shutil.copy2(old, tmp)
    except OSError:
        return None  # unreadable old file or read-only folder: start with defaults
    return new


def recent_projects() -> list[str]:
    value = settings().value("recent", [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [p for p in items if p]


def add_recent(path: str | Path) -> list[str]:
    """Put ``path`` first; drop duplicates and files that no longer exist."""
    p = str(Path(path).resolve())
    items = [p] + [q for q in recent_projects() if q != p and Path(q).exists()]
    items = items[:MAX_RECENT]
    settings().setValue("recent", items)
    return items


def value(key: str, default: object = None) -> object:
    return settings().value(key, default)


def set_value(key: str, val: object) -> None:
    settings().setValue(key, val)
