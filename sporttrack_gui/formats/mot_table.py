"""``MotTable``: a MOTChallenge box list as parallel numpy columns.

Why columnar: a full match is ~3.4 million boxes; per-box Python objects would cost
gigabytes and make every filter a loop. Columns let readers, the project store, trackers
and metrics hand boxes around as whole arrays and select with masks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.core.boxes import xywh_to_xyxy

#: Values used for columns a file does not carry (MOTChallenge writes -1 for "unknown").
DEFAULT_CONF = 1.0
DEFAULT_CLS = -1
DEFAULT_VIS = -1.0


@dataclass(eq=False)
class MotTable:
    """Boxes of one sequence: row ``i`` is one box in frame ``frame[i]`` (1-based).

    ``xywh`` is top-left x, y, width, height in pixels. ``conf`` is the detection score,
    or the "consider" flag (0/1) of MOTChallenge ground truth. ``cls`` and ``vis`` are -1
    where unknown. Track ids are -1 for plain detections.
    """

    frame: np.ndarray  # int32 (N,)
    track_id: np.ndarray  # int64 (N,)
    xywh: np.ndarray  # float32 (N, 4)
    conf: np.ndarray  # float32 (N,)
    cls: np.ndarray  # int32 (N,)
    vis: np.ndarray  # float32 (N,)

    def __post_init__(self) -> None:
        self.frame = np.ascontiguousarray(self.frame, np.int32).reshape(-1)
        self.track_id = np.ascontiguousarray(self.track_id, np.int64).reshape(-1)
        self.xywh = np.ascontiguousarray(self.xywh, np.float32).reshape(-1, 4)
        self.conf = np.ascontiguousarray(self.conf, np.float32).reshape(-1)
        self.cls = np.ascontiguousarray(self.cls, np.int32).reshape(-1)
        self.vis = np.ascontiguousarray(self.vis, np.float32).reshape(-1)
        n = len(self.frame)
        sizes = {len(self.track_id), len(self.xywh), len(self.conf), len(self.cls), len(self.vis)}
        if sizes != {n}:
            raise ValueError(
                f"MotTable columns differ in length: frame {n}, track_id {len(self.track_id)}, "
                f"xywh {len(self.xywh)}, conf {len(self.conf)}, cls {len(self.cls)}, "
                f"vis {len(self.vis)}")

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        rng = self.frames_range()
        span = f"frames {rng[0]}-{rng[1]}" if rng else "empty"
        return f"MotTable({len(self)} boxes, {len(np.unique(self.track_id))} ids, {span})"

    @classmethod
    def from_arrays(table_cls, frame, track_id, xywh, conf=None, cls=None, vis=None) -> MotTable:
        """Build from array-likes; ``conf``/``cls``/``vis`` may be None (MOT default) or scalars."""
        n = len(np.asarray(frame).reshape(-1))
        return table_cls(
            frame=frame,
            track_id=track_id,
            xywh=np.asarray(xywh, np.float32).reshape(-1, 4),
            conf=_column(conf, DEFAULT_CONF, np.float32, n),
            cls=_column(cls, DEFAULT_CLS, np.int32, n),
            vis=_column(vis, DEFAULT_VIS, np.float32, n),
        )

    @classmethod
    def empty(cls) -> MotTable:
        return cls.from_arrays(np.zeros(0), np.zeros(0), np.zeros((0, 4)))

    @classmethod
    def concat(cls, tables: Iterable[MotTable]) -> MotTable:
        """Rows of all tables, in order (an empty list gives an empty table)."""
        tables = list(tables)
        if not tables:
            return cls.empty()
        return cls(
            frame=np.concatenate([t.frame for t in tables]),
            track_id=np.concatenate([t.track_id for t in tables]),
            xywh=np.concatenate([t.xywh for t in tables]),
            conf=np.concatenate([t.conf for t in tables]),
            cls=np.concatenate([t.cls for t in tables]),
            vis=np.concatenate([t.vis for t in tables]),
        )

    @property
    def xyxy(self) -> np.ndarray:
        """Corner boxes (float32 (N, 4)) as trackers and IoU functions take them."""
        return xywh_to_xyxy(self.xywh)

    def select(self, mask_or_index) -> MotTable:
        """Rows picked by a boolean mask or an index array (a new table, copied)."""
        return MotTable(self.frame[mask_or_index], self.track_id[mask_or_index],
                        self.xywh[mask_or_index], self.conf[mask_or_index],
                        self.cls[mask_or_index], self.vis[mask_or_index])

    def sorted(self) -> MotTable:
        """Rows ordered by (frame, track_id); ties keep their order (stable)."""
        order = np.lexsort((self.track_id, self.frame))
        return self.select(order)

    def frames_range(self) -> tuple[int, int] | None:
        """(first, last) frame number present, or None for an empty table."""
        if len(self) == 0:
            return None
        return int(self.frame.min()), int(self.frame.max())

    def by_frame(self) -> dict[int, np.ndarray]:
        """Frame number -> indices of its rows (ascending), computed in one sort."""
        if len(self) == 0:
            return {}
        order = np.argsort(self.frame, kind="stable")
        frames, first = np.unique(self.frame[order], return_index=True)
        return dict(zip(frames.tolist(), np.split(order, first[1:]), strict=True))

    def equals(self, other: MotTable) -> bool:
        """Same rows in the same order with exactly the same values."""
        return (len(self) == len(other)
                and all(np.array_equal(getattr(self, f), getattr(other, f))
                        for f in ("frame", "track_id", "xywh", "conf", "cls", "vis")))


def _column(values, default, dtype, n: int) -> np.ndarray:
    """A length-``n`` column from None (default), a scalar (repeated) or an array."""
    arr = np.asarray(default if values is None else values, dtype)
    return np.full(n, arr, dtype) if arr.ndim == 0 else arr
