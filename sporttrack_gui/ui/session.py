"""What the window has open: a project, its current sequence and run, as plain Python.

Qt-free so it can be tested and reused by the editor. It talks to the project room's
``Project`` API only (no SQL text) and keeps the viewer's ``RunIndex`` of the shown run.
The GUI thread owns this session's ``Project``; worker threads open their own (the
project room shares the write lock within one process).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import Project
from sporttrack_gui.ui.run_index import FrameSlice, RunIndex


class Session:
    """An open project plus the selection (sequence, run) the window shows."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.sequence: dict[str, Any] | None = None
        self.run: dict[str, Any] | None = None
        self.index = RunIndex.empty()
        self.meta: dict[int, dict[str, Any]] = {}
        seqs = project.sequences()
        if seqs:
            self.select_sequence(seqs[0]["id"])

    @classmethod
    def open(cls, path: str | Path, create: bool = False) -> Session:
        return cls(Project.open(path, create=create))

    @property
    def path(self) -> Path:
        return Path(self.project.path)

    def close(self) -> None:
        self.project.close()

    # ---- selection --------------------------------------------------------------
    def sequences(self) -> list[dict[str, Any]]:
        return self.project.sequences()

    def runs(self) -> list[dict[str, Any]]:
        if self.sequence is None:
            return []
        return self.project.runs(self.sequence["id"])

    def select_sequence(self, seq_id: int) -> None:
        self.sequence = self.project.sequence(seq_id)
        runs = self.runs()
        # show the newest tracker output if there is one, else ground truth, else nothing
        preferred = [r for r in runs if r["kind"] in ("tracker", "manual", "sot")] or \
                    [r for r in runs if r["kind"] == "gt"] or runs
        self.select_run(preferred[-1]["id"] if preferred else None)

    def select_run(self, run_id: int | None) -> None:
        if run_id is None:
            self.run, self.index, self.meta = None, RunIndex.empty(), {}
            return
        run = self.project.run(run_id)
        if self.sequence is None or run["sequence_id"] != self.sequence["id"]:
            raise ProjectError(f"run {run['name']!r} belongs to another sequence")
        self.run = run
        self.index = RunIndex.from_table(self.project.boxes(run_id))
        self.meta = self.project.track_meta(run_id)

    def reload_run(self) -> None:
        """Re-read the shown run (after a worker finished writing it)."""
        if self.run is not None:
            self.select_run(self.run["id"])

    def gt_run(self) -> dict[str, Any] | None:
        """The sequence's ground-truth run (the newest one if several)."""
        gts = [r for r in self.runs() if r["kind"] == "gt"]
        return gts[-1] if gts else None

    def source(self) -> str | None:
        return None if self.sequence is None else str(self.sequence["source"])

    def frame_count(self) -> int:
        if self.sequence is None:
            return 0
        return int(self.sequence.get("frame_count") or 0)

    def frames_on_disk(self) -> int | None:
        """Frames that have pixels, when the import found fewer than the sequence length."""
        n = ((self.sequence or {}).get("meta") or {}).get("frames_on_disk")
        return int(n) if n else None

    def fps(self) -> float:
        return float((self.sequence or {}).get("fps") or 25.0)

    # ---- what the viewer draws ------------------------------------------------------
    def frame(self, frame: int) -> FrameSlice:
        return self.index.at(frame)

    def label(self, track_id: int, cls: int) -> str:
        """``"7 player Messi"``: id, class and name where the project has them.

        The class is left out when the name already starts with it (SoccerNet names
        read "player left 4"), so tags stay short on crowded frames.
        """
        if track_id < 0:
            return "det"
        meta = self.meta.get(int(track_id), {})
        parts = [str(int(track_id))]
        klass, name = str(meta.get("class") or ""), str(meta.get("label") or "")
        if klass and not name.lower().startswith(klass.lower()):
            parts.append(klass)
        if name:
            parts.append(name)
        return " ".join(parts)

    def labels(self, track_ids: np.ndarray, cls: np.ndarray) -> list[str]:
        return [self.label(int(t), int(c)) for t, c in zip(track_ids, cls, strict=True)]

    def team_tracks(self, team: str) -> set[int]:
        return {t for t, m in self.meta.items() if (m.get("team") or "") == team}

    def teams(self) -> list[str]:
        return sorted({str(m["team"]) for m in self.meta.values() if m.get("team")})
