"""Decodes frames on a worker thread, always the newest request first.

Why a thread: seeking in H.264 can take tens of milliseconds; done on the GUI thread it
would freeze the slider while scrubbing. Why "newest wins": while the user drags, only
the frame under the handle matters, so stale requests are dropped, never queued. The
worker owns the ``VideoSource`` (plain path in, ``frameReady(int, ndarray)`` out).
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from sporttrack_gui.errors import SportTrackError


class _Decoder(QObject):
    """Lives in the loader thread; the only object that touches the source."""

    frameReady = Signal(int, object)
    failed = Signal(int, str)
    opened = Signal(int, float, int, int)  # frame count, fps, width, height

    def __init__(self) -> None:
        super().__init__()
        self._source = None
        self._lock = threading.Lock()
        self._wanted: int | None = None

    def want(self, frame: int) -> None:
        with self._lock:
            self._wanted = frame

    @Slot(str)
    def open(self, path: str) -> None:
        from sporttrack_gui.media.source import open_source

        self.close()
        try:
            self._source = open_source(path)
        except SportTrackError as exc:
            self.failed.emit(0, str(exc))
            return
        s = self._source
        self.opened.emit(len(s), float(s.fps), int(s.width), int(s.height))

    @Slot()
    def decode_latest(self) -> None:
        with self._lock:
            frame, self._wanted = self._wanted, None
        if frame is None or self._source is None:
            return  # an older wake-up whose request was already served
        try:
            image = self._source.read_frame(frame)
        except SportTrackError as exc:
            self.failed.emit(frame, str(exc))
            return
        self.frameReady.emit(frame, image)

    @Slot()
    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None


class FrameLoader(QObject):
    """GUI-side handle: ``open(path)``, ``request(frame)``; results arrive as signals."""

    frameReady = Signal(int, object)  # 1-based frame, BGR ndarray
    failed = Signal(int, str)  # frame (0 = open), message
    opened = Signal(int, float, int, int)
    _open = Signal(str)
    _wake = Signal()
    _close = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("frame-loader")
        self._decoder = _Decoder()
        self._decoder.moveToThread(self._thread)
        self._open.connect(self._decoder.open)
        self._wake.connect(self._decoder.decode_latest)
        self._close.connect(self._decoder.close)
        self._decoder.frameReady.connect(self.frameReady)
        self._decoder.failed.connect(self.failed)
        self._decoder.opened.connect(self.opened)
        self._thread.start()
        self.last_frame: tuple[int, np.ndarray] | None = None
        self.frameReady.connect(self._remember)

    def open(self, path: str) -> None:
        self.last_frame = None
        self._open.emit(path)

    def request(self, frame: int) -> None:
        self._decoder.want(frame)
        self._wake.emit()

    def _remember(self, frame: int, image: np.ndarray) -> None:
        self.last_frame = (frame, image)

    def shutdown(self) -> None:
        """Close the source in its own thread, then stop the thread (call on exit)."""
        if self._thread.isRunning():
            self._close.emit()
            self._thread.quit()
            self._thread.wait(5000)
