"""What the window has open: a project, its current sequence and run, as plain Python.

Qt-free so it can be tested and reused by the editor. It keeps the one in-memory model
of the shown run (``RunIndex``) that every view reads, and follows edits through their
deltas (:meth:`Session.apply`) instead of re-reading the run. The GUI thread owns this
session's ``Project``; worker threads open their own (the project room shares the
write lock within one process). A match-length run is loaded by a worker
(:func:`load_model`, ``select_run(load=False)``); until it arrives the viewer's frames
come from the project's per-frame index (``frame``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import Project
from sporttrack_gui.project.edits import EditResult
from sporttrack_gui.ui.run_index import FrameSlice, ModelChange, RunIndex

#: runs of sequences up to this many frames load inline (a few ms); longer ones in a worker
INLINE_FRAMES = 5000


def load_model(path: str | Path, run: int) -> RunIndex:
    """A run's model with its per-track table and lanes built: the whole O(N) part of
    showing a run, for a worker thread (its own project connection)."""
    with Project.open(path) as project:
        model = RunIndex.load(project.conn, run)
    model.lanes()
    return model


class Session:
    """An open project plus the selection (sequence, run) the window shows."""

    def __init__(self, project: Project, load: bool = True) -> None:
        self.project = project
        self.sequence: dict[str, Any] | None = None
        self.run: dict[str, Any] | None = None
        self.index = RunIndex.empty()
        self.loading = False  # the shown run's model is being loaded by a worker
        self.generation = 0  # +1 per edit: a model loaded meanwhile is stale
        self.meta: dict[int, dict[str, Any]] = {}
        seqs = project.sequences()
        if seqs:
            self.select_sequence(seqs[0]["id"], load=load)

    @classmethod
    def open(cls, path: str | Path, create: bool = False, load: bool = True,
             check: bool = True) -> Session:
        return cls(Project.open(path, create=create, check=check), load=load)

    @property
    def path(self) -> Path:
        return Path(self.project.path)

    def close(self) -> None:
        """Close the project; runs deleted undoably in this session are deleted for good
        (their undo ends with the project)."""
        if not self.project.readonly:
            from sporttrack_gui.project import lock, run_admin

            # on failure the next opening purges them (store._purge_trashed_runs)
            with contextlib.suppress(ProjectError, sqlite3.Error):
                run_admin.purge_trashed(self.project, owner=lock.PROCESS_TOKEN)
        self.project.close()

    # ---- selection --------------------------------------------------------------
    def sequences(self) -> list[dict[str, Any]]:
        return self.project.sequences()

    def runs(self) -> list[dict[str, Any]]:
        if self.sequence is None:
            return []
        return self.project.runs(self.sequence["id"])

    def select_sequence(self, seq_id: int, load: bool = True) -> None:
        self.sequence = self.project.sequence(seq_id)
        runs = self.runs()
        # show the newest tracker output if there is one, else ground truth, else nothing
        preferred = [r for r in runs if r["kind"] in ("tracker", "manual", "sot")] or \
                    [r for r in runs if r["kind"] == "gt"] or runs
        self.select_run(preferred[-1]["id"] if preferred else None, load=load)

    def select_run(self, run_id: int | None, load: bool = True) -> None:
        """Show ``run_id``. ``load=False`` leaves a long run's model to a worker
        (``loading`` is then True until :meth:`set_model`); short runs load inline."""
        self.loading = False
        if run_id is None:
            self.run, self.index, self.meta = None, RunIndex.empty(), {}
            return
        run = self.project.run(run_id)
        if self.sequence is None or run["sequence_id"] != self.sequence["id"]:
            raise ProjectError(f"run {run['name']!r} belongs to another sequence")
        self.run = run
        self.meta = self.project.track_meta(run_id)
        if load or self.frame_count() <= INLINE_FRAMES:
            self.index = RunIndex.load(self.project.conn, run_id)
        else:
            self.index, self.loading = RunIndex.empty(), True

    def set_model(self, run_id: int, model: RunIndex, generation: int) -> bool:
        """Install a model loaded by a worker; False when it is stale (another run is
        shown, or an edit happened since the worker started)."""
        if self.run is None or int(self.run["id"]) != run_id or generation != self.generation:
            return False
        self.index, self.loading = model, False
        return True

    def reload_run(self) -> None:
        """Re-read the shown run (after a worker finished writing it)."""
        if self.run is not None:
            self.select_run(self.run["id"])

    def apply(self, result: EditResult | None) -> ModelChange | None:
        """Follow an edit/undo/redo of the shown run in the model (in place, by its
        delta); None when the model cannot follow (no delta, or still loading) and the
        caller must reload."""
        self.generation += 1
        if result is None or self.run is None:
            return None
        delta = result.delta
        if delta is None or delta.run != int(self.run["id"]) or self.loading:
            return None
        change = self.index.apply_delta(delta)
        if change.meta:
            self.meta = self.project.track_meta(int(self.run["id"]))
        return change

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
        if self.loading and self.run is not None:  # the per-frame index until the model is in
            fb = self.project.frame_boxes(int(self.run["id"]), frame)
            order = np.argsort(fb["track"], kind="stable")
            return FrameSlice(fb["xywh"][order], fb["track"][order], fb["cls"][order],
                              fb["conf"][order])
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
