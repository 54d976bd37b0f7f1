"""What a pipeline run is asked to do (``PipelineConfig``) and what it did (``PipelineResult``).

Plain dataclasses of plain values, so the CLI builds them from arguments, the GUI from a
dialog, and a worker thread can receive one without touching any widget.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.track import DEFAULT_TRACKER

#: ``embed`` is appearance embedding, moved out of the stage it runs in (a crop network
#: inside the tracker, an identity head inside a FairMOT detector) by any component that
#: reports ``embed_seconds`` -- the cost that separates DeepSORT-style and joint trackers
STAGES: tuple[str, ...] = ("decode", "detect", "embed", "track", "write")


@dataclass
class PipelineConfig:
    """One run: ``source`` -> ``detector`` -> ``tracker`` -> project run and/or results file.

    ``stride`` k: detect on every k-th frame, the tracker predicts in between.
    ``frame_range``: 1-based inclusive (first, last); None = the whole source.
    ``batch_size``: frames per detector call; ``commit_every``: frames per project
    transaction (what a crash can lose at most).
    """

    source: str | Path | None
    detector: str
    tracker: str = DEFAULT_TRACKER
    tracker_params: dict[str, Any] = field(default_factory=dict)
    detector_options: dict[str, Any] = field(default_factory=dict)
    stride: int = 1
    batch_size: int = 8
    commit_every: int = 25
    project: str | Path | None = None
    sequence: str | None = None
    run_name: str | None = None
    out: str | Path | None = None
    frame_range: tuple[int, int] | None = None
    prefetch: int = 16
    progress_interval_s: float = 0.25

    def validate(self, has_sinks: bool = False) -> None:
        """Reject impossible settings before any file is opened or created."""
        if self.stride < 1:
            raise InputError(f"stride must be >= 1, got {self.stride}")
        if self.batch_size < 1 or self.commit_every < 1 or self.prefetch < 1:
            raise InputError("batch_size, commit_every and prefetch must be >= 1")
        if self.frame_range is not None:
            first, last = self.frame_range
            if first < 1 or last < first:
                raise InputError(f"frame range {first}-{last}: frames are 1-based and first <= last")
        if self.source is not None and not Path(self.source).exists():
            raise InputError("source not found", path=str(self.source))
        if self.project is None and self.out is None and not has_sinks:
            raise InputError("nothing would be kept: give a project and/or an output file")


@dataclass
class StageTiming:
    """Time spent in one stage: total seconds and per processed frame."""

    total_s: float = 0.0
    ms_per_frame: float = 0.0


@dataclass
class PipelineResult:
    """Outcome of :func:`run_pipeline`. ``status``: complete, incomplete (cancelled) or failed."""

    status: str
    frames: int
    frames_total: int
    detected_frames: int
    boxes: int
    ids: int
    wall_s: float
    fps: float
    timings: dict[str, StageTiming]
    decoded: bool
    run_id: int | None = None
    run_name: str | None = None
    project: str | None = None
    out: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
