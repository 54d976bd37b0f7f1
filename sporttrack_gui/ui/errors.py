"""Showing errors: user errors in a message box, never a crash.

``SportTrackError`` messages already name the file/line/frame; the dialog adds what the
user was doing. Anything else is a bug: logged with its traceback and shown briefly.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from sporttrack_gui.errors import SportTrackError

log = logging.getLogger(__name__)


def error_text(exc: BaseException | str, doing: str) -> str:
    """``"Could not <doing>:\\n<message>"`` (plain so tests and the status bar can use it)."""
    if isinstance(exc, SportTrackError | str):
        return f"Could not {doing}:\n{exc}"
    return f"Could not {doing} (internal error, see the log):\n{type(exc).__name__}: {exc}"


def show_error(parent: QWidget | None, exc: BaseException | str, doing: str) -> None:
    if not isinstance(exc, SportTrackError | str):
        log.error("unexpected error while trying to %s", doing, exc_info=exc)
    box = QMessageBox(QMessageBox.Icon.Warning, "SportTrack", error_text(exc, doing),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.open()
