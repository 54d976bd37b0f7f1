"""Where tracked boxes go: a project run (one transaction per commit) and/or a MOT file.

Why buffered: one SQLite transaction per frame would make writing the slowest stage; one
per ``commit_every`` frames keeps it negligible while bounding what a crash can lose.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from sporttrack_gui.core.boxes import Tracks, valid_box_mask
from sporttrack_gui.errors import TrackerError

log = logging.getLogger(__name__)


class TrackBuffer:
    """Collects (frame, Tracks) until flushed as one columnar ``MotTable``."""

    def __init__(self, tracker: str = "tracker") -> None:
        self._frames: list[tuple[int, Tracks]] = []
        self.tracker = tracker

    def add(self, frame: int, tracks: Tracks) -> Tracks:
        """Buffer ``tracks`` after checking them: a NaN, zero-size or id-less box is a
        tracker bug, and dropping it silently would store a run that looks complete while
        boxes vanished; it stops the run with the frame and the first bad box instead."""
        if not isinstance(tracks, Tracks):
            raise TrackerError(f"tracker {self.tracker!r} returned {type(tracks).__name__} "
                               f"at frame {frame}, expected Tracks")
        keep = valid_box_mask(tracks.xyxy) & np.isfinite(tracks.conf) & (tracks.track_id >= 0)
        if not keep.all():
            i = int(np.flatnonzero(~keep)[0])
            raise TrackerError(
                f"tracker {self.tracker!r} returned {int((~keep).sum())} invalid box(es) at "
                f"frame {frame} (first: id {int(tracks.track_id[i])}, x1,y1,x2,y2 "
                f"{[round(float(v), 2) for v in tracks.xyxy[i]]}, conf "
                f"{float(tracks.conf[i]):.3g}); boxes need finite values, width and height "
                "> 0 and an id >= 0. The run keeps the frames before and is marked incomplete")
        self._frames.append((frame, tracks))
        return tracks

    @property
    def frames(self) -> int:
        return len(self._frames)

    def take(self):
        """Return (MotTable of buffered boxes, the (frame, Tracks) list) and clear."""
        from sporttrack_gui.formats.mot import MotTable

        items, self._frames = self._frames, []
        n = [len(t) for _, t in items]
        if not items or sum(n) == 0:
            return MotTable.empty(), items
        frame = np.repeat(np.array([f for f, _ in items], np.int32), n)
        tid = np.concatenate([t.track_id for _, t in items])
        xywh = np.concatenate([t.xywh for _, t in items])
        conf = np.concatenate([t.conf for _, t in items])
        cls = np.concatenate([t.cls for _, t in items])
        return MotTable.from_arrays(frame, tid, xywh, conf=conf, cls=cls), items


class ProjectSink:
    """Appends to one run of a project opened (and owned) by the pipeline's thread."""

    def __init__(self, project, run_id: int) -> None:
        self.project = project
        self.run_id = run_id

    def write(self, table) -> None:
        if len(table):
            self.project.append_boxes(self.run_id, table)

    def finish(self, status: str, metrics: dict) -> None:
        self.project.set_run_metrics(self.run_id, metrics)
        self.project.set_run_status(self.run_id, status)


class ResultsFileSink:
    """MOTChallenge results file, written whole at the end (``write_mot`` writes atomically,
    so readers never see half a file; the project is the crash-safe store)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.written: Path | None = None
        self._tables: list = []
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, table) -> None:
        if len(table):
            self._tables.append(table)

    def finish(self, status: str, metrics: dict) -> None:
        """Write the file under its name for a complete run only: a cut-short run (cancel,
        Ctrl+C, error) under the final name would look like a whole results file to the
        next tool, so what it tracked goes to ``<stem>.incomplete<suffix>`` instead."""
        from sporttrack_gui.formats.mot import MotTable, write_mot

        table = MotTable.concat(self._tables) if self._tables else MotTable.empty()
        target = self.path if status == "complete" else partial_path(self.path)
        write_mot(target, table.sorted(), kind="results")
        self.written = target
        if target != self.path:
            log.warning("the run stopped before its end: %s not written; the %d boxes "
                        "tracked are in %s", self.path, len(table), target)


def partial_path(path: Path) -> Path:
    """Where a cut-short run's results go: ``res.txt`` -> ``res.incomplete.txt``."""
    return path.with_name(f"{path.stem}.incomplete{path.suffix}")
