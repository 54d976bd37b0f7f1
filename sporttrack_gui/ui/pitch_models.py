"""Table model of per-track pitch figures (distance, speed, sprints) for the pitch panel.

Rows come from ``TrackKinematics.rows()`` (Qt-free, tested in ``pitch``); this model only
formats them and hands raw numbers to a ``QSortFilterProxyModel`` so sorting by distance
or speed is numeric, not alphabetical.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from sporttrack_gui.media.overlay import track_color

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
TRACK_ROLE = int(Qt.ItemDataRole.UserRole) + 2

# (key in a kinematics row or "name", header, format)
COLUMNS: list[tuple[str, str, str]] = [
    ("track_id", "Track", "{:d}"),
    ("name", "Name / team", "{}"),
    ("distance_m", "Distance (m)", "{:.1f}"),
    ("top_speed_kmh", "Top km/h", "{:.1f}"),
    ("mean_speed_kmh", "Mean km/h", "{:.1f}"),
    ("sprints", "Sprints", "{:d}"),
]

_Index = QModelIndex | QPersistentModelIndex


def row_name(track_id: int, names: dict[int, str], teams: dict[int, str]) -> str:
    """``"Messi (A)"``: a track's name and team where known, so the table reads like a squad."""
    name = names.get(int(track_id), "")
    team = teams.get(int(track_id), "")
    if name and team:
        return f"{name} ({team})"
    return name or (f"team {team}" if team else "")


class PitchStatsModel(QAbstractTableModel):
    """One row per track; ``SORT_ROLE`` gives raw values, ``TRACK_ROLE`` the track id."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]], names: dict[int, str] | None = None,
                 teams: dict[int, str] | None = None) -> None:
        """Replace the figures (a new analysis); names/teams decorate the name column."""
        self.beginResetModel()
        self._rows = [dict(r, name=row_name(int(r["track_id"]), names or {}, teams or {}))
                      for r in rows]
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key, _, fmt = COLUMNS[index.column()]
        value = row.get(key, "")
        if role == Qt.ItemDataRole.DisplayRole:
            return fmt.format(value)
        if role == SORT_ROLE:
            return value
        if role == TRACK_ROLE:
            return int(row["track_id"])
        if role == Qt.ItemDataRole.DecorationRole and key == "track_id":
            b, g, r = track_color(int(row["track_id"]))
            return QColor(r, g, b)
        if role == Qt.ItemDataRole.TextAlignmentRole and key != "name":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def sorted_stats_model(model: PitchStatsModel, parent: Any = None) -> QSortFilterProxyModel:
    """A proxy that sorts on raw numbers (``SORT_ROLE``) rather than formatted text."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy
