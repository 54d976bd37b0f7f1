"""Decodes frames on a worker thread, always the newest request first.

Why a thread: seeking in H.264 can take 100+ ms; done on the GUI thread it would freeze
the slider while scrubbing. Why "newest wins": while the user drags, only the frame
under the handle matters, so stale requests are dropped, never queued. A jump shows a
scrub proxy at once (``exact=False``) and the full frame follows when the slider rests
for ``EXACT_DELAY_MS``. Proxies of a video come from its persisted proxy file
(``media.proxy_store``: built once in a background thread after the first open, with
progress signals, and reused on every reopen); while that file is being built, and for
image folders, the thumbnails made so far live in a RAM ``ProxyCache``. The worker owns
the ``VideoSource`` (plain path in, signals out).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

import numpy as np
import shiboken6
from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from sporttrack_gui.errors import Cancelled, SportTrackError
from sporttrack_gui.media.proxy_store import ProxyReader, build_proxies
from sporttrack_gui.ui.proxy_cache import ProxyCache

# PyAV loaded at GUI start: a first import in a worker thread holds the GIL (~0.4 s);
# without it videos go through the OpenCV reader
with contextlib.suppress(ImportError):
    import av  # noqa: F401

log = logging.getLogger(__name__)

EXACT_DELAY_MS = 60  # slider at rest this long -> decode the full-resolution frame
FILL_BATCH = 4  # proxies decoded between checks for a new request


class _Decoder(QObject):
    """Lives in the loader thread; the only object that touches the source."""

    frameReady = Signal(int, object, bool)  # frame, BGR, exact (False: proxy)
    failed = Signal(int, str)
    opened = Signal(int, float, int, int)  # frame count, fps, width, height
    proxyProgress = Signal(int, int)  # frames done, total of the background proxy build
    proxiesReady = Signal(int)  # thumbnails in the persisted proxy file now in use

    def __init__(self, proxies: bool) -> None:
        super().__init__()
        self._source = None
        self._lock = threading.Lock()
        self._wanted: int | None = None
        self._exact_wanted: int | None = None
        self._use_proxies = proxies
        self.proxies = ProxyCache()
        self._fill_next = 1
        self._filler = None
        self._filler_src = None
        self._last_exact = -1
        self._count = 0
        self._exact_timer: QTimer | None = None
        self._fill_timer: QTimer | None = None
        self.store: ProxyReader | None = None  # the persisted proxies in use
        self._new_store: ProxyReader | None = None  # handed over by the build thread
        self._builder: threading.Thread | None = None
        self._build_stop = threading.Event()

    def want(self, frame: int) -> None:
        with self._lock:
            self._wanted = frame

    def _timers(self) -> None:
        """Created in the loader thread (timers belong to the thread that makes them)."""
        if self._exact_timer is None:
            self._exact_timer = QTimer(self)
            self._exact_timer.setSingleShot(True)
            self._exact_timer.timeout.connect(self._decode_exact)
            self._fill_timer = QTimer(self)
            self._fill_timer.setSingleShot(True)
            self._fill_timer.timeout.connect(self._fill)

    @Slot(str)
    def open(self, path: str) -> None:
        from sporttrack_gui.media.source import open_source

        self.close()
        self._timers()
        try:
            self._source = open_source(path)
            if self._use_proxies and self._source.kind == "video":
                self.store = ProxyReader.for_video(path)
            elif self._use_proxies:
                # image folders: a second source reads forward into the RAM proxies, so
                # random jumps on the first never break its sequential position
                self._filler_src = open_source(path, cache_mb=0)  # proxies are its cache
                self._filler = iter(self._filler_src)
        except SportTrackError as exc:
            self.failed.emit(0, str(exc))
            return
        s = self._source
        self._count, self._fill_next, self._last_exact = len(s), 1, -1
        self.proxies.clear()
        self.opened.emit(len(s), float(s.fps), int(s.width), int(s.height))
        if self.store is not None:
            self.proxiesReady.emit(len(self.store))
        elif self._use_proxies and s.kind == "video":
            self._start_build(path)

    def _start_build(self, path: str) -> None:
        """Build the proxy file in a low-priority thread; thumbnails feed the RAM cache
        as they come, and the finished file replaces it."""
        self._build_stop = stop = threading.Event()

        def work() -> None:
            _lower_priority()
            try:
                build_proxies(path, progress=self.proxyProgress.emit, cancel=stop.is_set,
                              on_proxy=self.proxies.put_jpeg)
                reader = ProxyReader.for_video(path)
            except Cancelled:
                return
            except SportTrackError as exc:
                log.warning("no scrub proxies: %s", exc)
                return
            except Exception:  # noqa: BLE001 - proxies are an optimisation, never fatal
                log.exception("building the scrub proxies of %s failed", path)
                return
            if reader is not None and not stop.is_set():
                with self._lock:
                    self._new_store = reader
                self.proxiesReady.emit(len(reader))

        self._builder = threading.Thread(target=work, name="proxy-build", daemon=True)
        self._builder.start()

    def _proxy(self, frame: int) -> np.ndarray | None:
        with self._lock:
            if self._new_store is not None:
                self.store, self._new_store = self._new_store, None
        if self.store is not None:
            got = self.store.get(frame)
            if got is not None:
                return got[1]
        return self.proxies.get(frame)

    @Slot()
    def decode_latest(self) -> None:
        with self._lock:
            frame, self._wanted = self._wanted, None
        if frame is None or self._source is None:
            return  # an older wake-up whose request was already served
        # playback asks for the next frame: decoding it exactly is as cheap as a proxy
        sequential = frame == self._last_exact + 1
        proxy = self._proxy(frame) if self._use_proxies and not sequential else None
        if proxy is not None:
            self.frameReady.emit(frame, proxy, False)
            self._exact_wanted = frame
            self._exact_timer.start(EXACT_DELAY_MS)
            return
        self._exact_wanted = frame
        self._decode_exact()

    @Slot()
    def _decode_exact(self) -> None:
        frame, self._exact_wanted = self._exact_wanted, None
        with self._lock:
            newer = self._wanted is not None
        if frame is None or newer or self._source is None:
            return  # the slider moved on: that request will be served instead
        try:
            image = self._source.read_frame(frame)
        except SportTrackError as exc:
            self.failed.emit(frame, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a bug in decoding must not kill the thread
            log.exception("decoding frame %s failed", frame)
            self.failed.emit(frame, f"internal error: {type(exc).__name__}: {exc}")
            return
        self._last_exact = frame
        if self._use_proxies and self.store is None:
            self.proxies.put(frame, image)
        self.frameReady.emit(frame, image, True)
        self._schedule_fill()

    def _schedule_fill(self) -> None:
        if self._filler is not None and self._fill_timer is not None \
                and not self._fill_timer.isActive():
            self._fill_timer.start(0)

    @Slot()
    def _fill(self) -> None:
        """Decode a few frames forward into the proxy cache, then yield to requests."""
        for _ in range(FILL_BATCH):
            with self._lock:
                busy = self._wanted is not None or self._exact_wanted is not None
            full = self.proxies.nbytes >= self.proxies.max_bytes * 0.95
            if busy or full or self._filler is None:
                return
            try:
                index, image = next(self._filler)
            except StopIteration:
                self._filler = None
                return
            except SportTrackError:
                self._filler = None  # a broken stream: exact reads report it if asked
                return
            self._fill_next = index + 2  # next 1-based frame the filler will read
            self.proxies.put(index + 1, image)
        self._fill_timer.start(0)

    @Slot()
    def close(self) -> None:
        """Runs in the loader thread: timers must be stopped and deleted where they live."""
        for t in (self._exact_timer, self._fill_timer):
            if t is not None:
                t.stop()
                shiboken6.delete(t)  # now, in this thread: deleteLater may never run
        self._exact_timer = self._fill_timer = None
        self._build_stop.set()
        if self._builder is not None:
            self._builder.join(timeout=10)
            self._builder = None
        for src in (self._source, self._filler_src):
            if src is not None:
                src.close()
        self._source = self._filler_src = self._filler = None
        if self.store is not None:
            self.store.close()
        self.store = self._new_store = None


def _lower_priority() -> None:
    """Let the proxy build yield the CPU to scrubbing and playback (Linux: per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class FrameLoader(QObject):
    """GUI-side handle: ``open(path)``, ``request(frame)``; results arrive as signals."""

    frameReady = Signal(int, object, bool)  # 1-based frame, BGR ndarray, exact (not a proxy)
    failed = Signal(int, str)  # frame (0 = open), message
    opened = Signal(int, float, int, int)
    proxyProgress = Signal(int, int)  # background proxy build: frames done, total
    proxiesReady = Signal(int)
    _open = Signal(str)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None, proxies: bool = True) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("frame-loader")
        self._decoder = _Decoder(proxies)
        self._decoder.moveToThread(self._thread)
        self._open.connect(self._decoder.open)
        self._wake.connect(self._decoder.decode_latest)
        self._decoder.frameReady.connect(self.frameReady)
        self._decoder.failed.connect(self.failed)
        self._decoder.opened.connect(self.opened)
        self._decoder.proxyProgress.connect(self.proxyProgress)
        self._decoder.proxiesReady.connect(self.proxiesReady)
        self._thread.start()
        self.last_frame: tuple[int, np.ndarray] | None = None
        self.frameReady.connect(self._remember)

    def open(self, path: str) -> None:
        self.last_frame = None
        self._open.emit(path)

    def request(self, frame: int) -> None:
        self._decoder.want(frame)
        self._wake.emit()

    def _remember(self, frame: int, image: np.ndarray, exact: bool) -> None:
        if exact:
            self.last_frame = (frame, image)

    def shutdown(self) -> None:
        """Close the source in its own thread, then stop the thread (call on exit)."""
        if self._thread.isRunning():
            # blocking: quit() would otherwise end the loop before the close runs
            QMetaObject.invokeMethod(self._decoder, "close",
                                     Qt.ConnectionType.BlockingQueuedConnection)
            self._thread.quit()
            self._thread.wait(5000)
