"""ID-switch assistant dock: the suspects of the shown run, one key to step, one to fix.

Model/view/controller kept apart: ``SuspectsModel`` holds the ``assist.Suspect`` list,
``AssistantPanel`` is the widget (table, buttons, detail line) and emits intent only,
``AssistantController`` ties both to the window -- it scans a snapshot of the shown
run's model with ``sporttrack_gui.assist.scan_table`` (Qt-free, shared with the CLI),
moves the play head and selection to a suspect, applies ``assist.apply_fix`` through
``MainWindow.push_edit`` (so a fix is one undoable entry of the run's edit log) and
rescans after any edit, feeding the same list to the timeline's markers. The shown
suspect also gets ghosts of its tracks' last boxes in the view and a before/after strip
of thumbnails under the list (``ui.suspect_strip``, cropped in a worker).

Scans of match-length runs run in a background thread on a snapshot (the shown ids
copied, ~10 ms); each result carries the model version it was made from and is dropped
if the model changed meanwhile (a newer scan is then already queued). Short runs are
scanned inline (a few ms, and the list is there at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.assist import Suspect, apply_fix, next_suspect, previous_suspect
from sporttrack_gui.assist.incremental import IncrementalScan
from sporttrack_gui.assist.rejected import rejected_keys, remember_rejected, without_rejected
from sporttrack_gui.assist.strip import TrackBoxes
from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui.actions import ActionSpec, add_actions
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.runs_panel import RowsModel
from sporttrack_gui.ui.suspect_strip import StripController, SuspectStrip
from sporttrack_gui.ui.track_ops import fix_summary

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

ASSIST_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("assist_next", "&Next suspect", ("N", "F3"), "go-next",
               "Jump to the next suspected ID switch and select its tracks", "Assistant"),
    ActionSpec("assist_prev", "&Previous suspect", ("Shift+N", "Shift+F3"), "go-previous",
               "Jump to the previous suspected ID switch", "Assistant"),
    ActionSpec("assist_apply", "&Apply proposed fix", ("Ctrl+Return", "Ctrl+Enter"),
               "dialog-ok-apply", "Apply the shown suspect's proposed fix (undoable); "
               "Enter in the suspects list does the same", "Assistant"),
    ActionSpec("assist_reject", "&Reject proposal", ("Ctrl+Backspace",), "dialog-cancel",
               "Dismiss the shown suspect for good: it does not come back after a rescan "
               "(remembered in the project)", "Assistant"),
    ActionSpec("assist_rescan", "&Rescan run", ("F5",), "view-refresh",
               "Look for suspected ID switches again", "Assistant"),
)


class SuspectsModel(RowsModel):
    """One row per suspect; ``UserRole`` of a row gives the ``Suspect`` itself."""

    columns = (("frame", "Frame"), ("kind", "Kind"), ("tracks", "Tracks"), ("score", "Score"),
               ("fix", "Proposed fix"), ("reason", "Why"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suspects: list[Suspect] = []

    def set_suspects(self, suspects: list[Suspect]) -> None:
        self.suspects = list(suspects)
        self.set_rows([{"frame": s.frame, "kind": s.kind,
                        "tracks": ", ".join(str(t) for t in s.tracks),
                        "score": float(s.score), "fix": fix_summary(s.fix),
                        "reason": s.reason, "suspect": s} for s in suspects])

    def extra_data(self, row: dict[str, Any], key: str, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return row["reason"]
        return None


class AssistantPanel(QWidget):
    """Table of suspects with Previous/Next/Apply/Rescan; Enter in the table applies."""

    rowChosen = Signal(int)
    applyRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SuspectsModel(self)
        self.table = QTableView()
        self.table.setObjectName("suspectsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.clicked.connect(lambda i: self.rowChosen.emit(i.row()))
        self.table.activated.connect(lambda i: self.applyRequested.emit(i.row()))
        self.prev_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.apply_button = QPushButton("Apply fix")
        self.apply_button.setObjectName("applyFixButton")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setObjectName("rejectButton")
        self.rescan_button = QPushButton("Rescan")
        self.summary = QLabel("No run shown")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setObjectName("suspectDetail")
        self.strip = SuspectStrip()  # thumbnails of the shown suspect's tracks
        row = QHBoxLayout()
        for b in (self.prev_button, self.next_button, self.apply_button, self.reject_button,
                  self.rescan_button):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.strip)

    def select_row(self, row: int | None) -> None:
        self.table.clearSelection()
        if row is None:
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0),
                            QAbstractItemView.ScrollHint.PositionAtCenter)

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None


#: models with more boxes than this are scanned in the background
INLINE_BOXES = 200_000


def scan_snapshot(scanner: IncrementalScan, snapshot: Any) -> tuple[int, list[Suspect]]:
    """(model version, suspects) of a model snapshot: the worker's whole job. The
    scanner keeps the box-overlap pairs of the run between scans (``assist.incremental``)."""
    return snapshot.version, scanner.scan(snapshot)


class AssistantController(QObject):
    """Keeps the panel's suspects in step with the shown run; ``scanned`` after a scan."""

    scanned = Signal(int)  # number of suspects

    def __init__(self, window: MainWindow, panel: AssistantPanel) -> None:
        super().__init__(window)
        self.w, self.panel = window, panel
        self.actions = add_actions(window, ASSIST_SPECS)
        self.current: int | None = None
        self.fixes_applied = 0
        self.worker = Background(self)
        self.worker.finished.connect(self._scan_done)
        self.worker.failed.connect(self._scan_failed)
        self._key: tuple[Any, ...] | None = None  # (model object id, version) shown
        self._scanner = IncrementalScan()
        self._scanner_model = 0  # id() of the model the scanner's cache belongs to
        self._first = True  # the first scan of a run shows its progress in the status bar
        self._snap: Any = None  # the model snapshot the shown list was scanned from
        self.strip = StripController(window, panel.strip)
        # a rescan asked for while the worker scans: started when it is done, with a
        # snapshot taken then (not one ~27 MB copy per edit waiting in the queue)
        self._pending = False
        window.modelChanged.connect(lambda _change: self.rescan())
        a = self.actions
        a["assist_next"].triggered.connect(lambda: self.step(1))
        a["assist_prev"].triggered.connect(lambda: self.step(-1))
        a["assist_apply"].triggered.connect(lambda: self.apply())
        a["assist_rescan"].triggered.connect(self.rescan)
        a["assist_reject"].triggered.connect(lambda: self.reject())
        panel.reject_button.clicked.connect(lambda: self.reject())
        panel.next_button.clicked.connect(lambda: self.step(1))
        panel.prev_button.clicked.connect(lambda: self.step(-1))
        panel.apply_button.clicked.connect(lambda: self.apply())
        panel.rescan_button.clicked.connect(self.rescan)
        panel.rowChosen.connect(self.go_to)
        panel.applyRequested.connect(self.apply)

    @property
    def suspects(self) -> list[Suspect]:
        return self.panel.model.suspects

    # ---- scanning -----------------------------------------------------------------------
    def busy(self) -> bool:
        return self._pending or self.worker.busy()

    def rescan(self) -> list[Suspect]:
        """Scan the shown run (after opening, switching runs and every edit); returns
        the list when it was scanned inline, else the current one (the new list comes
        with ``scanned``)."""
        s = self.w.session
        if s is None or s.run is None:
            self._key, self._snap = None, None
            self.panel.summary.setText("No run shown")
            return self._show([], None)
        if s.loading:
            self.panel.summary.setText(f"Loading “{s.run['name']}”…")
            return self.suspects
        model = s.index
        key = (id(model), model.version)
        if key == self._key and not self.worker.busy():
            return self.suspects
        if self.worker.busy() and len(model.frame) > INLINE_BOXES:
            self._pending = True
            self.panel.summary.setText(f"Scanning “{s.run['name']}”…")
            return self.suspects
        snap = model.snapshot()
        self._snap = snap
        if self._scanner_model != id(model):  # another run or a reload: a fresh cache
            self._scanner, self._scanner_model = IncrementalScan(), id(model)
        if len(snap.frame) <= INLINE_BOXES:
            self._key = key
            try:
                return self._show(scan_snapshot(self._scanner, snap)[1], s.run["name"])
            except SportTrackError as exc:
                show_error(self.w, exc, "look for ID switches")
                return self._show([], s.run["name"])
        self._key = key
        if self._first:
            self.w.statusBar().showMessage(
                f"ID-switch assistant: scanning {len(model):,} boxes…")
        self.panel.summary.setText(f"Scanning “{s.run['name']}”…")
        self.worker.start((id(model), int(s.run["id"])), scan_snapshot, self._scanner, snap)
        return self.suspects

    def _scan_done(self, tag: Any, result: Any) -> None:
        version, found = result
        s = self.w.session
        if s is None or s.run is None or s.loading or tag != (id(s.index), int(s.run["id"])) \
                or version != s.index.version:
            self._rescan_pending()
            return  # stale: the model changed meanwhile (a newer scan is asked for)
        if self._first:
            self.w.statusBar().showMessage(f"ID-switch assistant: {len(found)} suspect(s)", 4000)
        self._first = False
        self._show(found, s.run["name"])
        self._rescan_pending()

    def _scan_failed(self, _tag: Any, message: str) -> None:
        show_error(self.w, message, "look for ID switches")
        self._rescan_pending()

    def _rescan_pending(self) -> None:
        if self._pending:
            self._pending = False
            self.rescan()

    def _rejected(self) -> set[str]:
        s = self.w.session
        if s is None or s.run is None:
            return set()
        try:
            return rejected_keys(s.project, int(s.run["id"]))
        except SportTrackError:
            return set()

    def _show(self, found: list[Suspect], run_name: str | None) -> list[Suspect]:
        found = without_rejected(found, self._rejected()) if run_name is not None else found
        if run_name is not None:
            kinds: dict[str, int] = {}
            for x in found:
                kinds[x.kind] = kinds.get(x.kind, 0) + 1
            parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            self.panel.summary.setText(f"{len(found)} suspect(s) in “{run_name}”"
                                       + (f": {parts}" if parts else " – nothing to fix"))
        self.panel.model.set_suspects(found)
        self.current = None
        self.strip.clear()
        self.panel.detail.setText("")
        self.w.timeline.set_suspects(found)
        self.scanned.emit(len(found))
        return found

    # ---- stepping -------------------------------------------------------------------------
    def step(self, direction: int) -> Suspect | None:
        """Next (1) or previous (-1) suspect from the play head; several at one frame are
        visited one after another before moving on."""
        sus = self.suspects
        if not sus:
            self.w.statusBar().showMessage("No suspects in the shown run", 3000)
            return None
        frame = self.w.playback.frame
        i = self.current
        if i is not None and i < len(sus) and sus[i].frame == frame:
            j = (i + direction) % len(sus)
        else:  # from the play head; a suspect on the shown frame counts as the next one
            pick = next_suspect(sus, frame - 1) if direction > 0 else previous_suspect(sus, frame + 1)
            if pick is None:
                return None
            j = sus.index(pick)
        self.go_to(j)
        return sus[j]

    def go_to(self, row: int) -> None:
        """Show suspect ``row``: jump there, select its tracks, describe the proposal."""
        if not 0 <= row < len(self.suspects):
            return
        self.current = row
        sus = self.suspects[row]
        self.panel.select_row(row)
        self.w.playback.seek(sus.frame)
        if sus.tracks:
            self.w.select_track(int(sus.tracks[0]))
            self.w.view.set_partner(int(sus.tracks[1]) if len(sus.tracks) > 1 else None)
        self.panel.detail.setText(f"<b>{sus.kind}</b> at frame {sus.frame}: {sus.reason}<br>"
                                  f"Proposed: <b>{fix_summary(sus.fix)}</b> "
                                  "(Apply fix / Ctrl+Enter; undo with Ctrl+Z)")
        if self._snap is not None and sus.tracks:
            snap = self._snap
            self.strip.show(sus, TrackBoxes.select(
                sus.tracks, (snap.frame, snap.track_id, snap.xywh),
                (snap.extra_frame, snap.extra_track, snap.extra_xywh)))
        self.w.statusBar().showMessage(
            f"suspect {row + 1}/{len(self.suspects)}: {sus.kind}, frame {sus.frame}", 5000)

    # ---- fixing -----------------------------------------------------------------------------
    def _picked(self, row: int | None):
        """(session, suspect) of ``row`` (default: the shown or selected suspect), or None
        with a hint in the status bar when there is nothing to act on."""
        if row is None:
            row = self.current if self.current is not None else self.panel.selected_row()
        s = self.w.session
        if row is None or not 0 <= row < len(self.suspects) or s is None or s.run is None:
            self.w.statusBar().showMessage("Pick a suspect first (N steps to the next)", 3000)
            return None
        return s, self.suspects[row]

    def reject(self, row: int | None = None) -> bool:
        """Dismiss the proposal of ``row`` (default: the shown or selected suspect) for good."""
        picked = self._picked(row)
        if picked is None:
            return False
        s, sus = picked
        try:
            remember_rejected(s.project, int(s.run["id"]), sus)
        except SportTrackError as exc:
            show_error(self.w, exc, "remember the rejected proposal")
            return False
        self._show(self.suspects, s.run["name"])
        self.w.statusBar().showMessage(f"rejected: {fix_summary(sus.fix)}", 5000)
        return True

    def apply(self, row: int | None = None) -> bool:
        """Apply the proposal of ``row`` (default: the shown or selected suspect)."""
        picked = self._picked(row)
        if picked is None:
            return False
        s, sus = picked
        run = int(s.run["id"])
        label = f"assistant: {fix_summary(sus.fix)}"
        ok = self.w.push_edit(label, lambda: apply_fix(s.project, run, sus))
        if ok:
            self.fixes_applied += 1
            self.w.statusBar().showMessage(f"applied: {label}", 5000)
        return ok
