"""What an annotation-tool file (CVAT, COCO) holds beyond a MOT table.

Why one small model for several formats: CVAT and COCO carry the same three things a
MOT file lacks -- class names, per-track metadata (label, team, note) and the frame
size -- so readers return, and writers take, one :class:`Annotations`; the project's
importer and exporter convert it once instead of once per format.

Conventions (documented in README "Formats"):
- ``table.frame`` is 1-based (CVAT frames are 0-based in the file, COCO ``frame_id``
  1-based as in the MOT-to-COCO converters of ByteTrack/FairMOT);
- ``table.cls`` indexes ``labels`` (-1: no label);
- ``track_meta[track]`` uses the project's track fields (``class``, ``label``, ``team``,
  ``note``, ``colour``); a track's class is its CVAT label / COCO category name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sporttrack_gui.formats.mot_table import MotTable

#: label of boxes whose track has no class
DEFAULT_LABEL = "object"
#: project track fields written as per-track attributes (CVAT) / annotation attributes (COCO)
TRACK_ATTRIBUTES = ("label", "team", "note", "colour")
#: largest 1-based frame number a reader accepts (``MotTable.frame`` is int32: a larger
#: number would wrap to a negative frame)
MAX_FRAME = 2**31 - 1
#: largest track id a reader accepts (beyond it float64 no longer holds every integer,
#: the same limit as the MOT reader)
MAX_TRACK_ID = 2**53


@dataclass
class Annotations:
    """Boxes plus class names, per-track metadata and the frame geometry."""

    table: MotTable
    labels: list[str] = field(default_factory=list)
    track_meta: dict[int, dict[str, str]] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    frame_count: int | None = None
    name: str = ""
    #: per-box CVAT flags (None: not known, writers assume "every box is a keyframe")
    keyframe: np.ndarray | None = None
    occluded: np.ndarray | None = None
    #: what a reader left out and why (other shape types, rotated boxes, ...)
    notes: list[str] = field(default_factory=list)


def first_unwritable(table: MotTable, *, conf: bool = False) -> int | None:
    """Index of the first box no interchange writer can write (frame < 1, a non-finite
    coordinate, width or height <= 0; with ``conf`` also a non-finite score), else None.
    Writers check before their first byte, so a refused export leaves no file."""
    bad = ~np.isfinite(table.xywh).all(axis=1) | (table.xywh[:, 2] <= 0) | (table.xywh[:, 3] <= 0)
    bad |= table.frame < 1
    if conf:
        bad |= ~np.isfinite(table.conf)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def box_labels(ann: Annotations) -> tuple[list[str], np.ndarray]:
    """(label names, label index per box) for a writer.

    A track's ``class`` metadata names its label; other boxes use their ``cls`` when it
    indexes ``ann.labels``, else :data:`DEFAULT_LABEL`. Names keep their first-seen order
    from ``ann.labels``, then new class names sorted.
    """
    table = ann.table
    names = list(dict.fromkeys(ann.labels))
    by_track = {t: m["class"] for t, m in ann.track_meta.items() if m.get("class")}
    for name in sorted(set(by_track.values()) - set(names)):
        names.append(name)
    index = {n: i for i, n in enumerate(names)}
    idx = np.where((table.cls >= 0) & (table.cls < len(ann.labels)), table.cls, -1).astype(np.int64)
    if len(ann.labels):  # cls indexes ann.labels; map through names (same order prefix)
        remap = np.array([index[n] for n in ann.labels], np.int64)
        idx = np.where(idx >= 0, remap[np.clip(idx, 0, len(remap) - 1)], -1)
    if by_track:
        tracks = np.fromiter(by_track, np.int64, len(by_track))
        values = np.array([index[by_track[t]] for t in tracks.tolist()], np.int64)
        order = np.argsort(tracks)
        pos = np.clip(np.searchsorted(tracks[order], table.track_id), 0, len(tracks) - 1)
        hit = tracks[order][pos] == table.track_id
        idx = np.where(hit, values[order][pos], idx)
    if (idx < 0).any():
        if DEFAULT_LABEL not in index:
            index[DEFAULT_LABEL] = len(names)
            names.append(DEFAULT_LABEL)
        idx = np.where(idx < 0, index[DEFAULT_LABEL], idx)
    return names, idx
