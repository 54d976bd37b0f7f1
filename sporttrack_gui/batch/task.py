"""One match of a batch, start to end: import, track (or resume), evaluate, pitch figures.

Why a plain function of plain values: the same call runs in a Ray worker on another
machine, in this process for ``--engine local``, and in tests. It never raises for a bad
match: the outcome says ``failed`` and why, so one broken file never stops a season.
Everything it learns is stored in the match's own project file (``<out>/<name>.stp``), so
a worker needs no shared state and the season table can be rebuilt from the files alone.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.batch.manifest import MatchJob
from sporttrack_gui.errors import SportTrackError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchSettings:
    """What every match of a batch is run with (plain values: they travel to workers)."""

    out_dir: str
    tracker: str = "bytetrack"
    tracker_params: dict[str, Any] = field(default_factory=dict)
    detector: str | None = None  # None: the match's det file (det:<det.txt>)
    detector_options: dict[str, Any] = field(default_factory=dict)
    stride: int = 1
    run_name: str | None = None  # default: the tracker's name
    warmup: int = 60  # frames re-tracked before the committed end when resuming
    pitch_cmc: str = "none"  # camera motion for pitch figures: none | sparse | ecc
    sprint_kmh: float = 25.0

    @property
    def run(self) -> str:
        return self.run_name or self.tracker


@dataclass
class MatchOutcome:
    """What happened to one match. ``status``: complete | skipped | failed | cancelled."""

    name: str
    status: str
    project: str
    message: str = ""
    resumed_after: int | None = None  # last frame kept from an interrupted run
    frames: int = 0
    boxes: int = 0
    ids: int = 0
    wall_s: float = 0.0
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _detector_for(job: MatchJob, settings: BatchSettings) -> str:
    if settings.detector:
        return settings.detector
    if job.det:
        return f"det:{job.det}"
    raise SportTrackError(f"{job.source}: no detector given and no det file for this match "
                          "(give --detector, or a det column in the manifest)")


def _ensure_imported(path: Path, job: MatchJob) -> None:
    """The match's sequence (and its gt/det runs) in the project, imported once. A project
    this call created is removed again when the import fails (no empty file is left to be
    mistaken for a match later)."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    created = not path.exists()
    try:
        with Project.open(path, create=True) as project:
            if any(s["name"] == job.name for s in project.sequences()):
                return
            import_source(project, job.source, gt=job.gt, det=job.det, name=job.name)
    except BaseException:
        if created:
            for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".lock"))):
                p.unlink(missing_ok=True)
        raise


def _existing_run(path: Path, job: MatchJob, run: str) -> dict | None:
    from sporttrack_gui.project import Project

    with Project.open(path) as project:
        for r in project.runs(job.name):
            if r["name"] == run:
                return r
    return None


def _track(path: Path, job: MatchJob, settings: BatchSettings, cancel) -> MatchOutcome:
    from sporttrack_gui.batch.stitch import continue_run
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    existing = _existing_run(path, job, settings.run)
    if existing is not None and existing["status"] == "complete":
        m = existing["metrics"]
        return MatchOutcome(job.name, "skipped", str(path), "already complete",
                            frames=int(m.get("frames", 0)), boxes=int(m.get("boxes", 0)),
                            ids=int(m.get("ids", 0)), wall_s=float(m.get("wall_s", 0.0)))
    if existing is not None:
        res = continue_run(path, settings.run, sequence=job.name, warmup=settings.warmup,
                           cancel=cancel)
        status = "complete" if res.status == "complete" else "cancelled"
        return MatchOutcome(job.name, status, str(path),
                            f"resumed after frame {res.resumed_after} "
                            f"({res.carried_ids} ids carried over)",
                            resumed_after=res.resumed_after)
    config = PipelineConfig(
        source=job.source, detector=_detector_for(job, settings), tracker=settings.tracker,
        tracker_params=dict(settings.tracker_params),
        detector_options=dict(settings.detector_options), stride=settings.stride,
        project=path, sequence=job.name, run_name=settings.run)
    result = run_pipeline(config, cancel=cancel)
    status = "complete" if result.status == "complete" else "cancelled"
    return MatchOutcome(job.name, status, str(path))


def _analyse(path: Path, job: MatchJob, settings: BatchSettings) -> dict[str, Any]:
    """Metrics against gt and pitch figures, stored in the run's metrics for the season table."""
    from sporttrack_gui.project import Project

    extra: dict[str, Any] = {}
    with Project.open(path) as project:
        run_id = project.run_id(settings.run, job.name)
        runs = {r["name"]: r for r in project.runs(job.name)}
        table = project.boxes(run_id)
        if "gt" in runs and runs["gt"]["kind"] == "gt":
            from sporttrack_gui.eval.mot import evaluate_mot

            extra["eval"] = {k: v for k, v in evaluate_mot(project.boxes(runs["gt"]["id"]),
                                                           table).items()
                             if isinstance(v, int | float) or k == "rules"}
        if job.calib:
            extra["pitch"] = _pitch(project, job, settings, table)
        metrics = {**project.run(run_id)["metrics"], **extra}
        project.set_run_metrics(run_id, metrics)
    return metrics


def _pitch(project, job: MatchJob, settings: BatchSettings, table) -> dict[str, Any]:
    """The match's pitch figures from the one pitch workflow (as ``sporttrack pitch``)."""
    from sporttrack_gui.pitch.workflow import PitchRequest, run_pitch_analysis

    if not (table.track_id >= 0).any():
        return {"players": []}
    result = run_pitch_analysis(PitchRequest(
        str(project.path), settings.run, job.name, calibration=job.calib, cmc=settings.pitch_cmc,
        sprint_kmh=settings.sprint_kmh))
    return {"players": result.analysis.kinematics.rows(), "cmc": settings.pitch_cmc}


def process_match(job: MatchJob, settings: BatchSettings, cancel=None) -> MatchOutcome:
    """Run one match to the end; never raises for a bad match (see the module docstring)."""
    path = job.project_path(settings.out_dir)
    t0 = time.perf_counter()
    try:
        Path(settings.out_dir).mkdir(parents=True, exist_ok=True)
        _detector_for(job, settings)  # refuse before any file is created
        _ensure_imported(path, job)
        outcome = _track(path, job, settings, cancel)
        if outcome.status in ("complete", "skipped"):
            metrics = (_analyse(path, job, settings) if outcome.status == "complete"
                       else _existing_run(path, job, settings.run)["metrics"])
            outcome.frames = int(metrics.get("frames", 0))
            outcome.boxes = int(metrics.get("boxes", 0))
            outcome.ids = int(metrics.get("ids", 0))
            outcome.wall_s = float(metrics.get("wall_s", time.perf_counter() - t0))
        return outcome
    except SportTrackError as exc:
        return MatchOutcome(job.name, "failed", str(path), str(exc))
    except Exception as exc:  # a bug must not stop the season; the message keeps the cause
        log.error("match %s failed:\n%s", job.name, traceback.format_exc())
        return MatchOutcome(job.name, "failed", str(path), f"{type(exc).__name__}: {exc}")
