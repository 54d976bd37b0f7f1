"""Naming policy for sequences and runs: the first free ``name``, ``name-2``, ``name-3``...

One rule for every writer (pipeline runs, single-object runs, imports) so a user sees the
same pattern whichever way a run was made.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def unique_name(base: str, taken: Iterable[str]) -> str:
    """``base`` itself when unused, else ``base-N`` with the smallest free N >= 2."""
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def free_run_name(project, sequence_id: int, base: str) -> str:
    """First free run name in a sequence (see :func:`unique_name`)."""
    return unique_name(base, (r["name"] for r in project.runs(sequence_id)))


def media_project_path(folder: Path, media: Path) -> Path:
    """The app-home project of a video or MOT folder opened directly: named after the
    file but keyed by its full path, so ``a/clip.mp4`` and ``b/clip.mp4`` get two."""
    real = os.path.realpath(media)
    digest = hashlib.sha1(os.fsencode(real)).hexdigest()[:10]
    stem = media.stem if media.is_file() else media.name
    return folder / f"{stem}-{digest}.stp"


def remove_project_files(project: Path) -> None:
    """Delete a project file and its SQLite/lock sidecars (a failed first import)."""
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
