""""Public detections": boxes read from a MOTChallenge ``det.txt`` / ``gt.txt``.

Why: benchmarks (MOT17, SoccerNet) ship detections so trackers can be compared on equal
input; and running a tracker on ``gt.txt`` boxes isolates association errors. The file is
read once and indexed by frame number, and no pixels are needed, so the pipeline skips
decoding entirely when the tracker does not need them either.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.detect.base import check_batch
from sporttrack_gui.errors import InputError

log = logging.getLogger(__name__)


class FileDetector:
    """Detections looked up by 1-based frame number in a MOT file."""

    needs_pixels = False

    def __init__(self, path: str | Path, *, kind: str = "det", min_conf: float | None = None,
                 class_names: Sequence[str] | None = None) -> None:
        """``kind``: ``"det"`` or ``"gt"``. For ``gt`` rows flagged not-to-consider
        (conf 0, the MOTChallenge convention) are dropped; ``min_conf`` drops weak rows."""
        from sporttrack_gui.formats.mot import read_mot

        p = Path(path)
        if not p.is_file():
            raise InputError("detections file not found", path=str(p))
        if kind not in ("det", "gt"):
            raise InputError(f"unknown detections kind {kind!r} (det or gt)", path=str(p))
        table = read_mot(p, kind=kind)
        if len(table) > 1 and np.any(np.diff(table.frame) < 0):
            # harmless (rows are looked up by frame) but often a sign of a hand-merged file
            log.warning("%s: frames are out of order; detections are looked up by frame number", p)
        keep = np.ones(len(table), bool)
        if kind == "gt":
            keep &= table.conf > 0
        if min_conf is not None:
            keep &= table.conf >= min_conf
        if not keep.all():
            table = table.select(keep)
        self.path = p
        self._xywh = np.asarray(table.xywh, np.float32)
        self._conf = np.asarray(table.conf, np.float32) if kind == "det" \
            else np.ones(len(table), np.float32)
        raw_cls = np.asarray(table.cls, np.int64)
        # MOT det files carry -1 ("no class"): those become class 0, the only class.
        self._cls = np.where(raw_cls < 0, 0, raw_cls).astype(np.int32)
        n_cls = int(self._cls.max()) + 1 if len(self._cls) else 1
        self.class_names = tuple(class_names) if class_names else (
            ("object",) if n_cls == 1 else tuple(f"class{i}" for i in range(n_cls)))
        self._rows = table.by_frame()
        frames = np.asarray(table.frame)
        self.frame_range: tuple[int, int] | None = (
            (int(frames.min()), int(frames.max())) if len(frames) else None)

    def detect(self, frames: Sequence[np.ndarray | None],
               frame_numbers: Sequence[int] | None = None) -> list[Detections]:
        if frame_numbers is None:
            raise ValueError(f"{self.path}: detections from a file need the frame numbers")
        frame_numbers = check_batch(frames, frame_numbers)
        out = []
        for fn in frame_numbers:
            rows = self._rows.get(int(fn))
            if rows is None or len(rows) == 0:
                out.append(Detections.empty())
                continue
            out.append(Detections.from_xywh(self._xywh[rows], self._conf[rows], self._cls[rows]))
        return out

    def close(self) -> None:
        self._rows = {}
