"""The frame viewer: one QGraphicsView showing the frame pixmap, boxes and trails.

Zoom (wheel, +/-, fit) and pan (middle-drag or space+drag) are handled here; what a
left-button gesture means is delegated to a ``ViewTool`` (select, draw a box, the box
editor's move/resize tool of ``ui.edit_tools``). The view never loads frames or queries
the project: it is given pixels and boxes, and reports gestures as signals.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from sporttrack_gui.ui.hit_test import boxes_at
from sporttrack_gui.ui.painting import bgr_to_qimage, track_qcolor
from sporttrack_gui.ui.scene_items import BoxItem, FrameBoxes, HandlesItem, TrailsItem
from sporttrack_gui.ui.tools import SelectTool, ViewTool

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.05, 40.0


class FrameView(QGraphicsView):
    """Shows one frame with its boxes; emits user intent, holds no project state."""

    zoomChanged = Signal(float)
    trackClicked = Signal(object)  # int track id or None
    boxDrawn = Signal(float, float, float, float)  # x, y, w, h in image pixels
    pixmapShown = Signal(int)  # frame number whose pixels are now on screen
    spaceTapped = Signal()  # Space pressed and released without panning
    partnerClicked = Signal(object)  # Ctrl+click: a second track (swap/merge partner)
    contextRequested = Signal(object, QPoint)  # track id under the pointer or None, global pos

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor(30, 30, 34))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pixmap = QGraphicsPixmapItem()
        self._pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._pixmap)
        self._trails = TrailsItem()
        self.scene().addItem(self._trails)
        self._handles = HandlesItem()
        self.scene().addItem(self._handles)
        self._partner: int | None = None
        self._pool: list[BoxItem] = []
        self._boxes = FrameBoxes()
        self._selected: int | None = None
        self._fit = True
        self._space = False
        self._space_dragged = False
        self._pan_from: QPointF | None = None
        self._default_tool: ViewTool = SelectTool()
        self._tool: ViewTool = self._default_tool
        self._tool.activate(self)
        self.frame_number = 0
        self._image_size = (0, 0)
        self._placeholder = ""

    # ---- content -------------------------------------------------------------
    def set_frame(self, frame_number: int, image: np.ndarray | QImage,
                  full_size: tuple[int, int] | None = None) -> None:
        """Show new pixels; the first frame (or a new size) fits the view.

        ``full_size`` (w, h) is the frame's real size when ``image`` is a smaller scrub
        proxy: the pixmap is scaled up so boxes (in full-frame pixels) still line up.
        """
        qimg = image if isinstance(image, QImage) else bgr_to_qimage(image)
        w, h = full_size or (qimg.width(), qimg.height())
        new_size = QRectF(0, 0, w, h) != self.sceneRect()
        self._pixmap.setPixmap(QPixmap.fromImage(qimg))
        self._pixmap.setScale(w / qimg.width() if qimg.width() else 1.0)
        self._image_size = (w, h)
        self.frame_number = frame_number
        if new_size:
            self.scene().setSceneRect(QRectF(0, 0, w, h))
            if self._fit:
                self.zoom_fit()
        self.pixmapShown.emit(frame_number)

    def set_boxes(self, boxes: FrameBoxes) -> None:
        self._boxes = boxes
        while len(self._pool) < len(boxes):
            item = BoxItem()
            self.scene().addItem(item)
            self._pool.append(item)
        for i, item in enumerate(self._pool):
            if i < len(boxes):
                tid = int(boxes.track_id[i])
                item.set_box(i, boxes.xyxy[i], tid, boxes.labels[i] if boxes.labels else str(tid),
                             tid in (self._selected, self._partner))
                item.show()
            else:
                item.hide()
        self._update_handles()

    def set_trails(self, trails: list[tuple[int, np.ndarray]]) -> None:
        self._trails.set_trails(trails, self.sceneRect())

    def frame_boxes(self) -> FrameBoxes:
        return self._boxes

    def visible_box_items(self) -> list[BoxItem]:
        return [it for it in self._pool if it.isVisible()]

    def image_size(self) -> tuple[int, int]:
        """Size of the frame in image pixels (also while a smaller proxy is shown)."""
        return self._image_size

    def has_image(self) -> bool:
        return not self._pixmap.pixmap().isNull()

    def set_placeholder(self, text: str) -> None:
        """Text shown while there is no frame (first start, a project without videos)."""
        self._placeholder = text
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt API
        super().drawForeground(painter, rect)
        if self.has_image() or not self._placeholder:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QColor(170, 176, 188))
        font = painter.font()
        font.setPixelSize(16)
        painter.setFont(font)
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._placeholder)
        painter.restore()

    # ---- selection and tools -------------------------------------------------
    def select_track(self, track_id: int | None, notify: bool = True) -> None:
        self._selected = track_id
        if track_id is None or track_id == self._partner:
            self._partner = None
        self._restyle()
        if notify:
            self.trackClicked.emit(track_id)

    def set_partner(self, track_id: int | None) -> None:
        """Second highlighted track (the other side of a swap or merge), no handles."""
        self._partner = None if track_id == self._selected else track_id
        self._restyle()

    def partner_track(self) -> int | None:
        return self._partner

    def _restyle(self) -> None:
        for item in self._pool:
            if item.isVisible():
                item.selected = item.track_id in (self._selected, self._partner)
                item.update()
        self._update_handles()

    def selected_track(self) -> int | None:
        return self._selected

    def selected_index(self) -> int | None:
        """Index into ``frame_boxes()`` of the selected track's box on this frame."""
        if self._selected is None or self._selected < 0:
            return None
        hit = np.flatnonzero(self._boxes.track_id == self._selected)
        return int(hit[0]) if len(hit) else None

    def _update_handles(self) -> None:
        i = self.selected_index()
        if i is None:
            self._handles.hide()
            return
        x1, y1, x2, y2 = (float(v) for v in self._boxes.xyxy[i])
        self._handles.set_rect(QRectF(x1, y1, x2 - x1, y2 - y1),
                               track_qcolor(int(self._boxes.track_id[i])))
        self._handles.show()

    def handles_rect(self) -> QRectF | None:
        """Where the handles are drawn (None when hidden), for tests and tools."""
        return self._handles.rect() if self._handles.isVisible() else None

    def preview_box(self, index: int, xyxy: tuple[float, float, float, float]) -> None:
        """Show box ``index`` at ``xyxy`` while it is dragged (nothing is stored)."""
        if not 0 <= index < len(self._pool):
            return
        item = self._pool[index]
        item.set_box(index, np.asarray(xyxy, np.float32), item.track_id, item._label,  # noqa: SLF001
                     item.selected)
        if index == self.selected_index():
            x1, y1, x2, y2 = xyxy
            self._handles.set_rect(QRectF(x1, y1, x2 - x1, y2 - y1), track_qcolor(item.track_id))

    def track_at(self, scene_pos: QPointF) -> int | None:
        """Track id of the smallest box under ``scene_pos`` (None for empty frame)."""
        hit = boxes_at(scene_pos.x(), scene_pos.y(), self._boxes.xyxy)
        return int(self._boxes.track_id[hit[0]]) if len(hit) else None

    def set_tool(self, tool: ViewTool | None) -> None:
        """Switch the left-button tool (None = the default tool, see ``set_default_tool``)."""
        self._tool.deactivate(self)
        self._tool = tool or self._default_tool
        self._tool.activate(self)

    def set_default_tool(self, tool: ViewTool) -> None:
        """The tool ``set_tool(None)`` returns to (the box editor installs its edit tool)."""
        replace = self._tool is self._default_tool
        self._default_tool = tool
        if replace:
            self.set_tool(None)

    def tool(self) -> ViewTool:
        return self._tool

    # ---- zoom ----------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = min(max(factor, ZOOM_MIN), ZOOM_MAX)
        self._fit = False
        current = self.zoom() or 1.0
        self.scale(factor / current, factor / current)
        self.zoomChanged.emit(self.zoom())

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def zoom_fit(self) -> None:
        """Fit the whole frame; stays fitted on window resize until the user zooms."""
        self._fit = True
        if not self.sceneRect().isEmpty():
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomChanged.emit(self.zoom())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._fit:
            self.zoom_fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom() * ZOOM_STEP ** steps)
        event.accept()

    # ---- mouse and keys: pan here, the rest to the tool -------------------------
    def _panning(self, event: QMouseEvent) -> bool:
        return event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._panning(event):
            self._pan_from = event.position()
            self._space_dragged = self._space
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.has_image() and \
                self._tool.press(self, self.mapToScene(event.position().toPoint())):
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        if self._tool.move(self, self.mapToScene(event.position().toPoint())):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space else self._tool.cursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and \
                self._tool.release(self, self.mapToScene(event.position().toPoint())):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        # Take Space before the Play shortcut sees it: held = pan, a tap = play/pause
        # (``spaceTapped``), the convention of video and image editors.
        if event.type() == QEvent.Type.ShortcutOverride and \
                isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space and \
                event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            return True
        return super().event(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt API
        """Right-click a box: with no track selected it becomes the selection; with one
        selected it becomes the partner (so "select A, right-click B" offers swap/merge
        of A and B); then the editor shows its menu for the clicked track."""
        track = self.track_at(self.mapToScene(event.pos()))
        if track is not None and track not in (self._selected, self._partner):
            if self._selected is None:
                self.select_track(track)
            else:
                self.set_partner(track)
                self.partnerClicked.emit(track)
        self.contextRequested.emit(track, event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if not event.isAutoRepeat():
                self._space = True
                self._space_dragged = False
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Space and self._space:
            if event.isAutoRepeat():
                event.accept()
                return
            self._space = False
            self.viewport().setCursor(self._tool.cursor)
            if not self._space_dragged:
                self.spaceTapped.emit()
            event.accept()
            return
        super().keyReleaseEvent(event)
