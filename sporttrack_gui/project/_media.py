"""Frames for the importer/exporter: the media room's ``open_source`` when installed.

Why a fallback exists: the project must import MOT folders and export YOLO frames
even where ``sporttrack_gui.media.source`` is unavailable (it landed after this room).
The fallback is deliberately small: image folders by sorted file name, videos decoded
forward only (true decoded count, frames read in increasing order, as the YOLO
exporter asks for them). Prefer ``open_source`` everywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import MediaError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def open_frames(path: str | Path) -> Any:
    """A source with ``len()``, ``fps``, ``width``, ``height``, ``read_frame(n)``, ``close()``."""
    try:
        from sporttrack_gui.media.source import open_source
    except ImportError:
        return _FallbackSource(Path(path))
    return open_source(path)


class _FallbackSource:
    def __init__(self, path: Path):
        import cv2

        self._cv2 = cv2
        self.path = path
        self._cap = None
        if path.is_dir():
            self._files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._files:
                raise MediaError(f"{path}: no images in folder", str(path))
            first = cv2.imread(str(self._files[0]))
            if first is None:
                raise MediaError(f"{self._files[0]}: cannot decode image", str(path), 1)
            self.height, self.width = first.shape[:2]
            self.fps = 25.0
            self._count = len(self._files)
            return
        self._files = []
        cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            raise MediaError(f"{path}: cannot open video", str(path))
        self.fps = float(cap.get(cv2.CAP_PROP_FPS)) or 25.0
        self.width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        count = 0
        while cap.grab():  # the container's frame count is not trusted
            count += 1
        cap.release()
        if count == 0:
            raise MediaError(f"{path}: no decodable frames", str(path))
        self._count = count
        self._pos = 0

    def __len__(self) -> int:
        return self._count

    def read_frame(self, frame: int) -> np.ndarray:
        if not 1 <= frame <= self._count:
            raise MediaError(f"{self.path}: frame {frame} out of 1..{self._count}",
                             str(self.path), frame)
        if self._files:
            img = self._cv2.imread(str(self._files[frame - 1]))
        else:
            if self._cap is None or frame <= self._pos:
                if self._cap is not None:
                    self._cap.release()
                self._cap = self._cv2.VideoCapture(str(self.path))
                self._pos = 0
            img = None
            while self._pos < frame:
                ok, img = self._cap.read()
                self._pos += 1
                if not ok:
                    img = None
                    break
        if img is None:
            raise MediaError(f"{self.path}: cannot decode frame {frame}", str(self.path), frame)
        return img

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
