"""The pitch analysis workflow: a run and a calibration in, positions, figures and teams out.

Why one function: the pitch panel, ``sporttrack pitch`` and the demo video's minimap each
had their own copy of "read the run, estimate camera motion, map the boxes", and the
copies drifted (the GUI's video minimap assumed a fixed camera, the CLI's followed it;
two team palettes). :func:`run_pitch_analysis` is the one copy, in the pattern of
``pipeline/run.py``: a plain :class:`PitchRequest` in, a :class:`PitchResult` out, a
``progress(done, total)`` callback and a cancel event, no Qt. The GUI runs it in a
worker, the CLI calls it directly, and :func:`export_pitch_video` feeds its result to the
demo-video writer (minimap and ground-pinned trails).

The calibration is the request's, or else the one stored with the sequence in the
project (``sequence.meta["pitch_calibration"]``; the built-in demo ships one whose camera
motion is known, so nothing is estimated).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import Cancelled, InputError
from sporttrack_gui.pitch.analysis import PitchAnalysis, analyse_boxes, estimate_sequence_motion
from sporttrack_gui.pitch.calibration import Calibration, calibration_from_json, load_calibration

#: key of a sequence's ``meta`` holding its calibration JSON (``Calibration.to_json``)
SEQUENCE_KEY = "pitch_calibration"
CMC_METHODS = ("sparse", "ecc", "none")

Progress = Callable[[int, int], None]
Cancel = threading.Event | Callable[[], bool] | None


@dataclass(frozen=True)
class PitchRequest:
    """What to analyse, as plain values (a worker thread gets exactly this).

    ``run``: run id or name (``sequence`` disambiguates a name). ``calibration``: a
    ``Calibration``, a calibration file, or ``None`` for the sequence's stored one.
    ``cmc``: how camera motion is found when the calibration does not carry it
    ("none" = fixed camera, also overriding known motion). ``frame_range`` limits the
    analysis to those frames (a video clip); ``source`` overrides the sequence's media.
    """

    project: str
    run: int | str
    sequence: int | str | None = None
    calibration: Calibration | str | Path | None = None
    cmc: str = "sparse"
    fps: float | None = None
    sprint_kmh: float = 25.0
    assign_teams: bool = False
    store_teams: bool = False
    frame_range: tuple[int, int] | None = None
    source: str | None = None


@dataclass
class PitchResult:
    """The analysis plus what the views need to show it (names, teams, how the camera was known)."""

    analysis: PitchAnalysis
    calibration: Calibration
    teams: dict[int, str]
    names: dict[int, str]
    fps: float
    camera: str  # "known" (from the calibration), "sparse"/"ecc" (estimated) or "none" (fixed)
    run_id: int
    run_name: str

    @property
    def template(self) -> str:
        return self.calibration.template

    def summary(self, players: bool = True) -> dict[str, Any]:
        """The figures the CLI prints and the video export reports (same keys everywhere)."""
        fit = self.calibration.fit
        out: dict[str, Any] = {
            "run": self.run_name, "tracks": len(self.analysis.kinematics.track_id),
            "boxes_mapped": len(self.analysis.positions), "boxes_unmapped": self.analysis.unmapped,
            "calibration_rms_px": round(fit.rms_px, 3) if fit is not None else None,
            "calibration_inliers": int(fit.inliers.sum()) if fit is not None else 0,
            "camera_motion": self.camera, "fps": self.fps,
        }
        if players:
            out["players"] = self.analysis.kinematics.rows()
        return out


def _cancel_fn(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def stored_calibration(sequence: dict[str, Any]) -> Calibration | None:
    """The calibration stored with a sequence (``Project.sequence`` row), if any."""
    data = (sequence.get("meta") or {}).get(SEQUENCE_KEY)
    if data is None:
        return None
    return calibration_from_json(data, f"calibration stored with sequence {sequence.get('name')!r}")


def store_calibration(project, sequence: int | str, calibration: Calibration) -> None:
    """Keep ``calibration`` with the sequence, so the pitch panel and the CLI find it."""
    project.set_sequence_meta(sequence, SEQUENCE_KEY, calibration.to_json())


def resolve_calibration(given: Calibration | str | Path | None,
                        sequence: dict[str, Any]) -> Calibration:
    """The request's calibration (object or file) or else the sequence's stored one."""
    if isinstance(given, Calibration):
        cal = given
    elif given is not None:
        cal = load_calibration(given)
    else:
        stored = stored_calibration(sequence)
        if stored is None:
            raise InputError(f"sequence {sequence.get('name')!r} has no pitch calibration: give a "
                             "calibration file (--calib) or make one (View ▸ Pitch calibration…)")
        cal = stored
    if cal.fit is None:
        raise InputError("calibration has not been fitted (it needs four point pairs)")
    return cal


def _run_of(project, request: PitchRequest) -> dict[str, Any]:
    if isinstance(request.run, int | np.integer):
        return project.run(int(request.run))
    return project.run(project.run_id(str(request.run), request.sequence))


def run_pitch_analysis(request: PitchRequest, progress: Progress | None = None,
                       cancel: Cancel = None) -> PitchResult:
    """Map ``request.run`` onto the pitch: see the module docstring.

    Raises ``InputError`` for a missing calibration, an empty run or a calibration
    frame outside the known camera motion; ``MediaError`` when camera motion or teams
    need frames that cannot be read; ``Cancelled`` when ``cancel`` is set.
    """
    from sporttrack_gui.project import Project

    if request.cmc not in CMC_METHODS:
        raise InputError(f"camera motion must be one of {', '.join(CMC_METHODS)}, not {request.cmc!r}")
    cancelled = _cancel_fn(cancel)
    with Project.open(request.project, readonly=not request.store_teams) as project:
        run = _run_of(project, request)
        run_id, run_name = int(run["id"]), str(run["name"])
        seq = project.sequence(run["sequence_id"])
        cal = resolve_calibration(request.calibration, seq)
        table = project.boxes(run_id)
        keep = table.track_id >= 0
        if request.frame_range is not None:
            first, last = request.frame_range
            keep &= (table.frame >= first) & (table.frame <= last)
        frame, tid, xywh = table.frame[keep], table.track_id[keep], table.xywh[keep]
        if len(frame) == 0:
            raise InputError(f"run {run_name!r} has no tracked boxes"
                             + (" in the chosen frames" if request.frame_range else ""))
        meta = project.track_meta(run_id)
        names = {int(t): str(m["label"]) for t, m in meta.items() if m.get("label")}
        teams = {int(t): str(m["team"]) for t, m in meta.items() if m.get("team")}
        fps = float(request.fps or seq.get("fps") or 25.0)
        source_path = request.source or seq.get("source")
        source = None
        if (request.cmc != "none" and cal.motion is None) or request.assign_teams:
            from sporttrack_gui.media.source import open_source

            if not source_path:
                raise InputError(f"sequence {seq['name']!r} has no media: camera motion and "
                                 "teams need the frames (use camera motion 'none')")
            source = open_source(source_path)
        try:
            if request.cmc == "none":
                motion, camera = None, "none"
            elif cal.motion is not None:
                motion, camera = cal.motion, "known"
            else:
                n = max(int(frame.max()), cal.frame)
                motion = estimate_sequence_motion(source, frame, xywh, method=request.cmc,
                                                  n_frames=n, progress=progress, cancel=cancelled)
                camera = request.cmc
            if cancelled():
                raise Cancelled("pitch analysis cancelled")
            analysis = analyse_boxes(frame, tid, xywh, cal, fps, motion=motion,
                                     sprint_kmh=request.sprint_kmh)
            if request.assign_teams:
                teams.update(_assign_teams(source, frame, tid, xywh, cancelled))
                if request.store_teams:
                    for track, team in teams.items():
                        project.set_track_meta(run_id, track, team=team)
        finally:
            if source is not None:
                source.close()
    return PitchResult(analysis, cal, teams, names, fps, camera, run_id, run_name)


def _assign_teams(source, frame: np.ndarray, tid: np.ndarray, xywh: np.ndarray,
                  cancelled: Callable[[], bool]) -> dict[int, str]:
    from sporttrack_gui.pitch.teams import assign_teams, track_colour_embeddings

    if cancelled():
        raise Cancelled("team assignment cancelled")
    inside = frame <= len(source)
    ids, emb = track_colour_embeddings(lambda f: source[f - 1], frame[inside], tid[inside],
                                       xywh[inside])
    return assign_teams(ids, emb).as_dict()


def export_pitch_video(project_path: str, run: int | str, out: str | Path, *,
                       sequence: str | None = None, calibration: Calibration | str | None = None,
                       use_stored: bool = True, minimap: bool = True, cmc: str = "sparse",
                       source: str | None = None, labels: dict[int, str] | None = None,
                       trail: int = 25, frame_range: tuple[int, int] | None = None,
                       progress: Progress | None = None, cancel: Cancel = None) -> dict[str, Any]:
    """The demo mp4 of a run; with a calibration (given, or stored with the sequence when
    ``use_stored``) its minimap and trails come from :func:`run_pitch_analysis`, so the
    minimap follows the camera and trails stay on the ground. Without one the video has
    no minimap and image-space trails (its summary says so).
    """
    from sporttrack_gui.pitch.render import minimap_callback
    from sporttrack_gui.pitch.template import load_template
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_demo_video

    cancelled = _cancel_fn(cancel)
    with Project.open(project_path, readonly=True) as project:
        run_row = _run_of(project, PitchRequest(str(project_path), run, sequence))
        seq = project.sequence(run_row["sequence_id"])
    if calibration is None and use_stored:
        calibration = stored_calibration(seq)
    result = None
    if calibration is not None:
        result = run_pitch_analysis(PitchRequest(str(project_path), int(run_row["id"]),
                                                 calibration=calibration, cmc=cmc,
                                                 frame_range=frame_range, source=source),
                                    progress=progress, cancel=cancelled)
    mm = (minimap_callback(load_template(result.template), analysis=result.analysis,
                           teams=result.teams or None)
          if result is not None and minimap else None)
    world = result.analysis.homographies if result is not None else None
    with Project.open(project_path, readonly=True) as project:
        summary = export_demo_video(project, int(run_row["id"]), out, source=source, labels=labels,
                                    trail=trail, frame_range=frame_range, minimap=mm,
                                    progress=progress, cancel=cancelled, world=world)
    if result is not None:
        summary["pitch"] = result.summary()
    return summary
