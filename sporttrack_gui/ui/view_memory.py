"""Where the user was: the last sequence of each project and the frame of each sequence.

Stored in the user's settings (QSettings, ``ui.settings``) keyed by the project's
resolved path, not in the project file. Why: a viewing position is per-user state like
the recent-files list, not match data. Keeping it out of the ``.stp`` means merely
looking at a project never writes to it (read-only copies, a locked or shared file, a
file under version control stay byte-identical), and scrubbing never bumps run
timestamps. The cost: a project moved to another folder starts at its first sequence.

The frame is saved when the user switches sequence, opens another project, imports a
sequence or closes the window -- never per frame change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sporttrack_gui.ui import settings

GROUP = "positions"


def _key(project_path: str | Path) -> str:
    p = str(Path(project_path).resolve())
    return f"{GROUP}/{hashlib.sha1(p.encode('utf-8')).hexdigest()[:20]}"


def load(project_path: str | Path) -> dict[str, Any]:
    """``{"last": sequence id or None, "frames": {sequence id: frame}}`` (empty when
    nothing was saved or the entry is unreadable)."""
    raw = settings.value(_key(project_path))
    try:
        data = json.loads(str(raw)) if raw else {}
        frames = {int(k): int(v) for k, v in dict(data.get("frames", {})).items()}
        last = data.get("last")
        return {"last": int(last) if last is not None else None, "frames": frames}
    except (ValueError, TypeError, AttributeError):
        return {"last": None, "frames": {}}


def remember(project_path: str | Path, sequence_id: int, frame: int) -> None:
    """Store ``frame`` for ``sequence_id`` and make it the project's last sequence."""
    data = load(project_path)
    data["frames"][int(sequence_id)] = int(frame)
    data["last"] = int(sequence_id)
    settings.set_value(_key(project_path), json.dumps(
        {"path": str(Path(project_path).resolve()), "last": data["last"],
         "frames": {str(k): v for k, v in data["frames"].items()}}))


def save(window) -> None:
    """The window's current sequence and frame (nothing when no sequence is shown)."""
    s = window.session
    if s is None or s.sequence is None or window.playback.frame < 1:
        return
    remember(s.path, int(s.sequence["id"]), int(window.playback.frame))


def restore_sequence(window) -> None:
    """Select the project's last sequence (a just-opened session shows its first)."""
    s = window.session
    if s is None:
        return
    last = load(s.path)["last"]
    if last is None or (s.sequence is not None and int(s.sequence["id"]) == last):
        return
    if any(int(q["id"]) == last for q in s.sequences()):
        s.select_sequence(last, load=False)


def frame_for(window) -> int:
    """The remembered frame of the shown sequence (1 when none)."""
    s = window.session
    if s is None or s.sequence is None:
        return 1
    return max(1, load(s.path)["frames"].get(int(s.sequence["id"]), 1))
