"""The Run menu's run management and the runs table's context menu.

Duplicate ("Save corrected copy as…"), rename, delete (confirmed, and undoable: the run
is hidden and restorable until the project closes), the ground-truth lock and "Add
tracked box to run…" (a "Track a box" run's track into an annotation run), each a thin dialog around a Qt-free ``project.run_admin`` function that the CLI
(``sporttrack project runs``) calls too. Every method takes its answers as optional
arguments so tests and scripts can drive it without dialogs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.project import run_admin
from sporttrack_gui.ui import copy_on_edit
from sporttrack_gui.ui.actions import ActionSpec, add_actions
from sporttrack_gui.ui.copy_on_edit import CopyOnEdit
from sporttrack_gui.ui.errors import show_error

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

G = "Run"
RUN_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("run_copy", "Save corrected &copy as…", (), "",
               "Copy the shown run into a new editable run (keep the raw output as it is)", G),
    ActionSpec("run_rename", "Re&name run…", (), "", "Rename the shown run", G),
    ActionSpec("run_delete", "&Delete run…", (), "", "Delete the shown run and its boxes", G),
    ActionSpec("run_add_to", "&Add tracked box to run…", (), "",
               "Add the shown \"Track a box\" run's track to an annotation run as a new "
               "track (one undoable edit)", G),
    ActionSpec("run_restore", "Restore &deleted run", (), "",
               "Bring back the run deleted last (possible until the project is closed)", G),
    ActionSpec("edit_ask_raw", "&Ask before editing raw output", (), "",
               "The first edit of a tracker's raw output offers to work on a copy", G, True),
    ActionSpec("gt_lock", "&Lock ground truth", (), "",
               "Ground truth is read-only while locked; uncheck to edit it", "Track", True),
)


class RunMenu(QObject):
    """Run-level commands on the shown run or on the run right-clicked in the table."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.actions = add_actions(window, RUN_SPECS)
        a = self.actions
        a["run_copy"].triggered.connect(lambda: self.copy())
        a["run_rename"].triggered.connect(lambda: self.rename())
        a["run_delete"].triggered.connect(lambda: self.delete())
        a["gt_lock"].triggered.connect(lambda checked: self.set_locked(checked))
        a["run_restore"].triggered.connect(lambda: self.restore())
        a["run_add_to"].triggered.connect(lambda: self.add_to_run())
        a["edit_ask_raw"].triggered.connect(self._ask_raw)
        self.copy_on_edit = CopyOnEdit(window)  # the edit gate's copy-on-first-edit step
        self.trashed: list[tuple[int, str]] = []  # (run id, name) deleted, newest last
        self._trash_session: Any = None  # the session those deletes belong to
        window.runs_panel.runMenuRequested.connect(self.show_menu)
        window.sessionChanged.connect(self.sync)

    def _row(self, run_id: int | None) -> dict[str, Any] | None:
        s = self.w.session
        if s is None:
            return None
        if run_id is None:
            if s.run is None:
                self.w.statusBar().showMessage("Show a run first (double-click it)", 4000)
            return s.run
        return s.project.run(run_id)

    def _after(self, message: str) -> None:
        s = self.w.session
        if s is not None and s.run is not None:
            s.run = s.project.run(int(s.run["id"]))  # name / lock changed under it
        self.w.refresh_runs()
        self.w.statusBar().showMessage(message, 6000)

    def sync(self) -> None:
        """The Track menu's lock toggle reflects the shown run."""
        s = self.w.session
        run = s.run if s is not None else None
        lock = self.actions["gt_lock"]
        lock.setEnabled(bool(run) and run["kind"] == "gt")
        lock.setChecked(run_admin.is_locked(run))
        for key in ("run_copy", "run_rename", "run_delete"):
            self.actions[key].setEnabled(run is not None)
        self.actions["run_add_to"].setEnabled(bool(run) and run["kind"] == "sot")
        if s is not self._trash_session:  # closing a project purged its trash
            self.trashed, self._trash_session = [], s
        restore = self.actions["run_restore"]
        restore.setEnabled(bool(self.trashed))
        restore.setText(f"Restore deleted run “{self.trashed[-1][1]}”" if self.trashed
                        else "Restore deleted run")
        self.actions["edit_ask_raw"].setChecked(copy_on_edit.remembered() is None)

    def menu_actions(self) -> list[Any]:
        """The Run menu's run-management entries, in order."""
        return [self.actions[k] for k in ("run_copy", "run_rename", "run_delete", "run_restore",
                                          "run_add_to", "edit_ask_raw")]

    def _ask_raw(self, checked: bool) -> None:
        copy_on_edit.remember(None if checked else copy_on_edit.remembered() or "copy")

    def context_menu(self, run_id: int) -> QMenu:
        row = self._row(run_id)
        assert row is not None
        menu = QMenu(self.w)
        menu.addAction("Show", lambda: self.w.show_run(run_id))
        menu.addSeparator()
        menu.addAction("Save corrected copy as…", lambda: self.copy(run_id))
        menu.addAction("Rename…", lambda: self.rename(run_id))
        menu.addAction("Delete…", lambda: self.delete(run_id))
        if row["kind"] == "sot":
            menu.addAction("Add to run…", lambda: self.add_to_run(run_id))
        if row["kind"] == "gt":
            menu.addSeparator()
            lock = menu.addAction("Locked (read-only)")
            lock.setCheckable(True)
            lock.setChecked(run_admin.is_locked(row))
            lock.triggered.connect(lambda checked: self.set_locked(checked, run_id))
        return menu

    def show_menu(self, run_id: int, global_pos: QPoint) -> None:
        self.context_menu(run_id).popup(global_pos)

    def copy(self, run_id: int | None = None, name: str | None = None) -> int | None:
        """Copy the run into a new manual run and show it."""
        row, s = self._row(run_id), self.w.session
        if row is None or s is None:
            return None
        if name is None:
            base = f"{row['name']}-fixed"
            name, ok = QInputDialog.getText(self.w, "Save corrected copy as", "Name of the copy:",
                                            text=run_admin.free_name(s.project,
                                                                     int(row["sequence_id"]), base))
            if not ok:
                return None
        try:
            new = run_admin.copy_run(s.project, int(row["id"]), name)
        except SportTrackError as exc:
            show_error(self.w, exc, "copy the run")
            return None
        if s.sequence is not None and int(row["sequence_id"]) == int(s.sequence["id"]):
            self.w.show_run(new)
        self._after(f"Copied “{row['name']}” to “{name.strip()}”")
        return new

    def rename(self, run_id: int | None = None, name: str | None = None) -> bool:
        row, s = self._row(run_id), self.w.session
        if row is None or s is None:
            return False
        if name is None:
            name, ok = QInputDialog.getText(self.w, "Rename run", "New name:", text=row["name"])
            if not ok:
                return False
        try:
            run_admin.rename_run(s.project, int(row["id"]), name)
        except SportTrackError as exc:
            show_error(self.w, exc, "rename the run")
            return False
        self._after(f"Renamed “{row['name']}” to “{name.strip()}”")
        return True

    def delete(self, run_id: int | None = None, confirm: bool = True) -> bool:
        row, s = self._row(run_id), self.w.session
        if row is None or s is None:
            return False
        if confirm:
            what = "ground-truth run" if row["kind"] == "gt" else "run"
            answer = QMessageBox.question(
                self.w, "Delete run", f"Delete the {what} “{row['name']}” and all its boxes?\n\n"
                "Run ▸ Restore deleted run brings it back until you close the project.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            # undoable: hidden now, deleted for good when the project closes (Session.close)
            run_admin.trash_run(s.project, int(row["id"]))
        except SportTrackError as exc:
            show_error(self.w, exc, "delete the run")
            return False
        self.trashed.append((int(row["id"]), str(row["name"])))
        if s.run is not None and int(s.run["id"]) == int(row["id"]):
            self.w.show_run(None)
        self._after(f"Deleted run “{row['name']}” (Run ▸ Restore deleted run brings it back)")
        return True

    def restore(self) -> int | None:
        """Undo the newest delete of this session: the run is back (and shown when it
        belongs to the shown sequence). Returns its id."""
        s = self.w.session
        if s is None or not self.trashed:
            return None
        run_id, name = self.trashed.pop()
        try:
            row = run_admin.restore_run(s.project, run_id)
        except SportTrackError as exc:
            show_error(self.w, exc, f"restore the run {name}")
            self.sync()
            return None
        if s.sequence is not None and int(row["sequence_id"]) == int(s.sequence["id"]):
            self.w.show_run(run_id)
        self._after(f"Restored run “{row['name']}”")
        return run_id

    NEW_RUN = "New manual run"

    def add_to_run(self, run_id: int | None = None, target: int | str | None = None
                   ) -> int | None:
        """Add the one track of a "Track a box" run to an annotation run (``target``: a
        run id, :data:`NEW_RUN`, or None to ask), shown afterwards with the new track
        selected. The edit goes through the window's edit gate (gt lock, copy on first
        edit of raw output) and is undoable. Returns the new track id."""
        row, s = self._row(run_id), self.w.session
        if row is None or s is None:
            return None
        seq = int(row["sequence_id"])
        choices = [r for r in s.project.runs(seq) if r["id"] != row["id"] and
                   r["kind"] != "det"]
        if target is None:
            manual = [r for r in choices if r["kind"] == "manual"]
            names = [self.NEW_RUN] + [r["name"] for r in choices]
            default = names.index(manual[-1]["name"]) if manual else 0
            name, ok = QInputDialog.getItem(
                self.w, "Add tracked box to run",
                f"Add the track of “{row['name']}” as a new track of:", names, default, False)
            if not ok:
                return None
            target = self.NEW_RUN if name == self.NEW_RUN else \
                next(int(r["id"]) for r in choices if r["name"] == name)
        if target == self.NEW_RUN:
            target = run_admin.new_manual_run(s.project, seq)
        if s.sequence is None or int(s.sequence["id"]) != seq:
            self.w.show_sequence(seq)
        self.w.show_run(int(target))
        added: dict[str, int] = {}

        def apply():
            tid, result = run_admin.add_track_to_run(s.project, int(row["id"]), int(target))
            added["track"] = tid
            return result

        if not self.w.push_edit(f"add track of {row['name']}", apply):
            return None
        self.w.select_track(added["track"])
        self.w.statusBar().showMessage(
            f"Added the track of “{row['name']}” to “{s.run['name']}” as track "
            f"{added['track']} (Ctrl+Z undoes)", 8000)
        return added["track"]

    def set_locked(self, locked: bool, run_id: int | None = None) -> bool:
        row, s = self._row(run_id), self.w.session
        if row is None or s is None:
            return False
        try:
            run_admin.set_locked(s.project, int(row["id"]), locked)
        except SportTrackError as exc:
            show_error(self.w, exc, "lock the run" if locked else "unlock the run")
            self.sync()
            return False
        self._after(f"Ground truth “{row['name']}” " + ("locked (read-only)" if locked else
                                                        "unlocked: edits change it"))
        return True
