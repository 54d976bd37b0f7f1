"""Help > Plugins: every discovered plugin with origin, status, what it registered, and
the error of the broken ones (in red).

Why: a broken plugin is skipped so the app keeps working, which also hides it; this is
where a user finds out that ``my_tracker.py`` was found but failed, and why. The same
data as ``sporttrack plugins`` (:func:`sporttrack_gui.plugins.plugin_report`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

ERROR_COLOR = QColor("#e5484d")
COLUMNS = ("Plugin", "Origin", "Status", "Registered / error", "Location")


class PluginsDialog(QDialog):
    """Table of plugin records; broken rows red with the error; the user folder button."""

    def __init__(self, parent: QWidget | None = None, *, report: dict[str, Any] | None = None,
                 opener: Callable[[Path], bool] | None = None) -> None:
        """``report`` defaults to the live :func:`plugin_report` (loads plugins once);
        ``opener`` opens a folder (tests pass a recorder)."""
        super().__init__(parent)
        self.setObjectName("pluginsDialog")
        self.setWindowTitle("Plugins")
        if report is None:
            from sporttrack_gui.plugins import plugin_report

            report = plugin_report()
        self.report = report
        if opener is None:
            from sporttrack_gui.ui.about_dialog import open_folder

            opener = open_folder
        self._opener = opener
        plugins = report["plugins"]
        broken = sum(not p["ok"] for p in plugins)

        self.summary = QLabel(
            f"{len(plugins)} plugin(s) found, {broken} failed to load and were skipped."
            if plugins else "No plugins found.", self)
        self.summary.setObjectName("pluginsSummary")
        self.table = QTableWidget(len(plugins), len(COLUMNS), self)
        self.table.setObjectName("pluginsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        for row, p in enumerate(plugins):
            detail = (", ".join(p["registered"]) or "nothing registered") if p["ok"] else p["error"]
            cells = (p["name"], p["origin"], "ok" if p["ok"] else "error", detail, p["location"])
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(p["error"] if not p["ok"] else p["location"])
                if not p["ok"]:
                    item.setForeground(QBrush(ERROR_COLOR))
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        folders = "<br>".join(
            f"{f['origin']}: {f['path']}{'' if f['exists'] else ' (not created yet)'}"
            for f in report["folders"])
        self.folders = QLabel(f"Searched folders (and entry points <i>sporttrack.trackers</i>, "
                              f"<i>sporttrack.detectors</i>):<br>{folders}<br>"
                              "Add or fix a plugin, then restart SportTrack.", self)
        self.folders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folders.setWordWrap(True)
        user = [Path(f["path"]) for f in report["folders"] if f["origin"] == "user"]
        self.user_folder = user[0] if user else None
        self.open_button = QPushButton("Open user plugin folder", self)
        self.open_button.setEnabled(self.user_folder is not None)
        self.open_button.clicked.connect(self.open_user_folder)
        self.status = QLabel("", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row_layout = QHBoxLayout()
        row_layout.addWidget(self.open_button)
        row_layout.addWidget(self.status, 1)
        row_layout.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.folders)
        layout.addLayout(row_layout)
        self.resize(820, 380)

    def row_texts(self, row: int) -> list[str]:
        """The cell texts of ``row`` (used by tests and for copying)."""
        return [self.table.item(row, c).text() for c in range(self.table.columnCount())]

    def open_user_folder(self) -> bool:
        if self.user_folder is None:
            return False
        ok = bool(self._opener(self.user_folder))
        self.status.setText("" if ok else f"could not open {self.user_folder}")
        return ok


def show_plugins(parent: QWidget | None = None) -> PluginsDialog:
    """Open the plugins dialog (modal to ``parent``) and return it; for Help > Plugins."""
    dialog = PluginsDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
