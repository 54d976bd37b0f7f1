"""Remembered settings (QSettings, organisation "SportTrack"): window, recent files, tracker.

Stored as an INI file in the settings folder (platformdirs) (``SPORTTRACK_HOME`` wins), not the platform
registry, so tests, portable installs and the bundle never touch the user's real
settings, and "reset the app" is deleting one folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from sporttrack_gui.runtime import settings_dir

ORG, APP = "SportTrack", "SportTrack"
MAX_RECENT = 8


def settings() -> QSettings:
    fmt, scope = QSettings.Format.IniFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(settings_dir()))
    return QSettings(fmt, scope, ORG, APP)


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
