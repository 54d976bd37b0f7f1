"""ID-switch assistant (Qt-free): find suspicious places of a run and propose fixes.

    from sporttrack_gui.assist import Assistant, scan_run, apply_fix
    sus = scan_run(project, run)            # sorted by frame
    s = next_suspect(sus, after_frame=400)  # one-key stepping
    apply_fix(project, run, s)              # one undoable edit (project.history.undo)
"""

from __future__ import annotations

from sporttrack_gui.assist.fix import Assistant, apply_fix, touched_tracks
from sporttrack_gui.assist.scan import TrackArrays, overlapping_pairs, scan_table
from sporttrack_gui.assist.suspects import (
    KINDS,
    ScanConfig,
    Suspect,
    next_suspect,
    previous_suspect,
    sort_suspects,
)


def scan_run(project, run: int, config: ScanConfig | None = None, **kw) -> list[Suspect]:
    """Suspects of a stored run (reads all its boxes once)."""
    return scan_table(project.boxes(run), config, **kw)


__all__ = ["Assistant", "KINDS", "ScanConfig", "Suspect", "TrackArrays", "apply_fix",
           "next_suspect", "overlapping_pairs", "previous_suspect", "scan_run", "scan_table",
           "sort_suspects", "touched_tracks"]
