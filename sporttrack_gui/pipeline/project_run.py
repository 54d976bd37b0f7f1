"""Find-or-create the sequence and create the run a pipeline writes into.

Why separate from the loop: naming rules (sequence from the file name, first free
``<tracker>-N`` run name) and what is recorded as run parameters are policy, testable on
their own, and shared with the GUI's "run" dialog preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sporttrack_gui.pipeline.config import PipelineConfig
from sporttrack_gui.pipeline.source import SourceInfo


def sequence_name(config: PipelineConfig) -> str:
    if config.sequence:
        return config.sequence
    if config.source is None:
        return "sequence"
    p = Path(config.source)
    return p.stem if p.is_file() else p.name


def ensure_sequence(project, name: str, info: SourceInfo | None, source: str | None) -> int:
    """Id of sequence ``name``, adding it (with the source's metadata) when new."""
    for row in project.sequences():
        if row["name"] == name:
            return int(row["id"])
    if info is None:
        return project.add_sequence(name, source or "", kind="video")
    return project.add_sequence(name, info.path, kind=info.kind, width=info.width,
                                height=info.height, fps=info.fps, frame_count=info.frame_count)


def run_params(config: PipelineConfig, tracker_params: dict[str, Any],
               frame_range: tuple[int, int]) -> dict[str, Any]:
    """Everything needed to reproduce the run, stored with it."""
    return {"detector": config.detector, "detector_options": dict(config.detector_options),
            "tracker": config.tracker, "tracker_params": dict(tracker_params),
            "stride": config.stride, "frame_range": list(frame_range),
            "source": None if config.source is None else str(config.source)}
