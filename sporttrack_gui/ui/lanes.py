"""Timeline lane geometry: where each track exists, its gaps, and suspected ID switches.

Qt-free on purpose: the timeline must stay responsive with 500 tracks over 135,000
frames, so everything here is vectorised numpy that turns a run's boxes into a few flat
arrays (segment end points + a ``connect`` mask) that one pyqtgraph item can draw. It is
tested without a display. Suspected ID switches are not guessed here: the markers come
from the ``assist`` package, the same list the assistant panel shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class LaneLayout:
    """Everything the timeline draws for one run.

    ``track_ids[k]`` is drawn on lane ``k`` (y = k). ``seg_x``/``seg_y`` hold two points
    per contiguous presence segment, ``connect`` joins each pair and breaks between pairs
    (pyqtgraph's ``connect`` array). Gaps are frames where a track is missing between two
    of its boxes; ``switches`` are the (frame, track) points the ID-switch assistant
    suspects, drawn at ``switch_x``/``switch_y``.
    """

    track_ids: np.ndarray
    seg_x: np.ndarray
    seg_y: np.ndarray
    connect: np.ndarray
    gap_x: np.ndarray
    gap_y: np.ndarray
    switch_x: np.ndarray
    switch_y: np.ndarray
    switches: list[tuple[int, int]]

    @property
    def n_lanes(self) -> int:
        return len(self.track_ids)

    def lane_of(self, track_id: int) -> int | None:
        hit = np.flatnonzero(self.track_ids == track_id)
        return int(hit[0]) if len(hit) else None

    def with_suspects(self, suspects: Sequence[Any]) -> LaneLayout:
        """The same lanes with the markers of ``suspects`` (after an assistant rescan)."""
        ids = np.sort(self.track_ids)
        lane_of = np.empty(len(ids), np.int64)
        lane_of[np.searchsorted(ids, self.track_ids)] = np.arange(len(ids))
        markers = suspect_markers(suspects)
        sw_x, sw_y = _marker_arrays(markers, ids, lane_of)
        return replace(self, switch_x=sw_x, switch_y=sw_y, switches=markers)

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


def suspect_markers(suspects: Sequence[Any]) -> list[tuple[int, int]]:
    """``(frame, track)`` marker points of the ID-switch assistant's suspects: one on the
    lane of every track a suspect involves (``assist.Suspect.frame``/``.tracks``)."""
    out = {(int(s.frame), int(t)) for s in suspects for t in s.tracks}
    return sorted(out)


def _marker_arrays(markers: list[tuple[int, int]], track_ids: np.ndarray,
                   lane_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not markers or not len(track_ids):
        return np.zeros(0), np.zeros(0)
    f = np.array([m[0] for m in markers], np.float64)
    t = np.array([m[1] for m in markers], np.int64)
    pos = np.clip(np.searchsorted(track_ids, t), 0, len(track_ids) - 1)
    ok = track_ids[pos] == t  # tracks without a lane (e.g. deleted) get no marker
    return f[ok], lane_of[pos[ok]].astype(np.float64)


def build_lanes(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray | None = None,
                *, suspects: Sequence[Any] | None = None) -> LaneLayout:
    """Lay out one lane per track (ordered by first appearance) with gaps and markers.

    Markers are the ID-switch assistant's suspects: given as ``suspects``, or, when only
    ``xywh`` is given, found by ``assist.scan_table`` on these boxes (one source for the
    timeline and the assistant panel; the window passes the panel's list instead of
    scanning twice).
    """
    frame = np.asarray(frame, np.int64)
    track_id = np.asarray(track_id, np.int64)
    if frame.size == 0:
        return LaneLayout.empty()
    order = track_order(frame, track_id)
    seg_t, seg_a, seg_b = presence_segments(frame, track_id, order)
    if suspects is None and xywh is not None:
        from sporttrack_gui.assist import scan_table
        from sporttrack_gui.formats.mot import MotTable

        suspects = scan_table(MotTable.from_arrays(frame, track_id, np.asarray(xywh).reshape(-1, 4)))
    return lanes_from_segments(seg_t, seg_a, seg_b, suspects=suspects)


def lanes_from_segments(seg_t: np.ndarray, seg_a: np.ndarray, seg_b: np.ndarray, *,
                        suspects: Sequence[Any] | None = None) -> LaneLayout:
    """The layout from presence segments sorted by (track, first frame).

    Why separate: the run model keeps each track's segments and updates only the
    tracks an edit touched, so after an edit the lanes cost O(segments), not O(boxes).
    """
    seg_t = np.asarray(seg_t, np.int64)
    seg_a = np.asarray(seg_a, np.int64)
    seg_b = np.asarray(seg_b, np.int64)
    if seg_t.size == 0:
        return LaneLayout.empty()
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
    markers = suspect_markers(suspects or [])
    sw_x, sw_y = _marker_arrays(markers, ids, lane_of)
    return LaneLayout(lane_order, seg_x, seg_y, connect, gap_x, gap_y, sw_x, sw_y, markers)


# ---- what the scrolling timeline needs: per-lane slices, visible rows, tooltips ----------

@dataclass(frozen=True)
class LaneIndex:
    """Segments regrouped by lane: lane ``k``'s segments are ``a[starts[k]:starts[k+1]]``
    (first frames) and ``b[...]`` (end, exclusive), in frame order.

    Why: the timeline draws only the lanes on screen, each in its track's colour; one
    stable sort per layout (O(segments)) makes every visible lane a slice, so scrolling
    costs O(visible lanes), never a pass over all segments or boxes.
    """

    starts: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @classmethod
    def of(cls, layout: LaneLayout) -> LaneIndex:
        lane = layout.seg_y[0::2].astype(np.int64)
        order = np.argsort(lane, kind="stable")
        starts = np.searchsorted(lane[order], np.arange(layout.n_lanes + 1))
        return cls(starts, layout.seg_x[0::2][order], layout.seg_x[1::2][order])

    def segments(self, lane: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.starts[lane]), int(self.starts[lane + 1])
        return self.a[lo:hi], self.b[lo:hi]

    def curve(self, lane: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, y, connect) of one lane for a pyqtgraph curve (pairs joined, broken between)."""
        a, b = self.segments(lane)
        x = np.empty(2 * len(a))
        x[0::2], x[1::2] = a, b
        conn = np.zeros(len(x), bool)
        conn[0::2] = True
        return x, np.full(len(x), float(lane)), conn


def visible_lanes(top: float, bottom: float, n_lanes: int) -> range:
    """Lanes whose row (lane ± 0.5) meets the view's y range [top, bottom]."""
    lo = max(0, int(np.floor(top + 0.5)))
    hi = min(n_lanes, int(np.ceil(bottom + 0.5)))
    return range(lo, max(lo, hi))


def lane_tooltip(layout: LaneLayout, index: LaneIndex, lane: int, name: str = "") -> str:
    """"Track 7 (Messi): frames 12–340, 3 stretches, 2 gaps" for the lane under the mouse."""
    a, b = index.segments(lane)
    tid = int(layout.track_ids[lane])
    label = f"Track {tid}" + (f" ({name})" if name else "")
    if not len(a):
        return label
    frames = int((b - a).sum())
    gaps = len(a) - 1
    return (f"{label}: frames {int(a[0])}–{int(b[-1]) - 1}, {frames:,} frames present"
            + (f", {gaps} gap{'s' if gaps != 1 else ''}" if gaps else ", no gaps")
            + "\nClick: select · double-click: jump to frame · right-click: track menu")


class SuspectIndex:
    """The assistant's suspects by track, frames sorted: the ✖ under the mouse is found
    by a binary search, not a pass over every suspect on each mouse move."""

    def __init__(self, suspects: Sequence[Any]) -> None:
        by_track: dict[int, list[Any]] = {}
        for s in suspects:
            for t in s.tracks:
                by_track.setdefault(int(t), []).append(s)
        self._index: dict[int, tuple[np.ndarray, list[Any]]] = {}
        for t, items in by_track.items():
            items.sort(key=lambda s: s.frame)
            self._index[t] = (np.array([s.frame for s in items], np.float64), items)

    def near(self, track_id: int, frame: float, tolerance: float) -> list[Any]:
        """Suspects on ``track_id`` within ``tolerance`` frames of ``frame``, nearest first."""
        entry = self._index.get(int(track_id))
        if entry is None:
            return []
        frames, items = entry
        lo = np.searchsorted(frames, frame - tolerance, side="left")
        hi = np.searchsorted(frames, frame + tolerance, side="right")
        near = items[int(lo):int(hi)]
        return sorted(near, key=lambda s: abs(float(s.frame) - frame))


def suspects_near(suspects: Sequence[Any], track_id: int, frame: float, tolerance: float
                  ) -> list[Any]:
    """The assistant's suspects on ``track_id`` within ``tolerance`` frames of ``frame``
    (nearest first) -- what a ✖ marker under the mouse stands for."""
    return SuspectIndex(suspects).near(track_id, frame, tolerance)


def suspect_tooltip(suspects: Sequence[Any]) -> str:
    """Kind, frame(s), tracks and score of each suspect (the ✖ marker's tooltip)."""
    lines = []
    for s in suspects:
        frames = {int(s.frame)}
        for key in ("from_frame", "frame", "to_frame"):
            v = getattr(s, "fix", {}).get(key) if isinstance(getattr(s, "fix", None), dict) else None
            if isinstance(v, int | float):
                frames.add(int(v))
        fr = sorted(frames)
        span = f"frame {fr[0]}" if len(fr) == 1 else f"frames {fr[0]}–{fr[-1]}"
        tracks = ", ".join(str(int(t)) for t in s.tracks)
        lines.append(f"Suspected {str(s.kind).replace('_', ' ')}: {span}, tracks {tracks}, "
                     f"score {float(s.score):.2f}" + (f"\n  {s.reason}" if s.reason else ""))
    return "\n".join(lines)
