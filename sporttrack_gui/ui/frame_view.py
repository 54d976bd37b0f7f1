"""The frame viewer: one QGraphicsView showing the frame pixmap, boxes and trails.

Zoom (wheel, +/-, fit) and pan (middle-drag or space+drag) are handled here; what a
left-button gesture means is delegated to a ``ViewTool`` (select, draw a box, and the
editor's move/resize tools later). The view never loads frames or queries the project:
it is given pixels and boxes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from sporttrack_gui.ui.painting import bgr_to_qimage
from sporttrack_gui.ui.scene_items import BoxItem, FrameBoxes, TrailsItem
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
        self._pool: list[BoxItem] = []
        self._boxes = FrameBoxes()
        self._selected: int | None = None
        self._fit = True
        self._space = False
        self._space_dragged = False
        self._pan_from: QPointF | None = None
        self._tool: ViewTool = SelectTool()
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
                             tid == self._selected)
                item.show()
            else:
                item.hide()

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
        for item in self._pool:
            if item.isVisible():
                item.selected = item.track_id == track_id
                item.update()
        if notify:
            self.trackClicked.emit(track_id)

    def selected_track(self) -> int | None:
        return self._selected

    def set_tool(self, tool: ViewTool | None) -> None:
        """Switch the left-button tool (None = select)."""
        self._tool.deactivate(self)
        self._tool = tool or SelectTool()
        self._tool.activate(self)

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
