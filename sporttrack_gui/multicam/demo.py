"""The synthetic multi-camera match as a ready project: one sequence per camera, a group.

``sporttrack demo --cameras N`` calls :func:`write_multicam_demo`: it renders the
cameras (:mod:`sporttrack_gui.media.sim_multicam`), imports each camera folder with its
per-camera ``gt`` (local ids), adds a ``gt-global`` run (the same boxes with global ids:
the truth the evaluation scores against) and links the sequences in a camera group with
their exact homographies and frame offsets.
"""

from __future__ import annotations

from pathlib import Path

from sporttrack_gui.media.sim_multicam import (
    GLOBAL_GT_FILE,
    HOMOGRAPHY_FILE,
    MultiCamConfig,
    MultiCamMatch,
    render_multicam,
)
from sporttrack_gui.multicam.group import CameraGroup, GroupCamera, save_group
from sporttrack_gui.multicam.workflow import TRUTH_RUN

PROJECT_FILE = "match.stp"


def write_multicam_demo(out_dir: str | Path, config: MultiCamConfig, *, group: str = "match",
                        write_video: bool = False) -> tuple[Path, MultiCamMatch]:
    """Render, import and group; returns the project path and the simulation."""
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    out = Path(out_dir)
    match, folders = render_multicam(out, config, write_video=write_video)
    path = out / PROJECT_FILE
    if path.exists():
        path.unlink()
    with Project.open(path, create=True) as p:
        cams = []
        for cam, folder in zip(match.cameras, folders, strict=True):
            summary = import_source(p, folder, name=cam.name)
            run = p.create_run(summary.sequence_id, TRUTH_RUN, kind="gt",
                               params={"file": str(folder / "gt" / GLOBAL_GT_FILE)})
            p.append_boxes(run, read_mot(folder / "gt" / GLOBAL_GT_FILE, kind="gt"))
            p.set_run_status(run, "complete")
            cams.append(GroupCamera(summary.sequence_id, cam.name, cam.name, cam.offset, None,
                                    str((folder / HOMOGRAPHY_FILE).resolve()), "none"))
        save_group(p, CameraGroup(group, cams))
    return path, match
