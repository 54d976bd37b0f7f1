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
               frame_numbers: Sequence[int]) -> list[Detections]:
        """One ``Detections`` per input frame; ``frame_numbers`` are 1-based."""
        ...

    def close(self) -> None:
        """Release the model / file; the detector is unusable afterwards."""
        ...


def check_batch(frames: Sequence[np.ndarray | None], frame_numbers: Sequence[int]) -> None:
    """Reject mismatched inputs early with a message naming the counts (a caller bug)."""
    if len(frames) != len(frame_numbers):
        raise ValueError(f"detect(): {len(frames)} frames but {len(frame_numbers)} frame numbers")
