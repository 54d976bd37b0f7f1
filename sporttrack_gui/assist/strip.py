"""What a proposal looks like: the ghost of an ended track's last box, and a strip of a
few thumbnails of every involved track before and after the place (Qt-free).

Why: "merge 42 into 19" shown at the frame where 42 begins says nothing when 19 has
already ended -- the user must see 19's last box (the ghost) and both players' faces
and kits around the place (the strip) to accept or reject it in one look. The plan (which
box of which track at which frame) comes from the run's boxes alone; the crops need
pixels, so :func:`read_strip` is what a worker runs (never the GUI thread).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sporttrack_gui.assist.suspects import Suspect

#: thumbnail size (width, height) in pixels: players are about twice as tall as wide
THUMB_SIZE = (64, 120)


@dataclass(frozen=True)
class TrackBoxes:
    """The boxes of a few tracks: frame (int64), track id (int64), xyxy (float64, (N, 4))."""

    frame: np.ndarray
    track: np.ndarray
    xyxy: np.ndarray

    @classmethod
    def select(cls, tracks: Sequence[int], *columns: tuple[np.ndarray, np.ndarray, np.ndarray]
               ) -> TrackBoxes:
        """Rows of ``tracks`` from one or more (frame, track id, xywh) column sets (e.g. a
        run model snapshot's main and added boxes): one vectorised mask each."""
        ids = np.asarray(list(tracks), np.int64)
        fr, tr, bx = [], [], []
        for frame, track, xywh in columns:
            m = np.isin(np.asarray(track), ids)
            fr.append(np.asarray(frame)[m].astype(np.int64))
            tr.append(np.asarray(track)[m].astype(np.int64))
            bx.append(np.asarray(xywh, np.float64)[m].reshape(-1, 4))
        f, t = np.concatenate(fr), np.concatenate(tr)
        b = np.concatenate(bx)
        order = np.lexsort((f, t))
        b = b[order]
        return cls(f[order], t[order], np.column_stack([b[:, 0], b[:, 1], b[:, 0] + b[:, 2],
                                                        b[:, 1] + b[:, 3]]))

    def of(self, track: int) -> tuple[np.ndarray, np.ndarray]:
        """(frames, xyxy) of one track, by frame."""
        m = self.track == int(track)
        return self.frame[m], self.xyxy[m]


@dataclass(frozen=True)
class Thumb:
    """One thumbnail of the strip: ``track``'s box at ``frame``, ``side`` "before" or
    "after" the place; ``image`` (BGR, :data:`THUMB_SIZE`) once read, None without pixels."""

    track: int
    frame: int
    side: str
    xyxy: tuple[float, float, float, float]
    image: np.ndarray | None = None


@dataclass(frozen=True)
class Ghost:
    """The last box of a track that has no box at the proposal frame."""

    track: int
    frame: int
    xyxy: tuple[float, float, float, float]


def pivot_frame(s: Suspect) -> int:
    """The first frame "after" a proposal: where a swap or split takes effect, else the
    suspect's frame (where the second track of a merge begins)."""
    f = s.fix
    for k in ("from_frame", "at_frame"):
        if f.get(k) is not None and f.get("op") in ("swap", "split"):
            return int(f[k])
    return int(s.frame)


def ghost_boxes(boxes: TrackBoxes, s: Suspect, max_age: int = 250) -> list[Ghost]:
    """Where the tracks of ``s`` were just before the place, drawn as dashed ghosts at the
    proposal frame: for every track with no box at ``s.frame`` (it ended: a merge) its
    last box before it; for an exchange (op ``swap``) both tracks' last boxes before the
    swap frame, so each ghost sits on the box that now carries the other id. Ghosts
    older than ``max_age`` frames are left out (the track left long ago)."""
    swap = s.fix.get("op") == "swap"
    pivot = pivot_frame(s) if swap else int(s.frame)
    out = []
    for t in s.tracks:
        fr, xyxy = boxes.of(t)
        if not len(fr) or (not swap and np.any(fr == s.frame)):
            continue
        k = int(np.searchsorted(fr, pivot)) - 1
        if k >= 0 and s.frame - fr[k] <= max_age:
            out.append(Ghost(int(t), int(fr[k]), tuple(float(v) for v in xyxy[k])))
    return out


def strip_plan(boxes: TrackBoxes, s: Suspect, per_side: int = 3, spread: int = 5) -> list[Thumb]:
    """Thumbnails to show for ``s``: per track, up to ``per_side`` boxes before the pivot
    (:func:`pivot_frame`) and ``per_side`` from it, aimed at ``spread`` frames apart and
    snapped to the track's nearest box on that side (a track that ended or begins there
    simply has fewer). Order: by track as listed in ``s.tracks``, then by frame."""
    pivot = pivot_frame(s)
    out: list[Thumb] = []
    for t in s.tracks:
        fr, xyxy = boxes.of(t)
        if not len(fr):
            continue
        picks: list[tuple[str, int]] = []
        n_before = int(np.searchsorted(fr, pivot))
        for k in range(per_side, 0, -1):  # before: aim at pivot - k*spread, snap back
            if not n_before:
                break
            j = int(np.searchsorted(fr[:n_before], pivot - (k - 1) * spread - 1, side="right")) - 1
            j = max(j, 0)
            picks.append(("before", j))
        for k in range(per_side):  # after: aim at pivot + k*spread, snap forward
            j = n_before + int(np.searchsorted(fr[n_before:], pivot + k * spread))
            if j < len(fr):
                picks.append(("after", j))
        seen: set[int] = set()
        for side, j in picks:
            if j in seen:
                continue
            seen.add(j)
            out.append(Thumb(int(t), int(fr[j]), side, tuple(float(v) for v in xyxy[j])))
    return out


def crop_thumb(image: np.ndarray, xyxy: Sequence[float], size: tuple[int, int] = THUMB_SIZE,
               pad: float = 0.15) -> np.ndarray:
    """The box (grown by ``pad`` of its size on every side) cut from ``image`` and fitted
    into ``size`` (w, h) keeping its aspect, on a dark background; parts outside the
    image stay dark. Always returns a (h, w, 3) uint8 array."""
    import cv2

    tw, th = size
    out = np.full((th, tw, 3), 24, np.uint8)
    if image is None or image.ndim < 2:
        return out
    img = image if image.ndim == 3 else np.repeat(image[:, :, None], 3, axis=2)
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    bw, bh = max(x2 - x1, 1.0), max(y2 - y1, 1.0)
    x1, x2 = x1 - pad * bw, x2 + pad * bw
    y1, y2 = y1 - pad * bh, y2 + pad * bh
    H, W = img.shape[:2]
    cx1, cy1 = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
    cx2, cy2 = min(int(np.ceil(x2)), W), min(int(np.ceil(y2)), H)
    if cx2 <= cx1 or cy2 <= cy1:
        return out
    scale = min(tw / (x2 - x1), th / (y2 - y1))
    patch = img[cy1:cy2, cx1:cx2, :3]
    pw, ph = max(int(round(patch.shape[1] * scale)), 1), max(int(round(patch.shape[0] * scale)), 1)
    patch = cv2.resize(np.ascontiguousarray(patch), (pw, ph),
                       interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    # where the visible part sits inside the padded box, then the box centred in the thumb
    ox = int(round((tw - (x2 - x1) * scale) / 2 + (cx1 - x1) * scale))
    oy = int(round((th - (y2 - y1) * scale) / 2 + (cy1 - y1) * scale))
    xs, ys = max(ox, 0), max(oy, 0)
    xe, ye = min(ox + pw, tw), min(oy + ph, th)
    if xe > xs and ye > ys:
        out[ys:ye, xs:xe] = patch[ys - oy:ye - oy, xs - ox:xe - ox]
    return out


def read_strip(plan: Sequence[Thumb], read_frame: Callable[[int], np.ndarray],
               size: tuple[int, int] = THUMB_SIZE) -> list[Thumb]:
    """The plan with every thumbnail cropped: each frame is read once, in frame order (a
    video decodes forward). A frame that cannot be read leaves its thumbnails without
    an image instead of failing the strip."""
    images: dict[int, np.ndarray] = {}
    out = list(plan)
    for f in sorted({t.frame for t in plan}):
        try:
            img = read_frame(f)
        except Exception:  # noqa: BLE001 - one unreadable frame must not cost the strip
            continue
        if img is not None:
            images[f] = img
    for i, t in enumerate(out):
        if t.frame in images:
            out[i] = replace(t, image=crop_thumb(images[t.frame], t.xyxy, size))
    return out
