"""Columnar track state: one numpy array per attribute, one row per live track.

Why columns and not a list of track objects (ByteTrack's ``STrack``): every per-frame step
(predict, gate, update, age, prune) then is one numpy call over all tracks, and the
tracker never loops over tracks in Python. Removed tracks are dropped from the store;
ids come from a per-store counter so two trackers never share or reuse ids.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sporttrack_gui.core.kalman import xyah_to_xyxy


class State(IntEnum):
    TRACKED = 0
    LOST = 1


#: plain ints for the per-frame path (enum attribute lookups cost more than the numpy op)
TRACKED = int(State.TRACKED)
LOST = int(State.LOST)


#: column name -> (dtype, trailing shape); ``feat`` is added lazily with its width
_COLUMNS: dict[str, tuple[type, tuple[int, ...]]] = {
    "mean": (np.float64, (8,)),
    "cov": (np.float64, (8, 8)),
    "track_id": (np.int64, ()),
    "state": (np.int8, ()),
    "confirmed": (np.bool_, ()),
    "score": (np.float32, ()),
    "cls": (np.int32, ()),
    "start": (np.int64, ()),      # detector-frame count when the track was born
    "last": (np.int64, ()),       # detector-frame count of the last match
    "hits": (np.int32, ()),       # matches so far (all time)
    "streak": (np.int32, ()),     # consecutive matches (DeepSORT/SORT confirmation)
    "misses": (np.int32, ()),     # detector frames since the last match
    "det": (np.float32, (4,)),    # xyxy of the last matched detection (the reported box)
}


class TrackStore:
    """All live tracks of one tracker instance."""

    def __init__(self, feat_dim: int = 0, gallery: int = 0,
                 extra: dict[str, tuple[type, tuple[int, ...]]] | None = None):
        self.feat_dim = feat_dim
        self.gallery = gallery
        #: tracker-specific columns (OC-SORT's observation history...), zero for new tracks
        self.extra = dict(extra or {})
        self._next_id = 1
        self.clear()

    def clear(self) -> None:
        self.cols: dict[str, np.ndarray] = {
            k: np.zeros((0, *shape), dtype)
            for k, (dtype, shape) in {**_COLUMNS, **self.extra}.items()}
        if self.feat_dim:
            self._add_feature_columns(self.feat_dim)

    def reset_ids(self) -> None:
        self._next_id = 1

    def _add_feature_columns(self, dim: int) -> None:
        n = len(self)
        self.feat_dim = dim
        self.cols["feat"] = np.zeros((n, dim), np.float32)  # smoothed (EMA) feature
        if self.gallery:
            self.cols["gal"] = np.zeros((n, self.gallery, dim), np.float32)
            self.cols["gal_n"] = np.zeros(n, np.int32)  # features written so far (ring buffer)

    def __len__(self) -> int:
        return len(self.cols["track_id"])

    def __getattr__(self, name: str) -> np.ndarray:
        # only reached for the lazily added feature columns; the fixed ones are properties
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name]
        raise AttributeError(name)

    def xyxy(self, index: np.ndarray | slice = slice(None)) -> np.ndarray:
        return xyah_to_xyxy(self.cols["mean"][index, :4])

    def add(self, mean: np.ndarray, cov: np.ndarray, score: np.ndarray, cls: np.ndarray,
            frame: int, confirmed: bool | np.ndarray, feat: np.ndarray | None = None) -> np.ndarray:
        """Append new tracks (fresh ids); returns their row indices."""
        n = len(mean)
        if n == 0:
            return np.zeros(0, np.int64)
        if feat is not None and "feat" not in self.cols:
            self._add_feature_columns(feat.shape[1])
        ids = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        new = {
            "mean": mean, "cov": cov, "track_id": ids,
            "state": np.full(n, TRACKED, np.int8),
            "confirmed": np.broadcast_to(np.asarray(confirmed, bool), (n,)),
            "score": score, "cls": cls,
            "start": np.full(n, frame), "last": np.full(n, frame),
            "hits": np.ones(n, np.int32), "streak": np.ones(n, np.int32),
            "misses": np.zeros(n, np.int32),
            "det": xyah_to_xyxy(mean[:, :4]),  # a new track's box is its detection
        }
        for k, (dtype, shape) in self.extra.items():
            new[k] = np.zeros((n, *shape), dtype)
        if "feat" in self.cols:
            f = (np.zeros((n, self.feat_dim), np.float32) if feat is None
                 else np.asarray(feat, np.float32))
            new["feat"] = f
            if "gal" in self.cols:
                gal = np.zeros((n, self.gallery, self.feat_dim), np.float32)
                gal[:, 0] = f
                new["gal"] = gal
                new["gal_n"] = np.full(n, 0 if feat is None else 1, np.int32)
        start = len(self)
        for k, arr in new.items():
            self.cols[k] = np.concatenate([self.cols[k], np.asarray(arr, self.cols[k].dtype)])
        return np.arange(start, start + n)

    def keep(self, mask: np.ndarray) -> None:
        """Drop every track whose ``mask`` entry is False."""
        if mask.all():
            return
        for k in self.cols:
            self.cols[k] = self.cols[k][mask]

    def set_features(self, index: np.ndarray, feat: np.ndarray, momentum: float) -> None:
        """EMA-update the smoothed feature and push into the gallery (ring buffer)."""
        if "feat" not in self.cols or len(index) == 0:
            return
        feat = np.asarray(feat, np.float32)
        old = self.cols["feat"][index]
        fresh = ~np.any(old != 0, axis=1)  # tracks born without a feature
        mixed = momentum * old + (1 - momentum) * feat
        mixed[fresh] = feat[fresh]
        norm = np.linalg.norm(mixed, axis=1, keepdims=True)
        self.cols["feat"][index] = mixed / np.maximum(norm, 1e-12)
        if "gal" in self.cols:
            n = self.cols["gal_n"][index]
            self.cols["gal"][index, n % self.gallery] = feat
            self.cols["gal_n"][index] = n + 1


def _column(name: str) -> property:
    def get(self: TrackStore) -> np.ndarray:
        return self.cols[name]

    def put(self: TrackStore, value: np.ndarray) -> None:  # ``store.confirmed |= x`` rebinds
        self.cols[name] = value

    return property(get, put, doc=f"column {name!r} (one row per live track)")


for _name in _COLUMNS:
    setattr(TrackStore, _name, _column(_name))
