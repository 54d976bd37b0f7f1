"""Writing video files: H.264 (libx264 via PyAV) that browsers and phones play.

Why not ``cv2.VideoWriter``: its mp4 codec here is ``mp4v`` (MPEG-4 Part 2), which
browsers and most phones refuse; coaches share the demo clips. PyAV bundles FFmpeg with
libx264: yuv420p (the one pixel format every player decodes) and ``+faststart`` (the
index at the front, so a browser starts playing before the download ends). MPEG-4 through
PyAV, then OpenCV's mp4v, remain as fallbacks where libx264 is missing.

Frames are BGR ``uint8`` arrays. Optional per-frame timestamps (seconds) make
variable-frame-rate files (benchmarks and tests of VFR decoding need them).
"""

from __future__ import annotations

import logging
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from sporttrack_gui.errors import MediaError
from sporttrack_gui.media.media_cache import display_path, is_utf8_name

log = logging.getLogger(__name__)

#: codec preference for ``codec="auto"``
AUTO_CODECS = ("libx264", "mpeg4", "mp4v")
_TIME_BASE = Fraction(1, 90000)


class VideoEncoder:
    """``write(bgr[, seconds])`` frames, then ``close()``; ``codec`` tells which one was used.

    ``gop`` is the keyframe interval (frames), ``preset``/``crf`` libx264's speed/quality
    trade-off. The output size is the first frame's, rounded up to even numbers (yuv420p
    needs them; the last row/column is repeated).
    """

    def __init__(self, path: str | os.PathLike[str], fps: float, *, codec: str = "auto",
                 crf: int = 20, preset: str = "veryfast", gop: int | None = None,
                 faststart: bool = True):
        self.path = Path(path)
        self.fps = float(fps) if fps and 0 < fps < 1000 else 25.0
        self.crf, self.preset, self.gop, self.faststart = crf, preset, gop, faststart
        self.codec = ""
        self._want = AUTO_CODECS if codec == "auto" else (codec,)
        self._c = self._s = self._cv = self._fh = None
        self._size: tuple[int, int] | None = None
        self._n = 0

    # ------------------------------------------------------------------ opening
    def _open(self, width: int, height: int) -> None:
        errors = []
        for codec in self._want:
            try:
                if codec == "mp4v":
                    self._open_cv2(width, height)
                else:
                    self._open_av(codec, width, height)
                self.codec = codec
                return
            except Exception as exc:  # noqa: BLE001 - av.error.*, OSError, MediaError: try the next
                errors.append(f"{codec}: {exc}")
                self._close_quietly()
        raise MediaError(f"{display_path(self.path)}: cannot create a video here "
                         f"({'; '.join(errors)})", path=display_path(self.path))

    def _open_av(self, codec: str, width: int, height: int) -> None:
        import av

        if codec not in av.codecs_available:
            raise MediaError(f"codec {codec} is not in this FFmpeg build")
        options = {"movflags": "+faststart"} if self.faststart and self.path.suffix.lower() in (
            ".mp4", ".mov", ".m4v") else {}
        fmt = None
        target: object = os.fspath(self.path)
        if not is_utf8_name(self.path):
            self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            target, fmt = self._fh, (self.path.suffix.lstrip(".").lower() or "mp4")
        self._c = av.open(target, "w", format=fmt, options=options)
        s = self._c.add_stream(codec, rate=Fraction(self.fps).limit_denominator(100000))
        s.width, s.height, s.pix_fmt = width, height, "yuv420p"
        s.codec_context.time_base = _TIME_BASE
        opts = {}
        if codec == "libx264":
            opts = {"preset": self.preset, "crf": str(self.crf)}
        else:
            s.codec_context.bit_rate = int(width * height * self.fps * 0.25)
        if self.gop:
            opts["g"] = str(int(self.gop))
        s.options = opts
        self._s = s

    def _open_cv2(self, width: int, height: int) -> None:
        import cv2

        if not is_utf8_name(self.path):
            raise MediaError("the OpenCV writer cannot take a file name that is not UTF-8")
        self._cv = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps,
                                   (width, height))
        if not self._cv.isOpened():
            self._cv = None
            raise MediaError("cv2.VideoWriter refused the file (codec or permission)")

    # ------------------------------------------------------------------ writing
    def write(self, bgr: np.ndarray, seconds: float | None = None) -> None:
        """Append one frame; ``seconds`` is its presentation time (default: n / fps)."""
        h, w = bgr.shape[:2]
        if self._size is None:
            self._size = (w + w % 2, h + h % 2)
            self._open(*self._size)
        W, H = self._size  # noqa: N806 - width/height pair
        if (w, h) != (W, H):
            if (w + w % 2, h + h % 2) != (W, H):
                raise MediaError(f"{display_path(self.path)}: frame {self._n + 1} is {w}x{h}, "
                                 f"the video is {W}x{H}", path=display_path(self.path),
                                 frame=self._n + 1)
            bgr = np.pad(bgr, ((0, H - h), (0, W - w), (0, 0)), mode="edge")
        if self._cv is not None:
            self._cv.write(np.ascontiguousarray(bgr))
        else:
            import av

            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr), format="bgr24")
            t = seconds if seconds is not None else self._n / self.fps
            frame.pts = round(t / _TIME_BASE)
            frame.time_base = _TIME_BASE
            for packet in self._s.encode(frame):
                self._c.mux(packet)
        self._n += 1

    @property
    def frames(self) -> int:
        return self._n

    def close(self) -> None:
        """Flush the encoder and finish the file (the moov atom is written here)."""
        try:
            if self._s is not None:
                for packet in self._s.encode():
                    self._c.mux(packet)
        finally:
            self._close_quietly()

    def _close_quietly(self) -> None:
        if self._c is not None:
            try:
                self._c.close()
            except Exception:  # noqa: BLE001 - closing a half-open container
                log.debug("closing %s failed", self.path, exc_info=True)
        if self._cv is not None:
            self._cv.release()
        if self._fh is not None:
            self._fh.close()
        self._c = self._s = self._cv = self._fh = None

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(self, exc_type, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self._close_quietly()


def probe_codec(path: str | os.PathLike[str]) -> dict:
    """Codec name, pixel format and frame count of a video's first stream (PyAV)."""
    from sporttrack_gui.media.packet_index import Container

    with Container(path) as c:
        cc = c.stream.codec_context
        return {"codec": cc.name, "pix_fmt": cc.format.name if cc.format else None,
                "width": cc.width, "height": cc.height, "frames": int(c.stream.frames or 0),
                "format": c.av.format.name}
