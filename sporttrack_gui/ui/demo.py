"""The built-in demo: a synthetic match with exact ground truth, ready to track.

Why: a first-time user has no project and maybe no video. With nothing to open, the app
renders the media room's synthetic match once (cached under the app home) and imports it,
so pressing Run with "ground truth as detections" shows tracking, live metrics and
heatmaps in seconds without any detector weights. The generator knows its camera, so the
demo also ships its pitch calibration (stored with the sequence and written as
``demo-match/calibration.json``): the Pitch panel shows the players at once. Qt-free;
the GUI calls it in a worker.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from sporttrack_gui.runtime import app_home

DEMO_FRAMES = 250
DEMO_SEED = 2024
PROJECT_SUFFIX = ".stp"


def demo_dir() -> Path:
    return app_home() / "demo"


def demo_project(n_frames: int | None = None, seed: int = DEMO_SEED,
                 status: Callable[[str], None] | None = None) -> Path:
    """Path of the demo project, generating the match and the project when missing.

    A half-written demo (the app was closed while rendering) is detected by the
    missing ``done`` marker and rebuilt from scratch.
    """
    from sporttrack_gui.media.synthetic import MatchConfig, render_match
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    say = status or (lambda _msg: None)
    n_frames = n_frames or DEMO_FRAMES
    root = demo_dir()
    project_path = root / f"demo-match{PROJECT_SUFFIX}"
    marker = root / "done"
    if marker.exists() and project_path.exists():
        _ensure_calibration(project_path, seed)  # a demo built before it shipped one
        return project_path
    if root.exists():
        shutil.rmtree(root)
    match_dir = root / "demo-match"
    match_dir.mkdir(parents=True)
    say(f"Rendering the demo match ({n_frames} frames)…")
    match = render_match(match_dir, MatchConfig(n_frames=n_frames, seed=seed), write_video=False)
    say("Importing the demo match into a project…")
    with Project.open(project_path, create=True) as project:
        import_source(project, match_dir, name="demo-match")
        _store_calibration(project, match_dir, match.sim)
    marker.write_text("ok\n", encoding="ascii")
    return project_path


def _store_calibration(project, match_dir: Path, sim) -> None:
    """The generator's camera as the sequence's pitch calibration, and as a file for the CLI."""
    from sporttrack_gui.pitch.calibration import save_calibration
    from sporttrack_gui.pitch.synthetic import calibration_from_simulation
    from sporttrack_gui.pitch.workflow import store_calibration

    cal = calibration_from_simulation(sim)
    store_calibration(project, "demo-match", cal)
    save_calibration(cal, match_dir / "calibration.json")


def _ensure_calibration(project_path: Path, seed: int) -> None:
    """Add the calibration to a demo made by an older version (simulated again: no pixels).

    Read-only first: the demo may be open for writing in another window, and a demo that
    has its calibration must open there as before.
    """
    from sporttrack_gui.errors import ProjectLockedError
    from sporttrack_gui.media.synthetic import MatchConfig, simulate_match
    from sporttrack_gui.pitch.workflow import SEQUENCE_KEY
    from sporttrack_gui.project import Project

    with Project.open(project_path, readonly=True) as project:
        seq = project.sequence("demo-match")
    if SEQUENCE_KEY in (seq.get("meta") or {}):
        return
    sim = simulate_match(MatchConfig(n_frames=int(seq["frame_count"]), seed=seed))
    try:
        with Project.open(project_path) as project:
            _store_calibration(project, project_path.parent / "demo-match", sim)
    except ProjectLockedError:
        pass  # open elsewhere: the calibration is added by the next start
