"""Timeline lane geometry: where each track exists, its gaps, and suspected ID switches.

Qt-free on purpose: the timeline must stay responsive with 500 tracks over 135,000
frames, so everything here is vectorised numpy that turns a run's boxes into a few flat
arrays (segment end points + a ``connect`` mask) that one pyqtgraph item can draw. It is
also what the ID-switch assistant of the box editor can reuse and test without a display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LaneLayout:
    """Everything the timeline draws for one run.

    ``track_ids[k]`` is drawn on lane ``k`` (y = k). ``seg_x``/``seg_y`` hold two points
    per contiguous presence segment, ``connect`` joins each pair and breaks between pairs
    (pyqtgraph's ``connect`` array). Gaps are frames where a track is missing between two
    of its boxes; switches are (frame, lane) where one track ends and another starts nearby.
    """

    track_ids: np.ndarray
    seg_x: np.ndarray
    seg_y: np.ndarray
    connect: np.ndarray
    gap_x: np.ndarray
    gap_y: np.ndarray
    switch_x: np.ndarray
    switch_y: np.ndarray
    switches: list[tuple[int, int, int]]

    @property
    def n_lanes(self) -> int:
        return len(self.track_ids)

    def lane_of(self, track_id: int) -> int | None:
        hit = np.flatnonzero(self.track_ids == track_id)
        return int(hit[0]) if len(hit) else None

    def track_at(self, y: float) -> int | None:
        """Track id of the lane nearest to plot coordinate ``y`` (None outside the lanes)."""
        lane = int(round(y))
        if 0 <= lane < len(self.track_ids) and abs(y - lane) <= 0.5:
            return int(self.track_ids[lane])
        return None

    @classmethod
    def empty(cls) -> LaneLayout:
        z = np.zeros(0, np.float64)
        return cls(np.zeros(0, np.int64), z, z, np.zeros(0, bool), z, z, z, z, [])


def track_order(frame: np.ndarray, track_id: np.ndarray) -> np.ndarray:
    """Indices sorting rows by (track, frame).

    Runs come out of the project sorted by frame; then one stable sort on the track id
    (a radix sort for integers) is several times faster than a two-key lexsort on
    millions of boxes.
    """
    if len(frame) < 2 or bool((np.diff(frame) >= 0).all()):
        return np.argsort(track_id, kind="stable")
    return np.lexsort((frame, track_id))


def presence_segments(frame: np.ndarray, track_id: np.ndarray, order: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contiguous runs of frames per track: ``(track_id, first_frame, last_frame)`` arrays.

    Sorting once by (track, frame) and splitting where the track changes or the frame
    jumps by more than one is O(N log N) and needs no Python loop over tracks.
    """
    frame = np.asarray(frame, np.int64)
    track_id = np.asarray(track_id, np.int64)
    if frame.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    order = track_order(frame, track_id) if order is None else order
    f, t = frame[order], track_id[order]
    brk = np.flatnonzero((np.diff(t) != 0) | (np.diff(f) > 1)) + 1
    starts = np.concatenate([[0], brk])
    ends = np.concatenate([brk - 1, [len(f) - 1]])
    return t[starts], f[starts], f[ends]


def suspected_switches(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray, *,
                       max_gap: int = 5, max_dist: float = 1.5,
                       order: np.ndarray | None = None) -> list[tuple[int, int, int]]:
    """``(frame, ended_track, started_track)`` where a track ends and another begins nearby.

    A simple heuristic (the editor's assistant refines it): track B's first box appears
    within ``max_gap`` frames after track A's last box, and its centre lies within
    ``max_dist`` box heights of A's last centre. The nearest candidate wins for each A.
    """
    frame = np.asarray(frame, np.int64)
    track_id = np.asarray(track_id, np.int64)
    xywh = np.asarray(xywh).reshape(-1, 4)
    if frame.size == 0:
        return []
    order = track_order(frame, track_id) if order is None else order
    t = track_id[order]
    first = np.concatenate([[0], np.flatnonzero(np.diff(t) != 0) + 1])
    last = np.concatenate([first[1:] - 1, [len(t) - 1]])
    ids = t[first]
    # index only the first/last row of each track, never the whole run
    f_first, f_last = frame[order[first]], frame[order[last]]
    b_first = xywh[order[first]].astype(np.float64)
    b_last = xywh[order[last]].astype(np.float64)
    c_first = b_first[:, :2] + b_first[:, 2:] / 2
    c_last = b_last[:, :2] + b_last[:, 2:] / 2
    dt = f_first[None, :] - f_last[:, None]  # rows: ending track, cols: starting track
    dist = np.linalg.norm(c_last[:, None, :] - c_first[None, :, :], axis=2)
    scale = np.maximum(b_last[:, 3], 1.0)[:, None]
    ok = (dt >= 1) & (dt <= max_gap) & (dist <= max_dist * scale)
    np.fill_diagonal(ok, False)
    out: list[tuple[int, int, int]] = []
    for a in np.flatnonzero(ok.any(axis=1)):
        cand = np.flatnonzero(ok[a])
        b = cand[np.argmin(dist[a, cand])]
        out.append((int(f_first[b]), int(ids[a]), int(ids[b])))
    out.sort()
    return out


def build_lanes(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray | None = None,
                *, max_gap: int = 5) -> LaneLayout:
    """Lay out one lane per track (ordered by first appearance) with gaps and switches."""
    frame = np.asarray(frame, np.int64)
    track_id = np.asarray(track_id, np.int64)
    if frame.size == 0:
        return LaneLayout.empty()
    order = track_order(frame, track_id)
    seg_t, seg_a, seg_b = presence_segments(frame, track_id, order)
    ids = np.unique(seg_t)
    first_seen = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(first_seen, np.searchsorted(ids, seg_t), seg_a)
    lane_order = ids[np.lexsort((ids, first_seen))]
    lane_of = np.empty(len(ids), np.int64)
    lane_of[np.searchsorted(ids, lane_order)] = np.arange(len(ids))
    seg_lane = lane_of[np.searchsorted(ids, seg_t)].astype(np.float64)
    n = len(seg_t)
    seg_x = np.empty(2 * n)
    seg_x[0::2], seg_x[1::2] = seg_a, seg_b + 1  # a segment covers [first, last + 1)
    seg_y = np.repeat(seg_lane, 2)
    connect = np.zeros(2 * n, bool)
    connect[0::2] = True
    # a gap starts where the next segment of the same track begins
    same = np.flatnonzero(seg_t[1:] == seg_t[:-1])
    gap_x = (seg_b[same] + 1).astype(np.float64)
    gap_y = seg_lane[same]
    switches: list[tuple[int, int, int]] = []
    if xywh is not None:
        switches = suspected_switches(frame, track_id, xywh, max_gap=max_gap, order=order)
    sw_x = np.array([s[0] for s in switches], np.float64)
    sw_y = np.array([lane_of[np.searchsorted(ids, s[2])] for s in switches], np.float64)
    return LaneLayout(lane_order, seg_x, seg_y, connect, gap_x, gap_y, sw_x, sw_y, switches)
