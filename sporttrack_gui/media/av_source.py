"""A video file through PyAV: frame count and random access from the packet index.

Why PyAV rather than ``cv2.VideoCapture``: OpenCV only knows a frame count the container
claims and seeks by frame number through FFmpeg's guesses, which is not exact on
variable-frame-rate files and needs a decode of the whole file to count. Here frames are
addressed by their presentation timestamp from the demuxed packet index
(``packet_index``): a seek goes to the keyframe at or before the target's pts and decodes
forward until the frame with exactly that pts comes out. That is exact on VFR files,
and ``source[i]`` is the i-th frame a sequential decode gives.

Damage never ends the video: a frame whose packet does not decode is reported by number
(``MediaError`` on random access; skipped, recorded in ``bad_frames`` and logged as a
range of frame numbers while iterating), and the frames after it keep their numbers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from sporttrack_gui.errors import MediaError
from sporttrack_gui.media.media_cache import display_path
from sporttrack_gui.media.packet_index import Container, Progress, _ranges, load_or_build_index
from sporttrack_gui.media.source import VideoSource

log = logging.getLogger(__name__)

#: a forward jump of up to this many frames decodes on instead of seeking, even across a
#: keyframe (decoding ~30 small frames is cheaper than a seek + a GOP head)
FORWARD_DECODE_LIMIT = 30
#: earlier keyframes tried when a seek lands after its target (imprecise container index)
SEEK_RETRIES = 2


def _configure(container: Container) -> None:
    cc = container.stream.codec_context
    cc.thread_type = "AUTO"  # frame + slice threads: forward decoding after a seek is the cost
    cc.thread_count = min(4, os.cpu_count() or 1)


def _frames(container: Container, errors: list[str],
            target: Callable[[], int | None] | None = None) -> Iterator:
    """Decoded frames from the container's current position; decode errors are noted
    and skipped (the frames they cost are found missing by pts).

    With ``target`` (the pts being sought), packets shown before it are decoded with
    ``skip_frame=NONREF``: frames no other frame refers to are not needed to reach the
    target, and skipping them halves a long-GOP seek on B-frame streams (the target
    itself and every reference frame decode as usual, so the result is the same image).
    """
    import av

    cc = container.stream.codec_context
    skipping = False
    try:
        for packet in container.av.demux(container.stream):
            if target is not None:
                goal = target()
                skip = goal is not None and packet.pts is not None and packet.pts < goal
                if skip != skipping:
                    cc.skip_frame = "NONREF" if skip else "DEFAULT"
                    skipping = skip
            try:
                frames = packet.decode()
            except av.error.FFmpegError as exc:
                errors.append(str(exc))
                continue
            yield from frames
    except av.error.FFmpegError as exc:  # demuxing stopped: a truncated or damaged file
        errors.append(str(exc))
    finally:
        if skipping:
            cc.skip_frame = "DEFAULT"


def _pts(frame) -> int | None:
    return frame.pts if frame.pts is not None else getattr(frame, "dts", None)


class AvFileSource(VideoSource):
    """Frame-exact random access and sequential reading of a video file through PyAV."""

    kind = "video"
    backend = "pyav"

    def __init__(self, path: Path, cache_mb: float = 256.0, *, progress: Progress | None = None,
                 cancel: Callable[[], bool] | None = None):
        super().__init__(path, cache_mb)
        self.name = display_path(path)
        self.index, self.index_cached = load_or_build_index(path, progress=progress, cancel=cancel)
        ix = self.index
        self.width, self.height, self.fps = ix.width, ix.height, ix.fps
        self.claimed_frame_count = ix.claimed
        self._count = len(ix)
        self._lock = threading.RLock()
        self._c = Container(path)
        _configure(self._c)
        self._gen: Iterator | None = None
        self._last = -1  # index of the last frame taken from ``_gen``
        self._pending = None  # a frame taken from ``_gen`` past the last target
        self._errors: list[str] = []
        self._target: int | None = None  # pts being sought (non-reference frames before it skip)

    def info(self) -> dict:
        data = super().info()
        data.update(backend=self.backend, codec=self.index.codec,
                    dropped_tail_frames=self.index.dropped_tail,
                    corrupt_packets=self.index.corrupt_frames[:100])
        return data

    def frame_seconds(self, index: int) -> float:
        """Presentation time of frame ``index`` (0-based), exact on VFR files."""
        return self.index.seconds(int(index))

    # ------------------------------------------------------------ random access
    def _decode(self, i: int) -> np.ndarray:
        with self._lock:
            if self._gen is not None and 0 <= self._last < i:
                same_gop = self.index.keyframe_for(i) == self.index.keyframe_for(self._last)
                if same_gop or i - self._last <= FORWARD_DECODE_LIMIT:
                    img, _early = self._forward_to(i)
                    if img is not None:
                        return img
            for attempt in range(SEEK_RETRIES + 2):
                aim = self.index.seek_aim(i, attempt)
                if aim is None:
                    break
                self._seek(aim)
                img, early = self._forward_to(i)
                if img is not None:
                    return img
                if early:  # the seek reached frames before the target: the target is bad
                    break
            self._gen = None
            raise MediaError(f"{self.name}: frame {i + 1} cannot be decoded (damaged data)",
                             path=self.name, frame=i + 1)

    def _seek(self, pts: int) -> None:
        import av

        try:
            self._c.av.seek(pts, stream=self._c.stream, backward=True)
        except av.error.FFmpegError as exc:
            raise MediaError(f"{self.name}: cannot seek ({exc})", path=self.name) from None
        self._c.stream.codec_context.flush_buffers()
        self._gen = _frames(self._c, self._errors, lambda: self._target)
        self._last, self._pending = -1, None

    def _forward_to(self, i: int) -> tuple[np.ndarray | None, bool]:
        """Decode on to frame ``i``; ``(image, reached_earlier_frames)``."""
        target = self._target = int(self.index.pts[i])
        early = False
        while True:
            if self._pending is not None:
                frame, self._pending = self._pending, None
            else:
                frame = next(self._gen, None)
            if frame is None:
                self._gen = None
                return None, early
            pts = _pts(frame)
            if pts is None:
                continue
            if pts < target:
                early = True
                j = self.index.frame_of(pts)
                if j >= 0:
                    self._last = j
                continue
            if pts == target:
                self._last = i
                return frame.to_ndarray(format="bgr24"), True
            self._pending = frame  # past the target: the target never came
            return None, early

    # ------------------------------------------------------------ sequential
    def _sequential(self, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        """Decode ``start..stop-1`` in order through a private container, so random access
        elsewhere (the GUI scrubbing this source) never moves it. Frames that do not
        come out of the decoder are recorded in ``bad_frames`` and logged as ranges."""
        if start >= stop:
            return
        c = Container(self.path)
        _configure(c)
        errors: list[str] = []
        expected = start
        try:
            gen = self._sequential_start(c, start, errors)
            for frame in gen:
                pts = _pts(frame)
                j = self.index.frame_of(pts) if pts is not None else -1
                if j < expected:
                    continue
                if j >= stop:
                    break
                if j > expected:
                    self._missing(expected, j, errors)
                yield j, frame.to_ndarray(format="bgr24")
                expected = j + 1
            if expected < stop:
                self._missing(expected, stop, errors)
        finally:
            c.close()

    def _sequential_start(self, c: Container, start: int, errors: list[str]) -> Iterator:
        """Frames from the keyframe before ``start``; tries earlier keyframes when the
        container's seek lands after the target."""
        import av

        target = int(self.index.pts[start])
        last = SEEK_RETRIES + 1
        for attempt in range(last + 1):
            aim = self.index.seek_aim(start, attempt)
            if aim is None:
                break
            try:
                c.av.seek(aim, stream=c.stream, backward=True)
            except av.error.FFmpegError:
                break
            c.stream.codec_context.flush_buffers()
            gen = _frames(c, errors)
            first = next(gen, None)
            if first is None:
                continue
            if (_pts(first) or 0) <= target or attempt == last:
                return _chain(first, gen)
        return iter(())

    def _missing(self, lo: int, hi: int, errors: list[str]) -> None:
        frames = list(range(lo + 1, hi + 1))
        self.bad_frames.update(frames)
        why = f" ({errors[-1]})" if errors else ""
        log.warning("%s: frames %s cannot be decoded; skipped%s", self.name, _ranges(frames), why)

    def close(self) -> None:
        super().close()
        with self._lock:
            self._gen = self._pending = None
            self._c.close()


def _chain(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest
