"""Undo/redo of project edits through the window's ``QUndoStack``.

The project room stores every edit with its inverse (``project.history``), so an undo
survives a restart. A ``ProjectEditCommand`` applies an edit once (its first ``redo``),
then maps Qt's undo/redo onto ``history.undo``/``history.redo`` of the same run. The box
editor (#8) pushes one command per operation; ``refresh`` repaints the window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from sporttrack_gui.project import history


class ProjectEditCommand(QUndoCommand):
    """``apply()`` performs the edit (an ``edits`` function bound to its arguments)."""

    def __init__(self, project: Any, run: int, label: str, apply: Callable[[], Any],
                 refresh: Callable[[], None]) -> None:
        super().__init__(label)
        self.project, self.run = project, run
        self._apply, self._refresh = apply, refresh
        self._applied = False
        self.result: Any = None

    def redo(self) -> None:
        if not self._applied:
            self.result = self._apply()
            self._applied = True
        else:
            self.result = history.redo(self.project, self.run)
        self._refresh()

    def undo(self) -> None:
        self.result = history.undo(self.project, self.run)
        self._refresh()
