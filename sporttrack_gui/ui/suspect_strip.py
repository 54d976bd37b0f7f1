"""The assistant's "one look" at a proposal: a dashed ghost of an ended track's last box
in the frame view, and a strip of thumbnails of each involved track before and after
the place in the assistant panel.

Why a worker of its own: thumbnails need pixels of up to a dozen frames around the
place; decoding them on the GUI thread would freeze stepping through suspects (a seek in
H.264 is 100+ ms). The worker owns one open media source of the shown sequence (plain
path in, thumbnails out; only that thread touches it) and is separate from the
``FrameLoader``, whose source serves the play head. Which boxes to crop and where the
ghost goes is :mod:`sporttrack_gui.assist.strip` (Qt-free, tested without Qt).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGridLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from sporttrack_gui.assist.strip import (
    THUMB_SIZE,
    Ghost,
    Thumb,
    TrackBoxes,
    ghost_boxes,
    read_strip,
    strip_plan,
)
from sporttrack_gui.assist.suspects import Suspect
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.painting import bgr_to_qimage, cosmetic_pen, track_qcolor

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow


class GhostItem(QGraphicsItem):
    """A dashed box where a track was last seen, labelled "15 · last f170" under it (the
    label keeps its screen size at any zoom; ghosts of one place use separate lines)."""

    def __init__(self, ghost: Ghost, line: int = 0) -> None:
        super().__init__()
        self.ghost = ghost
        x1, y1, x2, y2 = ghost.xyxy
        self._rect = QRectF(x1, y1, x2 - x1, y2 - y1)
        self._color = track_qcolor(ghost.track)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.label = QGraphicsSimpleTextItem(f"{ghost.track} · last f{ghost.frame}", self)
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        self.label.setFont(font)
        self.label.setBrush(self._color)
        # a dark plate under the label: readable over the picture and other boxes' lines
        plate = QGraphicsRectItem(self.label.boundingRect().adjusted(-2, 0, 2, 0), self)
        plate.setBrush(QColor(0, 0, 0, 170))
        plate.setPen(Qt.PenStyle.NoPen)
        self.label.setParentItem(plate)
        plate.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        plate.setPos(QPointF(x1, y2))
        plate.setTransform(QTransform.fromTranslate(0, 2 + 16 * line))
        self.setZValue(11)  # over the live boxes (10): the label plate stays readable

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        painter.setPen(cosmetic_pen(self._color, 2.0, Qt.PenStyle.DashLine))
        fill = QColor(self._color)
        fill.setAlpha(30)
        painter.setBrush(fill)
        painter.drawRect(self._rect)


class SourceReader:
    """One open media source, used from the strip worker only (one call at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: str | None = None
        self._src: Any = None

    def strip(self, path: str, plan: list[Thumb]) -> list[Thumb]:
        """Crop ``plan``'s thumbnails from the frames of ``path`` (the worker's job)."""
        from sporttrack_gui.media.source import open_source

        with self._lock:
            if path != self._path:
                self._close()
                self._src = open_source(path, cache_mb=32.0)
                self._path = path
            return read_strip(plan, self._src.read_frame)

    def _close(self) -> None:
        if self._src is not None:
            self._src.close()
        self._src, self._path = None, None

    def close(self) -> None:
        with self._lock:
            self._close()


class SuspectStrip(QFrame):
    """One row per involved track: its thumbnails before | after the place. A click on a
    thumbnail emits its frame (the controller seeks there)."""

    frameChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suspectStrip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(4, 2, 4, 2)
        self._grid.setHorizontalSpacing(2)
        self._grid.setVerticalSpacing(2)
        self.thumbs: list[Thumb] = []
        self.buttons: list[QToolButton] = []
        self.note = QLabel("")
        self.hide()

    def clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            w = item.widget()
            if w is not None:
                w.setParent(None)
                w.deleteLater()
        self.thumbs, self.buttons = [], []
        self.hide()

    def set_thumbs(self, thumbs: list[Thumb], note: str = "") -> None:
        """Lay out ``thumbs`` (images may be None: a grey placeholder with the frame)."""
        self.clear()
        self.thumbs = list(thumbs)
        if not thumbs:
            return
        tracks = list(dict.fromkeys(t.track for t in thumbs))
        n_before = max(sum(1 for t in thumbs if t.track == tr and t.side == "before")
                       for tr in tracks)
        head_b, head_a = QLabel("before"), QLabel("after")
        for h in (head_b, head_a):
            h.setAlignment(Qt.AlignmentFlag.AlignCenter)
            h.setStyleSheet("color: gray")
        self._grid.addWidget(head_b, 0, 1, 1, max(n_before, 1))
        self._grid.addWidget(head_a, 0, n_before + 2, 1, 3)
        for r, tr in enumerate(tracks, start=1):
            name = QLabel(f"<b>{tr}</b>")
            name.setStyleSheet(f"color: {track_qcolor(tr).name()}")
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(name, r, 0)
            sep = QFrame()
            sep.setFrameShape(QFrame.Shape.VLine)
            self._grid.addWidget(sep, r, n_before + 1)
            mine = [t for t in thumbs if t.track == tr]
            before = [t for t in mine if t.side == "before"]
            after = [t for t in mine if t.side == "after"]
            cols = [n_before - len(before) + 1 + k for k in range(len(before))]
            cols += [n_before + 2 + k for k in range(len(after))]
            for col, t in zip(cols, before + after, strict=True):
                b = self._button(t)
                self._grid.addWidget(b, r, col)
                self.buttons.append(b)
        if note:
            self.note = QLabel(note)
            self.note.setStyleSheet("color: gray")
            self._grid.addWidget(self.note, len(tracks) + 1, 0, 1, n_before + 5)
        self._grid.setColumnStretch(n_before + 5, 1)
        self.show()

    def _button(self, t: Thumb) -> QToolButton:
        w, h = THUMB_SIZE
        if t.image is not None:
            pix = QPixmap.fromImage(bgr_to_qimage(t.image))
        else:
            pix = QPixmap(w, h)
            pix.fill(QColor(60, 60, 66))
        b = QToolButton()
        b.setIcon(pix)
        b.setIconSize(QSize(w, h))
        b.setText(str(t.frame))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        b.setAutoRaise(True)
        b.setToolTip(f"track {t.track}, frame {t.frame} ({t.side}); click to go there")
        b.setProperty("thumb", (t.track, t.frame, t.side, t.image is not None))
        b.clicked.connect(lambda _=False, f=t.frame: self.frameChosen.emit(f))
        return b


class StripController(QObject):
    """Ghost and strip of the suspect the assistant shows; ``stripReady`` when the
    thumbnails of the shown suspect arrived (with or without pixels)."""

    stripReady = Signal(int)  # number of thumbnails with pixels

    def __init__(self, window: MainWindow, strip: SuspectStrip) -> None:
        super().__init__(window)
        self.w, self.strip = window, strip
        self.ghosts: list[GhostItem] = []
        self.suspect: Suspect | None = None
        self._reader = SourceReader()
        self.worker = Background(self)
        self.worker.finished.connect(self._done)
        self.worker.failed.connect(self._failed)
        self._serial = 0
        strip.frameChosen.connect(lambda f: self.w.playback.seek(f))
        window.playback.frameChanged.connect(self._frame_moved)
        window.destroyed.connect(lambda *_: self._reader.close())

    def show(self, suspect: Suspect, boxes: TrackBoxes) -> None:
        """Ghost(s) in the view now; thumbnails from the worker (placeholders meanwhile)."""
        self.clear()
        self.suspect = suspect
        for k, g in enumerate(ghost_boxes(boxes, suspect)):
            item = GhostItem(g, k)
            self.w.view.scene().addItem(item)
            self.ghosts.append(item)
        plan = strip_plan(boxes, suspect)
        self._serial += 1
        s = self.w.session
        src = s.source() if s is not None else None
        if not plan:
            return
        if not src or not Path(src).exists():
            self.strip.set_thumbs(plan, "no pixels: the media file is missing")
            self.stripReady.emit(0)
            return
        self.strip.set_thumbs(plan, "reading frames…")
        self.worker.start(self._serial, self._reader.strip, src, plan)

    def clear(self) -> None:
        for item in self.ghosts:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.ghosts = []
        self.suspect = None
        self._serial += 1
        self.strip.clear()

    def _frame_moved(self, frame: int) -> None:
        # the ghost belongs to the proposal's frame only: elsewhere it would mislead
        visible = self.suspect is not None and frame == self.suspect.frame
        for item in self.ghosts:
            item.setVisible(visible)

    def _done(self, serial: Any, thumbs: Any) -> None:
        if serial != self._serial:
            return  # another suspect is shown meanwhile
        self.strip.set_thumbs(thumbs)
        self.stripReady.emit(sum(1 for t in thumbs if t.image is not None))

    def _failed(self, serial: Any, message: str) -> None:
        if serial != self._serial:
            return
        self.strip.set_thumbs(self.strip.thumbs, f"no pixels: {message}")
        self.stripReady.emit(0)

    def shutdown(self) -> None:
        self.worker.wait(5.0)
        self._reader.close()
