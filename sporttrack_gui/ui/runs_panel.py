"""The runs/tracks dock: sequence picker, table of runs, list of the shown run's tracks.

Model/view split (labelme style): ``RunsModel`` and ``TracksModel`` hold plain rows
given by the window; the panel only turns clicks into ``runChosen``/``trackChosen``.
Name, team and class cells of the tracks table are editable: the model never changes
its rows itself, it reports ``fieldEdited`` and the box editor stores the change as an
undoable edit, after which the window hands the model fresh rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.ui.painting import track_qcolor

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table of dict rows with fixed columns."""

    columns: tuple[tuple[str, str], ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """New rows; when only values changed (an edit touched a few tracks) just those
        rows are signalled, so the view keeps its selection and scroll and repaints
        little."""
        rows = list(rows)
        if len(rows) == len(self.rows) and rows and self.columns:
            changed = [i for i, (a, b) in enumerate(zip(self.rows, rows, strict=True)) if a != b]
            self.rows = rows
            last = len(self.columns) - 1
            for i in changed:
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))
            return
        self.refit = not self.rows  # first fill: the view fits its columns once
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            v = row.get(key, "")
            return f"{v:.3f}" if isinstance(v, float) else str(v if v is not None else "")
        if role == Qt.ItemDataRole.UserRole:
            return row
        return self.extra_data(row, key, role)

    def extra_data(self, row: dict[str, Any], key: str, role: int) -> Any:
        return None


