"""Turning the run dialog's choices into a ``PipelineConfig`` (Qt-free).

The dialog offers detections by meaning ("the sequence's det.txt", "boxes derived from
the ground truth", "a YOLO model"); the pipeline wants a detector spec string. That
translation, and which files back each choice, is policy tested without a display.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.pipeline import PipelineConfig
from sporttrack_gui.runtime import cache_dir
from sporttrack_gui.track.config import convert


@dataclass(frozen=True)
class DetectionChoice:
    """One entry of the detections menu: a label and how to get a detector spec."""

    label: str
    kind: str  # "det" | "gt" | "yolo"
    run_id: int | None = None
    file: str | None = None

    def spec(self, project: Any, yolo_model: str = "") -> str:
        """Detector spec for ``create_detector``; exports the run when its file is gone."""
        if self.kind == "yolo":
            model = yolo_model.strip()
            if not model:
                raise InputError("choose a YOLO model file (.pt, .onnx or a model .yaml)")
            return model if model.startswith("yolo:") else f"yolo:{model}"
        if self.file and Path(self.file).is_file():
            return f"{self.kind}:{self.file}"
        if self.run_id is None:
            raise InputError(f"{self.label}: no detections file and no run to read them from")
        return f"{self.kind}:{export_run_file(project, self.run_id, self.kind)}"


def export_run_file(project: Any, run_id: int, kind: str) -> Path:
    """Write a run's boxes to a MOT text file in the app's cache (the pipeline reads files)."""
    from sporttrack_gui.formats.mot import write_mot

    out = cache_dir() / "runs" / f"{Path(project.path).stem}-run{run_id}-{kind}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_mot(out, project.boxes(run_id), kind=kind)
    return out


def detection_choices(sequence: dict[str, Any], runs: list[dict[str, Any]]) -> list[DetectionChoice]:
    """Detections the sequence offers: its det runs, its gt runs (as detections), YOLO.

    A run's own ``file`` param is used when it still exists; the sequence's imported
    det/gt file only for the imported runs themselves (named "det"/"gt"): a run made or
    edited in the project (e.g. degraded or corrected boxes) is exported, never replaced
    by the file it was once copied from.
    """
    meta = sequence.get("meta") or {}
    out: list[DetectionChoice] = []

    def file_of(r: dict[str, Any], kind: str) -> str | None:
        own = (r.get("params") or {}).get("file")
        return own or (meta.get(f"{kind}_file") if r["name"] == kind else None)

    for r in runs:
        if r["kind"] == "det" and r["status"] == "complete":
            file = file_of(r, "det")
            out.append(DetectionChoice(f"Detections run “{r['name']}”", "det", r["id"], file))
    for r in runs:
        if r["kind"] == "gt" and r["status"] == "complete":
            file = file_of(r, "gt")
            out.append(DetectionChoice(f"Ground truth “{r['name']}” as detections (no detector)",
                                       "gt", r["id"], file))
    out.append(DetectionChoice("YOLO model…", "yolo"))
    return out


def parse_param(text: str, default: Any) -> Any:
    """A parameter typed in the dialog, converted to its default's type exactly as
    ``--param`` is (``track.config.convert``)."""
    try:
        return convert(text.strip(), default)
    except (TypeError, ValueError, OverflowError):
        kind = "true/false" if isinstance(default, bool) else type(default).__name__
        raise InputError(f"expected {kind} like the default {default!r}, got {text!r}") from None


def build_config(*, project_path: str | Path, sequence: dict[str, Any], detector: str,
                 tracker: str, params: dict[str, Any], stride: int = 1,
                 run_name: str | None = None) -> PipelineConfig:
    """The pipeline config of a GUI run: into this project and sequence.

    Detections from a file with a tracker that needs no pixels run over the whole
    sequence length without decoding: a MOT folder may hold images for only part of
    its frames (SoccerNet ships 150 of 750) while its det/gt cover all of them.
    """
    from sporttrack_gui.detect.registry import split_spec
    from sporttrack_gui.track import tracker_needs_pixels

    source = str(sequence.get("source") or "") or None
    frame_range = None
    file_dets = not split_spec(detector)[0].needs_pixels
    if file_dets and sequence.get("frame_count") and not tracker_needs_pixels(tracker, **params):
        source, frame_range = None, (1, int(sequence["frame_count"]))
    config = PipelineConfig(source=source, detector=detector, tracker=tracker,
                            tracker_params=dict(params), stride=int(stride),
                            project=str(project_path), sequence=str(sequence["name"]),
                            run_name=run_name or None, frame_range=frame_range)
    config.validate()
    return config
