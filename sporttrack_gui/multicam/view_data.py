"""What the camera-group view shows, loaded without Qt: per camera boxes with global ids,
their pitch positions, and one fused position per player and frame (the shared minimap).

The GUI calls :func:`load_group_view` on a worker thread and then only indexes arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.multicam.fusion import FusedPositions, fuse
from sporttrack_gui.multicam.group import load_group, resolved_offsets


@dataclass
class ViewCamera:
    name: str
    source: str
    offset: int
    n_frames: int
    width: int
    height: int
    table: object            # MotTable, camera frames, track id = global id (or local id)
    by_frame: dict[int, np.ndarray]


@dataclass
class GroupView:
    group: str
    run: str                 # the run shown (``global`` once computed, else the input run)
    has_global: bool
    fps: float
    cameras: list[ViewCamera]
    fused: FusedPositions
    n_global_frames: int

    def camera_frame(self, cam: int, global_frame: int) -> int | None:
        """Camera frame (1-based) showing ``global_frame``, or None outside the camera's clip."""
        c = self.cameras[cam]
        f = global_frame - c.offset
        return f if 1 <= f <= c.n_frames else None


def load_group_view(project_path: str | Path, group_name: str, run: str = "global",
                    fallback_run: str = "gt") -> GroupView:
    """Boxes of ``run`` in every camera (``fallback_run`` where a camera lacks it)."""
    from sporttrack_gui.errors import ProjectError
    from sporttrack_gui.multicam.workflow import build_observations, load_cameras
    from sporttrack_gui.project import Project

    with Project.open(project_path, readonly=True) as p:
        g = load_group(p, group_name)
        has = True
        for c in g.cameras:
            try:
                p.run_id(run, c.sequence_id)
            except ProjectError:
                has = False
        shown = run if has else fallback_run
        cams = load_cameras(p, g, shown)
        offsets = resolved_offsets(p, g, shown)
    obs = build_observations(cams, offsets)
    ids = obs.local_id if has else obs.local_id + (obs.cam.astype(np.int64) + 1) * 100000
    fused = fuse(obs, ids)
    views = [ViewCamera(c.camera.camera, c.source, offsets[i], int(len(c.homographies)), c.width,
                        c.height, c.table, c.table.by_frame()) for i, c in enumerate(cams)]
    n = max((v.offset + v.n_frames for v in views), default=0)
    return GroupView(group_name, shown, has, cams[0].fps if cams else 25.0, views, fused, n)
