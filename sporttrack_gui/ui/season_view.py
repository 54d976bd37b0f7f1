"""The season view: a batch folder as a list of matches (status, metrics), one click to open.

Why a dialog and not a second window: the per-match work (editing, assistant, exports)
stays in the normal window; this list only helps to find the match to open. The table is
gathered from the project files by ``batch.season.collect_season`` in a worker thread, since
it opens every project and evaluates every match with ground truth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.ui.workers import CallWorker, JobRunner

COLUMNS = ("match", "status", "frames", "boxes", "ids", "wall_s", "HOTA", "IDF1", "MOTA",
           "IDSW", "distance_km", "top_speed_kmh", "sprints", "message")
_STATUS_COLOUR = {"complete": QColor("#2e7d32"), "failed": QColor("#c62828"),
                  "incomplete": QColor("#ef6c00"), "running": QColor("#1565c0")}


def load_season(folder: str, status=None) -> Any:
    """Qt-free body of the worker: the season of ``folder``."""
    from sporttrack_gui.batch import collect_season

    if status is not None:
        status(f"Reading the matches in {folder}…")
    return collect_season(folder)


class SeasonModel(QAbstractTableModel):
    """Rows of ``Season.matches``; numbers right-aligned, status coloured."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.rows[index.row()].get(COLUMNS[index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            return f"{value:.3f}" if isinstance(value, float) else str(value)
        if role == Qt.ItemDataRole.UserRole:  # sort key: numbers as numbers
            return -1e18 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and COLUMNS[index.column()] == "status":
            return _STATUS_COLOUR.get(str(value))
        if role == Qt.ItemDataRole.ToolTipRole:  # why a match failed, wherever the mouse is
            return self.rows[index.row()].get("message") or None
        return None


class SeasonDialog(QDialog):
    """List of a batch folder's matches; Open (or a double click) opens one in the window."""

    def __init__(self, folder: str | Path, open_match, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = str(folder)
        self._open_match = open_match
        self.setWindowTitle(f"Season — {Path(folder).name}")
        self.model = SeasonModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.summary = QLabel("Reading…")
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("&Open match")
        self.refresh_button = QPushButton("&Refresh")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button.clicked.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.folder))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(980, 480)
        self.runner = JobRunner(self)
        self.runner.busyChanged.connect(lambda busy: self.refresh_button.setEnabled(not busy))
        self.refresh()

    def refresh(self) -> None:
        if self.runner.busy():
            return
        worker = CallWorker(load_season, self.folder)
        worker.message.connect(self.summary.setText)
        worker.finished.connect(self._show)
        worker.failed.connect(lambda msg: self.summary.setText(f"Cannot read the season: {msg}"))
        self.runner.start(worker)

    def _show(self, season: Any) -> None:
        self.model.set_rows(season.matches)
        self.table.resizeColumnsToContents()
        counts: dict[str, int] = {}
        for r in season.matches:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        text = f"{len(season.matches)} matches: " + ", ".join(
            f"{n} {k}" for k, n in sorted(counts.items()))
        if season.combined:
            c = season.combined
            text += (f". Combined over the {c['matches']} matches with ground truth "
                     f"({c['rules']} rules): "
                     f"HOTA {c['HOTA']:.3f}, IDF1 {c['IDF1']:.3f}, MOTA {c['MOTA']:.3f}")
        self.summary.setText(text)

    def selected_project(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        match = self.model.rows[self.proxy.mapToSource(rows[0]).row()]["match"]
        path = Path(self.folder) / f"{match}.stp"
        return path if path.is_file() else None

    def open_selected(self) -> None:
        path = self.selected_project()
        if path is None:
            self.summary.setText("Select a match that has a project file (failed imports have none).")
            return
        if self._open_match(path):
            self.accept()

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self.runner.wait(10000)
        super().done(result)


def open_season_dialog(window) -> SeasonDialog | None:
    """File ▸ Open season folder…: pick a batch output folder and list its matches."""
    folder = QFileDialog.getExistingDirectory(window, "Open a batch (season) folder")
    if not folder:
        return None
    dialog = SeasonDialog(folder, window.open_project, window)
    dialog.show()
    return dialog
