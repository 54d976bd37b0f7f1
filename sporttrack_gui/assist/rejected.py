"""Rejected proposals, remembered in the project so a suspect the user dismissed does not
come back after the next rescan (or the next session).

Why keyed by kind, tracks and the proposed edit: that is what the user judged. A rescan
after other edits yields an equal key for the same proposal, while a different proposal
at the same place (another frame to swap from, another partner) is shown again.
Stored per run in the run's sequence ``meta`` (``assist_rejected``: {run id: [keys]}),
one small JSON value written in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sporttrack_gui.assist.suspects import Suspect

META_KEY = "assist_rejected"


def suspect_key(s: Suspect) -> str:
    """What the user judged: ``crossing|3,7|swap 3 7 --from 412``."""
    return f"{s.kind}|{','.join(map(str, s.tracks))}|{s.describe_fix()}"


def _all(project, run: int) -> tuple[int, dict[str, list[str]]]:
    seq = int(project.run(run)["sequence_id"])
    meta = project.sequence(seq).get("meta") or {}
    value = meta.get(META_KEY)
    return seq, dict(value) if isinstance(value, dict) else {}


def rejected_keys(project, run: int) -> set[str]:
    """Keys of the proposals rejected on ``run``."""
    _, by_run = _all(project, run)
    keys = by_run.get(str(run), [])
    return {str(k) for k in keys} if isinstance(keys, list) else set()


def remember_rejected(project, run: int, suspect: Suspect) -> set[str]:
    """Remember that ``suspect`` was rejected on ``run``; returns the run's keys."""
    seq, by_run = _all(project, run)
    keys = set(rejected_keys(project, run))
    keys.add(suspect_key(suspect))
    by_run[str(run)] = sorted(keys)
    project.set_sequence_meta(seq, META_KEY, by_run)
    return keys


def without_rejected(suspects: Iterable[Suspect], keys: set[str]) -> list[Suspect]:
    """``suspects`` minus the rejected ones (order kept)."""
    if not keys:
        return list(suspects)
    return [s for s in suspects if suspect_key(s) not in keys]
