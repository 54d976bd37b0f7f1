"""Example plugin: a centroid-distance tracker.

Shipped to show how a team adds its own tracker without forking SportTrack: this file
only uses the public pieces (``Tracks``, ``linear_assignment``, ``register_tracker``).
It matches detections to tracks by the distance between box centres, normalised by the
track's box height so near and far players are treated alike; useful for small, fast
objects (the ball) where IoU between consecutive frames is often zero.
"""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.boxes import Detections, Tracks
from sporttrack_gui.track.base import TrackerSpec, register_tracker


class CentroidTracker:
    """Greedy-free (Hungarian) centroid matching with a short memory for missed tracks."""

    needs_pixels = False

    def __init__(self, max_distance: float = 1.0, max_age: int = 10, min_conf: float = 0.3):
        self.max_distance = float(max_distance)
        self.max_age = int(max_age)
        self.min_conf = float(min_conf)
        self.reset()

    def reset(self) -> None:
        self._boxes = np.zeros((0, 4), np.float32)
        self._ids = np.zeros(0, np.int64)
        self._age = np.zeros(0, np.int64)
        self._next_id = 1

    def update(self, dets: Detections, frame: np.ndarray | None = None) -> Tracks:
        dets, _ = dets.valid()
        dets = dets.subset(dets.conf >= self.min_conf)
        centres_t = (self._boxes[:, :2] + self._boxes[:, 2:]) / 2
        centres_d = (dets.xyxy[:, :2] + dets.xyxy[:, 2:]) / 2
        scale = np.maximum(self._boxes[:, 3] - self._boxes[:, 1], 1.0)
        cost = np.linalg.norm(centres_t[:, None, :] - centres_d[None, :, :], axis=2) / scale[:, None]
        matches, unmatched_t, unmatched_d = linear_assignment(cost, self.max_distance)
        self._boxes[matches[:, 0]] = dets.xyxy[matches[:, 1]]
        self._age[matches[:, 0]] = 0
        self._age[unmatched_t] += 1
        keep = self._age <= self.max_age
        out_ids = np.empty(len(dets), np.int64)
        out_ids[matches[:, 1]] = self._ids[matches[:, 0]]
        new_ids = np.arange(self._next_id, self._next_id + len(unmatched_d), dtype=np.int64)
        self._next_id += len(unmatched_d)
        out_ids[unmatched_d] = new_ids
        self._boxes = np.concatenate([self._boxes[keep], dets.xyxy[unmatched_d]])
        self._ids = np.concatenate([self._ids[keep], new_ids])
        self._age = np.concatenate([self._age[keep], np.zeros(len(unmatched_d), np.int64)])
        return Tracks(dets.xyxy, out_ids, dets.conf, dets.cls)


register_tracker(TrackerSpec(
    name="centroid",
    factory=CentroidTracker,  # parameters and defaults: read from CentroidTracker.__init__
    description="Centroid distance + Hungarian (example plugin)",
    needs_pixels=False,
    origin="plugin",
))
