"""Icons: the desktop theme's where it has one, else the SVGs shipped in resources/icons.

Bundles and minimal desktops (Xvfb, Windows) have no freedesktop icon theme, so every
icon the app uses ships as an SVG under the freedesktop name and is the fallback.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from sporttrack_gui.runtime import resources_dir


@lru_cache(maxsize=64)
def icon(name: str) -> QIcon:
    """``QIcon`` for a freedesktop icon name, falling back to ``resources/icons/<name>.svg``."""
    path = resources_dir() / "icons" / f"{name}.svg"
    fallback = QIcon(str(path)) if path.exists() else QIcon()
    return QIcon.fromTheme(name, fallback)
