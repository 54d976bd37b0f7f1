"""How boxes, labels and trails look, kept out of the view class (labelme style).

The viewer's graphics items call these; the box editor reuses them for selected and
dragged boxes, so the look stays in one place. Colours come from the media room's
``track_color`` so the viewer, the timeline and exported videos agree on every id.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from sporttrack_gui.media.overlay import track_color

LABEL_FONT_PX = 12
PARTNER_PAD_PX = 4  # the partner's dashed frame sits this far outside its box, on screen


@lru_cache(maxsize=1)
def label_font() -> QFont:
    font = QFont()
    font.setPixelSize(LABEL_FONT_PX)
    font.setBold(True)
    return font


def label_size(label: str) -> tuple[float, float]:
    """On-screen (width, height) of a label tag, for the view's label layout."""
    metrics = QFontMetricsF(label_font())
    return metrics.horizontalAdvance(label) + 6, metrics.height() + 2


@lru_cache(maxsize=4096)
def track_qcolor(track_id: int) -> QColor:
    """The id's colour as a QColor (``track_color`` is BGR, the OpenCV convention)."""
    b, g, r = (int(v) for v in track_color(int(track_id))[:3])
    return QColor(r, g, b)


def bgr_to_qimage(frame: np.ndarray) -> QImage:
    """Wrap a BGR uint8 frame as a QImage without converting colours in Python.

    The returned image copies the data so the caller's array may be reused by a cache.
    """
    arr = np.ascontiguousarray(frame)
    if arr.ndim == 2:
        h, w = arr.shape
        return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_Grayscale8).copy()
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, arr.strides[0], QImage.Format.Format_BGR888).copy()


def cosmetic_pen(color: QColor, width: float = 2.0, style=Qt.PenStyle.SolidLine) -> QPen:
    """A pen whose width is in screen pixels, so boxes stay crisp at any zoom."""
    pen = QPen(color, width, style)
    pen.setCosmetic(True)
    return pen


def paint_box(painter: QPainter, rect: QRectF, color: QColor, label: str,
              role: str | bool = "") -> None:
    """Draw one box and its label tag above the top-left corner.

    ``role`` ``"selected"`` (or True): thick outline and a light fill; ``"partner"``:
    the swap/merge partner's second style, a white dashed frame a few screen pixels
    outside the box, visible on grass and on kits alike. The label is drawn at a fixed
    screen size (the painter's scale is undone for the text) so ids stay readable when
    zoomed out on a 4K frame.
    """
    role = "selected" if role is True else (role or "")
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(cosmetic_pen(color, 3.0 if role else 2.0))
    painter.drawRect(rect)
    if role == "selected":
        fill = QColor(color)
        fill.setAlpha(50)
        painter.fillRect(rect, fill)
    elif role == "partner":
        pad = PARTNER_PAD_PX / (painter.worldTransform().m11() or 1.0)
        outer = rect.adjusted(-pad, -pad, pad, pad)
        painter.setPen(cosmetic_pen(QColor(0, 0, 0), 4.0))
        painter.drawRect(outer)
        painter.setPen(cosmetic_pen(QColor(255, 255, 255), 2.0, Qt.PenStyle.DashLine))
        painter.drawRect(outer)
    if not label:
        return
    scale = painter.worldTransform().m11() or 1.0
    painter.save()
    painter.translate(rect.topLeft())
    painter.scale(1.0 / scale, 1.0 / scale)
    painter.setFont(label_font())
    w, h = label_size(label)
    tag = QRectF(0, -h, w, h)
    painter.fillRect(tag, color)
    painter.setPen(QColor(0, 0, 0) if color.lightnessF() > 0.55 else QColor(255, 255, 255))
    painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)
    painter.restore()


def paint_trail(painter: QPainter, points: np.ndarray, color: QColor) -> None:
    """A fading polyline through a track's last foot points (oldest first)."""
    n = len(points)
    if n < 2:
        return
    for i in range(1, n):
        c = QColor(color)
        c.setAlpha(int(60 + 195 * i / (n - 1)))
        painter.setPen(cosmetic_pen(c, 2.0))
        painter.drawLine(QPointF(*points[i - 1]), QPointF(*points[i]))


HANDLE_PX = 7  # side of a resize handle on screen


def handle_points(rect: QRectF) -> list[QPointF]:
    """Corners and edge midpoints of ``rect``, the order of ``hit_test.Handle``."""
    x1, y1, x2, y2 = rect.left(), rect.top(), rect.right(), rect.bottom()
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return [QPointF(x1, y1), QPointF(cx, y1), QPointF(x2, y1), QPointF(x2, cy),
            QPointF(x2, y2), QPointF(cx, y2), QPointF(x1, y2), QPointF(x1, cy)]


def paint_handles(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """White squares with the track colour's outline, constant on-screen size."""
    scale = painter.worldTransform().m11() or 1.0
    half = HANDLE_PX / 2 / scale
    painter.setPen(cosmetic_pen(color, 1.5))
    painter.setBrush(QColor(255, 255, 255))
    for p in handle_points(rect):
        painter.drawRect(QRectF(p.x() - half, p.y() - half, 2 * half, 2 * half))
