"""The frame list of a video file from its packets (demuxing, not decoding), cached per file.

Why: counting frames by decoding them costs a second per 3,000 frames of 720p (minutes
for a match); reading the container's packet table costs ~0.03 s per 3,000. The packets
give each frame's presentation timestamp (pts) and the keyframes a seek must start from.

Containers lie, so the packet table is checked where it can be wrong, by decoding only
the frames that prove it:

* packets flagged *discard* (an edit list trimming the start: the shared broadcast
  clip has 772 packets, 142 of them before its start) are no frames;
* the head: frames the decoder never outputs before the first picture (leading frames of
  an open GOP at the start) are no frames either;
* the tail: the last GOP(s) are decoded to the end of the file; entries after the last
  frame that really decodes (a truncated file, a table that promises more) are dropped.

Everything else is trusted: a corrupt stretch in the middle keeps its frame numbers and
is reported frame by frame when decoded (``AvFileSource``), so one damaged second never
shifts or cuts the rest of a match.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from sporttrack_gui.errors import Cancelled, MediaError
from sporttrack_gui.media.media_cache import cache_dir, display_path, file_key, is_utf8_name

log = logging.getLogger(__name__)

INDEX_VERSION = 2
#: progress is reported (and cancel polled) every this many packets
PROGRESS_EVERY = 2048
#: keyframes tried backwards from the end to find the last decodable frame
TAIL_GOPS = 3
#: packets decoded from the start to find the first picture
HEAD_PACKETS = 600

Progress = Callable[[int, int], None]

#: containers whose packets all carry pts and whose seeks land on indexed keyframes (mov/mp4
#: sample tables, Matroska cues). AVI (no pts with B-frames) and MPEG-PS (pts on some
#: packets, byte-based seeks that mislabel frames) are read by the OpenCV reader instead.
PTS_SEEK_FORMATS = ("mov", "mp4", "matroska", "webm")


class UnreliableTimestamps(MediaError):
    """The container cannot address frames by pts: ``open_source`` uses another reader."""


class Container:
    """``av.open`` for any file name: names that are not valid UTF-8 go through a Python
    file object (FFmpeg would get a mangled name; OpenCV segfaults on them)."""

    def __init__(self, path: str | os.PathLike[str]):
        import av

        self._fh = None
        name = os.fspath(path)
        try:
            if is_utf8_name(name):
                self.av = av.open(name, metadata_errors="replace")
            else:
                self._fh = open(name, "rb")  # noqa: SIM115 - closed in close()
                self.av = av.open(self._fh, metadata_errors="replace")
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            if self._fh is not None:
                self._fh.close()
            raise MediaError(f"{display_path(path)}: cannot open as a video ({_reason(exc)})",
                             path=display_path(path)) from None
        if not self.av.streams.video:
            self.close()
            raise MediaError(f"{display_path(path)}: holds no video stream", path=display_path(path))
        self.stream = self.av.streams.video[0]

    def close(self) -> None:
        self.av.close()
        if self._fh is not None:
            self._fh.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(": '")[0].strip() or type(exc).__name__


@dataclass
class PacketIndex:
    """Frames of one video stream in presentation order, and where decoding can start."""

    pts: np.ndarray  # int64 (n,) presentation timestamps of the frames, increasing
    key_pts: np.ndarray  # int64 (k,) pts of keyframe packets (discarded ones too), increasing
    key_dts: np.ndarray  # int64 (k,) their decode timestamps
    time_base: Fraction
    fps: float
    width: int
    height: int
    codec: str
    claimed: int  # the container's frame count (0 when it gives none)
    packets: int  # video packets demuxed, before any check
    dropped_head: int = 0
    dropped_tail: int = 0
    corrupt_frames: list[int] = field(default_factory=list)  # 1-based, flagged by the demuxer
    demux_error: str = ""  # why demuxing stopped early (truncated file), if it did

    def __len__(self) -> int:
        return len(self.pts)

    def frame_of(self, pts: int) -> int:
        """0-based index of the frame with this pts, or -1."""
        i = int(np.searchsorted(self.pts, pts))
        return i if i < len(self.pts) and int(self.pts[i]) == pts else -1

    def keyframe_for(self, index: int) -> int:
        """Position (in ``key_pts``) of the last keyframe at or before frame ``index``."""
        return int(np.searchsorted(self.key_pts, self.pts[index], side="right")) - 1

    def seek_aim(self, index: int, attempt: int = 0) -> int | None:
        """Timestamp to seek to for frame ``index`` (None: no earlier keyframe to try).

        Attempt 0 aims half-way between the keyframe at or before the frame and the next
        one: demuxers compare the aim with pts (some shifted by the codec delay: the mov
        demuxer lands on a keyframe only from one frame after its pts, so aiming at the
        keyframe's pts landed one GOP early on the broadcast clip) or with dts (up to a
        few frames before pts); the middle of the GOP lands on its keyframe either way.
        Later attempts aim at this keyframe and then earlier ones, for a demuxer that
        still lands past the frame (the caller checks where it landed).
        """
        k = self.keyframe_for(index)
        if attempt == 0:
            if k < 0:
                return int(self.pts[index])
            end = int(self.key_pts[k + 1]) if k + 1 < len(self.key_pts) else int(self.pts[-1]) + 1
            return (int(self.key_pts[k]) + max(end, int(self.key_pts[k]))) // 2
        k -= attempt - 1
        return int(self.key_pts[k]) if k >= 0 else None

    def seconds(self, index: int) -> float:
        """Presentation time of frame ``index`` from the first frame (exact on VFR files)."""
        return float((int(self.pts[index]) - int(self.pts[0])) * self.time_base)

    # -------------------------------------------------------------- persistence
    def save(self, target: Path) -> None:
        from sporttrack_gui.atomic_io import atomic_path

        meta = {"version": INDEX_VERSION, "tb": [self.time_base.numerator, self.time_base.denominator],
                "fps": self.fps, "width": self.width, "height": self.height, "codec": self.codec,
                "claimed": self.claimed, "packets": self.packets, "dropped_head": self.dropped_head,
                "dropped_tail": self.dropped_tail, "corrupt_frames": self.corrupt_frames,
                "demux_error": self.demux_error}
        with atomic_path(target) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, pts=self.pts, key_pts=self.key_pts, key_dts=self.key_dts,
                     meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, source: Path) -> PacketIndex | None:
        try:
            with np.load(source, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("version") != INDEX_VERSION:
                    return None
                return cls(pts=z["pts"].astype(np.int64), key_pts=z["key_pts"].astype(np.int64),
                           key_dts=z["key_dts"].astype(np.int64), time_base=Fraction(*meta["tb"]),
                           fps=float(meta["fps"]), width=int(meta["width"]),
                           height=int(meta["height"]), codec=str(meta["codec"]),
                           claimed=int(meta["claimed"]), packets=int(meta["packets"]),
                           dropped_head=int(meta["dropped_head"]),
                           dropped_tail=int(meta["dropped_tail"]),
                           corrupt_frames=[int(f) for f in meta["corrupt_frames"]],
                           demux_error=str(meta["demux_error"]))
        except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
            return None


def index_file(path: str | os.PathLike[str]) -> Path:
    return cache_dir("video-index") / (file_key(path, INDEX_VERSION) + ".npz")


def load_or_build_index(path: str | os.PathLike[str], *, progress: Progress | None = None,
                        cancel: Callable[[], bool] | None = None) -> tuple[PacketIndex, bool]:
    """The cached index of ``path`` or a new one (saved for next time); ``(index, cached)``."""
    target = None
    try:
        target = index_file(path)
        cached = PacketIndex.load(target) if target.exists() else None
    except OSError:
        cached = None
    if cached is not None:
        return cached, True
    index = build_index(path, progress=progress, cancel=cancel)
    if target is not None:
        try:
            index.save(target)
        except OSError as exc:  # a read-only app folder only costs a rebuild next time
            log.info("cannot cache the packet index of %s: %s", display_path(path), exc)
    return index, False


def build_index(path: str | os.PathLike[str], *, progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> PacketIndex:
    """Demux every video packet of ``path`` and check head and tail (module docstring)."""
    import av

    name = display_path(path)
    with Container(path) as c:
        fmt = c.av.format.name or ""
        if not any(f in fmt.split(",") for f in PTS_SEEK_FORMATS):
            raise UnreliableTimestamps(f"{name}: {fmt} files are not addressed by timestamp",
                                       path=name)
        s = c.stream
        claimed = max(0, int(s.frames or 0))
        fps = _fps(s)
        total = claimed or int(float(c.av.duration or 0) / 1e6 * fps) or 0
        tb = s.time_base or Fraction(1, 90000)
        rows: list[tuple[int, int, bool, bool, bool]] = []
        demux_error = ""
        n = 0
        try:
            for packet in c.av.demux(s):
                if packet.size == 0:  # the flush packet at the end
                    continue
                pts = packet.pts
                n += 1
                if pts is None:
                    raise UnreliableTimestamps(f"{name}: packet {n} has no timestamp",
                                               path=name)
                dts = packet.dts if packet.dts is not None else pts
                rows.append((int(pts), int(dts), bool(packet.is_keyframe),
                             bool(packet.is_discard), bool(packet.is_corrupt)))
                if n % PROGRESS_EVERY == 0:
                    if cancel is not None and cancel():
                        raise Cancelled(f"{name}: indexing cancelled at packet {n}")
                    if progress is not None:
                        progress(n, max(total, n))
        except av.error.FFmpegError as exc:  # a truncated or damaged file: keep what came
            demux_error = _reason(exc)
            log.warning("%s: reading packets stopped after %d: %s", name, n, demux_error)
        if not rows:
            raise MediaError(f"{name}: no video frames in this file", path=name, frame=1)
        arr = np.array(rows, dtype=np.int64)
        keys = arr[arr[:, 2] == 1]
        if not len(keys):
            raise MediaError(f"{name}: no keyframe in this file: it cannot be decoded",
                             path=name, frame=1)
        order = np.argsort(keys[:, 0], kind="stable")
        key_pts, key_dts = keys[order, 0].copy(), keys[order, 1].copy()
        frames = arr[arr[:, 3] == 0]
        order = np.argsort(frames[:, 0], kind="stable")
        frame_pts, corrupt = frames[order, 0], frames[order, 4]
        frame_pts, unique = np.unique(frame_pts, return_index=True)
        corrupt = corrupt[unique]
        cc = c.stream.codec_context
        index = PacketIndex(pts=frame_pts, key_pts=key_pts, key_dts=key_dts, time_base=Fraction(tb),
                            fps=fps, width=int(cc.width), height=int(cc.height), codec=cc.name,
                            claimed=claimed, packets=n, demux_error=demux_error)
        index.corrupt_frames = (np.flatnonzero(corrupt) + 1).tolist()
        _check_head(c, index, name)
        _check_tail(c, index, name, cancel)
    if progress is not None:
        progress(max(total, n), max(total, n))
    if not len(index.pts):
        raise MediaError(f"{name}: no frame could be decoded", path=name, frame=1)
    if claimed and claimed != len(index.pts):
        log.info("%s: the container claims %d frames, %d are there", name, claimed, len(index.pts))
    n_frames = len(index.pts)
    if claimed and index.packets < claimed:
        log.warning("%s: the header lists %d frames but the file holds %d (truncated?): frames "
                    "%d-%d are missing; the video ends at frame %d", name, claimed, index.packets,
                    n_frames + 1, claimed, n_frames)
    elif index.dropped_tail:
        log.warning("%s: frames %d-%d listed in the file do not decode (truncated?); the video "
                    "ends at frame %d", name, n_frames + 1, n_frames + index.dropped_tail, n_frames)
    if index.corrupt_frames:
        log.warning("%s: packets of frames %s are flagged corrupt", name,
                    _ranges(index.corrupt_frames))
    return index


def _fps(stream) -> float:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        try:
            f = float(rate)
        except (TypeError, ZeroDivisionError):
            continue
        if 0 < f < 1000:
            return f
    return 25.0


def _decoded_pts(c: Container, seek_pts: int | None, max_packets: int | None,
                 stop_at_first: bool) -> list[int]:
    """Pts of the frames decoded from a keyframe (None: the file start) on."""
    import av

    s = c.stream
    out: list[int] = []
    try:
        if seek_pts is not None:
            c.av.seek(seek_pts, stream=s, backward=True)
    except av.error.FFmpegError:
        return out
    s.codec_context.flush_buffers()
    n = 0
    try:
        for packet in c.av.demux(s):
            n += 1
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue
            out.extend(int(f.pts) for f in frames if f.pts is not None)
            if (stop_at_first and out) or (max_packets is not None and n >= max_packets):
                break
    except av.error.FFmpegError:
        pass
    return out


def _check_head(c: Container, index: PacketIndex, name: str) -> None:
    got = _decoded_pts(c, None, HEAD_PACKETS, stop_at_first=True)
    if not got:
        return  # a damaged start: those frames are reported when they are decoded
    first = min(got)
    cut = int(np.searchsorted(index.pts, first))
    if cut:
        log.info("%s: %d frames before the first picture are never shown", name, cut)
        index.pts = index.pts[cut:]
        index.corrupt_frames = [f - cut for f in index.corrupt_frames if f > cut]
        index.dropped_head = cut


def _check_tail(c: Container, index: PacketIndex, name: str,
                cancel: Callable[[], bool] | None) -> None:
    for back in range(TAIL_GOPS):
        if cancel is not None and cancel():
            raise Cancelled(f"{name}: indexing cancelled")
        k = len(index.key_dts) - 1 - back
        if k < 0:
            break
        aim = int(index.key_pts[k]) if back else (int(index.key_pts[k]) + int(index.pts[-1]) + 1) // 2
        got = _decoded_pts(c, aim, None, stop_at_first=False)
        if got:
            last = max(got)
            keep = int(np.searchsorted(index.pts, last, side="right"))
            index.dropped_tail = len(index.pts) - keep
            index.pts = index.pts[:keep]
            index.corrupt_frames = [f for f in index.corrupt_frames if f <= keep]
            return
    log.warning("%s: the last %d keyframes do not decode; the end of the file is damaged",
                name, TAIL_GOPS)


def _ranges(frames: list[int], limit: int = 12) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"`` (a long list is cut with a count)."""
    parts: list[str] = []
    start = prev = None
    for f in frames:
        if start is None:
            start = prev = f
        elif f == prev + 1:
            prev = f
        else:
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = f
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else str(start))
    more = len(parts) - limit
    return ", ".join(parts[:limit]) + (f" and {more} more ranges" if more > 0 else "")
