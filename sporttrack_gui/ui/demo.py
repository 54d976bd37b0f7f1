"""The built-in demo: a synthetic match with exact ground truth, ready to track.

Why: a first-time user has no project and maybe no video. With nothing to open, the app
renders the media room's synthetic match once (cached under the app home) and imports it,
so pressing Run with "ground truth as detections" shows tracking, live metrics and
heatmaps in seconds without any detector weights. Qt-free; the GUI calls it in a worker.
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
        return project_path
    if root.exists():
        shutil.rmtree(root)
    match_dir = root / "demo-match"
    match_dir.mkdir(parents=True)
    say(f"Rendering the demo match ({n_frames} frames)…")
    render_match(match_dir, MatchConfig(n_frames=n_frames, seed=seed), write_video=False)
    say("Importing the demo match into a project…")
    with Project.open(project_path, create=True) as project:
        import_source(project, match_dir, name="demo-match")
    marker.write_text("ok\n", encoding="ascii")
    return project_path
