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
    frame_count: int | None


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
        self._src = _open(self.path)
        fps = float(self._src.fps) if self._src.fps else None
        self.info = SourceInfo(str(self.path), source_kind(self.path), int(self._src.width),
                               int(self._src.height), fps, int(len(self._src)))

    def read(self, first: int, last: int) -> Iterator[tuple[int, np.ndarray]]:
        """Frames ``first..last`` (1-based, inclusive), decoded in order."""
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
        self._src.close()
