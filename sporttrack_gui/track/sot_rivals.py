"""Memory of look-alikes seen while the target is lost, so they cannot be "re-found".

Why: in team sport the most likely false re-acquisition is a team-mate in the same kit.
While the target is hidden, such a player is usually visible somewhere else and matches
the template well but sits where the target cannot be; if he then walks towards the
predicted position the motion prior alone would eventually accept him. A reappearing
target, in contrast, appears (it was not visible before). So strong matches at
implausible places are remembered as rivals and followed frame to frame by proximity, and
a candidate that continues a rival's path is never accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class _Rival:
    cx: float
    cy: float
    seen: int


class RivalMemory:
    """Rivals by centre; ``link`` is the per-frame linking distance in box diagonals."""

    def __init__(self, memory: int = 5, link: float = 0.5, max_motion: float = 0.2):
        self.memory = memory
        self.link = link
        self.max_motion = max_motion
        self.rivals: list[_Rival] = []

    def clear(self) -> None:
        self.rivals.clear()

    def flag(self, candidates: list, diag: float, frame_index: int, strong: float) -> set[int]:
        """Indices of ``candidates`` (objects with ``xywh``, ``appearance``, ``motion``) that
        are rivals in this frame; updates the memory with them."""
        flagged: set[int] = set()
        order = sorted(range(len(candidates)), key=lambda i: -candidates[i].appearance)
        for i in order:
            c = candidates[i]
            if c.appearance < strong:
                continue
            x, y, w, h = c.xywh
            cx, cy = x + w / 2, y + h / 2
            near = min(self.rivals, key=lambda r: math.hypot(r.cx - cx, r.cy - cy), default=None)
            if near is not None and math.hypot(near.cx - cx, near.cy - cy) <= self.link * diag:
                near.cx, near.cy, near.seen = cx, cy, frame_index
                flagged.add(i)
            elif c.motion < self.max_motion:
                self.rivals.append(_Rival(cx, cy, frame_index))
                flagged.add(i)
        self.rivals = [r for r in self.rivals if frame_index - r.seen <= self.memory]
        return flagged
