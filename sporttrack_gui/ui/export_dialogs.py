"""The export dialogs: which run, where (a folder is created on demand), and for
YOLO how (classes, split by sequence, copied or linked images).

Why dialogs of our own rather than the platform's file pickers alone: a file picker
cannot name a folder that does not exist yet (a new MOT sequence folder, a new YOLO
dataset), and it cannot choose the run; the shown run is only the default. Browse
still opens the platform's picker. The widgets hold plain answers; ``ui.exports``
runs the Qt-free export functions with them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from sporttrack_gui.ui import settings

LAST_DIR = "export/last_dir"  # QSettings: the folder the last export went to


def last_dir() -> Path:
    value = str(settings.value(LAST_DIR, "") or "")
    return Path(value) if value and Path(value).is_dir() else Path.home()


def remember_dir(target: str | Path) -> None:
    """The next export starts where this one went (its parent for a new folder)."""
    settings.set_value(LAST_DIR, str(Path(target).parent))


class RunPicker(QComboBox):
    """Runs of the shown sequence; the shown run is preselected."""

    def __init__(self, runs: list[dict[str, Any]], shown: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportRunPicker")
        for r in runs:
            extra = "" if r["status"] == "complete" else f", {r['status']}"
            self.addItem(f"{r['name']}  ({r['kind']}{extra})", int(r["id"]))
        if shown is not None:
            self.setCurrentIndex(max(0, self.findData(int(shown))))
        self.rows = {int(r["id"]): r for r in runs}

    def run_id(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def run(self) -> dict[str, Any] | None:
        rid = self.run_id()
        return self.rows.get(rid) if rid is not None else None

    def select(self, run_id: int) -> None:
        self.setCurrentIndex(max(0, self.findData(int(run_id))))


class ExportDialog(QDialog):
    """Run + output (a file, or a folder that may not exist yet) + format rows."""

    def __init__(self, title: str, runs: list[dict[str, Any]], shown: int | None, *,
                 layout: str, sequence: str, suffix: str = "", patterns: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(title)
        self.layout_kind, self.sequence, self.suffix = layout, sequence, suffix
        self.patterns = patterns or "All files (*)"
        self.runs = RunPicker(runs, shown, self)
        self.out = QLineEdit()
        self.out.setObjectName("exportTarget")
        self.out.setToolTip("A folder that does not exist yet is created" if layout == "folder"
                            else "The file to write")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        self.form = QFormLayout(self)
        self.form.addRow("Run", self.runs)
        self.form.addRow("Folder" if layout == "folder" else "File", row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.runs.currentIndexChanged.connect(self._run_changed)
        self.out.textChanged.connect(self._valid)
        self._run_changed()
        self.resize(560, 0)

    def finish(self) -> None:
        """Subclasses call this after adding their rows: the buttons go last."""
        self.form.addRow(self.buttons)

    def default_target(self) -> str:
        run = self.runs.run()
        name = run["name"] if run else "export"
        if self.layout_kind == "folder":
            return str(last_dir() / f"{self.sequence}-{name}")
        return str(last_dir() / f"{name}{self.suffix}")

    def _run_changed(self) -> None:
        if not self.out.isModified():  # follow the run until the user typed a target
            self.out.setText(self.default_target())

    def _browse(self) -> None:
        start = self.out.text().strip() or str(last_dir())
        if self.layout_kind == "folder":
            path = QFileDialog.getExistingDirectory(self, self.windowTitle(),
                                                    str(Path(start).parent))
        else:
            path, _ = QFileDialog.getSaveFileName(self, self.windowTitle(), start, self.patterns)
        if path:
            self.out.setText(path)
            self.out.setModified(True)

    def _valid(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.out.text().strip()))

    def target(self) -> str:
        return self.out.text().strip()


class YoloDialog(ExportDialog):
    """Run (or the run's name in every sequence, split by sequence), folder, classes
    (pre-filled from the tracks' metadata), images copied or hard-linked, overwrite."""

    def __init__(self, runs: list[dict[str, Any]], shown: int | None, sequence: str,
                 classes_for: Callable[[list[int]], list[str]],
                 runs_named: Callable[[str], list[dict[str, Any]]],
                 parent: QWidget | None = None) -> None:
        self.classes_for, self.runs_named = classes_for, runs_named
        self.classes = QLineEdit()
        self.classes.setToolTip("Class names in index order; a track's class (track list) "
                                "picks its index, boxes of other classes are skipped")
        self.split = QCheckBox("Split by sequence: this run's name from every sequence "
                               "that has it (train / val / test by sequence)")
        self.split_note = QLabel()
        self.split_note.setWordWrap(True)
        super().__init__("Export YOLO dataset", runs, shown, layout="folder",
                         sequence=sequence, parent=parent)
        self.setObjectName("yoloDialog")
        self.images = QComboBox()
        self.images.addItem("Copy the original image files (lossless)", "copy")
        self.images.addItem("Hard-link the original image files (no extra disk space)", "link")
        self.images.setToolTip("Image folders (MOT img1/): the files are copied or linked "
                               "unchanged. Video frames are decoded and written once as JPEG "
                               "quality 95.")
        self.overwrite = QCheckBox("Replace an existing dataset in that folder")
        self.form.addRow("Classes", self.classes)
        self.form.addRow("", self.split)
        self.form.addRow("", self.split_note)
        self.form.addRow("Images", self.images)
        self.form.addRow("", self.overwrite)
        self.split.toggled.connect(self._scope_changed)
        self.finish()
        self._scope_changed()

    def default_target(self) -> str:
        run = self.runs.run()
        if self.split.isChecked() and run is not None:
            return str(last_dir() / f"yolo-{run['name']}")
        return super().default_target()

    def _run_changed(self) -> None:
        super()._run_changed()
        if hasattr(self, "images"):  # after construction
            self._scope_changed()

    def _scope_changed(self) -> None:
        run = self.runs.run()
        ids = self.run_ids()
        if run is not None and self.split.isChecked():
            n = len(ids)
            self.split_note.setText(f"{n} sequence(s) have a run “{run['name']}”" +
                                    ("; with fewer than 3 some splits stay empty" if n < 3 else ""))
        else:
            self.split_note.setText("")
        self.split_note.setVisible(bool(self.split_note.text()))
        if not self.classes.isModified():
            self.classes.setText(", ".join(self.classes_for(ids)) if ids else "object")
        if not self.out.isModified():
            self.out.setText(self.default_target())

    def run_ids(self) -> list[int]:
        run = self.runs.run()
        if run is None:
            return []
        if self.split.isChecked():
            return [int(r["id"]) for r in self.runs_named(run["name"])]
        return [int(run["id"])]

    def class_names(self) -> list[str]:
        return [c.strip() for c in self.classes.text().split(",") if c.strip()]

    def image_mode(self) -> str:
        return str(self.images.currentData())
