"""Frame-exact access to a video file, an image folder or a MOTChallenge sequence.

Video files go through PyAV (``av_source.AvFileSource``: a demuxed packet index, exact
seeks by pts, see there); this module holds the common ``VideoSource`` interface, image
folders, ``open_source`` and the OpenCV video reader kept as a fallback for installs
without PyAV (``backend="opencv"``). Why the OpenCV reader is more than
``cv2.VideoCapture``:

* containers lie about their length (the shared broadcast clip claims 772 frames and
  decodes 630), so the true count is found by grabbing every frame once and remembered
  in a small index file keyed by path, size and modification time;
* ``source[i]`` must be the same image as the i-th sequential read. OpenCV's seek is
  exact for most files but not all codecs/containers; during the counting pass a few
  frames are fingerprinted, and the first random access checks seeking against them.
  Files that fail the check are read forward from the last exact position instead
  (slow, but never wrong);
* scrubbing and playback re-visit frames, so decoded frames live in a bounded LRU cache,
  short forward jumps grab instead of seeking, and a prefetch thread decodes ahead;
* a corrupt frame is reported by number (``MediaError``) and iteration skips it and
  records it in ``bad_frames``: one bad frame never stops a 90-minute match.

Indices are 0-based (``source[0]`` is the first frame); ``read_frame(n)`` takes the
1-based frame numbers that projects and MOT files use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.errors import MediaError
from sporttrack_gui.media.media_cache import display_path, is_utf8_name

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
DEFAULT_IMAGE_FPS = 25.0
#: forward jumps up to this many frames are decoded by grabbing instead of seeking
FORWARD_GRAB_LIMIT = 48
_INDEX_VERSION = 1
_SAMPLES = 6


def _fingerprint(frame: np.ndarray) -> str:
    small = cv2.resize(frame, (32, 18), interpolation=cv2.INTER_AREA)
    return hashlib.blake2b(small.tobytes(), digest_size=8).hexdigest()


class _LruFrames:
    """Decoded frames by index, bounded by bytes (a 720p BGR frame is 2.6 MB)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        self._items: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, i: int) -> np.ndarray | None:
        with self._lock:
            img = self._items.get(i)
            if img is not None:
                self._items.move_to_end(i)
            return img

    def put(self, i: int, img: np.ndarray) -> None:
        if img.nbytes > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(i, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._items[i] = img
            self._bytes += img.nbytes
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.nbytes

    def __contains__(self, i: int) -> bool:
        with self._lock:
            return i in self._items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class VideoSource:
    """Common interface of every frame source (see the module docstring)."""

    kind = "video"
    backend = "opencv"

    def __init__(self, path: Path, cache_mb: float = 256.0):
        self.path = Path(path)
        self.fps: float = DEFAULT_IMAGE_FPS
        self.width = 0
        self.height = 0
        self.claimed_frame_count = 0
        self.bad_frames: set[int] = set()  # 1-based frame numbers that failed to decode
        self._cache = _LruFrames(int(cache_mb * 2**20))
        self._count = 0
        self._prefetcher: threading.Thread | None = None
        self._stop_prefetch = threading.Event()

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return self._count

    @property
    def frame_count(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> np.ndarray:
        i = int(index)
        if not 0 <= i < self._count:
            raise MediaError(f"{self.path}: frame {i + 1} is outside 1..{self._count}",
                             path=str(self.path), frame=i + 1)
        img = self._cache.get(i)
        if img is None:
            img = self._decode(i)
            self._cache.put(i, img)
        return img

    def read_frame(self, frame_number: int) -> np.ndarray:
        """The frame with 1-based number ``frame_number``."""
        return self[int(frame_number) - 1]

    def info(self) -> dict:
        return {"path": display_path(self.path), "kind": self.kind, "width": self.width,
                "height": self.height, "fps": self.fps, "frame_count": self._count,
                "claimed_frame_count": self.claimed_frame_count}

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stop_prefetch()
        self._cache.clear()

    # ------------------------------------------------------------------ iteration
    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        return self.iter_frames()

    def iter_frames(self, start: int = 0, stop: int | None = None, *, prefetch: bool = True,
                    queue_size: int = 16) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(index, frame)`` for ``start <= index < stop`` in order.

        Decoding runs in a background thread with a bounded queue when ``prefetch`` is
        set, so decode and the consumer's work overlap. Corrupt frames are skipped and
        recorded in ``bad_frames`` (logged), not raised.
        """
        stop = self._count if stop is None else min(int(stop), self._count)
        start = max(0, int(start))
        if not prefetch:
            yield from self._sequential(start, stop)
            return
        q: queue.Queue = queue.Queue(maxsize=max(1, queue_size))
        halt = threading.Event()
        done = object()

        def work() -> None:
            try:
                for item in self._sequential(start, stop):
                    while not halt.is_set():
                        try:
                            q.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if halt.is_set():
                        return
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
                q.put(exc)
                return
            q.put(done)

        worker = threading.Thread(target=work, name=f"decode-{self.path.name}", daemon=True)
        worker.start()
        try:
            while True:
                item = q.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            halt.set()
            while worker.is_alive():
                try:
                    q.get_nowait()
                except queue.Empty:
                    worker.join(timeout=0.05)

    def _sequential(self, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        for i in range(start, stop):
            try:
                yield i, self[i]
            except MediaError as exc:
                self.bad_frames.add(i + 1)
                log.warning("%s", exc)

    def prefetch(self, start: int, count: int = 64) -> None:
        """Decode ``count`` frames from ``start`` into the cache in the background."""
        self.stop_prefetch()
        self._stop_prefetch = stop = threading.Event()
        end = min(self._count, int(start) + int(count))

        def work() -> None:
            for i in range(max(0, int(start)), end):
                if stop.is_set():
                    return
                if i in self._cache:
                    continue
                try:
                    self[i]
                except MediaError:
                    self.bad_frames.add(i + 1)

        self._prefetcher = threading.Thread(target=work, name="prefetch", daemon=True)
        self._prefetcher.start()

    def stop_prefetch(self) -> None:
        self._stop_prefetch.set()
        if self._prefetcher is not None:
            self._prefetcher.join(timeout=5)
            self._prefetcher = None

    # ------------------------------------------------------------------ to implement
    def _decode(self, i: int) -> np.ndarray:
        raise NotImplementedError


class ImageFolderSource(VideoSource):
    """Sorted image files; a MOT sequence's ``img1/`` (fps and size from seqinfo.ini)."""

    kind = "images"

    def __init__(self, folder: Path, *, fps: float | None = None, files: list[Path] | None = None,
                 cache_mb: float = 256.0, kind: str = "images", root: Path | None = None):
        super().__init__(root or folder, cache_mb)
        self.kind = kind
        self.folder = folder
        self.files = files if files is not None else sorted(
            f for f in folder.iterdir() if f.suffix.lower() in IMAGE_EXTENSIONS)
        if not self.files:
            raise MediaError(f"{display_path(folder)}: no images ({', '.join(IMAGE_EXTENSIONS)}) in this folder",
                             path=str(folder))
        self._count = self.claimed_frame_count = len(self.files)
        self.fps = float(fps or DEFAULT_IMAGE_FPS)
        first = None
        for k, f in enumerate(self.files[:10]):  # a corrupt first image must not hide the size
            first = _imread(f)
            if first is not None:
                break
            self.bad_frames.add(k + 1)
        if first is None:
            raise MediaError(f"{display_path(folder)}: the first images cannot be decoded",
                             path=display_path(folder), frame=1)
        self.height, self.width = first.shape[:2]

    def _decode(self, i: int) -> np.ndarray:
        f = self.files[i]
        img = _imread(f)
        name = display_path(f)
        if img is None:
            raise MediaError(f"{name}: frame {i + 1} cannot be decoded (corrupt or not an image)",
                             path=name, frame=i + 1)
        if img.shape[:2] != (self.height, self.width):
            raise MediaError(f"{name}: frame {i + 1} is {img.shape[1]}x{img.shape[0]}, the "
                             f"sequence is {self.width}x{self.height}", path=name, frame=i + 1)
        return img


def _imread(path: Path) -> np.ndarray | None:
    """``cv2.imread``, or a decode of the file's bytes where the name is not valid UTF-8
    (OpenCV takes names as UTF-8 text and can crash on others)."""
    if is_utf8_name(path):
        return cv2.imread(str(path))
    try:
        data = np.fromfile(path, np.uint8)
    except OSError:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None


class VideoFileSource(VideoSource):
    """A video file read through OpenCV/FFmpeg with exact random access (the fallback
    reader; ``AvFileSource`` is the default)."""

    kind = "video"

    def __init__(self, path: Path, cache_mb: float = 256.0):
        super().__init__(path, cache_mb)
        self._lock = threading.RLock()
        self._cap = self._open_capture()
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 0 < fps < 1000 else DEFAULT_IMAGE_FPS
        self.claimed_frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        index = self._load_or_build_index()
        self._count = int(index["count"])
        self._samples: dict[int, str] = {int(k): v for k, v in index["samples"].items()}
        self._seek_ok: bool | None = index.get("seek_ok")
        self._pos = 0  # index of the frame the next read() returns
        if self._count == 0:
            raise MediaError(f"{self.path}: no frame could be decoded", path=str(self.path), frame=1)

    def _open_capture(self) -> cv2.VideoCapture:
        if not is_utf8_name(self.path):  # cv2.VideoCapture segfaults on such names
            raise MediaError(f"{display_path(self.path)}: the file name is not valid UTF-8, which "
                             "the OpenCV reader cannot open; rename the file or install PyAV "
                             "(pip install av)", path=display_path(self.path))
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise MediaError(f"{self.path}: cannot open as a video (unsupported or corrupt file)",
                             path=str(self.path))
        return cap

    # ------------------------------------------------------------------ index
    def _index_file(self) -> Path:
        from sporttrack_gui.media.media_cache import cache_dir as media_cache_dir
        from sporttrack_gui.media.media_cache import file_key

        return media_cache_dir("video-index") / (file_key(self.path, _INDEX_VERSION) + ".json")

    def _load_or_build_index(self) -> dict:
        try:
            idx_file = self._index_file()
            data = json.loads(idx_file.read_text())
            if data.get("version") == _INDEX_VERSION:
                return data
        except (OSError, ValueError):
            pass
        data = self._build_index()
        try:
            idx_file.parent.mkdir(parents=True, exist_ok=True)
            idx_file.write_text(json.dumps(data))
        except OSError as exc:  # a read-only home only costs a recount next time
            log.info("cannot cache the frame index of %s: %s", self.path, exc)
        return data

    def _build_index(self) -> dict:
        """Count decodable frames with ``grab()`` and fingerprint a few along the way."""
        cap = self._open_capture()
        claimed = self.claimed_frame_count
        want = set(np.linspace(0, max(claimed - 1, 0), _SAMPLES + 2).astype(int)[1:-1].tolist())
        samples: dict[int, str] = {}
        n = 0
        try:
            while cap.grab():
                if n in want:
                    ok, img = cap.retrieve()
                    if ok and img is not None:
                        samples[n] = _fingerprint(img)
                n += 1
        finally:
            cap.release()
        if claimed and n != claimed:
            log.info("%s: header claims %d frames, %d decode", self.path, claimed, n)
        return {"version": _INDEX_VERSION, "count": n, "claimed": claimed,
                "samples": {str(k): v for k, v in samples.items() if k < n}, "seek_ok": None}

    def _check_seek(self) -> bool:
        """Does seeking land on the frame sequential reading gives? (checked once per file)."""
        ok = True
        for i, fp in sorted(self._samples.items()):
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, i)
            got, img = self._cap.read()
            if not got or img is None or _fingerprint(img) != fp:
                ok = False
                break
        self._pos = -1  # position unknown after the probes: the next access seeks or rewinds
        if not ok:
            log.warning("%s: seeking is not frame-exact for this file; random access will "
                        "decode forward (slower)", self.path)
        try:
            data = json.loads(self._index_file().read_text())
            data["seek_ok"] = ok
            self._index_file().write_text(json.dumps(data))
        except (OSError, ValueError):
            pass
        return ok

    # ------------------------------------------------------------------ decoding
    def _decode(self, i: int) -> np.ndarray:
        with self._lock:
            if not (0 <= self._pos <= i <= self._pos + FORWARD_GRAB_LIMIT):
                if self._seek_ok is None:
                    self._seek_ok = self._check_seek()
                if self._seek_ok:
                    self._cap.set(cv2.CAP_PROP_POS_FRAMES, i)
                    self._pos = i
                elif not 0 <= self._pos <= i:  # exact fallback: rewind and read forward
                    self._cap.release()
                    self._cap = self._open_capture()
                    self._pos = 0
            while self._pos < i:
                if not self._cap.grab():
                    failed = self._pos + 1
                    self._pos = -1
                    raise MediaError(f"{self.path}: frame {failed} cannot be decoded "
                                     f"(while seeking to frame {i + 1})",
                                     path=str(self.path), frame=failed)
                self._pos += 1
            ok, img = self._cap.read()
            self._pos = i + 1 if ok else -1
            if not ok or img is None:
                raise MediaError(f"{self.path}: frame {i + 1} cannot be decoded",
                                 path=str(self.path), frame=i + 1)
            return img

    def _sequential(self, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        """Sequential reads through a private capture, so random access elsewhere
        (the GUI scrubbing the same source) never moves this iterator."""
        cap = self._open_capture()
        try:
            if start:
                if self._seek_ok is None:
                    with self._lock:
                        self._seek_ok = self._check_seek()
                if self._seek_ok:
                    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
                else:
                    for _ in range(start):
                        cap.grab()
            for i in range(start, stop):
                cached = self._cache.get(i)
                if cached is not None:
                    cap.grab()
                    yield i, cached
                    continue
                ok, img = cap.read()
                if not ok or img is None:
                    self.bad_frames.add(i + 1)
                    log.warning("%s: frame %d cannot be decoded; skipped", self.path, i + 1)
                    continue
                yield i, img
        finally:
            cap.release()

    def close(self) -> None:
        super().close()
        with self._lock:
            self._cap.release()


def _seqinfo_fps_and_dir(folder: Path) -> tuple[float | None, Path | None]:
    ini = folder / "seqinfo.ini"
    if not ini.exists():
        return None, None
    try:
        from sporttrack_gui.formats.seqinfo import read_seqinfo

        info = read_seqinfo(ini)
        return float(info.frame_rate) or None, folder / info.img_dir
    except Exception as exc:  # noqa: BLE001 - a broken seqinfo must not block the images
        log.warning("%s: %s; using defaults", ini, exc)
        return None, None


#: ``"auto"`` = PyAV when installed, else OpenCV; ``SPORTTRACK_VIDEO_BACKEND`` overrides it
BACKENDS = ("auto", "pyav", "opencv")


def _video_backend(requested: str) -> str:
    import os

    choice = requested if requested != "auto" else os.environ.get("SPORTTRACK_VIDEO_BACKEND", "auto")
    if choice not in BACKENDS:
        raise MediaError(f"unknown video backend {choice!r}; choose one of {', '.join(BACKENDS)}")
    if choice == "auto":
        try:
            import av  # noqa: F401
        except ImportError:
            return "opencv"
        return "pyav"
    return choice


def open_source(path: str | Path, *, cache_mb: float = 256.0, backend: str = "auto",
                progress=None, cancel=None) -> VideoSource:
    """Open a video file, an image folder or a MOT sequence folder (its ``img1/``).

    Video files go through PyAV (``backend="auto"``/``"pyav"``) or the OpenCV reader
    (``"opencv"``). ``progress(done, total)`` and ``cancel() -> bool`` follow the first
    opening of a video, which indexes its packets (``Cancelled`` is raised on cancel).
    """
    p = Path(path)
    if not p.exists():
        raise MediaError(f"{display_path(p)}: no such file or folder", path=display_path(p))
    if p.is_dir():
        fps, img_dir = _seqinfo_fps_and_dir(p)
        if img_dir is None and (p / "img1").is_dir():
            img_dir = p / "img1"
        if img_dir is not None:
            if not img_dir.is_dir():
                raise MediaError(f"{display_path(p)}: the image folder {img_dir.name}/ is missing",
                                 path=display_path(p))
            return ImageFolderSource(img_dir, fps=fps, cache_mb=cache_mb, kind="mot", root=p)
        if (p / "img").is_dir() and not any(f.suffix.lower() in IMAGE_EXTENSIONS for f in p.iterdir()):
            return ImageFolderSource(p / "img", cache_mb=cache_mb, root=p)  # OTB layout
        return ImageFolderSource(p, cache_mb=cache_mb)
    if p.suffix.lower() in IMAGE_EXTENSIONS:
        raise MediaError(f"{display_path(p)}: a single image; open its folder to use it as a "
                         "sequence", path=display_path(p))
    if _video_backend(backend) == "pyav":
        from sporttrack_gui.media.av_source import AvFileSource
        from sporttrack_gui.media.packet_index import UnreliableTimestamps

        try:
            return AvFileSource(p, cache_mb=cache_mb, progress=progress, cancel=cancel)
        except UnreliableTimestamps as exc:  # AVI, MPEG-PS, ...: verified seeks of the OpenCV reader
            log.info("%s; reading it with OpenCV", exc)
    return VideoFileSource(p, cache_mb=cache_mb)
