"""The value handed to a progress callback: plain numbers and numpy arrays only.

Why: the GUI worker forwards it through a Qt signal and the CLI prints it; neither may be
reached from inside the loop, so the loop never knows who listens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sporttrack_gui.core.boxes import Tracks

#: the phase in which ``done``/``total`` count frames
FRAMES = "frames"


@dataclass(frozen=True)
class Progress:
    """``frame``: last 1-based frame processed; ``done``/``total``: frames; ``fps``: processed
    frames per wall second so far; ``eta_s``: seconds left (None before the first frame);
    ``stage_ms``: ms per frame per stage; ``committed``: last frame whose boxes are
    committed (what survives a crash); ``tracks``: (frame, Tracks) produced since the
    previous report, so a viewer can draw boxes as they land. ``phase``: "loading model"
    or "reading detections" (one report before the detector is built, ``total`` 0: a
    model load takes seconds and "0 / 100 frames" looked stuck), then "frames" (the
    first such report comes before the first frame, with the real ``total``)."""

    frame: int
    done: int
    total: int
    fps: float
    eta_s: float | None
    stage_ms: dict[str, float]
    committed: int = 0
    tracks: list[tuple[int, Tracks]] = field(default_factory=list)
    phase: str = FRAMES


ProgressCallback = Callable[[Progress], None]
