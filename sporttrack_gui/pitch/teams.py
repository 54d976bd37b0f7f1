"""Team assignment from kit colour: cluster each track's torso colour into two teams.

Each track's embedding is the mean of the colour embedder's torso histograms over a
sample of its frames; k-means (k=2) on those means gives the two kits. Tracks far from
both centres (referees, goalkeepers) are left "other". The user can override any
assignment in the GUI or via track metadata; this only proposes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from sporttrack_gui.core.boxes import xywh_to_xyxy
from sporttrack_gui.errors import InputError
from sporttrack_gui.track.embed import ColorEmbedder


@dataclass
class TeamAssignment:
    track_id: np.ndarray
    team: np.ndarray  # 0 / 1, or -1 for "other"
    distance: np.ndarray  # cosine distance to the assigned centre

    def as_dict(self) -> dict[int, str]:
        names = {0: "A", 1: "B", -1: "other"}
        return {int(t): names[int(k)] for t, k in zip(self.track_id, self.team, strict=True)}


def track_colour_embeddings(frame_of: Callable[[int], np.ndarray], frame: np.ndarray,
                            track_id: np.ndarray, xywh: np.ndarray, *,
                            samples_per_track: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean torso-colour embedding per track from up to ``samples_per_track`` of its boxes.

    Sampled boxes are grouped by frame so each frame is decoded once.
    """
    rng = np.random.default_rng(seed)
    frame = np.asarray(frame)
    track_id = np.asarray(track_id)
    ids = np.unique(track_id)
    picked = []
    for t in ids:  # a loop over tracks (tens), not boxes
        rows = np.flatnonzero(track_id == t)
        if len(rows) > samples_per_track:
            rows = rng.choice(rows, samples_per_track, replace=False)
        picked.append(rows)
    rows = np.concatenate(picked) if picked else np.zeros(0, np.int64)
    embedder = ColorEmbedder()
    feats = np.zeros((len(rows), embedder.dim), np.float32)
    for f in np.unique(frame[rows]):
        sel = np.flatnonzero(frame[rows] == f)
        img = frame_of(int(f))
        feats[sel] = embedder(img, xywh_to_xyxy(np.asarray(xywh)[rows[sel]]))
    sums = np.zeros((len(ids), embedder.dim))
    np.add.at(sums, np.searchsorted(ids, track_id[rows]), feats)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return ids, (sums / np.maximum(norms, 1e-9)).astype(np.float32)


def assign_teams(track_ids: np.ndarray, embeddings: np.ndarray, *, other_distance: float = 0.35,
                 seed: int = 0) -> TeamAssignment:
    """Two-cluster k-means on L2-normalised embeddings; far-off tracks become "other"."""
    ids = np.asarray(track_ids)
    x = np.asarray(embeddings, np.float32)
    if len(ids) < 2:
        return TeamAssignment(ids, np.zeros(len(ids), np.int64), np.zeros(len(ids)))
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 100, 1e-4)
    _, labels, centres = cv2.kmeans(x, 2, None, criteria, 5, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel().astype(np.int64)
    centres = centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    dist = 1.0 - np.sum(x * centres[labels], axis=1)
    # stable naming: team 0 is the cluster with the lower mean hue bin index
    if np.argmax(centres[0]) > np.argmax(centres[1]):
        labels = 1 - labels
    team = np.where(dist > other_distance, -1, labels)
    return TeamAssignment(ids, team, dist)


def kit_teams(source: str, snapshot: Any, samples_per_track: int = 6) -> dict[int, str]:
    """Track id -> "A" / "B" / "other" from torso colours (k-means over the run's
    tracks), for runs whose tracks carry no team: a tracker's output. ``snapshot`` is any
    object with ``frame``, ``track_id`` and ``xywh`` columns (the GUI's run model)."""
    from sporttrack_gui.media.source import open_source

    keep = snapshot.track_id >= 0
    frame = np.asarray(snapshot.frame)[keep]
    tid = np.asarray(snapshot.track_id)[keep]
    xywh = np.asarray(snapshot.xywh)[keep]
    if not len(tid):
        raise InputError("the run has no tracked boxes to find teams in")
    src = open_source(source)
    try:
        inside = frame <= len(src)
        ids, emb = track_colour_embeddings(lambda f: src[f - 1], frame[inside], tid[inside],
                                           xywh[inside], samples_per_track=samples_per_track)
    finally:
        src.close()
    return assign_teams(ids, emb).as_dict()
