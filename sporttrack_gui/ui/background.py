"""One function call in a background thread, its result delivered to the GUI thread.

Why not ``JobRunner``: that runs one long, cancellable user job at a time (a tracker
run); loading the shown run's model, counting boxes of the runs list and the
assistant's scan are short, frequent and may overlap with such a job. Each ``Background``
runs at most one call at a time and remembers the newest request made meanwhile, so a
burst of edits costs one extra scan, not one per edit. Plain values in, a signal out
(queued to the GUI thread because this QObject lives there).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.formats.mot import release_free_memory

log = logging.getLogger(__name__)


def release_memory() -> None:
    """Give freed heap memory back to the OS (no-op without glibc). Why: numpy's
    10-30 MB temporaries of a run load or a scan land on the heap once glibc raised its
    mmap threshold, and the heap keeps them after they are freed -- ~300 MB of a
    3.4 M-box load stayed resident. One implementation: ``formats.mot``'s."""
    release_free_memory()


def keep_big_blocks_off_heap(threshold: int = 8 << 20) -> None:
    """Serve every allocation of ``threshold`` bytes or more by its own mmap, returned
    to the OS when freed, for the rest of the process. Why: glibc otherwise raises its
    mmap threshold to the size of the largest block freed (up to 32 MiB), so the
    13-54 MB columns of a match's loads, scans and edits pile up in the heaps of the
    worker threads and are never trimmed: ~90 MB more peak RSS over a match session
    (bench_gui_match: 879 -> 821 MiB at 8 MiB, 791 MiB at 1 MiB). Not lower: every
    mmap'd block is zero-filled page by page when first written (~1.5 ms per 6 MB),
    and an HD video frame (6 MB) is allocated for every frame shown."""
    release_free_memory(mmap_threshold=threshold)


class Background(QObject):
    """``finished(tag, result)`` or ``failed(tag, message)`` after ``start(tag, fn, *args)``."""

    finished = Signal(object, object)
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._next: tuple[Any, Callable[..., Any], tuple] | None = None
        self._running = False  # from start until the result reached the GUI thread
        self._lock = threading.Lock()
        self.finished.connect(self._launch_next)
        self.failed.connect(self._launch_next)

    def busy(self) -> bool:
        """A call is running or waiting (its result not yet delivered)."""
        return self._running or self._next is not None

    def start(self, tag: Any, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` now, or after the running call (replacing an older waiting one)."""
        with self._lock:
            if self._running:
                self._next = (tag, fn, args)
                return
            self._run(tag, fn, args)

    def _run(self, tag: Any, fn: Callable[..., Any], args: tuple) -> None:
        self._running = True

        def body() -> None:
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported, never lost
                if not isinstance(exc, SportTrackError):
                    log.exception("background call failed")
                self._emit(self.failed, tag, str(exc))
                return
            finally:
                release_memory()
            self._emit(self.finished, tag, result)

        self._thread = threading.Thread(target=body, name=f"sporttrack-{tag}", daemon=True)
        self._thread.start()

    def _emit(self, signal: Any, tag: Any, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the window went away meanwhile
            signal.emit(tag, value)

    def _launch_next(self, *_: Any) -> None:
        # no join: the finished thread only has to return, and waiting for a loaded
        # machine to schedule it would stall the GUI thread (seen: ~1 s)
        with self._lock:
            self._running = False
            nxt, self._next = self._next, None
            if nxt is not None:
                self._run(*nxt)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until the running call ended (tests, shutdown); results still arrive
        through the event loop."""
        t = self._thread
        if t is not None:
            t.join(timeout)
