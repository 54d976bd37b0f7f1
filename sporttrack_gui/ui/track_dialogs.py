"""Small dialogs of the track operations: pick a target id, pick a frame range.

Plain Qt input widgets returning plain values; the editor decides what to do with them.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QSpinBox,
    QWidget,
)

NEW_ID = -1  # "a fresh id" in ask_target_id (real ids are >= 0)
NEW_TEXT = "(new id)"


def parse_target(text: str, allow_new: bool) -> int | None:
    """The id typed or picked (``NEW_ID`` for "(new id)"); None for anything else."""
    text = text.strip()
    if allow_new and text in (NEW_TEXT, "", "new"):
        return NEW_ID
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def target_items(ids: list[int], allow_new: bool = False, default: int | None = None
                 ) -> list[str]:
    """The dialog's list: "(new id)" if allowed, then ``default`` (pre-selected, e.g.
    the nearest track), then the other ids."""
    first = [str(default)] if default is not None else []
    return ([NEW_TEXT] if allow_new else []) + first + [str(i) for i in ids if i != default]


def ask_target_id(parent: QWidget, prompt: str, ids: list[int],
                  allow_new: bool = False, default: int | None = None) -> int | None:
    """An editable list of the run's ids (plus "(new id)"): existing ids are offered,
    any other non-negative number may be typed; ``default`` is pre-selected."""
    items = target_items(ids, allow_new, default)
    current = items.index(str(default)) if default is not None else 0
    text, ok = QInputDialog.getItem(parent, "Track id", prompt, items, current, True)
    if not ok:
        return None
    return parse_target(text, allow_new)


class RangeDialog(QDialog):
    """First and last frame (inclusive) of a track's boxes to delete."""

    def __init__(self, track: int, frame: int, frame_count: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rangeDialog")
        self.setWindowTitle(f"Delete frames of track {track}")
        self.first = QSpinBox()
        self.last = QSpinBox()
        for box in (self.first, self.last):
            box.setRange(1, max(1, frame_count))
            box.setValue(frame)
        self.first.valueChanged.connect(lambda v: self.last.setMinimum(v))
        form = QFormLayout(self)
        form.addRow(QLabel(f"Boxes of track {track} in these frames are deleted (undoable)."))
        form.addRow("From frame", self.first)
        form.addRow("To frame", self.last)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def range(self) -> tuple[int, int]:
        return self.first.value(), self.last.value()
