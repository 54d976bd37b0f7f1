"""Undo/redo of project edits through the window's ``QUndoStack``.

The project room stores every edit with its inverse (``project.history``), so an undo
survives a restart. The window applies an edit first (so a refused edit -- a conflict --
never reaches the stack), then pushes a ``ProjectEditCommand`` whose Qt undo/redo map
onto ``history.undo``/``history.redo`` of the same run. The box editor (#8) calls
``MainWindow.push_edit`` with any ``project.edits`` operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from sporttrack_gui.project import history


class ProjectEditCommand(QUndoCommand):
    """An edit already applied to ``run``; Qt's first ``redo`` (on push) does nothing."""

    def __init__(self, project: Any, run: int, label: str, refresh: Callable[[], None]) -> None:
        super().__init__(label)
        self.project, self.run = project, run
        self._refresh = refresh
        self._pushed = False

    def redo(self) -> None:
        if self._pushed:
            history.redo(self.project, self.run)
        self._pushed = True
        self._refresh()

    def undo(self) -> None:
        history.undo(self.project, self.run)
        self._refresh()