class RunsModel(RowsModel):
    columns = (("name", "Run"), ("kind", "Kind"), ("status", "Status"), ("boxes", "Boxes"),
               ("tracks", "Tracks"), ("MOTA", "MOTA"), ("IDF1", "IDF1"))

    STATUS_COLOURS = {"running": QColor(240, 200, 60), "incomplete": QColor(230, 110, 90),
                      "complete": QColor(120, 200, 120)}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The kind column shows the ground-truth lock: "gt (locked)" / "gt (unlocked)"
        (words, not an emoji: not every font has a lock glyph)."""
        if (role == Qt.ItemDataRole.DisplayRole and index.isValid()
                and self.columns[index.column()][0] == "kind"
                and self.rows[index.row()].get("kind") == "gt"):
            return "gt (locked)" if _gt_locked(self.rows[index.row()]) else "gt (unlocked)"
        if (role == Qt.ItemDataRole.DisplayRole and index.isValid()
                and self.columns[index.column()][0] in ("MOTA", "IDF1")
                and self.rows[index.row()].get("stale")):
            return f"{super().data(index, role)} ⟳"  # outdated by an edit, being recomputed
        return super().data(index, role)

    def extra_data(self, row: dict[str, Any], key: str, role: int) -> Any:
        if key in ("MOTA", "IDF1") and row.get("stale"):
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Stale: the run or its ground truth was edited since; recomputing"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(150, 150, 150)
        if role == Qt.ItemDataRole.ToolTipRole and key == "kind" and row.get("kind") == "gt":
            return ("Locked: read-only (right-click to unlock)" if _gt_locked(row) else
                    "Unlocked: edits change the ground truth")
        if role == Qt.ItemDataRole.ForegroundRole and key == "status":
            return self.STATUS_COLOURS.get(row.get("status", ""))
        if role == Qt.ItemDataRole.FontRole and row.get("shown"):
            from PySide6.QtGui import QFont

            f = QFont()
            f.setBold(True)
            return f
        return None


class TracksModel(RowsModel):
    """Tracks of the shown run; ``fieldEdited(track, field, text)`` on a cell edit."""

    columns = (("track", "Id"), ("label", "Name"), ("team", "Team"), ("class", "Class"),
               ("first", "First"), ("last", "Last"), ("count", "Boxes"))
    EDITABLE = ("label", "team", "class")  # project.edits.set_track_fields names

    fieldEdited = Signal(int, str, str)

    def extra_data(self, row: dict[str, Any], key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and key == "track":
            return track_qcolor(int(row["track"]))
        if role == Qt.ItemDataRole.EditRole and key in self.EDITABLE:
            return str(row.get(key) or "")
        if role == Qt.ItemDataRole.ToolTipRole and key in self.EDITABLE:
            return "Double-click (or F2) to edit; undo with Ctrl+Z"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and self.columns[index.column()][0] in self.EDITABLE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any,  # noqa: N802 - Qt API
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        key = self.columns[index.column()][0]
        row = self.rows[index.row()]
        if key not in self.EDITABLE or str(value) == str(row.get(key) or ""):
            return False
        self.fieldEdited.emit(int(row["track"]), key, str(value))
        return True


def _gt_locked(row: dict[str, Any]) -> bool:
    from sporttrack_gui.project.run_admin import is_locked

    return is_locked(row) if "params" in row else True


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    # fitted to the contents when the table is first filled, not on every edit
    # (ResizeToContents re-measures every row after each edit: ~100 ms for 500 tracks)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    model.modelReset.connect(
        lambda: view.resizeColumnsToContents() if getattr(model, "refit", True) else None)
    return view


class RunsPanel(QWidget):
    sequenceChosen = Signal(int)
    runChosen = Signal(int)
    trackChosen = Signal(object)
    partnerChosen = Signal(object)  # Ctrl+click on a track row
    trackMenuRequested = Signal(int, QPoint)  # right-click on a track row, global pos
    runMenuRequested = Signal(int, QPoint)  # right-click on a run row, global pos
    trackFieldEdited = Signal(int, str, str)  # track, field, new text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sequence_box = QComboBox()
        self.sequence_box.setToolTip("Sequence (video or image folder) of the project")
        self.sequence_box.activated.connect(
            lambda i: self.sequenceChosen.emit(int(self.sequence_box.itemData(i))))
        self.runs_model = RunsModel(self)
        self.runs_view = _table(self.runs_model)
        self.runs_view.setToolTip("Double-click a run to show it")
        self.runs_view.doubleClicked.connect(self._run_activated)
        self.runs_view.activated.connect(self._run_activated)
        self.runs_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.runs_view.customContextMenuRequested.connect(self._run_menu)
        self.tracks_model = TracksModel(self)
        self.tracks_view = _table(self.tracks_model)
        self.tracks_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked |
                                         QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tracks_view.clicked.connect(self._track_clicked)
        self.tracks_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tracks_view.customContextMenuRequested.connect(self._track_menu)
        self.tracks_model.fieldEdited.connect(self.trackFieldEdited)
        split = QSplitter(Qt.Orientation.Vertical)
        box1, box2 = QWidget(), QWidget()
        l1, l2 = QVBoxLayout(box1), QVBoxLayout(box2)
        for lay in (l1, l2):
            lay.setContentsMargins(0, 0, 0, 0)
        l1.addWidget(QLabel("Runs"))
        l1.addWidget(self.runs_view)
        l2.addWidget(QLabel("Tracks of the shown run"))
        l2.addWidget(self.tracks_view)
        split.addWidget(box1)
        split.addWidget(box2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.sequence_box)
        layout.addWidget(split, 1)

    def set_sequences(self, seqs: list[dict[str, Any]], current: int | None) -> None:
        self.sequence_box.clear()
        for s in seqs:
            n = s.get("frame_count") or "?"
            self.sequence_box.addItem(f"{s['name']}  ({n} frames)", int(s["id"]))
        if current is not None:
            self.sequence_box.setCurrentIndex(max(0, self.sequence_box.findData(current)))

    def set_runs(self, rows: list[dict[str, Any]]) -> None:
        self.runs_model.set_rows(rows)

    def set_tracks(self, rows: list[dict[str, Any]]) -> None:
        self.tracks_model.set_rows(rows)

    def select_track(self, track_id: int | None) -> None:
        self.tracks_view.clearSelection()
        if track_id is None:
            return
        for r, row in enumerate(self.tracks_model.rows):
            if int(row["track"]) == track_id:
                self.tracks_view.selectRow(r)
                self.tracks_view.scrollTo(self.tracks_model.index(r, 0))
                return

    def _run_activated(self, index: QModelIndex) -> None:
        self.runChosen.emit(int(self.runs_model.rows[index.row()]["id"]))

    def _run_menu(self, pos: QPoint) -> None:
        index = self.runs_view.indexAt(pos)
        if index.isValid():
            run = int(self.runs_model.rows[index.row()]["id"])
            self.runMenuRequested.emit(run, self.runs_view.viewport().mapToGlobal(pos))

    def _track_clicked(self, index: QModelIndex) -> None:
        track = int(self.tracks_model.rows[index.row()]["track"])
        if QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier:
            self.partnerChosen.emit(track)
            return
        self.trackChosen.emit(track)

    def _track_menu(self, pos: QPoint) -> None:
        index = self.tracks_view.indexAt(pos)
        if index.isValid():
            track = int(self.tracks_model.rows[index.row()]["track"])
            self.trackMenuRequested.emit(track, self.tracks_view.viewport().mapToGlobal(pos))
