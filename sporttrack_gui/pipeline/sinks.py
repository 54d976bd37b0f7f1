"""Where tracked boxes go: a project run (one transaction per commit) and/or a MOT file.

Why buffered: one SQLite transaction per frame would make writing the slowest stage; one
per ``commit_every`` frames keeps it negligible while bounding what a crash can lose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sporttrack_gui.core.boxes import Tracks, valid_box_mask


class TrackBuffer:
    """Collects (frame, Tracks) until flushed as one columnar ``MotTable``."""

    def __init__(self) -> None:
        self._frames: list[tuple[int, Tracks]] = []
        self.dropped = 0

    def add(self, frame: int, tracks: Tracks) -> Tracks:
        """Buffer ``tracks`` minus NaN/zero-area boxes (which no file or project accepts);
        returns what was kept."""
        keep = valid_box_mask(tracks.xyxy) & np.isfinite(tracks.conf) & (tracks.track_id >= 0)
        if not keep.all():
            self.dropped += int((~keep).sum())
            tracks = Tracks(tracks.xyxy[keep], tracks.track_id[keep], tracks.conf[keep],
                            tracks.cls[keep])
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
        self._tables: list = []
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, table) -> None:
        if len(table):
            self._tables.append(table)

    def finish(self, status: str, metrics: dict) -> None:
        from sporttrack_gui.formats.mot import MotTable, write_mot

        table = MotTable.concat(self._tables) if self._tables else MotTable.empty()
        write_mot(self.path, table.sorted(), kind="results")
