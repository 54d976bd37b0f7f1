"""Draw-to-track dialog: after a box is dragged, pick the single-object tracker.

Lists the trackers ``track.single`` offers in this OpenCV build (those needing model
files the user has not got are listed but disabled), with recovery on by default.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

PREFERRED = ("csrt", "kcf", "mosse")


class SotDialog(QDialog):
    def __init__(self, frame: int, xywh: tuple[float, float, float, float], frame_count: int,
                 trackers: dict[str, dict[str, Any]], last: str = "csrt",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Track a box")
        x, y, w, h = xywh
        self.box_label = QLabel(f"frame {frame}: x {x:.0f}, y {y:.0f}, {w:.0f} × {h:.0f} px")
        self.tracker_box = QComboBox()
        names = [n for n in PREFERRED if n in trackers] + \
                sorted(n for n in trackers if n not in PREFERRED)
        for n in names:
            info = trackers[n]
            self.tracker_box.addItem(n.upper(), n)
            i = self.tracker_box.count() - 1
            self.tracker_box.setItemData(i, info.get("description", ""), Qt.ItemDataRole.ToolTipRole)
            if info.get("model_files"):
                # needs user-supplied model files: shown so users know it exists
                self.tracker_box.model().item(i).setEnabled(False)
        self.tracker_box.setCurrentIndex(max(0, self.tracker_box.findData(last)))
        self.recover = QCheckBox("Recover after losing the target")
        self.recover.setChecked(True)
        self.recover.setToolTip("When the tracker reports the target lost, search again "
                                "by appearance around where it was last seen")
        self.end_frame = QSpinBox()
        self.end_frame.setRange(frame, max(frame, frame_count))
        self.end_frame.setValue(max(frame, frame_count))
        form = QFormLayout(self)
        form.addRow("Start box", self.box_label)
        form.addRow("Tracker", self.tracker_box)
        form.addRow("", self.recover)
        form.addRow("Until frame", self.end_frame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start tracking")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def tracker(self) -> str:
        return str(self.tracker_box.currentData())
