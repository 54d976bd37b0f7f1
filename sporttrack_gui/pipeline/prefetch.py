"""Decode ahead of the run loop on a thread, through a bounded queue.

Why: decoding (OpenCV releases the GIL) overlaps with detection (torch releases it too),
so on two cores the slower stage sets the pace instead of their sum; the bound keeps
memory flat (16 x 720p BGR = 44 MB) however far ahead the decoder could run.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from sporttrack_gui.errors import MediaError
from sporttrack_gui.pipeline.timing import StageClock

_END = object()

#: reads frames first..last (1-based, inclusive) in order, yielding (frame_number, image)
FrameReader = Callable[[int, int], Iterator[tuple[int, np.ndarray]]]


class Prefetcher:
    """Iterate ``(frame_number, image | None)`` for frames ``first..last``.

    With ``reader=None`` no pixels are needed: frame numbers are produced without decoding.
    A decode error is re-raised in the consumer as ``MediaError`` naming the frame.
    """

    def __init__(self, reader: FrameReader | None, first: int, last: int, clock: StageClock,
                 maxsize: int = 16) -> None:
        self._reader = reader
        self.first, self.last = first, last
        self._clock = clock
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if reader is not None:
            self._thread = threading.Thread(target=self._work, name="sporttrack-decode",
                                            daemon=True)
            self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        assert self._reader is not None
        expected = self.first
        try:
            frames = self._reader(self.first, self.last)
            while not self._stop.is_set():
                t0 = time.perf_counter()
                try:
                    fn, image = next(frames)
                except StopIteration:
                    break
                self._clock.add("decode", time.perf_counter() - t0)
                if fn != expected:
                    raise MediaError(f"decoder returned frame {fn}, expected {expected}",
                                     frame=expected)
                expected += 1
                if not self._put((fn, image)):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
            return
        self._put(_END)

    def __iter__(self) -> Iterator[tuple[int, np.ndarray | None]]:
        if self._reader is None:
            for fn in range(self.first, self.last + 1):
                if self._stop.is_set():
                    return
                yield fn, None
            return
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop the decode thread (it exits at its next frame) and wait for it."""
        self._stop.set()
        if self._thread is not None:
            while True:  # unblock a producer waiting on a full queue
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            self._thread.join(timeout=5.0)
