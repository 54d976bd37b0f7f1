"""The assistant's vocabulary: a ``Suspect`` (what looks wrong, where, and the edit that
would fix it) and the thresholds of a scan (``ScanConfig``).

Why a proposed fix is a plain dict and not a callable: the GUI shows it, the CLI prints
it as JSON, tests compare it, and :func:`sporttrack_gui.assist.fix.apply_fix` turns it
into exactly one undoable edit of :mod:`sporttrack_gui.project.edits`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: kinds in the order a user usually wants to settle them at one frame
KINDS = ("crossing", "jump", "end_begin", "duplicate", "short", "gap")


@dataclass(frozen=True)
class Suspect:
    """One suspicious place of a run.

    ``frame`` is where to look (1-based), ``tracks`` the ids involved, ``score`` a
    confidence in [0, 1] that the proposed ``fix`` is right, ``reason`` one sentence for
    the user, ``fix`` an edit description such as ``{"op": "swap", "a": 3, "b": 7,
    "from_frame": 412}``.
    """

    kind: str
    frame: int
    tracks: tuple[int, ...]
    score: float
    reason: str
    fix: dict[str, Any] = field(default_factory=dict)
    #: confidence that ``fix`` is the right edit (``None``: same as ``score``); "apply all"
    #: ranks by it, so a likely switch whose direction is unclear is shown, not auto-applied
    fix_score: float | None = None

    @property
    def fix_confidence(self) -> float:
        return float(self.score if self.fix_score is None else self.fix_score)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "frame": self.frame, "tracks": list(self.tracks),
                "score": round(float(self.score), 4), "reason": self.reason, "fix": dict(self.fix),
                "fix_score": round(self.fix_confidence, 4)}

    def describe_fix(self) -> str:
        """The fix as a short command-like text (``swap 3 7 --from 412``)."""
        f = self.fix
        op = f.get("op", "?")
        if op == "swap":
            return f"swap {f['a']} {f['b']} --from {f['from_frame']}"
        if op == "merge":
            return f"merge {f['a']} {f['b']}"
        if op == "split":
            return f"split {f['a']} --at {f['at_frame']}"
        if op == "interpolate":
            return f"interpolate {f['a']} --from {f['from_frame']} --to {f['to_frame']}"
        if op == "delete":
            span = (f" --from {f['from_frame']} --to {f['to_frame']}"
                    if f.get("from_frame") is not None else "")
            return f"delete {f['a']}{span}"
        return str(f)


@dataclass(frozen=True)
class ScanConfig:
    """Thresholds of a scan. Distances are in units of the box height (at least
    ``min_scale_frac`` x the run's median height, so a ball's tiny box is not judged
    by its own size)."""

    jump_dist: float = 0.8          # centre displacement per frame that is a jump
    jump_dist_per_frame: float = 0.12  # extra allowance per missing frame in between
    jump_size_ratio: float = 1.6    # height ratio between consecutive boxes that is a jump
    jump_min_score: float = 0.2     # lone jumps scored below this (< ~1.3x the limit) not listed
    swap_radius: float = 0.5        # a jump pair is an exchange when each lands this close
    cross_iou: float = 0.1          # boxes overlapping this much are an encounter
    # logistic weights of the crossing cues (intercept, then assist.crossing.FEATURES),
    # fitted on the tune half of benchmarks/bench_assist_recall.py (IRLS, moderate level)
    # (appearance has no pixels there: its weight is set so a clear kit difference, +-2, decides)
    cross_weights: tuple[float, ...] = (-0.61, 0.38, 1.76, -0.82, 0.41, 4.62, 1.5, 2.0)
    cross_min_score: float = 0.4    # crossings scored below this are not listed
    cross_fix_margin: float = 1.5   # exchanged-ids fit must beat kept by this to trust the swap
    # logistic weights of each fix's confidence per group (assist.fix_confidence.fix_group:
    # intercept, then assist.fix_confidence.FIX_FEATURES: score logit, motion, size, sep,
    # missing), fitted on the tune half only (benchmarks/fit_assist_fixes.py, each applied
    # fix labelled by the sign of its IDF1 change). What the tune data said: lone-jump
    # splits and crossings lowered IDF1 more often than they raised it (so apply-all leaves
    # them to a person), merges almost always helped, jump-pair swaps help when the motion
    # favours the exchange and the two were not side by side. Groups not listed (gap,
    # short, duplicate) keep their own score.
    fix_weights: tuple[tuple[str, tuple[float, ...]], ...] = (
        ("crossing", (-3.38, 0.19, 0.814, 0.793, -0.774, 0.0336)),
        ("end_begin", (3.3, 0.452, 0.0, 0.0, 0.0, 0.0)),
        ("jump", (-6.92, 0.0627, 0.0, 0.0, 0.0, 0.0)),
        ("jump_pair", (0.144, 0.0, 0.359, 0.0717, -0.319, -0.063)),
    )
    # one-frame exchange of two overlapping boxes (assist.crossing.find_exchanges): listed
    # from this gain (box heights), scored by a logistic of it; both chosen on the tune half
    exchange_gain: float = 0.2
    exchange_weights: tuple[float, float] = (-1.54, 3.32)
    cross_window: int = 8           # frames before/after a crossing used for motion
    cross_margin: float = 0.4       # swapped-fit must beat kept-fit by this (height units)
    cross_ratio: float = 0.6        # ... and be at most this fraction of it
    # colour dissimilarity (0..2 per pairing, when frames are read) vs motion misfit in box
    # heights: 3 lets a clear kit difference outweigh ~2 heights of misleading motion
    appearance_weight: float = 3.0
    end_begin_gap: int = 30         # frames between an end and a begin considered
    end_begin_radius: float = 0.6   # base radius around the extrapolated position
    end_begin_speed: float = 0.12   # radius growth per frame of gap
    end_begin_size_ratio: float = 1.5
    velocity_frames: int = 8        # frames used to estimate a velocity
    max_interp_gap: int = 10        # gaps up to this many missing frames are interpolated
    min_track_len: int = 5          # tracks this short (and unlinked) are proposed for delete
    duplicate_iou: float = 0.7      # a track riding on another this much is a duplicate
    duplicate_frac: float = 0.8     # ... on this fraction of its frames
    min_scale_frac: float = 0.5
    kinds: tuple[str, ...] = KINDS  # which kinds to look for


def sort_suspects(suspects: Sequence[Suspect]) -> list[Suspect]:
    """By frame, then kind order, then higher score first (stable for equal keys)."""
    rank = {k: i for i, k in enumerate(KINDS)}
    return sorted(suspects, key=lambda s: (s.frame, rank.get(s.kind, len(rank)), -s.score,
                                           s.tracks))


def next_suspect(suspects: Sequence[Suspect], after_frame: int,
                 wrap: bool = True) -> Suspect | None:
    """The first suspect strictly after ``after_frame`` (the GUI's "next" key).

    ``suspects`` must be sorted by frame (as :func:`scan` returns them); with ``wrap``
    the search continues from the start, so one key walks through all of them.
    """
    if not suspects:
        return None
    i = bisect_right([s.frame for s in suspects], after_frame)
    if i < len(suspects):
        return suspects[i]
    return suspects[0] if wrap else None


def previous_suspect(suspects: Sequence[Suspect], before_frame: int,
                     wrap: bool = True) -> Suspect | None:
    """The last suspect strictly before ``before_frame`` (the "previous" key)."""
    if not suspects:
        return None
    frames = [s.frame for s in suspects]
    i = bisect_right(frames, before_frame - 1) - 1
    if i >= 0:
        return suspects[i]
    return suspects[-1] if wrap else None
