"""The status-bar field that says what is selected and what a swap or merge would use.

Why a permanent field rather than ``showMessage``: a temporary message is gone after a
few seconds or replaced by the next one, while the selection and partner decide what X
(swap) and M (merge) do. The text is a plain function so it is tested without Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

MAX_WIDTH = 480  # px: the rest of the status bar stays for messages


def selection_text(selected: int | None, partner: int | None) -> str:
    """``"Track 12 selected · partner 15 (Shift+click another box to change)"``."""
    if selected is None or selected < 0:
        return ""
    if partner is None:
        return (f"Track {selected} selected · Shift+click another box to pick a partner "
                f"(swap X, merge M)")
    return f"Track {selected} selected · partner {partner} (Shift+click another box to change)"


class SelectionStatus(QLabel):
    """Elides its text instead of widening the status bar (the window must still fit
    800 px: a long label would set the main window's minimum width)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selectionStatus")
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setContentsMargins(8, 0, 8, 0)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        fm = QFontMetrics(self.font())
        return QSize(min(MAX_WIDTH, fm.horizontalAdvance(self._full) + 24), fm.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(40, QFontMetrics(self.font()).height())

    def set_selection(self, selected: int | None, partner: int | None) -> None:
        self._full = selection_text(selected, partner)
        self.setToolTip(self._full)
        self.updateGeometry()
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(10, self.width() - 16)
        self.setText(QFontMetrics(self.font()).elidedText(self._full, Qt.TextElideMode.ElideRight,
                                                          width))


def attach_selection_status(window: MainWindow) -> SelectionStatus:
    """Add the field to the left of the window's permanent status widgets; it follows
    the viewer's ``selectionChanged`` (selection and partner, whoever changed them)."""
    label = SelectionStatus(window)
    window.statusBar().insertPermanentWidget(0, label)
    window.view.selectionChanged.connect(label.set_selection)
    return label
