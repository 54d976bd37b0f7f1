"""Start the desktop app: ``sporttrack-gui [PROJECT|VIDEO|MOT-FOLDER]``, ``python main.py``.

With nothing given the built-in demo match opens (built on first start, in a worker,
with a status message). A video or MOT folder given instead of a project is imported into
a new project under the app home, so ``sporttrack-gui match.mp4`` just works.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sporttrack_gui.runtime import app_home, apply_runtime_defaults, resources_dir


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sporttrack-gui", description="SportTrack desktop app")
    p.add_argument("project", nargs="?", help="project file (.stp), or a video / MOT folder to import")
    p.add_argument("--frame", type=int, default=1, help="frame to show first (1-based)")
    return p


def make_app(argv: list[str] | None = None):
    """The QApplication with SportTrack's names, style and pyqtgraph defaults (idempotent)."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from sporttrack_gui.ui.background import keep_big_blocks_off_heap

    apply_runtime_defaults()
    keep_big_blocks_off_heap()  # a match's big arrays go back to the OS when freed
    app = QApplication.instance() or QApplication(["sporttrack-gui", *(argv or [])])
    app.setOrganizationName("SportTrack")
    app.setApplicationName("SportTrack")
    app.setApplicationDisplayName("SportTrack")
    qss = resources_dir() / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major", foreground="#c8ccd4")
    return app


def project_for(arg: str) -> tuple[Path, Path | None]:
    """(project path, media to import or None) for a command-line argument."""
    path = Path(arg)
    if path.suffix.lower() == ".stp" or (path.is_file() and path.read_bytes()[:16] == b"SQLite format 3\x00"):
        return path, None
    if path.exists():  # a video or a folder: a project of its own in the app home
        from sporttrack_gui.project.naming import media_project_path

        return media_project_path(app_home() / "projects", path), path
    return path, None


def open_argument(window, arg: str) -> bool:
    """Open what the user named on the command line; errors are shown in the window.

    A video's own project is filled by a headless import first; a failed import leaves
    no empty project behind to be reused on the next open."""
    from sporttrack_gui.errors import SportTrackError
    from sporttrack_gui.project.importer import ensure_media_project
    from sporttrack_gui.ui.errors import show_error

    project, media = project_for(arg)
    if media is None:
        return window.open_project(project, create=project.suffix.lower() == ".stp")
    try:
        ensure_media_project(project, media)
    except SportTrackError as exc:
        show_error(window, exc, f"import {media}")
        return False
    return window.open_project(project)


def start(argv: list[str]):
    """The app, its crash handler and the main window showing what ``argv`` names
    (the demo when nothing); returns ``(app, window)`` without entering the event loop."""
    from sporttrack_gui.ui.crash_dialog import install_crash_handler
    from sporttrack_gui.ui.main_window import MainWindow

    args, qt_args = build_parser().parse_known_args(argv)
    app = make_app(qt_args)
    # before the window exists: an error while building it gets the report dialog too
    install_crash_handler(app)
    window = MainWindow()
    window.show()
    if args.project:
        if open_argument(window, args.project) and args.frame > 1:
            window.playback.seek(args.frame)
    else:
        window.jobs.build_demo()
    return app, window


def launch(argv: list[str]) -> int:
    app, _window = start(argv)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
