"""File side of the main window: new/open/recent projects, import, drag and drop.

A mixin of ``MainWindow`` (kept apart so the window class stays about layout and
viewing). Every action calls a Qt-free function of the project room and shows its
``SportTrackError`` in a message box naming the file. Imports run in a worker thread
(``ui.import_worker``), so a long video never freezes the window.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui import settings, view_memory
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.import_worker import ImportController
from sporttrack_gui.ui.session import Session

#: projects larger than this are checked for damage in a worker after opening (~0.5 s of
#: quick_check at this size on this machine; a 3.4 M-box match is 400 MB)
INLINE_CHECK_BYTES = 64 << 20

PROJECT_FILTER = "SportTrack projects (*.stp);;All files (*)"


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
        return self.import_media(p)

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
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", PROJECT_FILTER)
        if path:
            self.open_project(path)

    def add_media_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a video (or seqinfo.ini of a MOT folder)", "",
            "Videos and MOT folders (*.mp4 *.avi *.mov *.mkv *.webm seqinfo.ini);;All files (*)")
        if not path:
            return
        if Path(path).name == "seqinfo.ini":
            path = str(Path(path).parent)
        self.open_path(path)

    def import_media(self, path: str | Path) -> bool:
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
        return importer.start(self.session.path, path)

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
        _project, source = self._import_target
        if status == "cancelled":
            self.statusBar().showMessage(message, 8000)
        elif status == "failed":
            show_error(self, message, f"import {source}")
