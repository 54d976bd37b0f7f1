"""Assign whole sequences to train/val/test.

Why by sequence: consecutive frames of one clip are near-duplicates; frames of one clip in
both train and val make validation scores meaningless. Why a seed: the same inputs must
give the same dataset so experiments can be repeated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SPLITS = ("train", "val", "test")


def plan_splits(names: Sequence[str], fractions: Sequence[float],
                seed: int = 0) -> tuple[dict[str, list[str]], list[str]]:
    """Map each split to the sequence names it gets, plus notes for the user.

    Counts follow the fractions by largest remainder; every split with a non-zero fraction
    gets at least one sequence when there are enough. With fewer sequences than such
    splits, train is filled first, then val, then test, and a note says what stayed empty.
    The result depends only on the set of names, the fractions and the seed.
    """
    if len(fractions) != 3:
        raise ValueError(f"split needs 3 fractions (train, val, test), got {list(fractions)}")
    frac = np.asarray(fractions, np.float64)
    if not np.isfinite(frac).all() or (frac < 0).any() or frac.sum() <= 0 or frac[0] <= 0:
        raise ValueError(f"split fractions must be >= 0 with train > 0, got {list(fractions)}")
    if len(set(names)) != len(names):
        raise ValueError("sequence names must be unique")
    frac = frac / frac.sum()
    ordered = sorted(names)
    rng = np.random.default_rng(seed)
    shuffled = [ordered[i] for i in rng.permutation(len(ordered))]
    counts = _counts(len(shuffled), frac)
    notes: list[str] = []
    active = [s for s, f in zip(SPLITS, frac, strict=True) if f > 0]
    if 0 < len(shuffled) < len(active):
        empty = [s for s, c in zip(SPLITS, counts, strict=True) if c == 0 and s in active]
        notes.append(f"only {len(shuffled)} sequence(s) for {len(active)} splits: filled "
                     f"train first; {', '.join(empty)} left empty")
    plan: dict[str, list[str]] = {}
    start = 0
    for split, count in zip(SPLITS, counts, strict=True):
        plan[split] = sorted(shuffled[start:start + count])
        start += count
    return plan, notes


def _counts(n: int, frac: np.ndarray) -> list[int]:
    active = frac > 0
    if n <= active.sum():  # one each, in split order
        return _fill_in_order(n, active)
    raw = n * frac
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    for i in np.flatnonzero(active & (counts == 0)):  # every active split gets one
        counts[int(np.argmax(counts))] -= 1
        counts[i] += 1
    return counts.tolist()


def _fill_in_order(n: int, active: np.ndarray) -> list[int]:
    counts = [0, 0, 0]
    for i in np.flatnonzero(active)[:n]:
        counts[int(i)] = 1
    return counts
