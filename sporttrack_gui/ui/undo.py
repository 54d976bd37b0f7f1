"""Undo/redo of project edits through the window's ``QUndoStack``.

The project room stores every edit with its inverse (``project.history``), so the edit
log, not the Qt stack, is the truth. One design, used everywhere:

* An edit is applied first (so a refused edit -- a conflict -- never reaches the stack),
  then a ``ProjectEditCommand`` is pushed whose Qt undo/redo map onto
  ``history.undo``/``history.redo`` of the same run. Each hands the ``EditResult`` (with
  its delta) to the window's refresh, so the views follow the edit in place.
* Whenever the window starts showing a run (opening a project, switching runs), the
  stack is rebuilt from ``history.history(project, run)``: one command per logged op,
  the stack index at the number of ops still applied. So Ctrl+Z after reopening the
  project undoes the last edit of the previous session, and the Edit menu names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtGui import QUndoCommand, QUndoStack

from sporttrack_gui.project import history


class ProjectEditCommand(QUndoCommand):
    """An edit already applied to ``run``; Qt's first ``redo`` (on push) does nothing."""

    #: while True (stack rebuilds) undo/redo only move Qt's index, never the project
    replaying: ClassVar[bool] = False

    def __init__(self, project: Any, run: int, label: str, refresh: Callable[[Any], None],
                 result: Any = None) -> None:
        super().__init__(label)
        self.project, self.run = project, run
        self._refresh = refresh
        self._first = result  # the applied edit's EditResult: its delta is shown on push
        self._pushed = False

    def redo(self) -> None:
        if ProjectEditCommand.replaying:
            self._pushed = True
            return
        result = history.redo(self.project, self.run) if self._pushed else self._first
        self._first = None
        self._pushed = True
        self._refresh(result)

    def undo(self) -> None:
        if ProjectEditCommand.replaying:
            return
        self._refresh(history.undo(self.project, self.run))


def rebuild_stack(stack: QUndoStack, project: Any, run: int | None,
                  refresh: Callable[[Any], None]) -> int:
    """Make ``stack`` mirror the stored edit log of ``run``; returns the number of ops.

    Undone ops are always the newest ones (a new edit drops them), so the log maps onto
    a Qt stack as "all ops pushed, index = number of done ops".
    """
    stack.clear()
    if project is None or run is None:
        return 0
    ops = history.history(project, run)
    ProjectEditCommand.replaying = True
    try:
        for op in ops:
            stack.push(ProjectEditCommand(project, run, str(op["label"]), refresh))
        stack.setIndex(sum(1 for op in ops if op["state"] == "done"))
    finally:
        ProjectEditCommand.replaying = False
    stack.setClean()
    return len(ops)
