"""Private stand-in for ``media.source.open_source`` while that module is not in the tree.

Why it exists: the pipeline must run on real videos today; this adapter covers exactly
what the pipeline uses (metadata, sequential reading, ``read_frame``) over OpenCV and is
used only when ``sporttrack_gui.media.source`` cannot be imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.errors import MediaError

_IMAGES = (".jpg", ".jpeg", ".png", ".bmp")


class CvSource:
    """Video file, image folder or MOT sequence folder (``img1/``) read with OpenCV."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        folder = self.path / "img1" if (self.path / "img1").is_dir() else self.path
        self._files: list[Path] | None = None
        self._cap = None
        if folder.is_dir():
            self._files = sorted(f for f in folder.iterdir() if f.suffix.lower() in _IMAGES)
            if not self._files:
                raise MediaError(f"{folder}: no images", path=str(folder))
            first = cv2.imread(str(self._files[0]))
            if first is None:
                raise MediaError(f"{self._files[0]}: cannot read image", path=str(folder), frame=1)
            self.height, self.width = first.shape[:2]
            self.fps = 25.0
            self._count = len(self._files)
        else:
            self._cap = cv2.VideoCapture(str(self.path))
            if not self._cap.isOpened():
                raise MediaError(f"{self.path}: cannot open video", path=str(self.path))
            self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
            self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 25.0)
            self._count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))  # header: may be high
            self._next = 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        for fn in range(1, self._count + 1):
            try:
                yield fn - 1, self.read_frame(fn)
            except MediaError:
                if self._files is None:
                    return  # the header promised more frames than decode: the real end
                raise

    def read_frame(self, fn: int) -> np.ndarray:
        if self._files is not None:
            if not 1 <= fn <= len(self._files):
                raise MediaError(f"{self.path}: no frame {fn}", path=str(self.path), frame=fn)
            img = cv2.imread(str(self._files[fn - 1]))
        else:
            if fn != self._next:
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, fn - 1)
            ok, img = self._cap.read()
            self._next = fn + 1
            img = img if ok else None
        if img is None:
            raise MediaError(f"{self.path}: cannot decode frame {fn}", path=str(self.path), frame=fn)
        return img

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
