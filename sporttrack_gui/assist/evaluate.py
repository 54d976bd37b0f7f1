"""The assistant measured against ground truth: switches found, real suspects, and the
IDF1 change from applying every top proposal.

Why here and headless: ``sporttrack assist --eval-gt``, the recall benchmark and tests
share one function, and "apply all" goes through the same undoable edits as a click in
the assistant panel (:meth:`Assistant.apply`), so what is measured is what a user gets.
"""

from __future__ import annotations

from typing import Any

from sporttrack_gui.assist.fix import Assistant
from sporttrack_gui.assist.suspects import Suspect
from sporttrack_gui.errors import SportTrackError


def _key(s: Suspect) -> tuple:
    return (s.kind, s.tracks, tuple(sorted(s.fix.items())))


#: a swap of two tracks this close (frames) to one already applied would undo or redo it
SWAP_BACK_FRAMES = 30


def _swaps_back(s: Suspect, swapped: dict[tuple[int, ...], list[int]]) -> bool:
    f = s.fix
    if f.get("op") != "swap":
        return False
    return any(abs(int(f["from_frame"]) - g) <= SWAP_BACK_FRAMES
               for g in swapped.get(tuple(sorted((int(f["a"]), int(f["b"])))), ()))


def apply_all(assistant: Assistant, min_score: float = 0.5,
              max_fixes: int = 10_000) -> tuple[list[dict[str, Any]], int]:
    """Best fix confidence first, rescan, repeat; refused edits are skipped.

    Why one by one with a rescan: fixes interact (a merge creates the gap the next
    proposal interpolates; a swap removes two jumps), so a proposal is only trusted
    against the current state of the run. A swap of two tracks near a swap of the same
    two already applied is left to a person: after the rescan it would exchange them
    back or again, i.e. the evidence does not say which way. Returns (applied suspects
    with ``op_id`` and ``rows``, number refused).
    """
    applied: list[dict[str, Any]] = []
    refused, seen = 0, set()
    swapped: dict[tuple[int, ...], list[int]] = {}
    while len(applied) < max_fixes:
        todo = [s for s in assistant.suspects if s.fix_confidence >= min_score
                and _key(s) not in seen and not _swaps_back(s, swapped)]
        if not todo:
            break
        s = max(todo, key=lambda s: (s.fix_confidence, -s.frame))
        seen.add(_key(s))
        try:
            res = assistant.apply(s)
        except SportTrackError:
            refused += 1
            continue
        if s.fix.get("op") == "swap":
            pair = tuple(sorted((int(s.fix["a"]), int(s.fix["b"]))))
            swapped.setdefault(pair, []).append(int(s.fix["from_frame"]))
        applied.append({**s.to_dict(), "op_id": res.op_id, "rows": res.rows})
    return applied, refused


def evaluate_assistant(assistant: Assistant, gt: Any, *, window: int = 15,
                       apply: bool = False, min_score: float = 0.5,
                       max_fixes: int = 10_000, iou_threshold: float = 0.5) -> dict[str, Any]:
    """Recall of the real switches, share of real suspects (per kind too), and with
    ``apply`` the IDF1 before and after :func:`apply_all` (the edits stay applied;
    each is one undoable step)."""
    from sporttrack_gui.eval.mot import evaluate_mot
    from sporttrack_gui.eval.switches import suspect_coverage, switch_events

    events = switch_events(gt, assistant.table, iou_threshold)
    cov = suspect_coverage(assistant.suspects, events, window)
    cov.pop("found_mask")
    cov.pop("real_mask")
    out: dict[str, Any] = {"window": window, **cov}
    if apply:
        before = evaluate_mot(gt, assistant.table, iou_threshold=iou_threshold, with_hota=False)
        applied, refused = apply_all(assistant, min_score, max_fixes)
        after = evaluate_mot(gt, assistant.table, iou_threshold=iou_threshold, with_hota=False)
        out.update(idf1_before=before["idf1"], idf1_after=after["idf1"],
                   switches_after=after["num_switches"], applied=len(applied),
                   refused=refused)
    return out
