"""The pipeline's view of a source: metadata plus an in-order frame reader.

Why a thin layer: the loop needs only "frames first..last in order"; reading sequentially
(no seek per frame) is what makes decode cheap, and a run over a detections file with an
IoU-only tracker must not decode anything at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.errors import MediaError


@dataclass(frozen=True)
class SourceInfo:
    """What the project's sequence row records about a source."""

    path: str
    kind: str  # "video" | "images" | "mot" (project sequence kinds)
    width: int | None
    height: int | None
    fps: float | None
    frame_count: int | None  # frames that decode (0 when no images are present)
    seq_length: int | None = None  # what seqinfo.ini says, images or not


def source_kind(path: Path) -> str:
    if path.is_dir():
        return "mot" if (path / "img1").is_dir() else "images"
    return "video"


def _open(path: Path):
    from sporttrack_gui.media.source import open_source

    return open_source(path)


class FrameSource:
    """Opens a video / image folder / MOT sequence through ``media.source.open_source``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        seqinfo = _seqinfo(self.path)
        self._error: MediaError | None = None
        try:
            self._src = _open(self.path)
        except MediaError as exc:
            if not self.path.is_dir():
                raise
            # a sequence folder with det.txt but no images: fine for runs that decode
            # nothing; reading frames re-raises this error
            self._src, self._error = None, exc
        if self._src is not None:
            fps = float(self._src.fps) if self._src.fps else None
            self.info = SourceInfo(str(self.path), source_kind(self.path), int(self._src.width),
                                   int(self._src.height), fps, int(len(self._src)),
                                   seqinfo.seq_length if seqinfo else None)
        elif seqinfo is not None:
            self.info = SourceInfo(str(self.path), "mot", seqinfo.width or None,
                                   seqinfo.height or None, seqinfo.frame_rate or None, 0,
                                   seqinfo.seq_length)
        else:
            self.info = SourceInfo(str(self.path), "mot", None, None, None, 0, None)

    def read(self, first: int, last: int) -> Iterator[tuple[int, np.ndarray]]:
        """Frames ``first..last`` (1-based, inclusive), decoded in order."""
        if self._src is None:
            raise self._error
        total = self.info.frame_count or 0
        if first > total:
            raise MediaError(f"{self.path}: frame {first} is past the end ({total} frames)",
                             path=str(self.path), frame=first)
        last = min(last, total)
        if first == 1:
            for index, image in self._src:
                fn = index + 1
                if fn > last:
                    return
                yield fn, image
            return
        for fn in range(first, last + 1):
            yield fn, self._src.read_frame(fn)

    def close(self) -> None:
        if self._src is not None:
            self._src.close()


def _seqinfo(path: Path):
    """The folder's seqinfo.ini, or None (no folder, no file, or unreadable)."""
    ini = path / "seqinfo.ini"
    if not ini.is_file():
        return None
    from sporttrack_gui.errors import InputError
    from sporttrack_gui.formats.seqinfo import read_seqinfo

    try:
        return read_seqinfo(ini)
    except InputError:
        return None
