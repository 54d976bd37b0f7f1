"""Qt-free export jobs the GUI runs in worker threads (plain values in, results out).

Each opens its own project connection and frame source in the worker's thread, calls
the owning room's function (``project.exporter``, ``media.writer``) and returns its
summary. The optional minimap maps each frame's foot points through a pitch calibration
(``pitch`` room) and draws them on the pitch template.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Progress = Callable[[int, int], None]


def minimap_from_calibration(calibration: Any, width_px: int = 420) -> Callable[..., np.ndarray]:
    """``minimap(frame, track_ids, xywh) -> BGR image`` for ``media.writer`` (the pitch
    room's drawing, one homography for the clip: right for a fixed camera)."""
    from sporttrack_gui.pitch import load_template
    from sporttrack_gui.pitch.render import minimap_callback

    return minimap_callback(load_template(calibration.template),
                            homography=calibration.fit.image_to_pitch, width_px=width_px)


def demo_video_job(project_path: str, run: int, source: str, out: str, *,
                   labels: dict[int, str] | None = None, trail: int = 25,
                   calibration: Any = None, frame_range: tuple[int, int] | None = None,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Write the demo mp4 of ``run`` (``project.exporter.export_demo_video``)."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_demo_video

    minimap = minimap_from_calibration(calibration) if calibration is not None else None
    with Project.open(project_path, readonly=True) as project:
        return export_demo_video(project, run, out, source=source, labels=labels, trail=trail,
                                 frame_range=frame_range, minimap=minimap, progress=progress,
                                 cancel=cancel)


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
