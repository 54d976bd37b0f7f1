"""Mouse tools of the frame viewer: what a left-button press/drag/release means.

The view owns zoom and pan (wheel, middle-drag, drag on empty frame) and forwards every other
left-button gesture to its current tool. Select and draw-a-box live here; the box
editor adds move/resize tools by subclassing ``ViewTool`` and calling
``FrameView.set_tool`` — no change to the view class needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsRectItem

from sporttrack_gui.ui.hit_test import boxes_at, drag_rect
from sporttrack_gui.ui.painting import cosmetic_pen

if TYPE_CHECKING:
    from sporttrack_gui.ui.frame_view import FrameView


class ViewTool:
    """Base tool: ignores everything. Return True from a handler to consume the event."""

    cursor = Qt.CursorShape.ArrowCursor
    name = "tool"
    #: True: a left drag that starts on no box pans the view (a click there still
    #: reaches ``press``/``release``); tools that draw on empty frame say False
    pans_empty = False

    def activate(self, view: FrameView) -> None:
        view.viewport().setCursor(self.cursor)

    def deactivate(self, view: FrameView) -> None:
        """Remove any temporary scene items."""

    def press(self, view: FrameView, pos: QPointF) -> bool:
        return False

    def move(self, view: FrameView, pos: QPointF) -> bool:
        return False

    def release(self, view: FrameView, pos: QPointF) -> bool:
        return False


class SelectTool(ViewTool):
    """Click a box to select its track (smallest box under the pointer wins)."""

    name = "select"

    def press(self, view: FrameView, pos: QPointF) -> bool:
        boxes = view.frame_boxes()
        hit = boxes_at(pos.x(), pos.y(), boxes.xyxy)
        view.select_track(int(boxes.track_id[hit[0]]) if len(hit) else None)
        return True


class DrawBoxTool(ViewTool):
    """Drag a rectangle; on release the view emits ``boxDrawn(x, y, w, h)`` in pixels."""

    cursor = Qt.CursorShape.CrossCursor
    name = "draw"

    def __init__(self) -> None:
        self._origin: QPointF | None = None
        self._band: QGraphicsRectItem | None = None

    def press(self, view: FrameView, pos: QPointF) -> bool:
        self._origin = QPointF(pos)
        if self._band is None:
            self._band = QGraphicsRectItem()
            self._band.setPen(cosmetic_pen(QColor(255, 230, 0), 2.0, Qt.PenStyle.DashLine))
            self._band.setZValue(100)
            view.scene().addItem(self._band)
        self._band.setRect(QRectF(pos, pos))
        self._band.show()
        return True

    def move(self, view: FrameView, pos: QPointF) -> bool:
        if self._origin is None or self._band is None:
            return False
        self._band.setRect(QRectF(self._origin, pos).normalized())
        return True

    def release(self, view: FrameView, pos: QPointF) -> bool:
        if self._origin is None:
            return False
        origin, self._origin = self._origin, None
        if self._band is not None:
            self._band.hide()
        w, h = view.image_size()
        box = drag_rect(origin.x(), origin.y(), pos.x(), pos.y(), w, h)
        if box is not None:
            self.drawn(view, box)
        return True

    def drawn(self, view: FrameView, box: tuple[float, float, float, float]) -> None:
        """Where a finished rectangle goes: the view's ``boxDrawn`` (draw-to-track)."""
        view.boxDrawn.emit(*box)

    def deactivate(self, view: FrameView) -> None:
        if self._band is not None:
            view.scene().removeItem(self._band)
            self._band = None
        self._origin = None
