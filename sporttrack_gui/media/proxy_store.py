"""Persisted scrub proxies: one small file of JPEG thumbnails per video, in the app cache.

Why: an exact frame of a long-GOP match takes 50-300 ms (decode from the keyframe),
far from the < 50 ms a scrub needs anywhere in 90 minutes. A thumbnail decodes in ~1 ms.
Kept in RAM only, proxies covered a few thousand frames and were rebuilt on every open;
here they are built once, in the background after import, and reused on every reopen.

The file is MJPEG in all but name: the JPEG thumbnails one after another, then the
frame numbers and byte offsets (numpy arrays) and a fixed footer. Random access is one
slice of a memory map and one ``cv2.imdecode``. At most ``MAX_PROXIES`` thumbnails per
video (every ``step``-th frame of a long match: ~0.3 s apart on 90 minutes at 25 fps,
~250 MB); ``nearest`` returns the closest thumbnail and its frame number, and the viewer
shows the exact frame when the slider rests. Written under a temporary name and renamed
when complete (``atomic_io``): a build cut short leaves no file that looks finished.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.errors import Cancelled, MediaError
from sporttrack_gui.media.media_cache import cache_dir, display_path, file_key

log = logging.getLogger(__name__)

PROXY_VERSION = 1
PROXY_WIDTH = 480
JPEG_QUALITY = 75
MAX_PROXIES = 20000
_MAGIC = b"STPROXY1"
_FOOTER = struct.Struct("<8sqqqq")  # magic, count, width, height, position of the tables

OnProxy = Callable[[int, bytes], None]


def proxy_file(path: str | os.PathLike[str]) -> Path:
    return cache_dir("proxies") / (file_key(path, PROXY_VERSION) + ".stproxy")


def proxy_step(frame_count: int, max_proxies: int = MAX_PROXIES) -> int:
    """Every how many frames a thumbnail is kept (1 up to ``max_proxies`` frames)."""
    return max(1, -(-int(frame_count) // max_proxies))


def encode_proxy(bgr: np.ndarray, width: int = PROXY_WIDTH) -> bytes | None:
    """A downscaled JPEG of ``bgr`` (frames narrower than ``width`` keep their size)."""
    h, w = bgr.shape[:2]
    if w > width:
        bgr = cv2.resize(bgr, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    return buf.tobytes() if ok else None


class ProxyReader:
    """Thumbnails of one video from its proxy file (memory-mapped; thread-safe reads)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        size = self.path.stat().st_size
        with open(self.path, "rb") as fh:
            fh.seek(size - _FOOTER.size)
            magic, count, width, height, tables = _FOOTER.unpack(fh.read(_FOOTER.size))
        if magic != _MAGIC or not 0 < count <= 10_000_000 or not 0 < tables < size:
            raise ValueError(f"{display_path(self.path)}: not a proxy file")
        self.count, self.width, self.height = int(count), int(width), int(height)
        self._data = np.memmap(self.path, np.uint8, "r")
        t = int(tables)
        self.frames = np.frombuffer(self._data[t:t + 8 * count].tobytes(), np.int64)
        self.offsets = np.frombuffer(self._data[t + 8 * count:t + 16 * count + 8].tobytes(), np.int64)

    @classmethod
    def for_video(cls, video: str | os.PathLike[str]) -> ProxyReader | None:
        """The complete proxy file of ``video`` when one exists and is readable."""
        try:
            target = proxy_file(video)
            return cls(target) if target.exists() else None
        except (OSError, ValueError) as exc:
            log.info("proxies of %s unusable: %s", display_path(video), exc)
            return None

    def __len__(self) -> int:
        return self.count

    def nearest(self, frame: int) -> int:
        """The 1-based frame number of the thumbnail closest to ``frame``."""
        i = int(np.searchsorted(self.frames, frame))
        if i >= self.count:
            return int(self.frames[-1])
        if i > 0 and frame - self.frames[i - 1] <= self.frames[i] - frame:
            i -= 1
        return int(self.frames[i])

    def jpeg(self, frame: int) -> bytes | None:
        i = int(np.searchsorted(self.frames, frame))
        if i >= self.count or int(self.frames[i]) != frame:
            return None
        return self._data[int(self.offsets[i]):int(self.offsets[i + 1])].tobytes()

    def get(self, frame: int) -> tuple[int, np.ndarray] | None:
        """``(frame number shown, BGR thumbnail)`` nearest to ``frame``."""
        shown = self.nearest(frame)
        blob = self.jpeg(shown)
        if blob is None:
            return None
        img = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR)
        return (shown, img) if img is not None else None

    def close(self) -> None:
        self._data = None


def build_proxies(video: str | os.PathLike[str], *, progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None, on_proxy: OnProxy | None = None,
                  max_proxies: int = MAX_PROXIES, width: int = PROXY_WIDTH) -> Path:
    """Decode ``video`` once and write its proxy file (returned); reuses a complete one.

    ``on_proxy(frame, jpeg)`` sees each thumbnail as it is made (the viewer uses them
    before the file is finished); ``cancel()`` is polled between frames and raises
    ``Cancelled`` with nothing left behind.
    """
    from sporttrack_gui.atomic_io import atomic_path
    from sporttrack_gui.media.source import open_source

    target = proxy_file(video)
    if ProxyReader.for_video(video) is not None:
        return target
    with open_source(video, cache_mb=0, cancel=cancel) as src:
        n = len(src)
        step = proxy_step(n, max_proxies)
        frames: list[int] = []
        offsets: list[int] = [0]
        size = (0, 0)
        with atomic_path(target) as tmp, open(tmp, "wb") as fh:
            for index, img in src.iter_frames(0, n):
                if cancel is not None and cancel():
                    raise Cancelled(f"{display_path(video)}: proxy build cancelled at frame "
                                    f"{index + 1}")
                if index % step and index != n - 1:
                    continue
                blob = encode_proxy(img, width)
                if blob is None:
                    continue
                if not frames:
                    h, w = img.shape[:2]
                    size = (width, max(1, round(h * width / w))) if w > width else (w, h)
                fh.write(blob)
                frames.append(index + 1)
                offsets.append(offsets[-1] + len(blob))
                if on_proxy is not None:
                    on_proxy(index + 1, blob)
                if progress is not None and len(frames) % 50 == 0:
                    progress(index + 1, n)
            if not frames:
                raise MediaError(f"{display_path(video)}: no frame could be decoded for the "
                                 "scrub proxies", path=display_path(video))
            tables = offsets[-1]
            fh.write(np.asarray(frames, np.int64).tobytes())
            fh.write(np.asarray(offsets, np.int64).tobytes())
            fh.write(_FOOTER.pack(_MAGIC, len(frames), size[0], size[1], tables))
            fh.flush()
            os.fsync(fh.fileno())
    if progress is not None:
        progress(n, n)
    return target
