"""F1 help: a table of every shortcut, generated from the window's live QActions.

Generated rather than written so it can never disagree with the keys that work
(including commands the box editor adds later).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

GROUP_ORDER = ("File", "Edit", "Track", "Assistant", "Playback", "View", "Run", "Help")


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str, str]]:
    """``(group, command, keys)`` for each action with a shortcut, in menu group order."""
    rows = []
    for a in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
        if not keys:
            continue
        group = a.property("help_group") or "General"
        rows.append((str(group), a.text().replace("&", "").rstrip("…"), ", ".join(keys)))
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    rows.sort(key=lambda r: (rank.get(r[0], len(rank)), r[0]))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(actions)
        extra = [("Viewer", "Pan", "Middle-drag, or drag an empty part of the frame "
                  "(Space only plays / pauses)"),
                 ("Viewer", "Zoom at the pointer", "Mouse wheel"),
                 ("Timeline", "Select a track / jump to a frame", "Click / double-click a lane"),
                 ("Viewer", "Move / resize the selected box",
                  "Drag from inside it / drag one of its handles"),
                 ("Viewer", "Pick a partner track (swap, merge)",
                  "Shift+click (or Ctrl+click) its box, Ctrl+click its row"),
                 ("Viewer", "Track operations", "Right-click a box, a track row or a lane"),
                 ("Tracks list", "Edit name / team / class", "Double-click the cell, F2")]
        self.table = QTableWidget(len(rows) + len(extra), 3, self)
        self.table.setHorizontalHeaderLabels(["Group", "Command", "Keys"])
        for r, row in enumerate(rows + extra):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 620)
