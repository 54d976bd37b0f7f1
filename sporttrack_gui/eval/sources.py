"""Resolve what users type for ``--gt`` / ``--pred`` into a ``MotTable``.

Accepted: a MOT text file, a MOTChallenge sequence folder (its ``gt/gt.txt``), or a run
inside a project file written ``PROJECT.stp:RUN`` (run name or numeric id; a run name used
in several sequences is written ``PROJECT.stp:SEQUENCE/RUN``). The project is opened
read-only, so evaluating never takes the write lock from a GUI that has it open.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import InputError

log = logging.getLogger(__name__)

PROJECT_SUFFIXES = (".stp", ".sqlite", ".db")


def split_project_ref(text: str) -> tuple[Path, str] | None:
    """``("a/b.stp", "run")`` for ``a/b.stp:run``; None when ``text`` names no project run."""
    lowered = text.lower()
    for suffix in PROJECT_SUFFIXES:
        pos = lowered.rfind(suffix + ":")
        if pos > 0:
            return Path(text[:pos + len(suffix)]), text[pos + len(suffix) + 1:]
    return None


def load_project_run(path: Path, ref: str) -> Any:
    """Boxes of one run of a project file (opened read-only)."""
    from sporttrack_gui.project import Project

    if not ref:
        raise InputError("empty run name after ':'", str(path))
    seq, _, name = ref.rpartition("/")
    from sporttrack_gui.project.store import partial_run_note

    with Project.open(path, readonly=True) as p:
        run = int(name) if name.isdigit() and not seq else p.run_id(name, seq or None)
        note = partial_run_note(p.run(run))
        if note:
            log.warning("%s: %s; the metrics cover those frames only", path, note)
        return p.boxes(run)


def load_table(text: str, *, kind: str = "auto") -> Any:
    """A ``MotTable`` from a file, a sequence folder or ``PROJECT:RUN``."""
    from sporttrack_gui.formats.mot import find_mot_sequence, read_mot

    ref = split_project_ref(text)
    if ref is not None:
        return load_project_run(*ref)
    path = Path(text)
    if not path.exists():
        raise InputError("no such file, folder or PROJECT.stp:RUN", text)
    if path.is_dir():
        seq = find_mot_sequence(path)
        if seq.gt is None:
            raise InputError("sequence folder has no gt/gt.txt", text)
        return read_mot(seq.gt, kind=kind)
    return read_mot(path, kind=kind)
