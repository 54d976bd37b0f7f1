"""In-memory index of one run's boxes for the viewer: boxes of a frame, trails, lanes.

Qt-free. Why not query SQLite per frame: scrubbing asks for dozens of frames a second
and trails need the previous N frames of every visible track; one load of the run into
sorted numpy columns answers both with ``searchsorted`` in microseconds. Boxes that
arrive from a live run are appended in place so they show while the run proceeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.ui.lanes import LaneLayout, build_lanes, track_order


@dataclass(frozen=True)
class FrameSlice:
    """One frame's boxes: xywh pixels, ids, classes, confidences."""

    xywh: np.ndarray
    track_id: np.ndarray
    cls: np.ndarray
    conf: np.ndarray

    @property
    def xyxy(self) -> np.ndarray:
        out = self.xywh.astype(np.float32, copy=True)
        out[:, 2:] += out[:, :2]
        return out

    def __len__(self) -> int:
        return len(self.track_id)


class RunIndex:
    """Boxes of a run sorted by (frame, track); ``add`` appends frames of a live run."""

    def __init__(self, frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray,
                 cls: np.ndarray | None = None, conf: np.ndarray | None = None) -> None:
        n = len(frame)
        frame = np.asarray(frame, np.int64)
        track_id = np.asarray(track_id, np.int64)
        # ``Project.boxes`` already sorts by frame: skip re-sorting millions of rows then
        presorted = n < 2 or bool((np.diff(frame) >= 0).all())
        order = np.arange(n) if presorted else np.lexsort((track_id, frame))
        self.frame = frame[order]
        self.track_id = track_id[order]
        self.xywh = np.asarray(xywh, np.float32).reshape(-1, 4)[order]
        self.cls = (np.zeros(n, np.int32) if cls is None else np.asarray(cls, np.int32))[order]
        self.conf = (np.ones(n, np.float32) if conf is None else np.asarray(conf, np.float32))[order]
        self._pending: list[tuple[np.ndarray, ...]] = []
        self._lanes: LaneLayout | None = None

    @classmethod
    def from_table(cls, table) -> RunIndex:
        """From a formats ``MotTable`` (what ``Project.boxes`` returns)."""
        return cls(table.frame, table.track_id, table.xywh, table.cls, table.conf)

    @classmethod
    def empty(cls) -> RunIndex:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4), np.float32))

    def __len__(self) -> int:
        self._flush()
        return len(self.frame)

    # ---- live runs -----------------------------------------------------------
    def add(self, frame: int, xyxy: np.ndarray, track_id: np.ndarray,
            cls: np.ndarray | None = None, conf: np.ndarray | None = None) -> None:
        """Append one frame of tracker output (xyxy, as trackers emit it)."""
        xyxy = np.asarray(xyxy, np.float32).reshape(-1, 4)
        n = len(xyxy)
        xywh = xyxy.copy()
        xywh[:, 2:] -= xywh[:, :2]
        self._pending.append((np.full(n, frame, np.int64), np.asarray(track_id, np.int64),
                              xywh, np.zeros(n, np.int32) if cls is None else np.asarray(cls, np.int32),
                              np.ones(n, np.float32) if conf is None else np.asarray(conf, np.float32)))
        self._lanes = None

    def _flush(self) -> None:
        """Merge pending frames; sorting is only needed when they arrived out of order."""
        if not self._pending:
            return
        parts = list(zip(*self._pending, strict=True))
        self._pending.clear()
        frame = np.concatenate([self.frame, *parts[0]])
        track = np.concatenate([self.track_id, *parts[1]])
        xywh = np.concatenate([self.xywh, *parts[2]])
        cls = np.concatenate([self.cls, *parts[3]])
        conf = np.concatenate([self.conf, *parts[4]])
        order = np.lexsort((track, frame))
        self.frame, self.track_id, self.xywh = frame[order], track[order], xywh[order]
        self.cls, self.conf = cls[order], conf[order]

    # ---- queries ---------------------------------------------------------------
    def at(self, frame: int) -> FrameSlice:
        self._flush()
        lo, hi = np.searchsorted(self.frame, [frame, frame + 1])
        return FrameSlice(self.xywh[lo:hi], self.track_id[lo:hi], self.cls[lo:hi], self.conf[lo:hi])

    def track_ids(self) -> np.ndarray:
        self._flush()
        return np.unique(self.track_id[self.track_id >= 0])

    def frames_range(self) -> tuple[int, int] | None:
        self._flush()
        return (int(self.frame[0]), int(self.frame[-1])) if len(self.frame) else None

    def trails(self, frame: int, length: int, only: set[int] | None = None
               ) -> list[tuple[int, np.ndarray]]:
        """Foot points of each track visible on ``frame`` over the last ``length`` frames."""
        self._flush()
        lo, hi = np.searchsorted(self.frame, [frame - length + 1, frame + 1])
        if hi - lo == 0:
            return []
        visible = set(self.track_id[np.searchsorted(self.frame, frame):hi].tolist())
        if only is not None:
            visible &= only
        t, b = self.track_id[lo:hi], self.xywh[lo:hi]
        foot = np.stack([b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3]], axis=1)
        out = []
        for tid in sorted(visible):
            if tid < 0:
                continue
            pts = foot[t == tid]
            if len(pts) > 1:
                out.append((tid, pts))
        return out

    def track_points(self, track_id: int | None = None) -> np.ndarray:
        """Foot points (x, y) of one track, or of all boxes with ``None`` (for heatmaps)."""
        self._flush()
        b = self.xywh if track_id is None else self.xywh[self.track_id == track_id]
        return np.stack([b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3]], axis=1)

    def track_stats(self) -> dict[int, tuple[int, int, int]]:
        """Track id -> (first frame, last frame, box count), vectorised (3 M boxes: ~0.3 s)."""
        self._flush()
        real = self.track_id >= 0
        t, f = self.track_id[real], self.frame[real]
        if not len(t):
            return {}
        order = track_order(f, t)
        t, f = t[order], f[order]
        starts = np.concatenate([[0], np.flatnonzero(np.diff(t)) + 1])
        ends = np.concatenate([starts[1:], [len(t)]])
        return {int(tid): (int(a), int(b), int(n)) for tid, a, b, n in
                zip(t[starts], np.minimum.reduceat(f, starts), np.maximum.reduceat(f, starts),
                    ends - starts, strict=True)}

    def lanes(self) -> LaneLayout:
        """Lane layout, cached until boxes change; without suspect markers (the window
        adds the assistant's with ``LaneLayout.with_suspects`` -- no second scan)."""
        self._flush()
        if self._lanes is None:
            real = self.track_id >= 0
            self._lanes = build_lanes(self.frame[real], self.track_id[real], suspects=[])
        return self._lanes
