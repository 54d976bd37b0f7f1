"""Rescans after an edit that reuse the expensive, id-independent half of the scan.

Why: on a 3.4 M-box match half of a scan (~10 s on a loaded machine) is finding which
boxes of a frame overlap (``overlapping_pairs``). Which *boxes* overlap does not depend
on their ids, and an id edit (swap, merge, split, reassign, delete track) changes ids
only. So the pairs are computed once per loaded run over its immutable main box rows
(all of them, whatever they show), and each rescan labels them with the current ids,
drops pairs with a hidden/removed/unassigned side, and adds the pairs of the few boxes
added since the load (interpolation, drawn or moved boxes) by a sweep over just their
frames. The result equals :func:`.scan.scan_table` on the same boxes (property-tested):
the remaining passes are vectorised over the run by track.

Input is the ``RunIndex.Snapshot`` of the GUI's run model (duck-typed: ``frame``,
``track_id``, ``xywh`` main columns and ``extra_*`` for added boxes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sporttrack_gui.assist.scan import (
    TrackArrays,
    box_xyxy,
    needs_pairs,
    overlapping_pairs,
    pair_iou,
    scan_arrays,
)
from sporttrack_gui.assist.suspects import ScanConfig, Suspect

CHUNK_ROWS = 250_000


def row_pairs(frame: np.ndarray, xyxy: np.ndarray, min_iou: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row i, row j, iou) of every pair of rows of one frame with IoU > ``min_iou``:
    the sweep of ``overlapping_pairs`` with row numbers as labels."""
    rows = np.arange(len(frame), dtype=np.int64)
    f, a, b, iou = overlapping_pairs(np.asarray(frame, np.int64), rows, xyxy, min_iou)
    return a, b, iou


class IncrementalScan:
    """Scans of one loaded run; keeps the box-overlap pairs of its main rows."""

    def __init__(self, config: ScanConfig | None = None) -> None:
        self.config = config or ScanConfig()
        self._key: tuple[int, int] | None = None
        self._pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _main_pairs(self, snap: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = (id(snap.frame), len(snap.frame))
        if self._pairs is None or key != self._key:
            self._pairs = self._sweep(snap.frame, snap.xywh)
            self._key = key
        return self._pairs

    def _sweep(self, frame: np.ndarray, xywh: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``row_pairs`` over frame-sorted rows, a chunk of whole frames at a time (the
        sweep's float64 copies stay ~10 MB instead of ~400 MB on a match)."""
        parts, n, start = [], len(frame), 0
        while start < n:
            stop = min(start + CHUNK_ROWS, n)
            if stop < n:  # end the chunk at a frame boundary
                stop = int(np.searchsorted(frame, frame[stop - 1], side="right"))
            i, j, iou = row_pairs(frame[start:stop], box_xyxy(xywh[start:stop]),
                                  pair_iou(self.config))
            parts.append((i + start, j + start, iou))
            start = stop
        if not parts:
            z = np.zeros(0, np.int64)
            return z, z, np.zeros(0)
        return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))  # type: ignore[return-value]

    def scan(self, snap: Any, **kw: Any) -> list[Suspect]:
        """All suspects of the snapshot's visible boxes (== ``scan_table`` of them)."""
        cfg = self.config
        # the main columns as they are (hidden/removed rows are < 0) plus any added boxes
        parts = [(snap.frame, snap.track_id, snap.xywh)]
        if (snap.extra_track >= 0).any():
            parts.append((snap.extra_frame, snap.extra_track, snap.extra_xywh))
        ta = TrackArrays.from_parts(parts, cfg.min_scale_frac)
        del parts
        if len(ta) == 0:
            return []
        if needs_pairs(cfg):
            pairs = self._pairs_now(snap)
        else:
            z = np.zeros(0, np.int64)
            pairs = (z, z, z, np.zeros(0))
        return scan_arrays(ta, pairs, cfg, **kw)

    def _pairs_now(self, snap: Any) -> tuple:
        """(frame, a < b, iou) of overlapping real-track boxes as the snapshot shows them."""
        i, j, iou = self._main_pairs(snap)
        ti, tj = snap.track_id[i], snap.track_id[j]
        ok = (ti >= 0) & (tj >= 0)
        parts = [(snap.frame[i[ok]], np.minimum(ti[ok], tj[ok]), np.maximum(ti[ok], tj[ok]),
                  iou[ok])]
        ereal = snap.extra_track >= 0
        if ereal.any():  # pairs with an added box: a sweep over the frames that have one
            ef = snap.extra_frame[ereal]
            frames = np.unique(ef).astype(snap.frame.dtype)  # no int64 copy of snap.frame
            lo = np.searchsorted(snap.frame, frames)
            hi = np.searchsorted(snap.frame, frames, side="right")
            rows = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True)]) \
                if len(frames) else np.zeros(0, np.int64)
            rows = rows[snap.track_id[rows] >= 0]
            f = np.concatenate([snap.frame[rows], ef])
            t = np.concatenate([snap.track_id[rows], snap.extra_track[ereal]])
            b = np.concatenate([snap.xywh[rows], snap.extra_xywh[ereal]])
            is_extra = np.r_[np.zeros(len(rows), bool), np.ones(len(ef), bool)]
            a_, b_, v = row_pairs(f, box_xyxy(b), pair_iou(self.config))
            keep = is_extra[a_] | is_extra[b_]
            a_, b_, v = a_[keep], b_[keep], v[keep]
            parts.append((f[a_], np.minimum(t[a_], t[b_]), np.maximum(t[a_], t[b_]), v))
        return tuple(np.concatenate([p[k] for p in parts]) for k in range(4))
