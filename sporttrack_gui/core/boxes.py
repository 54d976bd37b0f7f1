"""Box array conversions and the two exchange types, ``Detections`` and ``Tracks``.

Every room passes boxes as ``xyxy`` float32 (N, 4) arrays in pixels of the original
frame; conversions live here once so no module writes its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def as_boxes(a: np.ndarray | list | None) -> np.ndarray:
    """Return ``a`` as a float32 (N, 4) array (an empty input gives shape (0, 4))."""
    if a is None:
        return np.zeros((0, 4), np.float32)
    arr = np.asarray(a, dtype=np.float32)
    if arr.size == 0:
        return np.zeros((0, 4), np.float32)
    return arr.reshape(-1, 4)


def xywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    """Top-left + size (MOTChallenge, project storage) to corners."""
    b = as_boxes(b)
    out = b.copy()
    out[:, 2:] = b[:, :2] + b[:, 2:]
    return out


def xyxy_to_xywh(b: np.ndarray) -> np.ndarray:
    """Corners to top-left + size."""
    b = as_boxes(b)
    out = b.copy()
    out[:, 2:] = b[:, 2:] - b[:, :2]
    return out


def xyxy_to_cxcywh(b: np.ndarray) -> np.ndarray:
    b = as_boxes(b)
    wh = b[:, 2:] - b[:, :2]
    return np.concatenate([b[:, :2] + wh / 2, wh], axis=1)


def cxcywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    b = as_boxes(b)
    half = b[:, 2:] / 2
    return np.concatenate([b[:, :2] - half, b[:, :2] + half], axis=1)


def box_areas(xyxy: np.ndarray) -> np.ndarray:
    b = as_boxes(xyxy)
    return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)


def valid_box_mask(xyxy: np.ndarray) -> np.ndarray:
    """Finite boxes with positive width and height: what trackers may consume."""
    b = as_boxes(xyxy)
    finite = np.isfinite(b).all(axis=1)
    with np.errstate(invalid="ignore"):
        return finite & (b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])


def foot_points(xyxy: np.ndarray) -> np.ndarray:
    """Bottom-centre of each box: where a player touches the pitch."""
    b = as_boxes(xyxy)
    return np.stack([(b[:, 0] + b[:, 2]) / 2, b[:, 3]], axis=1)


def clip_boxes(xyxy: np.ndarray, width: int, height: int) -> np.ndarray:
    b = as_boxes(xyxy).copy()
    b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, width)
    b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, height)
    return b


@dataclass
class Detections:
    """Boxes found in one frame. ``feat`` is an optional (N, D) appearance embedding."""

    xyxy: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    conf: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    cls: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int32))
    feat: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.xyxy = as_boxes(self.xyxy)
        n = len(self.xyxy)
        self.conf = (np.ones(n, np.float32) if self.conf is None or np.size(self.conf) == 0 and n
                     else np.asarray(self.conf, np.float32).reshape(-1))
        self.cls = (np.zeros(n, np.int32) if self.cls is None or np.size(self.cls) == 0 and n
                    else np.asarray(self.cls, np.int32).reshape(-1))
        if len(self.conf) != n or len(self.cls) != n:
            raise ValueError(f"Detections: {n} boxes but {len(self.conf)} conf and {len(self.cls)} cls")
        if self.feat is not None:
            self.feat = np.asarray(self.feat, np.float32).reshape(n, -1)

    def __len__(self) -> int:
        return len(self.xyxy)

    @classmethod
    def empty(cls) -> Detections:
        return cls()

    @classmethod
    def from_xywh(cls, xywh, conf=None, cls_ids=None, feat=None) -> Detections:
        return cls(xywh_to_xyxy(xywh), conf, cls_ids, feat)

    @property
    def xywh(self) -> np.ndarray:
        return xyxy_to_xywh(self.xyxy)

    def subset(self, index) -> Detections:
        """Rows selected by a boolean mask or an index array."""
        feat = None if self.feat is None else self.feat[index]
        return Detections(self.xyxy[index], self.conf[index], self.cls[index], feat)

    def valid(self) -> tuple[Detections, np.ndarray]:
        """Drop NaN/inf and zero-area boxes; returns the kept detections and the mask used."""
        mask = valid_box_mask(self.xyxy) & np.isfinite(self.conf)
        return (self if mask.all() else self.subset(mask)), mask


@dataclass
class Tracks:
    """Tracked boxes in one frame: detections plus a positive, run-stable ``track_id``."""

    xyxy: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    track_id: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))
    conf: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    cls: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int32))
    feat: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.xyxy = as_boxes(self.xyxy)
        n = len(self.xyxy)
        self.track_id = np.asarray(self.track_id, np.int64).reshape(-1)
        self.conf = (np.ones(n, np.float32) if np.size(self.conf) == 0 and n
                     else np.asarray(self.conf, np.float32).reshape(-1))
        self.cls = (np.zeros(n, np.int32) if np.size(self.cls) == 0 and n
                    else np.asarray(self.cls, np.int32).reshape(-1))
        if not (len(self.track_id) == len(self.conf) == len(self.cls) == n):
            raise ValueError("Tracks: xyxy, track_id, conf and cls must have the same length")

    def __len__(self) -> int:
        return len(self.xyxy)

    @property
    def xywh(self) -> np.ndarray:
        return xyxy_to_xywh(self.xyxy)

    @classmethod
    def empty(cls) -> Tracks:
        return cls()
