"""Turn a proposed fix into one undoable edit, and a small stateful ``Assistant`` that
keeps a run's boxes in memory between fixes.

Why through :mod:`sporttrack_gui.project.edits`: every accepted proposal must be one
entry of the run's persistent edit log, so the GUI's undo, the CLI's ``edit undo`` and a
restart all see it like a hand-made edit. Why the in-memory copy: after a fix only the
touched tracks are read back (one indexed query each), so the next scan starts at once
even on a 3.4 M-box run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sporttrack_gui.assist.rejected import rejected_keys, remember_rejected, without_rejected
from sporttrack_gui.assist.scan import Embedder, FrameReader, scan_table
from sporttrack_gui.assist.suspects import ScanConfig, Suspect, next_suspect
from sporttrack_gui.project import edits, history, ops
from sporttrack_gui.project.store import Project

OPS = tuple(ops.FIX_OPS)


def apply_fix(project: Project, run: int, suspect: Suspect | Mapping[str, Any]) -> edits.EditResult:
    """Perform a suspect's proposed fix (or a fix dict) as one undoable edit: the fix's
    typed operation (``project.ops.from_fix``), applied like the GUI's and CLI's.

    Raises ``ProjectError`` for an unknown op and whatever the edit raises
    (``EditConflict`` / ``ProjectError``) when the project refuses it.
    """
    fix = suspect.fix if isinstance(suspect, Suspect) else suspect
    return ops.from_fix(fix).apply(project, run)


def touched_tracks(fix: Mapping[str, Any], result: edits.EditResult | None = None) -> set[int]:
    """Track ids whose boxes a fix may change (plus a new id the edit created)."""
    out = {int(fix[k]) for k in ("a", "b") if fix.get(k) is not None}
    if result is not None and result.new_track is not None:
        out.add(int(result.new_track))
    return out


class Assistant:
    """The ID-switch assistant over one run: scan, step, apply, undo.

    Keeps the run's boxes in memory; ``apply`` and ``undo`` refresh only the tracks the
    edit touched (``refresh(None)`` re-reads everything, e.g. after edits made elsewhere).
    """

    def __init__(self, project: Project, run: int, config: ScanConfig | None = None, *,
                 read_frame: FrameReader | None = None, embedder: Embedder | None = None):
        self.project, self.run = project, run
        self.config = config or ScanConfig()
        self.read_frame, self.embedder = read_frame, embedder
        self.table = project.boxes(run)
        self.rejected = rejected_keys(project, run)
        self.suspects: list[Suspect] = []
        self._touched: list[set[int]] = []  # per applied edit, for undo refreshes
        self.scan()

    def scan(self) -> list[Suspect]:
        self.suspects = without_rejected(
            scan_table(self.table, self.config, read_frame=self.read_frame,
                       embedder=self.embedder), self.rejected)
        return self.suspects

    def reject(self, suspect: Suspect) -> None:
        """Dismiss ``suspect`` for good (remembered in the project) and drop it from the list."""
        self.rejected = remember_rejected(self.project, self.run, suspect)
        self.suspects = without_rejected(self.suspects, self.rejected)

    def next_suspect(self, after_frame: int, wrap: bool = True) -> Suspect | None:
        return next_suspect(self.suspects, after_frame, wrap)

    def refresh(self, tracks: set[int] | None) -> None:
        """Re-read ``tracks`` from the project (all boxes when None) and rescan."""
        if tracks is None:
            self.table = self.project.boxes(self.run)
        else:
            from sporttrack_gui.formats.mot import MotTable

            keep = ~np.isin(self.table.track_id, np.fromiter(tracks, np.int64, len(tracks)))
            parts = [self.table.select(keep)]
            parts += [self.project.boxes(self.run, track=t) for t in sorted(tracks)]
            self.table = MotTable.concat(parts).sorted()
        self.scan()

    def apply(self, suspect: Suspect | Mapping[str, Any]) -> edits.EditResult:
        fix = suspect.fix if isinstance(suspect, Suspect) else suspect
        result = apply_fix(self.project, self.run, fix)
        touched = touched_tracks(fix, result)
        self._touched.append(touched)
        self.refresh(touched)
        return result

    def undo(self) -> edits.EditResult | None:
        """Undo the newest edit of the run; refreshes the tracks an assistant edit touched
        (everything if the edit was not made through this assistant)."""
        result = history.undo(self.project, self.run)
        if result is not None:
            self.refresh(self._touched.pop() if self._touched else None)
        return result
