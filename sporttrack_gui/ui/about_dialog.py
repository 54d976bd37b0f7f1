"""Help > About: app icon, version, the versions of the whole stack and where the log is.

Why more than a QMessageBox.about: a bug report is only useful with the exact versions of
Qt, torch, OpenCV and ultralytics and the log file, so the box shows them, lets the user
copy them in one click and opens the log folder - inside a bundle nobody knows where that
folder is otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QIcon, QPixmap
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

from sporttrack_gui import diagnostics
from sporttrack_gui.runtime import resources_dir

log = logging.getLogger(__name__)

ICON_SIZE = 64


def app_icon() -> QIcon:
    """The SportTrack icon (SVG scales to every size; PNG where SVG support is missing)."""
    icons = resources_dir() / "icons"
    result = QIcon()
    for name in ("sporttrack.svg", "sporttrack.png"):
        if (icons / name).exists():
            result.addFile(str(icons / name))
    return result


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the desktop's file manager (created first so it can be shown)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("cannot create %s: %s", folder, exc)
        return False
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))


def versions_text(versions: dict[str, str], log_path: Path) -> str:
    """Plain text for the clipboard: one ``name: version`` per line plus the log file."""
    width = max(len(k) for k in versions)
    lines = [f"{k:<{width}}  {v}" for k, v in versions.items()]
    return "\n".join([*lines, f"{'log file':<{width}}  {log_path}"])


class AboutDialog(QDialog):
    """Icon + version header, stack version table, log file row with Open folder / Copy."""

    def __init__(self, parent: QWidget | None = None, *, versions: dict[str, str] | None = None,
                 log_path: Path | None = None,
                 opener: Callable[[Path], bool] = open_folder) -> None:
        """``versions``/``log_path`` default to the live ones; ``opener`` opens a folder
        (tests pass a recorder instead of launching a file manager)."""
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About SportTrack")
        self.versions = dict(versions if versions is not None else diagnostics.stack_versions())
        self.log_path = Path(log_path) if log_path is not None else diagnostics.log_file()
        self._opener = opener
        icon = app_icon()
        self.setWindowIcon(icon)

        logo = QLabel(self)
        pixmap: QPixmap = icon.pixmap(ICON_SIZE, ICON_SIZE)
        logo.setPixmap(pixmap)
        logo.setFixedSize(ICON_SIZE, ICON_SIZE)
        version = self.versions.get("sporttrack", "?")
        self.title = QLabel(f"<h2>SportTrack {version}</h2>"
                            "Annotate, track, correct, evaluate and export sports video.<br>"
                            "Everything lives in one SQLite project file.", self)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        header = QHBoxLayout()
        header.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.title, 1)

        self.table = QTableWidget(len(self.versions), 2, self)
        self.table.setObjectName("versionsTable")
        self.table.setHorizontalHeaderLabels(["Component", "Version"])
        for row, (name, value) in enumerate(self.versions.items()):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(value))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.log_label = QLabel(f"Log file: {self.log_path}", self)
        self.log_label.setObjectName("logPath")
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setWordWrap(True)
        self.open_button = QPushButton("Open log folder", self)
        self.open_button.clicked.connect(self.open_log_folder)
        self.copy_button = QPushButton("Copy versions", self)
        self.copy_button.clicked.connect(self.copy_versions)
        self.status = QLabel("", self)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.status, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.log_label)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(520, 520)

    def open_log_folder(self) -> bool:
        ok = self._opener(self.log_path.parent)
        self.status.setText("" if ok else f"could not open {self.log_path.parent}")
        return ok

    def copy_versions(self) -> str:
        text = versions_text(self.versions, self.log_path)
        QGuiApplication.clipboard().setText(text)
        self.status.setText("versions copied")
        return text


def show_about(parent: QWidget | None = None) -> AboutDialog:
    """Open the About box (modal to ``parent``) and return it; for Help > About."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
