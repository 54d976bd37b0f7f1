"""Naming policy for sequences and runs: the first free ``name``, ``name-2``, ``name-3``...

One rule for every writer (pipeline runs, single-object runs, imports) so a user sees the
same pattern whichever way a run was made.
"""

from __future__ import annotations

from collections.abc import Iterable


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
