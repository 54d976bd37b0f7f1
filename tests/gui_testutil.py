"""Helpers shared by the pytest-qt tests (imported as ``gui_testutil``, like track_testutil)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import sporttrack_gui.ui  # noqa: F401 - Qt through the package (PySide refcount workaround)


def when_modal(cls, action, interval_ms: int = 20) -> QTimer:
    """Call ``action(dialog)`` once a modal ``cls`` dialog is open (it blocks in exec)."""
    timer = QTimer()
    timer.setInterval(interval_ms)

    def check() -> None:
        dlg = QApplication.activeModalWidget()
        if isinstance(dlg, cls):
            timer.stop()
            action(dlg)

    timer.timeout.connect(check)
    timer.start()
    return timer
