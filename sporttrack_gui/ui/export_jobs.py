"""Qt-free export jobs the GUI runs in worker threads (plain values in, results out).

Each opens its own project connection and frame source in the worker's thread, calls
the owning room's function (``project.exporter``, ``pitch.workflow``) and returns its
summary. The demo video's minimap and trails come from the pitch workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Progress = Callable[[int, int], None]


def demo_video_job(project_path: str, run: int, source: str, out: str, *,
                   labels: dict[int, str] | None = None, trail: int = 25,
                   calibration: Any = None, minimap: bool = True,
                   frame_range: tuple[int, int] | None = None, progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Write the demo mp4 of ``run`` through the pitch workflow (``sporttrack export
    --format video`` calls the same function): with a calibration, the minimap follows
    the camera and the trails stay on the pitch. ``calibration`` None: the one stored with
    the sequence, if any; ``minimap`` False keeps the pitch-pinned trails without a minimap."""
    from sporttrack_gui.pitch.workflow import export_pitch_video

    return export_pitch_video(project_path, run, out, calibration=calibration, minimap=minimap,
                              source=source, labels=labels, trail=trail, frame_range=frame_range,
                              progress=progress, cancel=cancel)


def yolo_job(project_path: str, runs: list[int], out: str, class_names: list[str] | None,
             overwrite: bool = False, *, images: str = "copy", progress: Progress | None = None,
             cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """A YOLO dataset of ``runs`` (one per sequence: ``project.exporter.export_yolo``),
    with progress per image and cancel between images."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_yolo

    with Project.open(project_path, readonly=True) as project:
        return export_yolo(project, list(runs), Path(out), class_names or None,
                           overwrite=overwrite, images=images, progress=progress,
                           cancel=cancel)
