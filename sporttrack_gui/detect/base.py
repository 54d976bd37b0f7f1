"""The ``Detector`` protocol every detector (YOLO, public detections, plugins) implements.

Why frame numbers are part of ``detect``: a file-based detector (``det.txt``) answers by
frame number and needs no pixels at all, so the pipeline can skip decoding entirely when
neither the detector nor the tracker looks at the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from sporttrack_gui.core.boxes import Detections


@runtime_checkable
class Detector(Protocol):
    """Finds boxes in frames.

    ``needs_pixels``: False when ``frames`` may hold ``None`` (boxes come from a file).
    ``class_names``: the name of each output ``cls`` index.
    """

    needs_pixels: bool
    class_names: tuple[str, ...]

    def detect(self, frames: Sequence[np.ndarray | None],
               frame_numbers: Sequence[int] | None = None) -> list[Detections]:
        """One ``Detections`` per input frame; ``frame_numbers`` are 1-based (required by
        file-based detectors, used in messages by the others; default 1..len(frames))."""
        ...

    def close(self) -> None:
        """Release the model / file; the detector is unusable afterwards."""
        ...


def check_batch(frames: Sequence[np.ndarray | None],
                frame_numbers: Sequence[int] | None) -> list[int]:
    """Frame numbers to use (``1..n`` when not given); mismatched counts are a caller bug."""
    if frame_numbers is None:
        return list(range(1, len(frames) + 1))
    if len(frames) != len(frame_numbers):
        raise ValueError(f"detect(): {len(frames)} frames but {len(frame_numbers)} frame numbers")
    return [int(f) for f in frame_numbers]
