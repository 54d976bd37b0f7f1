"""The frame viewer: one QGraphicsView showing the frame pixmap, boxes and trails.

Zoom (wheel, +/-, fit) and pan (middle-drag, or a left drag that starts on no box when
the tool allows it) are handled here; Space is left to the window's play/pause action.
What a left-button gesture means is delegated to a ``ViewTool`` (select, draw a box, the box
editor's move/resize tool of ``ui.edit_tools``). The view never loads frames or queries
the project: it is given pixels and boxes, and reports gestures as signals.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from sporttrack_gui.ui.hit_test import PICK_PX, boxes_at
from sporttrack_gui.ui.label_layout import place_labels
from sporttrack_gui.ui.painting import bgr_to_qimage, label_size, track_qcolor
from sporttrack_gui.ui.scene_items import BoxItem, FrameBoxes, HandlesItem, TrailsItem
from sporttrack_gui.ui.tools import SelectTool, ViewTool

ZOOM_STEP = 1.25
CLICK_PX = 3.0  # a press-release closer than this (screen pixels) is a click
ZOOM_MIN, ZOOM_MAX = 0.05, 40.0


class FrameView(QGraphicsView):
    """Shows one frame with its boxes; emits user intent, holds no project state."""

    zoomChanged = Signal(float)
    trackClicked = Signal(object)  # int track id or None
    boxDrawn = Signal(float, float, float, float)  # x, y, w, h in image pixels
    pixmapShown = Signal(int)  # frame number whose pixels are now on screen
    partnerClicked = Signal(object)  # Shift/Ctrl+click: a second track (swap/merge partner)
    selectionChanged = Signal(object, object)  # (selected track, partner track), each or None
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
        self._pan_from: QPointF | None = None
        self._pan_click: QPointF | None = None  # empty-frame press: a click unless dragged
        self._announced: tuple[int | None, int | None] = (None, None)
        self._declutter = True  # skip labels that would overlap (full label mode)
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
                             self._role(tid))
                item.show()
            else:
                item.hide()
        self._update_handles()
        self._layout_labels()

    def set_declutter(self, on: bool) -> None:
        """Skip a label whose tag would overlap one already drawn (True), or draw all."""
        self._declutter = on
        self._layout_labels()

    def _layout_labels(self) -> None:
        """Hide the tags that would land on a higher-priority one at the current zoom:
        selected, partner, then larger boxes first (``label_layout.place_labels``)."""
        items = [it for it in self._pool[:len(self._boxes)] if it.isVisible()]
        if not items:
            return
        if not self._declutter:
            for it in items:
                it.set_label_shown(True)
            return
        z = self.zoom() or 1.0
        sizes = np.array([label_size(it.label) if it.label else (0.0, 0.0) for it in items])
        rects = np.array([[it.rect().left(), it.rect().top(), it.rect().width() *
                           it.rect().height()] for it in items])
        rank = np.array([0 if it.role == "selected" else 1 if it.role else 2 for it in items])
        priority = rank * 1e12 - rects[:, 2]  # role first, then the larger box
        keep = place_labels(rects[:, 0] * z, rects[:, 1] * z - sizes[:, 1], sizes[:, 0],
                            sizes[:, 1], priority)
        for it, k in zip(items, keep, strict=True):
            it.set_label_shown(bool(k))

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

    def _role(self, track_id: int) -> str:
        """How a box is highlighted: the selection, the partner or not at all."""
        if self._selected is not None and track_id == self._selected:
            return "selected"
        if self._partner is not None and track_id == self._partner:
            return "partner"
        return ""

    def _restyle(self) -> None:
        for item in self._pool:
            if item.isVisible():
                item.set_role(self._role(item.track_id))
        self._update_handles()
        self._layout_labels()
        pair = (self._selected, self._partner)
        if pair != self._announced:
            self._announced = pair
            self.selectionChanged.emit(*pair)

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
        item.set_box(index, np.asarray(xyxy, np.float32), item.track_id, item.label,
                     item.role)
        if index == self.selected_index():
            x1, y1, x2, y2 = xyxy
            self._handles.set_rect(QRectF(x1, y1, x2 - x1, y2 - y1), track_qcolor(item.track_id))

    def track_at(self, scene_pos: QPointF, tol_px: float = 0.0) -> int | None:
        """Track id of the smallest box under ``scene_pos``, or of the nearest one within
        ``tol_px`` screen pixels (None for empty frame)."""
        hit = boxes_at(scene_pos.x(), scene_pos.y(), self._boxes.xyxy,
                       tol_px / (self.zoom() or 1.0))
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
        self._layout_labels()
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
        self._layout_labels()
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

    # ---- mouse: pan here, the rest to the tool -----------------------------------
    def _starts_pan(self, event: QMouseEvent) -> bool:
        """Middle button; or a plain left press on no box when the tool pans there."""
        if event.button() == Qt.MouseButton.MiddleButton:
            return True
        return (event.button() == Qt.MouseButton.LeftButton and self._tool.pans_empty and
                event.modifiers() == Qt.KeyboardModifier.NoModifier and self.has_image() and
                self.track_at(self.mapToScene(event.position().toPoint()), PICK_PX) is None)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._starts_pan(event):
            self._pan_from = event.position()
            left = event.button() == Qt.MouseButton.LeftButton
            self._pan_click = QPointF(event.position()) if left else None
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
            click, self._pan_click = self._pan_click, None
            self.viewport().setCursor(self._tool.cursor)
            if click is not None:
                moved = event.position() - click
                if max(abs(moved.x()), abs(moved.y())) < CLICK_PX:  # a click on empty frame
                    pos = self.mapToScene(click.toPoint())
                    self._tool.press(self, pos)
                    self._tool.release(self, pos)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and \
                self._tool.release(self, self.mapToScene(event.position().toPoint())):
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt API
        """Right-click a box: with no track selected it becomes the selection; with one
        selected it becomes the partner (so "select A, right-click B" offers swap/merge
        of A and B); then the editor shows its menu for the clicked track."""
        track = self.track_at(self.mapToScene(event.pos()), PICK_PX)
        if track is not None and track not in (self._selected, self._partner):
            if self._selected is None:
                self.select_track(track)
            else:
                self.set_partner(track)
                self.partnerClicked.emit(track)
        self.contextRequested.emit(track, event.globalPos())
        event.accept()
