"""Turning the run dialog's choices into a ``PipelineConfig`` (Qt-free; the GUI's run
dialog and job queue and ``sporttrack queue`` share it).

The dialog offers detections by meaning ("the sequence's det.txt", "boxes derived from
the ground truth", "a YOLO model"); the pipeline wants a detector spec string. That
translation, and which files back each choice, is policy tested without a display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sporttrack_gui.detect.registry import detector_names
from sporttrack_gui.errors import InputError
from sporttrack_gui.pipeline.config import PipelineConfig
from sporttrack_gui.pipeline.job_queue import Job, JobQueue
from sporttrack_gui.runtime import cache_dir
from sporttrack_gui.track.config import convert


@dataclass(frozen=True)
class DetectionChoice:
    """One entry of the detections menu: a label and how to get a detector spec."""

    label: str
    kind: str  # "det" | "gt" | "yolo"
    run_id: int | None = None
    file: str | None = None
    name: str = ""  # the run's name ("" for a model): matched on other sequences

    def spec(self, project: Any, yolo_model: str = "") -> str:
        """Detector spec for ``create_detector``; exports the run when its file is gone."""
        if self.kind == "yolo":
            model = yolo_model.strip()
            if not model:
                raise InputError("choose a YOLO model file (.pt, .onnx or a model .yaml)")
            kind, sep, _ = model.partition(":")
            if sep and kind.lower() in detector_names():  # fairmot:…, yolo:…, plugins
                return model
            return f"yolo:{model}"
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
            out.append(DetectionChoice(f"Detections run “{r['name']}”", "det", r["id"], file,
                                       r["name"]))
    for r in runs:
        if r["kind"] == "gt" and r["status"] == "complete":
            file = file_of(r, "gt")
            out.append(DetectionChoice(f"Ground truth “{r['name']}” as detections (no detector)",
                                       "gt", r["id"], file, r["name"]))
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
                 run_name: str | None = None, detector_options: dict[str, Any] | None = None,
                 frame_range: tuple[int, int] | None = None) -> PipelineConfig:
    """The pipeline config of a GUI run: into this project and sequence.

    Detections from a file with a tracker that needs no pixels run over the whole
    sequence length without decoding: a MOT folder may hold images for only part of
    its frames (SoccerNet ships 150 of 750) while its det/gt cover all of them.
    ``frame_range`` (the dialog's "Frames"), when given, wins.
    """
    from sporttrack_gui.detect.registry import split_spec
    from sporttrack_gui.track import tracker_needs_pixels

    source = str(sequence.get("source") or "") or None
    file_dets = not split_spec(detector)[0].needs_pixels
    if file_dets and sequence.get("frame_count") and not tracker_needs_pixels(tracker, **params):
        source = None
        frame_range = frame_range or (1, int(sequence["frame_count"]))
    config = PipelineConfig(source=source, detector=detector, tracker=tracker,
                            tracker_params=dict(params), stride=int(stride),
                            detector_options=dict(detector_options or {}),
                            project=str(project_path), sequence=str(sequence["name"]),
                            run_name=run_name or None, frame_range=frame_range)
    config.validate()
    return config


@dataclass(frozen=True)
class RunChoices:
    """The run dialog's choices as plain values: what a queued job needs to build its
    ``PipelineConfig`` later, in the worker thread, for any sequence of the project.

    ``detection``: (kind, run name) -- on another sequence the detections are that
    sequence's run of the same kind and name ("det", "gt"); ``("yolo", "")`` is the model.
    Detector options use the names of ``sporttrack run`` (``conf``, ``iou``, ``imgsz``,
    ``classes``, ``frames``).
    """

    detection: tuple[str, str]
    tracker: str
    params: dict[str, Any] = field(default_factory=dict)
    yolo_model: str = ""
    stride: int = 1
    run_name: str = ""
    conf: float | None = None
    iou: float | None = None
    imgsz: int | None = None
    classes: str = ""
    frame_range: tuple[int, int] | None = None

    def detector_label(self) -> str:
        kind, name = self.detection
        return (self.yolo_model or "YOLO") if kind == "yolo" else f"{kind} “{name}”"


def choice_for(sequence: dict[str, Any], runs: list[dict[str, Any]],
               detection: tuple[str, str]) -> DetectionChoice:
    """The sequence's detections matching ``detection`` (kind, run name)."""
    kind, name = detection
    for c in detection_choices(sequence, runs):
        if c.kind == kind and (kind == "yolo" or c.name == name):
            return c
    raise InputError(f"sequence “{sequence['name']}” has no complete {kind} run “{name}” "
                     "to take detections from")


def prepare_config(project_path: str | Path, sequence_id: int,
                   choices: RunChoices) -> PipelineConfig:
    """``choices`` applied to one sequence (Qt-free; runs in the job's thread: exporting a
    detections run to a file may take seconds on a whole match)."""
    from sporttrack_gui.detect.options import detector_options
    from sporttrack_gui.project import Project

    with Project.open(project_path, readonly=True) as project:
        sequence = project.sequence(sequence_id)
        choice = choice_for(sequence, project.runs(sequence_id), choices.detection)
        detector = choice.spec(project, choices.yolo_model)
    opts = detector_options(detector, conf=choices.conf, iou=choices.iou,
                            imgsz=choices.imgsz, classes=choices.classes)
    return build_config(project_path=project_path, sequence=sequence, detector=detector,
                        tracker=choices.tracker, params=choices.params, stride=choices.stride,
                        run_name=choices.run_name, detector_options=opts,
                        frame_range=choices.frame_range)


def queue_runs(queue: JobQueue, project_path: str | Path, sequences: list[dict[str, Any]],
               choices: RunChoices, *, meta: dict[str, Any] | None = None) -> list[Job]:
    """One job per sequence, in the given order; each builds its config when it starts
    (``prepare_config``), so a sequence without the chosen detections fails alone."""
    jobs = []
    for seq in sequences:
        jobs.append(queue.add(partial(prepare_config, str(project_path), int(seq["id"]), choices),
                              sequence=str(seq["name"]), tracker=choices.tracker,
                              detector=choices.detector_label(), run_name=choices.run_name,
                              meta={**(meta or {}), "sequence_id": int(seq["id"]),
                                    "project": str(project_path)}))
    return jobs
