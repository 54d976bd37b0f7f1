"""Graphics items of the frame scene: one box, and all trails in a single item.

Box items are pooled by the view and re-pointed at new boxes each frame instead of
being created and destroyed, which keeps frame changes cheap with 30+ boxes on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from sporttrack_gui.ui.painting import paint_box, paint_handles, paint_trail, track_qcolor


@dataclass
class FrameBoxes:
    """Boxes to show on one frame: xyxy pixels, ids, classes and ready-made labels."""

    xyxy: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    track_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.xyxy)


class BoxItem(QGraphicsItem):
    """One box with its label; ``index`` points back into the current FrameBoxes.

    ``role`` is how it is highlighted: ``"selected"`` (the edited track),
    ``"partner"`` (the other side of a swap or merge: a second, dashed style) or ``""``.
    ``label_shown`` is False when the view's label layout hides the tag (crowded frame).
    """

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._color = QColor()
        self._label = ""
        self.track_id = 0
        self.index = -1
        self.role = ""
        self.label_shown = True
        self.setZValue(10)

    @property
    def selected(self) -> bool:
        """Highlighted at all (selection or partner)."""
        return bool(self.role)

    @property
    def label(self) -> str:
        return self._label

    def set_box(self, index: int, xyxy: np.ndarray, track_id: int, label: str,
                role: str = "") -> None:
        self.prepareGeometryChange()
        x1, y1, x2, y2 = (float(v) for v in xyxy)
        self._rect = QRectF(x1, y1, x2 - x1, y2 - y1)
        self._color = track_qcolor(track_id)
        self._label = label
        self.track_id = int(track_id)
        self.index = index
        self.role = role
        self.setZValue(12 if role == "selected" else 11 if role else 10)
        self.update()

    def set_role(self, role: str) -> None:
        if role != self.role:
            self.role = role
            self.setZValue(12 if role == "selected" else 11 if role else 10)
            self.update()

    def set_label_shown(self, shown: bool) -> None:
        if shown != self.label_shown:
            self.label_shown = shown
            self.update()

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        # room for the label tag above the box, at typical zoom levels
        return self._rect.adjusted(-40, -40, 200, 40)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        paint_box(painter, self._rect, self._color, self._label if self.label_shown else "",
                  self.role)


class TrailsItem(QGraphicsItem):
    """Every visible track's recent foot points, painted by one item."""

    def __init__(self) -> None:
        super().__init__()
        self._trails: list[tuple[int, np.ndarray]] = []
        self._bounds = QRectF()
        self.setZValue(5)

    def set_trails(self, trails: list[tuple[int, np.ndarray]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self._trails = trails
        self._bounds = QRectF(bounds)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for track_id, pts in self._trails:
            paint_trail(painter, pts, track_qcolor(track_id))


class HandlesItem(QGraphicsItem):
    """The eight resize handles of the box being edited (drawn at a fixed screen size).

    Separate from ``BoxItem`` so only one item repaints while a box is dragged, and so
    the handles stay on top of neighbouring boxes.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._color = QColor(255, 255, 255)
        self.setZValue(50)
        self.hide()

    def set_rect(self, rect: QRectF, color: QColor) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)
        self._color = QColor(color)
        self.update()

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        # handles are a few screen pixels; at zoom >= 0.05 this margin covers them
        return self._rect.adjusted(-200, -200, 200, 200)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        paint_handles(painter, self._rect, self._color)
