"""Scrub proxies: small JPEG copies of frames, so a slider jump shows a picture at once.

Why: seeking in H.264 decodes from the previous keyframe; on broadcast clips with long
GOPs that is 100-300 ms per jump, far from the 50 ms a scrub needs. Video editors solve
it with proxies; here the frame loader fills this cache in the background by decoding
forward while the user is idle (sequential decoding runs at ~300 fps), and a jump to a
cached frame is a 2-3 ms JPEG decode. The exact full-resolution frame replaces the
proxy as soon as the user stops moving the slider. Qt-free; bounded in bytes; thread-safe
(the background proxy build of ``media.proxy_store`` feeds it while the loader reads).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import cv2
import numpy as np

PROXY_WIDTH = 960
JPEG_QUALITY = 80


class ProxyCache:
    """Frame number -> JPEG bytes of a downscaled frame, least recently used evicted first."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024, width: int = PROXY_WIDTH) -> None:
        self.max_bytes = max_bytes
        self.width = width
        self._data: OrderedDict[int, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __contains__(self, frame: int) -> bool:
        with self._lock:
            return frame in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    @property
    def nbytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def put(self, frame: int, bgr: np.ndarray) -> None:
        if frame in self:
            return
        h, w = bgr.shape[:2]
        if w > self.width:
            bgr = cv2.resize(bgr, (self.width, max(1, round(h * self.width / w))),
                             interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            return
        self.put_jpeg(frame, buf.tobytes())

    def put_jpeg(self, frame: int, blob: bytes) -> None:
        """Store an already encoded thumbnail."""
        with self._lock:
            if frame in self._data:
                self._data.move_to_end(frame)
                return
            self._data[frame] = blob
            self._bytes += len(blob)
            while self._bytes > self.max_bytes and len(self._data) > 1:
                _, old = self._data.popitem(last=False)
                self._bytes -= len(old)

    def get(self, frame: int) -> np.ndarray | None:
        with self._lock:
            blob = self._data.get(frame)
            if blob is None:
                return None
            self._data.move_to_end(frame)
        return cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR)
