"""The box editor's mouse tools: select + move + resize, and draw a new box.

Both are ``ViewTool`` subclasses (the view's extension point): the view keeps zoom and
pan, the tool interprets left-button gestures, and the result leaves the tool as a
plain callback with image-pixel numbers -- the editor turns it into one
``project.edits`` operation. While dragging only the view's items move (``preview_box``);
nothing is stored until the button is released, so a drag is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from sporttrack_gui.ui.hit_test import PICK_PX, Handle, boxes_at, drag_handle, grab_handle
from sporttrack_gui.ui.tools import DrawBoxTool, ViewTool

if TYPE_CHECKING:
    from sporttrack_gui.ui.frame_view import FrameView

#: ``(index into FrameBoxes, track id, new xyxy)`` after a move/resize drag
BoxChanged = Callable[[int, int, tuple[float, float, float, float]], None]
#: ``(x, y, w, h)`` of a newly drawn box
BoxDrawn = Callable[[float, float, float, float], None]

HANDLE_TOL_PX = 6.0  # grab distance of a handle, in screen pixels
CLICK_PX = 2.0  # a press-release closer than this is a click, not a drag
PARTNER_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier

_CURSORS = {
    Handle.TOP_LEFT: Qt.CursorShape.SizeFDiagCursor, Handle.BOTTOM_RIGHT: Qt.CursorShape.SizeFDiagCursor,
    Handle.TOP_RIGHT: Qt.CursorShape.SizeBDiagCursor, Handle.BOTTOM_LEFT: Qt.CursorShape.SizeBDiagCursor,
    Handle.TOP: Qt.CursorShape.SizeVerCursor, Handle.BOTTOM: Qt.CursorShape.SizeVerCursor,
    Handle.LEFT: Qt.CursorShape.SizeHorCursor, Handle.RIGHT: Qt.CursorShape.SizeHorCursor,
    Handle.INSIDE: Qt.CursorShape.SizeAllCursor,
}


class EditTool(ViewTool):
    """Click selects a track (Shift+ or Ctrl+click picks a partner track); dragging
    from inside the selected box moves it, dragging one of its handles resizes it."""

    pans_empty = True  # a drag that starts on no box pans the view (CVAT's convention)

    name = "select"  # the default tool: selecting, plus move/resize of the selection

    def __init__(self, on_change: BoxChanged) -> None:
        self._on_change = on_change
        self._drag: tuple[int, int, Handle, QPointF, tuple[float, ...]] | None = None
        self._last: tuple[float, float, float, float] | None = None

    def _grab(self, view: FrameView, pos: QPointF) -> tuple[int, Handle] | None:
        """The selected box's handle or inside under ``pos`` (handles win over other
        boxes), decided in screen pixels by ``hit_test.grab_handle``."""
        i = view.selected_index()
        if i is None:
            return None
        box = tuple(float(v) for v in view.frame_boxes().xyxy[i])
        h = grab_handle(pos.x(), pos.y(), box, view.zoom() or 1.0, HANDLE_TOL_PX)  # type: ignore[arg-type]
        if h is Handle.INSIDE:  # a smaller box inside the selected one is picked instead
            top = boxes_at(pos.x(), pos.y(), view.frame_boxes().xyxy)
            if len(top) and int(top[0]) != i:
                return None
        return None if h is None else (i, h)

    def press(self, view: FrameView, pos: QPointF) -> bool:
        boxes = view.frame_boxes()
        partner = bool(QApplication.keyboardModifiers() & PARTNER_MODIFIERS)
        grab = None if partner else self._grab(view, pos)
        if grab is None:
            hit = boxes_at(pos.x(), pos.y(), boxes.xyxy, PICK_PX / (view.zoom() or 1.0))
            track = int(boxes.track_id[hit[0]]) if len(hit) else None
            if partner:  # Shift/Ctrl+click: the other side of a swap or merge
                if track is not None and track != view.selected_track():
                    view.set_partner(track)
                    view.partnerClicked.emit(track)
                return True
            view.select_track(track)
            if track is None:
                return True
            grab = (int(hit[0]), Handle.INSIDE)  # press on a box and drag = move it
        index, handle = grab
        self._drag = (index, int(boxes.track_id[index]), handle, QPointF(pos),
                      tuple(float(v) for v in boxes.xyxy[index]))
        self._last = None
        view.viewport().setCursor(_CURSORS[handle])
        return True

    def move(self, view: FrameView, pos: QPointF) -> bool:
        if self._drag is None:
            i = view.selected_index()
            if i is not None:  # hover feedback: which handle a press would grab
                grab = self._grab(view, pos)
                view.viewport().setCursor(_CURSORS[grab[1]] if grab else self.cursor)
            return False
        index, _track, handle, origin, box = self._drag
        self._last = drag_handle(box, handle, pos.x() - origin.x(), pos.y() - origin.y())  # type: ignore[arg-type]
        view.preview_box(index, self._last)
        return True

    def release(self, view: FrameView, pos: QPointF) -> bool:
        if self._drag is None:
            return False
        index, track, handle, origin, box = self._drag
        self._drag = None
        view.viewport().setCursor(self.cursor)
        moved = max(abs(pos.x() - origin.x()), abs(pos.y() - origin.y())) * (view.zoom() or 1.0)
        if moved < CLICK_PX:
            return True
        new = drag_handle(box, handle, pos.x() - origin.x(), pos.y() - origin.y())  # type: ignore[arg-type]
        self._on_change(index, track, new)
        return True

    def deactivate(self, view: FrameView) -> None:
        self._drag = None


class NewBoxTool(DrawBoxTool):
    """Drag a rectangle for a new box; one box, then the editor switches back.

    Unlike ``DrawBoxTool`` (draw-to-track) it does not emit the view's ``boxDrawn``,
    which starts a single-object tracker; it calls the editor instead.
    """

    name = "new-box"

    def __init__(self, on_drawn: BoxDrawn) -> None:
        super().__init__()
        self._on_drawn = on_drawn

    def drawn(self, view: FrameView, box: tuple[float, float, float, float]) -> None:
        self._on_drawn(*box)
