"""File side of the main window: new/open/recent projects, import, drag and drop.

A mixin of ``MainWindow`` (kept apart so the window class stays about layout and
viewing). Every action calls a Qt-free function of the project room and shows its
``SportTrackError`` in a message box naming the file. Imports run in a worker thread
(``ui.import_worker``), so a long video never freezes the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.project.source_kind import MEDIA_FILTER, PickedSource, classify
from sporttrack_gui.ui import settings, view_memory
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.import_worker import ImportController
from sporttrack_gui.ui.session import Session

#: projects larger than this are checked for damage in a worker after opening (~0.5 s of
#: quick_check at this size on this machine; a 3.4 M-box match is 400 MB)
INLINE_CHECK_BYTES = 64 << 20

PROJECT_FILTER = "SportTrack projects (*.stp);;All files (*)"
OPEN_FILTER = "Projects and media (*.stp *.mp4 *.avi *.mov *.mkv *.m4v *.webm seqinfo.ini)"


class ProjectFilesMixin:
    """Needs ``session``, ``_stack_key``, ``recent_menu``, ``status_project`` and
    ``_load_sequence`` from the window it is mixed into."""

    # ---- drag and drop: a project opens, a video or MOT folder is imported ---------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():
            self.open_path(url.toLocalFile())
        event.acceptProposedAction()

    def open_path(self, path: str | Path) -> bool:
        """A dropped/recent path: ``.stp`` opens, anything else is imported (new project
        under the app home when none is open)."""
        from sporttrack_gui.ui.launch import open_argument

        p = Path(path)
        if p.suffix.lower() == ".stp" or self.session is None:
            return open_argument(self, str(p))
        return self.import_picked(p)

    # ---- project --------------------------------------------------------------------
    def open_project(self, path: str | Path, create: bool = False) -> bool:
        """Open (or create) a project; errors are shown, never raised."""
        # the page-by-page integrity check reads the whole file: inline for ordinary
        # projects (a damaged one is refused before anything reads it), in a worker for
        # whole matches, where it takes seconds
        big = Path(path).is_file() and Path(path).stat().st_size > INLINE_CHECK_BYTES
        try:
            session = Session.open(path, create=create, load=False, check=not big)
        except SportTrackError as exc:
            show_error(self, exc, f"open the project {path}")
            return False
        if self.session is not None:
            view_memory.save(self)
            self.session.close()
        self.session = session
        view_memory.restore_sequence(self)  # reopening returns to the last sequence
        self._stack_key = None  # refresh_runs rebuilds the undo stack from the log
        settings.add_recent(session.path)
        self._refresh_recent()
        self.setWindowTitle(f"{session.path.name} – SportTrack")
        self.status_project.setText(session.path.name)
        self._load_sequence()
        if big:
            self._check_integrity(session.path)
        return True

    def _check_integrity(self, path: Path) -> None:
        """``quick_check`` on a read-only connection of its own; damage closes the
        project before anything is written on top of it."""
        from sporttrack_gui.project.store import quick_check
        from sporttrack_gui.ui.background import Background

        checker = getattr(self, "_integrity", None)
        if checker is None:
            checker = self._integrity = Background(self)
            checker.finished.connect(self._integrity_checked)
        checker.start(str(path), quick_check, path)

    def _integrity_checked(self, path: str, problems: list[str]) -> None:
        if not problems or self.session is None or str(self.session.path) != path:
            return
        self.session.close()
        self.session = None
        show_error(self, f"{path} is damaged (integrity check: {'; '.join(problems)}); it "
                   "was closed without changes. Restore it from a backup, or read what is "
                   "left with read-only commands (sporttrack project, export).",
                   f"open the project {path}")

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for p in settings.recent_projects():
            act = self.recent_menu.addAction(Path(p).name)
            act.setToolTip(p)
            act.setStatusTip(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_project(p))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New project", "match.stp", PROJECT_FILTER)
        if path:
            if not path.endswith(".stp") and "." not in Path(path).name:
                path += ".stp"
            self.open_project(path, create=True)

    def open_project_dialog(self) -> None:
        """Open a project; a video (or seqinfo.ini) picked instead is offered for import."""
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "",
                                              f"{OPEN_FILTER};;{MEDIA_FILTER};;All files (*)")
        if path:
            self.open_any(path)

    def open_any(self, path: str | Path) -> bool:
        """A project opens; media is offered for import into this or a new project."""
        try:
            picked = classify(path)
        except SportTrackError as exc:
            show_error(self, exc, f"open {path}")
            return False
        if picked.is_project:
            return self.open_project(picked.path)
        return self.offer_import(picked)

    def offer_import(self, picked: PickedSource) -> bool:
        """Ask whether ``picked`` goes into the open project or a new one; then import."""
        box = QMessageBox(self)
        box.setWindowTitle("SportTrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"{picked.path.name} is {picked.describe()}, not a project.")
        box.setInformativeText("Import it?")
        here = box.addButton(f"Add to {self.session.path.name}", QMessageBox.ButtonRole.AcceptRole) \
            if self.session is not None else None
        new = box.addButton("New project…", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(here or new)
        box.exec()
        clicked = box.clickedButton()
        if here is not None and clicked is here:
            return self.import_picked(picked)
        if clicked is new:
            target = self.ask_new_project_path(picked)
            if target and self.open_project(target, create=True):
                return self.import_picked(picked)
        return False

    def ask_new_project_path(self, picked: PickedSource) -> str:
        """Where the new project for ``picked`` goes (default: the app's projects folder,
        as for a video given on the command line; the media's folder may be read-only)."""
        from sporttrack_gui.project.naming import media_project_path
        from sporttrack_gui.runtime import app_home

        default = media_project_path(app_home() / "projects", picked.path)
        default.parent.mkdir(parents=True, exist_ok=True)
        path, _ = QFileDialog.getSaveFileName(self, "New project for the import", str(default),
                                              PROJECT_FILTER)
        if path and Path(path).suffix == "":
            path += ".stp"
        return path

    def add_folder_dialog(self) -> None:
        """File ▸ Add folder…: an image folder, a MOT folder (or its img1/) or a folder of
        MOT sequences, recognised by ``project.source_kind.classify``."""
        path = QFileDialog.getExistingDirectory(
            self, "Add an image folder or a MOT folder (seqinfo.ini / img1 are found)")
        if path:
            self.import_picked(path)

    def import_picked(self, path: str | Path | PickedSource) -> bool:
        """Import what ``path`` is (one or more sequences, one after another) into the
        open project; a project is opened instead; without a project, one is offered."""
        try:
            picked = path if isinstance(path, PickedSource) else classify(path)
        except SportTrackError as exc:
            show_error(self, exc, f"import {path}")
            return False
        if picked.is_project:
            return self.open_project(picked.path)
        if self.session is None:
            return self.offer_import(picked)
        if self._importer().busy():
            self.statusBar().showMessage("An import is already running", 5000)
            return False
        self._import_queue = list(picked.items[1:])
        source, name = picked.items[0]
        return self.import_media(source, name)

    def add_media_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a video (or seqinfo.ini of a MOT folder)", "",
            "Videos and MOT folders (*.mp4 *.avi *.mov *.mkv *.webm seqinfo.ini);;All files (*)")
        if not path:
            return
        if Path(path).name == "seqinfo.ini":
            path = str(Path(path).parent)
        self.open_path(path)

    def import_media(self, path: str | Path, name: str | None = None) -> bool:
        """Import a video / image folder / MOT folder into the open project in a worker
        (``ui.import_worker``): progress with ETA and Cancel; the sequence is shown when
        it is in. Returns whether the import started."""
        if self.session is None:
            return False
        importer = self._importer()
        if importer.busy():
            self.statusBar().showMessage("An import is already running", 5000)
            return False
        self._import_target = (Path(self.session.path), str(path))
        return importer.start(self.session.path, path, name)

    def _importer(self) -> ImportController:
        importer = getattr(self, "imports", None)
        if importer is None:
            importer = self.imports = ImportController(self)
            importer.imported.connect(self._media_imported)
            importer.ended.connect(self._import_ended)
        return importer

    def _media_imported(self, summary) -> None:
        project, _source = self._import_target
        if self.session is None or Path(self.session.path) != project:
            return  # another project was opened meanwhile: it stays as the user left it
        view_memory.save(self)
        self.session.select_sequence(summary.sequence_id, load=False)
        self._load_sequence()
        self.statusBar().showMessage(
            f"Imported {summary.sequence}: {summary.frame_count} frames, "
            f"runs {', '.join(summary.runs) or 'none'}", 8000)

    def _import_ended(self, status: str, message: str) -> None:
        project, source = self._import_target
        queue = getattr(self, "_import_queue", [])
        self._import_queue = []
        if status == "done" and queue and self.session is not None \
                and Path(self.session.path) == project:
            self._import_queue = queue[1:]  # the next sequence of a MOT folder set
            self.import_media(*queue[0])
        if status == "cancelled":
            self.statusBar().showMessage(message, 8000)
        elif status == "failed":
            show_error(self, message, f"import {source}")
