"""A camera group project built from the simulation without rendering pixels."""

from __future__ import annotations

import numpy as np

from sporttrack_gui.media.sim_multicam import MultiCamConfig, simulate_multicam
from sporttrack_gui.media.synthetic import MatchConfig
from sporttrack_gui.multicam.group import CameraGroup, GroupCamera, save_group
from sporttrack_gui.project import Project


def project_without_pixels(tmp_path, frames=160, seed=5, offsets=(0, 7, 13)):
    """The simulated match as a project without pixels: per-camera gt, gt-global, a group."""
    m = simulate_multicam(MultiCamConfig(MatchConfig(n_frames=frames, seed=seed), cameras=3,
                                         offsets=offsets))
    path = tmp_path / "match.stp"
    with Project.open(path, create=True) as p:
        cams = []
        for c in m.cameras:
            seq = p.add_sequence(c.name, tmp_path / c.name, kind="images", width=c.width,
                                 height=c.height, fps=25.0, frame_count=c.n_frames)
            for name, table in (("gt", c.gt), ("gt-global", c.gt_global())):
                run = p.create_run(seq, name, kind="gt")
                p.append_boxes(run, table)
                p.set_run_status(run, "complete")
            h = tmp_path / f"{c.name}.npy"
            np.save(h, c.homography)
            cams.append(GroupCamera(seq, c.name, c.name, c.offset, None, str(h), "none"))
        save_group(p, CameraGroup("match", cams))
    return path, m
