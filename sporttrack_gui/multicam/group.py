"""Camera groups: sequences of one match linked, with frame offsets and calibrations.

Stored without a schema change in each member sequence's JSON ``meta`` under
``camera_group``::

    {"name": "match", "camera": "main", "index": 0, "offset": 0 | null,
     "calibration": {...calibration JSON...} | null, "homographies": "/abs/h.npy" | null,
     "motion": "sparse" | "ecc" | "none"}

A sequence belongs to at most one group. ``offset``: camera frame ``f`` shows global frame ``f + offset`` (same fps); ``null``
means "estimate it from the players' motion". A camera's image->pitch mapping is its
exact per-frame ``homographies`` file when there is one, else its ``calibration`` (the
pitch room's JSON) chained through the camera motion of its sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import InputError, ProjectError

META_KEY = "camera_group"
MOTION_METHODS = ("sparse", "ecc", "none")


@dataclass
class GroupCamera:
    sequence_id: int
    sequence: str
    camera: str
    offset: int | None = None
    calibration: dict[str, Any] | None = None
    homographies: str | None = None
    motion: str = "sparse"

    def to_meta(self, group: str, index: int) -> dict[str, Any]:
        return {"name": group, "camera": self.camera, "index": index, "offset": self.offset,
                "calibration": self.calibration, "homographies": self.homographies,
                "motion": self.motion}


@dataclass
class CameraGroup:
    name: str
    cameras: list[GroupCamera] = field(default_factory=list)

    @property
    def offsets_known(self) -> bool:
        return all(c.offset is not None for c in self.cameras)


def group_names(project) -> list[str]:
    """Names of the camera groups in a project, sorted."""
    return sorted({s["meta"][META_KEY]["name"] for s in project.sequences()
                   if isinstance(s["meta"].get(META_KEY), dict) and "name" in s["meta"][META_KEY]})


def load_group(project, name: str) -> CameraGroup:
    """The group ``name`` with its cameras in their stored order (ProjectError if absent)."""
    members = []
    for s in project.sequences():
        g = s["meta"].get(META_KEY)
        if isinstance(g, dict) and g.get("name") == name:
            members.append((int(g.get("index", 0)), s, g))
    if not members:
        known = ", ".join(group_names(project)) or "none"
        raise ProjectError(f"{project.path}: no camera group {name!r} (groups: {known})")
    members.sort(key=lambda m: (m[0], m[1]["id"]))
    cams = [GroupCamera(s["id"], s["name"], str(g.get("camera") or s["name"]),
                        None if g.get("offset") is None else int(g["offset"]), g.get("calibration"),
                        g.get("homographies"), str(g.get("motion", "sparse")))
            for _, s, g in members]
    return CameraGroup(name, cams)


def resolved_offsets(project, group: CameraGroup, run_name: str) -> list[int]:
    """Each camera's frame offset as the global run ``run_name`` was computed with it.

    Why: ``sporttrack multicam`` estimates offsets left unknown in the group (``null``)
    and takes ``--offsets`` for one run; either way the offset it used is stored only in
    that run's params (``offset``), and the view and the global-id edits must use that
    value (not 0, not a different stored one) to line the cameras up as the ids were
    computed. A camera without such a run (the input run shown before any global run)
    gets the group's offset, 0 when unknown.
    """
    out = []
    for c in group.cameras:
        used = [r["params"].get("offset") for r in project.runs(c.sequence_id)
                if r["name"] == run_name and isinstance(r.get("params"), dict)]
        if used and isinstance(used[0], int) and not isinstance(used[0], bool):
            out.append(int(used[0]))
        else:
            out.append(int(c.offset or 0))
    return out


def save_group(project, group: CameraGroup) -> list[str]:
    """Write the group into its sequences' meta (one transaction); members that left it
    (sequences carrying the name but no longer listed) are unlinked. A sequence belongs
    to one group at most: sequences taken from another group are returned as
    ``"sequence (from group)"`` so the caller can say so."""
    if not group.name.strip():
        raise InputError("a camera group needs a name")
    if len(group.cameras) < 1:
        raise InputError(f"camera group {group.name!r} has no cameras")
    names = [c.camera for c in group.cameras]
    if len(set(names)) != len(names):
        raise InputError(f"camera group {group.name!r}: camera names repeat: {names}")
    for c in group.cameras:
        if c.motion not in MOTION_METHODS:
            raise InputError(f"camera {c.camera!r}: motion must be one of {MOTION_METHODS}, got {c.motion!r}")
        if c.homographies is not None and not Path(c.homographies).is_file():
            raise InputError("homography file not found", c.homographies)
    ids = {c.sequence_id for c in group.cameras}
    moved = [f"{s['name']} (from {s['meta'][META_KEY].get('name')!r})" for s in project.sequences()
             if s["id"] in ids and isinstance(s["meta"].get(META_KEY), dict)
             and s["meta"][META_KEY].get("name") != group.name]
    with project.transaction():
        for s in project.sequences():
            g = s["meta"].get(META_KEY)
            if isinstance(g, dict) and g.get("name") == group.name and s["id"] not in ids:
                project.set_sequence_meta(s["id"], META_KEY, None)
        for i, c in enumerate(group.cameras):
            project.set_sequence_meta(c.sequence_id, META_KEY, c.to_meta(group.name, i))
    return moved


def make_group(project, name: str, sequences: list[str], *, offsets: list[int | None] | None = None,
               calibrations: list[str | None] | None = None, homographies: list[str | None] | None = None,
               motion: str = "sparse") -> CameraGroup:
    """Build (not yet save) a group from sequence names; calibration files are read and
    checked here so a bad file is refused before anything is written."""
    from sporttrack_gui.pitch import load_calibration

    n = len(sequences)
    for what, lst in (("offsets", offsets), ("calibrations", calibrations), ("homographies", homographies)):
        if lst is not None and len(lst) != n:
            raise InputError(f"{what}: {len(lst)} values for {n} sequences")
    cams = []
    for i, seq in enumerate(sequences):
        row = project.sequence(seq)
        cal = None
        if calibrations and calibrations[i]:
            cal = load_calibration(calibrations[i]).to_json()
        h = homographies[i] if homographies and homographies[i] else None
        cams.append(GroupCamera(row["id"], row["name"], row["name"],
                                offsets[i] if offsets else None, cal,
                                str(Path(h).resolve()) if h else None, motion))
    return CameraGroup(name, cams)
