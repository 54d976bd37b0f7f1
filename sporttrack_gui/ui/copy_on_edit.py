"""The first edit of a tracker's raw output offers to work on a copy.

Why: corrections used to overwrite the raw tracker output in place, so the run that
was scored and the run that was fixed became one. The decision (is this the first
edit of a raw run? which name? fork or allow) is Qt-free in ``project.run_admin``;
this module is the dialog and the remembered choice (QSettings key
:data:`SETTING`: ``"copy"``, ``"raw"`` or unset = ask). ``MainWindow.edit_gate`` calls
:meth:`CopyOnEdit.allow` before every edit of the shown run, after the gt lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.project import run_admin
from sporttrack_gui.ui import settings
from sporttrack_gui.ui.errors import show_error

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

SETTING = "edit/raw_output"  # "copy" | "raw" | unset (ask)
CHOICES = ("copy", "raw")


class CopyOnEditDialog(QDialog):
    """"Edit a copy named X (recommended)" / "Edit the raw run" / remember my choice."""

    def __init__(self, run_name: str, copy_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("copyOnEditDialog")
        self.setWindowTitle("Edit tracker output")
        intro = QLabel(f"“{run_name}” is the tracker's raw output. Correct a copy to keep "
                       "the raw run as it came out of the tracker (for scoring and "
                       "comparing), or change the raw run itself.")
        intro.setWordWrap(True)
        self.copy = QRadioButton("Edit a &copy named (recommended):")
        self.name = QLineEdit(copy_name)
        self.raw = QRadioButton(f"Edit the raw run “{run_name.replace('&', '&&')}”")
        self.copy.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.copy)
        group.addButton(self.raw)
        self.copy.toggled.connect(self.name.setEnabled)
        self.remember = QCheckBox("Remember my choice (Run ▸ Ask before editing raw output "
                                  "asks again)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Edit")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.copy)
        indent = QHBoxLayout()
        indent.setContentsMargins(24, 0, 0, 0)
        indent.addWidget(self.name)
        layout.addLayout(indent)
        layout.addWidget(self.raw)
        layout.addSpacing(6)
        layout.addWidget(self.remember)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.setMaximumWidth(700)

    def choice(self) -> str:
        return "copy" if self.copy.isChecked() else "raw"


def remembered() -> str | None:
    value = settings.value(SETTING, "")
    return str(value) if value in CHOICES else None


def remember(choice: str | None) -> None:
    """Remember ``"copy"`` / ``"raw"``; None asks again next time."""
    if choice is None:
        settings.settings().remove(SETTING)
    else:
        settings.set_value(SETTING, choice)


class CopyOnEdit(QObject):
    """Asks (or applies the remembered choice) before the first edit of a raw run."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.dialog: CopyOnEditDialog | None = None  # while asking (tests drive it)

    def allow(self, run: dict[str, Any]) -> bool:
        """True when the edit may go ahead (on the shown run, which may now be the
        copy); False when the user cancelled or the copy could not be made."""
        s = self.w.session
        if s is None or not run_admin.is_untouched_raw(s.project, run):
            return True
        name = run_admin.edit_copy_name(s.project, run)
        choice = remembered()
        if choice is None:
            self.dialog = CopyOnEditDialog(run["name"], name, self.w)
            try:
                if self.dialog.exec() != QDialog.DialogCode.Accepted:
                    self.w.statusBar().showMessage("Edit cancelled; the run is unchanged", 5000)
                    return False
                choice, name = self.dialog.choice(), self.dialog.name.text()
                if self.dialog.remember.isChecked():
                    remember(choice)
            finally:
                self.dialog.deleteLater()
                self.dialog = None
        run_id = int(run["id"])
        try:
            if choice == "copy":
                raw = run_admin.fork_for_edit(s.project, run_id, name)
                message = (f"Editing the copy “{name.strip()}”; the raw output "
                           f"“{s.project.run(raw)['name']}” is kept as it was")
            else:
                run_admin.allow_raw_edits(s.project, run_id)
                message = f"Editing the raw run “{run['name']}”"
        except SportTrackError as exc:
            show_error(self.w, exc, "make the copy to edit")
            return False
        s.run = s.project.run(run_id)  # renamed / re-flagged under the window
        self.w.refresh_runs()
        self.w.statusBar().showMessage(message, 8000)
        return True
