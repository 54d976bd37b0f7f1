"""Suspect detection over the boxes of a run, vectorised with numpy.

Why whole-array passes: a 90-minute match is ~3.4 M boxes and the user waits for the
list after every fix, so no step loops over boxes or tracks in Python. Boxes are sorted
once by (track, frame); consecutive rows of one track give jumps and gaps, first/last
rows give track ends and begins, and overlapping pairs inside a frame (found with a
sweep over x-sorted boxes that stops as soon as no box reaches further) give crossings
and duplicates. Only the few flagged places are then looked at one by one (to pick the
exact switch frame, or to read pixels for colour).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.assist.suspects import ScanConfig, Suspect, sort_suspects

FrameReader = Callable[[int], np.ndarray]  # 1-based frame number -> BGR image
Embedder = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (frame, xyxy (N,4)) -> (N, D)


@dataclass
class TrackArrays:
    """Boxes of real tracks (id >= 0) sorted by (track, frame): int32 ids and frames,
    float64 centres/sizes (what every cue computes with).

    ``first``/``last`` list the first/last row of every track; the track of a row, its
    first/last row and a track's row at a frame are looked up there (binary searches)
    rather than kept per row: on a 3.4 M-box match each per-row int64 column is 27 MB.
    """

    track: np.ndarray
    frame: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    w: np.ndarray
    h: np.ndarray
    first: np.ndarray
    last: np.ndarray
    scale_floor: float

    @classmethod
    def from_table(cls, table, min_scale_frac: float = 0.5) -> TrackArrays:
        return cls.from_columns(table.frame, table.track_id, table.xywh, min_scale_frac)

    @classmethod
    def from_columns(cls, frame: np.ndarray, track: np.ndarray, xywh: np.ndarray,
                     min_scale_frac: float = 0.5) -> TrackArrays:
        return cls.from_parts([(frame, track, xywh)], min_scale_frac)

    @classmethod
    def from_parts(cls, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                   min_scale_frac: float = 0.5) -> TrackArrays:
        """From one or more (frame, track, xywh) column sets (a run model's main rows
        and its few added boxes): rows of real tracks sorted by (track, frame), equal
        keys in part order then row order -- as if the parts were concatenated and
        sorted by frame first, without building that concatenation (~100 MB twice on a
        match). Each column is gathered once straight into (track, frame) order."""
        reals = [np.flatnonzero(np.asarray(t) >= 0) for _, t, _ in parts]
        if len(parts) == 1:
            f_all = np.asarray(parts[0][0])[reals[0]]
            t_all = np.asarray(parts[0][1])[reals[0]]
            order = _track_frame_order(f_all, t_all)
        else:
            f_all = np.concatenate([np.asarray(p[0])[r].astype(np.int32)
                                    for p, r in zip(parts, reals, strict=True)])
            t_all = np.concatenate([np.asarray(p[1])[r] for p, r in zip(parts, reals, strict=True)])
            by_frame = np.argsort(f_all, kind="stable")  # nearly sorted: cheap
            order = by_frame[_track_frame_order(f_all[by_frame], t_all[by_frame])]
            del by_frame
        # ids <= formats.limits.MAX_TRACK_ID and frames <= MAX_FRAME fit int32
        t = t_all[order].astype(np.int32)
        f = f_all[order].astype(np.int32)
        del t_all, f_all
        n = len(t)
        cols = {k: np.empty(n) for k in ("cx", "cy", "w", "h")}
        at = 0
        for (_, _, xywh), real in zip(parts, reals, strict=True):
            xywh = np.asarray(xywh)
            if len(parts) == 1:
                dest, idx = slice(None), real[order]
            else:
                mine = (order >= at) & (order < at + len(real))
                dest, idx = np.flatnonzero(mine), real[order[mine] - at]
                del mine
            at += len(real)
            w, h = xywh[idx, 2].astype(np.float64), xywh[idx, 3].astype(np.float64)
            cols["w"][dest], cols["h"][dest] = w, h
            cols["cx"][dest] = xywh[idx, 0].astype(np.float64) + w / 2
            cols["cy"][dest] = xywh[idx, 1].astype(np.float64) + h / 2
            del idx, w, h
        del order, reals
        first = np.r_[0, np.flatnonzero(t[1:] != t[:-1]) + 1] if n else np.zeros(0, np.int64)
        last = np.append(first[1:] - 1, n - 1) if n else first
        floor = float(np.median(cols["h"])) * min_scale_frac if n else 1.0
        return cls(t, f, cols["cx"], cols["cy"], cols["w"], cols["h"], first.astype(np.int64),
                   last.astype(np.int64), max(floor, 1.0))

    def __len__(self) -> int:
        return len(self.track)

    def track_index(self, rows: np.ndarray) -> np.ndarray:
        """Index (into ``first``/``last``) of the track each row belongs to."""
        return np.searchsorted(self.first, rows, side="right") - 1

    def track_start(self, rows: np.ndarray) -> np.ndarray:
        """First row of each row's track."""
        return self.first[self.track_index(rows)]

    def track_end(self, rows: np.ndarray) -> np.ndarray:
        """Last row of each row's track."""
        return self.last[self.track_index(rows)]

    def scale(self, rows: np.ndarray) -> np.ndarray:
        return np.maximum(self.h[rows], self.scale_floor)

    def _search(self, track: np.ndarray, frame: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row of ``track``'s first box at or after ``frame``, the track's first row,
        one past its last row); all three equal for a track that is not there. A binary
        search inside each track's rows, all queries at once (~20 vectorised steps)."""
        track = np.asarray(track, np.int64)
        frame = np.asarray(frame, np.int64)
        ids = self.track[self.first]
        if not len(ids):
            z = np.zeros(len(track), np.int64)
            return z, z, z
        k = np.minimum(np.searchsorted(ids, track), len(ids) - 1)
        found = ids[k] == track
        start = np.where(found, self.first[k], 0)
        end = np.where(found, self.last[k] + 1, 0)
        lo, hi = start.copy(), end.copy()
        while True:
            todo = lo < hi
            if not todo.any():
                return lo, start, end
            mid = (lo + hi) // 2
            below = self.frame[np.where(todo, mid, 0)] < frame
            lo = np.where(todo & below, mid + 1, lo)
            hi = np.where(todo & ~below, mid, hi)

    def row_before(self, track: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """Row of ``track``'s last box before ``frame`` or -1."""
        r, start, _ = self._search(track, frame)
        return np.where(r > start, r - 1, -1)

    def row_from(self, track: np.ndarray, frame: np.ndarray) -> np.ndarray:
        """Row of ``track``'s first box at or after ``frame`` or -1."""
        r, _, end = self._search(track, frame)
        return np.where(r < end, r, -1)

    def velocity(self, rows: np.ndarray, frames: int, backward: bool = True) -> np.ndarray:
        """Centre velocity (px/frame, (K,2)) over up to ``frames`` rows ending (or
        starting, ``backward=False``) at ``rows``; zero for a lone box."""
        if backward:
            other = np.maximum(rows - frames + 1, self.track_start(rows))
            a, b = other, rows
        else:
            other = np.minimum(rows + frames - 1, self.track_end(rows))
            a, b = rows, other
        dt = (self.frame[b] - self.frame[a]).astype(np.float64)
        safe = np.where(dt > 0, dt, 1.0)
        v = np.column_stack([(self.cx[b] - self.cx[a]) / safe, (self.cy[b] - self.cy[a]) / safe])
        v[dt <= 0] = 0.0
        return v


def _track_frame_order(f: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Rows sorted by (track, frame). Boxes usually come sorted by frame: then a stable
    sort on the id alone does it, a radix sort when ids fit 16 bits (3.4 M boxes:
    ~40 ms instead of ~1 s for the two-key lexsort)."""
    if len(f) > 1 and bool((np.diff(f) >= 0).all()):
        if int(t.min()) >= 0 and int(t.max()) < 2**15:
            return np.argsort(t.astype(np.int16), kind="stable")
        return np.argsort(t, kind="stable")
    return np.lexsort((f, t))


def box_xyxy(xywh: np.ndarray) -> np.ndarray:
    """float64 corners exactly as the scan computes them (centre +- half size), so
    overlaps computed elsewhere (``assist.incremental``) match bit for bit."""
    b = np.asarray(xywh).astype(np.float64)
    cx, cy = b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2
    return np.column_stack([cx - b[:, 2] / 2, cy - b[:, 3] / 2, cx + b[:, 2] / 2,
                            cy + b[:, 3] / 2])


def _dist(ax, ay, bx, by) -> np.ndarray:
    return np.hypot(ax - bx, ay - by)


# --------------------------------------------------------------------- overlaps
def overlapping_pairs(frame: np.ndarray, track: np.ndarray, xyxy: np.ndarray,
                      min_iou: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of boxes of one frame with IoU > ``min_iou``: (frame, track a < b, iou).

    A sweep: boxes sorted by (frame, x1); box i is compared with i+1, i+2, ... only while
    the candidate starts left of box i's right edge, so each pass handles only the
    boxes still "open" and the passes end after a few iterations.
    """
    order = np.lexsort((xyxy[:, 0], frame))
    fr, tr, bx = frame[order], track[order], xyxy[order]
    n = len(fr)
    out_f, out_a, out_b, out_iou = [], [], [], []
    active = np.arange(n - 1) if n > 1 else np.zeros(0, np.int64)
    k = 1
    while len(active):
        j = active + k
        inside = j < n
        active, j = active[inside], j[inside]
        cont = (fr[j] == fr[active]) & (bx[j, 0] < bx[active, 2])
        active, j = active[cont], j[cont]
        if not len(active):
            break
        a, b = bx[active], bx[j]
        iw = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
        ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
        inter = np.clip(iw, 0, None) * ih
        union = ((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
                 - inter)
        iou = inter / np.maximum(union, 1e-9)
        hit = iou > min_iou
        if hit.any():
            ta, tb = tr[active[hit]], tr[j[hit]]
            out_f.append(fr[active[hit]])
            out_a.append(np.minimum(ta, tb))
            out_b.append(np.maximum(ta, tb))
            out_iou.append(iou[hit])
        k += 1
    if not out_f:
        z = np.zeros(0, np.int64)
        return z, z, z, np.zeros(0)
    return (np.concatenate(out_f).astype(np.int64), np.concatenate(out_a),
            np.concatenate(out_b), np.concatenate(out_iou))


def _episodes(f: np.ndarray, a: np.ndarray, b: np.ndarray, max_gap: int = 2):
    """Group (frame, a, b) overlap rows into contiguous episodes: (a, b, first, last)."""
    order = np.lexsort((f, b, a))
    f, a, b = f[order], a[order], b[order]
    new = np.ones(len(f), bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (f[1:] - f[:-1] > max_gap)
    s = np.flatnonzero(new)
    e = np.append(s[1:] - 1, len(f) - 1) if len(s) else s
    return a[s], b[s], f[s], f[e]


# --------------------------------------------------------------------- jumps
JUMP_CHUNK_ROWS = 200_000


def _track_chunks(ta: TrackArrays, size: int) -> list[tuple[int, int]]:
    """Row ranges of about ``size`` rows that start and end at track boundaries."""
    n, out, lo = len(ta), [], 0
    while lo < n:
        j = int(np.searchsorted(ta.first, lo + size))
        hi = int(ta.first[j]) if j < len(ta.first) and lo + size < n else n
        out.append((lo, max(hi, lo + 1)))
        lo = out[-1][1]
    return out


def _jump_rows(ta: TrackArrays, cfg: ScanConfig, lo: int, hi: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, previous row, ratio) of the jumps among rows lo..hi-1 (whole tracks)."""
    i = np.flatnonzero(ta.track[lo + 1:hi] == ta.track[lo:hi - 1]) + lo + 1
    p = i - 1
    dt = (ta.frame[i] - ta.frame[p]).astype(np.float64)
    scale = np.maximum((ta.h[i] + ta.h[p]) / 2, ta.scale_floor)
    disp = _dist(ta.cx[i], ta.cy[i], ta.cx[p], ta.cy[p]) / scale
    allowed = cfg.jump_dist + cfg.jump_dist_per_frame * (dt - 1)
    # a fast object (the ball) is judged by its own pace: 4x its mean per-frame step
    seg = np.searchsorted(ta.first, i, side="right") - 1
    pace = (np.bincount(seg, weights=disp / np.maximum(dt, 1.0), minlength=len(ta.first))
            / np.maximum(np.bincount(seg, minlength=len(ta.first)), 1))
    allowed = np.maximum(allowed, 4.0 * pace[seg] * dt)
    size = np.abs(np.log(np.maximum(ta.h[i], 1e-6) / np.maximum(ta.h[p], 1e-6)))
    size_lim = np.log(cfg.jump_size_ratio)
    hit = (disp > allowed) | (size > size_lim)
    return i[hit], p[hit], np.maximum(disp[hit] / allowed[hit], size[hit] / size_lim)


def find_jumps(ta: TrackArrays, cfg: ScanConfig) -> tuple[list[Suspect], np.ndarray]:
    """Jumps (a split each, or a swap when two tracks jump onto each other's place).

    Returns the suspects and the rows (of ``ta``) where a jump lands, so gap and
    crossing detection can leave those places alone.
    """
    n = len(ta)
    if n < 2:
        return [], np.zeros(0, np.int64)
    # whole tracks a chunk at a time: the ~10 float64 temporaries per row then stay
    # ~16 MB instead of ~300 MB on a match; every value is computed as in one pass
    parts = [_jump_rows(ta, cfg, lo, hi) for lo, hi in _track_chunks(ta, JUMP_CHUNK_ROWS)]
    rows, prev, ratio = (np.concatenate([q[k] for q in parts]) for k in range(3))
    if not len(rows):
        return [], rows
    # calibrated on the tune half: a lone jump under ~2x is mostly box noise of a crowd
    score = 1.0 - np.exp(-(ratio - 1.0) * 0.8)

    # pair jumps of one frame whose boxes trade places -> swap
    order = np.argsort(ta.frame[rows], kind="stable")
    rows, prev, score, ratio = rows[order], prev[order], score[order], ratio[order]
    fr = ta.frame[rows]
    paired = np.full(len(rows), -1)
    for k in (1, 2, 3):
        u = np.arange(len(rows) - k)
        v = u + k
        same = fr[u] == fr[v]
        u, v = u[same], v[same]
        sc = np.maximum(ta.scale(rows[u]), ta.scale(rows[v]))
        d1 = _dist(ta.cx[rows[u]], ta.cy[rows[u]], ta.cx[prev[v]], ta.cy[prev[v]]) / sc
        d2 = _dist(ta.cx[rows[v]], ta.cy[rows[v]], ta.cx[prev[u]], ta.cy[prev[u]]) / sc
        ok = (d1 < cfg.swap_radius) & (d2 < cfg.swap_radius) & (paired[u] < 0) & (paired[v] < 0)
        paired[u[ok]] = v[ok]
        paired[v[ok]] = u[ok]
    out: list[Suspect] = []
    for q in range(len(rows)):
        f, t = int(fr[q]), int(ta.track[rows[q]])
        partner = int(paired[q])
        if partner >= 0:
            if partner < q:
                continue
            t2 = int(ta.track[rows[partner]])
            a, b = min(t, t2), max(t, t2)
            out.append(Suspect("jump", f, (a, b), float(max(score[q], score[partner], 0.9)),
                               f"tracks {a} and {b} jump onto each other's place at frame {f}",
                               {"op": "swap", "a": a, "b": b, "from_frame": f}))
        elif score[q] >= cfg.jump_min_score:
            # a lone step barely past the limit is a ball kick or a turn, not a switch
            out.append(Suspect(
                "jump", f, (t,), float(np.clip(score[q], 0.05, 0.95)),
                f"track {t} jumps {ratio[q]:.1f}x further than plausible between frames "
                f"{int(ta.frame[prev[q]])} and {f}",
                {"op": "split", "a": t, "at_frame": f}))
    return out, rows


# --------------------------------------------------------------------- crossings
def find_crossings(ta: TrackArrays, pairs: tuple, cfg: ScanConfig,
                   read_frame: FrameReader | None = None,
                   embedder: Embedder | None = None) -> list[Suspect]:
    """Two tracks overlap and may leave with each other's identity: see
    :mod:`sporttrack_gui.assist.crossing` (cues and calibrated score)."""
    from sporttrack_gui.assist import crossing

    return crossing.find_crossings(ta, pairs, cfg, read_frame, embedder)


def _switch_frame(ta: TrackArrays, a: int, b: int, fs: int, fe: int) -> int:
    """Frame g in [fs, fe+1] where exchanging the ids makes both paths smoothest."""
    frames = np.arange(fs, fe + 2, dtype=np.int64)
    ta_, tb_ = np.full(len(frames), a), np.full(len(frames), b)
    # last box of each track before g and first box at/after g
    pa, pb = ta.row_before(ta_, frames), ta.row_before(tb_, frames)
    ra, rb = ta.row_from(ta_, frames), ta.row_from(tb_, frames)
    ok = (pa >= 0) & (pb >= 0) & (ra >= 0) & (rb >= 0)
    if not ok.any():
        return fs
    frames, pa, pb, ra, rb = frames[ok], pa[ok], pb[ok], ra[ok], rb[ok]

    def d(x, y):
        return _dist(ta.cx[x], ta.cy[x], ta.cx[y], ta.cy[y])

    gain = (d(pa, ra) + d(pb, rb)) - (d(pa, rb) + d(pb, ra))
    # the exchange happens where a box moves: first row at/after g must be AT g for one
    return int(frames[int(np.argmax(gain))])


def _appearance_costs(ta: TrackArrays, pa, pb, ra, rb, read_frame: FrameReader,
                      embedder: Embedder | None) -> tuple[np.ndarray, np.ndarray]:
    """Colour dissimilarity of the kept vs exchanged pairing (0 = same look)."""
    if embedder is None:
        from sporttrack_gui.track.embed import ColorEmbedder

        embedder = ColorEmbedder()
    rows = np.concatenate([pa, pb, ra, rb])
    feats = np.zeros((len(rows), 0))
    cache: dict[int, np.ndarray] = {}
    frames = ta.frame[rows]
    out: np.ndarray | None = None
    for fr in np.unique(frames):
        sel = np.flatnonzero(frames == fr)
        img = cache.setdefault(int(fr), read_frame(int(fr)))
        r = rows[sel]
        xyxy = np.column_stack([ta.cx[r] - ta.w[r] / 2, ta.cy[r] - ta.h[r] / 2,
                                ta.cx[r] + ta.w[r] / 2, ta.cy[r] + ta.h[r] / 2]).astype(np.float32)
        e = np.asarray(embedder(img, xyxy), np.float64)
        if out is None:
            out = np.zeros((len(rows), e.shape[1]))
        out[sel] = e
    feats = out if out is not None else feats
    k = len(pa)
    fa, fb, ga, gb = feats[:k], feats[k:2 * k], feats[2 * k:3 * k], feats[3 * k:]

    def sim(x, y):
        return np.sum(x * y, axis=1)

    keep = 2.0 - sim(fa, ga) - sim(fb, gb)
    swap = 2.0 - sim(fa, gb) - sim(fb, ga)
    return keep, swap


# --------------------------------------------------------------------- ends and begins
def find_end_begins(ta: TrackArrays, cfg: ScanConfig) -> tuple[list[Suspect], set[int]]:
    """A track ends and another begins soon after where the first one was heading.

    Candidates are matched one-to-one, best score first. Returns the suspects and the
    set of track ids they link (short linked tracks are fragments, not false positives).
    """
    if len(ta.first) < 2:
        return [], set()
    e, s = ta.last, ta.first
    fe, fb = ta.frame[e], ta.frame[s]
    order = np.argsort(fb, kind="stable")
    s_sorted, fb_sorted = s[order], fb[order]
    lo = np.searchsorted(fb_sorted, fe + 1)
    hi = np.searchsorted(fb_sorted, fe + cfg.end_begin_gap, side="right")
    cnt = hi - lo
    if cnt.sum() == 0:
        return [], set()
    ei = np.repeat(np.arange(len(e)), cnt)
    offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    er, br = e[ei], s_sorted[lo[ei] + offs]
    dt = (ta.frame[br] - ta.frame[er]).astype(np.float64)
    v = ta.velocity(er, cfg.velocity_frames)
    px = ta.cx[er] + v[:, 0] * np.minimum(dt, 2 * cfg.velocity_frames)
    py = ta.cy[er] + v[:, 1] * np.minimum(dt, 2 * cfg.velocity_frames)
    sc = np.maximum((ta.h[er] + ta.h[br]) / 2, ta.scale_floor)
    dist = _dist(px, py, ta.cx[br], ta.cy[br]) / sc
    radius = cfg.end_begin_radius + cfg.end_begin_speed * dt
    size = np.abs(np.log(ta.h[br] / np.maximum(ta.h[er], 1e-6)))
    # the merged track must not contain a jump (else the scan would split it again)
    raw = _dist(ta.cx[er], ta.cy[er], ta.cx[br], ta.cy[br]) / sc
    no_jump = raw <= cfg.jump_dist + cfg.jump_dist_per_frame * (dt - 1)
    ok = (dist < radius) & no_jump & (size < np.log(min(cfg.end_begin_size_ratio,
                                                        cfg.jump_size_ratio)))
    er, br, dt, dist, radius = er[ok], br[ok], dt[ok], dist[ok], radius[ok]
    score = np.exp(-2.0 * dist / radius) * np.exp(-dt / (4 * cfg.end_begin_gap))
    out, linked = [], set()
    used_e, used_b = set(), set()
    for q in np.argsort(-score, kind="stable"):
        x, y = int(er[q]), int(br[q])
        if x in used_e or y in used_b:
            continue
        used_e.add(x)
        used_b.add(y)
        a, b = int(ta.track[x]), int(ta.track[y])
        linked.update((a, b))
        out.append(Suspect(
            "end_begin", int(ta.frame[y]), (a, b), float(score[q]),
            f"track {a} ends at frame {int(ta.frame[x])} and track {b} begins "
            f"{int(dt[q])} frame(s) later {dist[q]:.2f} box heights from where {a} was heading",
            {"op": "merge", "a": a, "b": b}))
    return out, linked


# --------------------------------------------------------------------- gaps, short, duplicates
def find_gaps(ta: TrackArrays, cfg: ScanConfig, jump_rows: np.ndarray) -> list[Suspect]:
    """Runs of short gaps inside a track -> one linear interpolation per run.

    A run ends at a gap longer than ``max_interp_gap`` (the object was away) or at a
    jump (interpolating across an identity change would draw boxes between two players).
    Whole tracks a chunk at a time (as :func:`find_jumps`): the per-row temporaries of
    one pass over a match would be ~150 MB.
    """
    n = len(ta)
    if n < 2:
        return []
    is_jump = np.zeros(n, bool)
    is_jump[jump_rows] = True
    out: list[Suspect] = []
    for lo, hi in _track_chunks(ta, JUMP_CHUNK_ROWS):
        out += _gap_suspects(ta, cfg, is_jump, lo, hi)
    return out


def _gap_suspects(ta: TrackArrays, cfg: ScanConfig, is_jump: np.ndarray, lo: int, hi: int
                  ) -> list[Suspect]:
    """``find_gaps`` of rows lo..hi-1 (whole tracks)."""
    n = hi - lo
    if n < 2:
        return []
    track, frame = ta.track[lo:hi], ta.frame[lo:hi]
    same = track[1:] == track[:-1]
    dt = frame[1:] - frame[:-1]
    brk = np.ones(n, bool)  # row starts a new interpolation segment
    brk[1:] = ~same | (dt - 1 > cfg.max_interp_gap) | is_jump[lo + 1:hi]
    gap = np.zeros(n, bool)
    gap[1:] = same & (dt > 1) & ~brk[1:]
    missing = np.zeros(n, np.int64)
    missing[1:] = np.where(gap[1:], dt - 1, 0)
    del same, dt
    seg = np.cumsum(brk) - 1
    n_seg = int(seg[-1]) + 1
    seg_missing = np.bincount(seg, weights=missing, minlength=n_seg).astype(np.int64)
    want = np.flatnonzero(seg_missing > 0)
    if not len(want):
        return []
    seg_gaps = np.bincount(seg, weights=gap, minlength=n_seg).astype(np.int64)
    seg_longest = np.zeros(n_seg, np.int64)
    np.maximum.at(seg_longest, seg, missing)
    starts = np.flatnonzero(brk)
    ends = np.append(starts[1:] - 1, n - 1)
    gap_rows = np.flatnonzero(gap)
    first_gap_row = np.full(n_seg, n, np.int64)
    np.minimum.at(first_gap_row, seg[gap_rows], gap_rows)
    out = []
    for q in want:
        t = int(track[starts[q]])
        f0, f1 = int(frame[starts[q]]), int(frame[ends[q]])
        look = int(frame[first_gap_row[q] - 1]) + 1
        score = float(np.exp(-seg_longest[q] / (cfg.max_interp_gap + 1)))
        out.append(Suspect(
            "gap", look, (t,), score,
            f"track {t} misses {int(seg_missing[q])} frame(s) in {int(seg_gaps[q])} gap(s) "
            f"of at most {int(seg_longest[q])} between frames {f0} and {f1}",
            {"op": "interpolate", "a": t, "from_frame": f0, "to_frame": f1}))
    return out


def find_short_and_duplicates(ta: TrackArrays, pairs: tuple, cfg: ScanConfig,
                              linked: set[int]) -> list[Suspect]:
    """Tracks that are likely false positives: very short and unlinked, or riding on
    another track's boxes most of their life (a duplicate)."""
    out = []
    tid = ta.track[ta.first]
    length = ta.last - ta.first + 1
    want_short, want_dup = "short" in cfg.kinds, "duplicate" in cfg.kinds
    dup_tracks: set[int] = set()
    f, a, b, iou = pairs
    if want_dup and len(f):
        strong = iou > cfg.duplicate_iou
        pos = {int(t): k for k, t in enumerate(tid)}
        idx = np.searchsorted(tid, np.concatenate([a[strong], b[strong]]))
        cnt = np.bincount(idx, minlength=len(tid))
        frac = cnt / length
        partner_len = {}
        for x, y in zip(a[strong].tolist(), b[strong].tolist(), strict=True):
            partner_len[x] = max(partner_len.get(x, 0), int(length[pos[y]]))
            partner_len[y] = max(partner_len.get(y, 0), int(length[pos[x]]))
        for k in np.flatnonzero(frac >= cfg.duplicate_frac):
            t = int(tid[k])
            if partner_len.get(t, 0) < length[k]:
                continue
            dup_tracks.add(t)
            out.append(Suspect(
                "duplicate", int(ta.frame[ta.first[k]]), (t,), float(min(frac[k], 1.0) * 0.9),
                f"track {t} overlaps another track (IoU > {cfg.duplicate_iou}) on "
                f"{100 * min(frac[k], 1.0):.0f}% of its {int(length[k])} boxes",
                {"op": "delete", "a": t}))
    if want_short:
        for k in np.flatnonzero(length <= cfg.min_track_len):
            t = int(tid[k])
            if t in linked or t in dup_tracks:
                continue
            out.append(Suspect(
                "short", int(ta.frame[ta.first[k]]), (t,),
                float(1.0 - length[k] / (cfg.min_track_len + 1)),
                f"track {t} lives only {int(length[k])} box(es) and links to no other track",
                {"op": "delete", "a": t}))
    return out


# --------------------------------------------------------------------- entry points
def scan_table(table, config: ScanConfig | None = None, *,
               read_frame: FrameReader | None = None,
               embedder: Embedder | None = None) -> list[Suspect]:
    """All suspects of a run's boxes (a ``MotTable``), sorted by frame.

    ``read_frame`` (1-based -> BGR image) adds colour similarity to the crossing test;
    without it the scan needs no pixels.
    """
    cfg = config or ScanConfig()
    ta = TrackArrays.from_table(table, cfg.min_scale_frac)
    if len(ta) == 0:
        return []
    if needs_pairs(cfg):
        xyxy = np.column_stack([ta.cx - ta.w / 2, ta.cy - ta.h / 2, ta.cx + ta.w / 2,
                                ta.cy + ta.h / 2])
        pairs = overlapping_pairs(ta.frame, ta.track, xyxy, pair_iou(cfg))
    else:
        z = np.zeros(0, np.int64)
        pairs = (z, z, z, np.zeros(0))
    return scan_arrays(ta, pairs, cfg, read_frame=read_frame, embedder=embedder)


def needs_pairs(cfg: ScanConfig) -> bool:
    return bool({"crossing", "duplicate"} & set(cfg.kinds))


def pair_iou(cfg: ScanConfig) -> float:
    """The overlap above which two boxes of a frame are a pair for the scan."""
    return min(cfg.cross_iou, cfg.duplicate_iou)


def scan_arrays(ta: TrackArrays, pairs: tuple, cfg: ScanConfig, *,
                read_frame: FrameReader | None = None,
                embedder: Embedder | None = None) -> list[Suspect]:
    """The scan given the boxes by track and the overlapping pairs (frame, a < b, iou):
    everything after the one id-independent step, so it can be cached."""
    if len(ta) == 0:
        return []
    out: list[Suspect] = []
    jumps, jump_rows = find_jumps(ta, cfg)
    if "jump" in cfg.kinds:
        out += jumps
    if "crossing" in cfg.kinds:
        cross = pairs[3] > cfg.cross_iou
        found = find_crossings(ta, tuple(x[cross] for x in pairs), cfg, read_frame, embedder)
        # a swap already proposed from paired jumps is not proposed twice
        seen = {(s.tracks, s.fix.get("from_frame")) for s in out if s.fix.get("op") == "swap"}
        out += [s for s in found if (s.tracks, s.fix["from_frame"]) not in seen]
    eb, linked = find_end_begins(ta, cfg)
    if "end_begin" in cfg.kinds:
        out += eb
    if "gap" in cfg.kinds:
        out += find_gaps(ta, cfg, jump_rows)
    out += find_short_and_duplicates(ta, pairs, cfg, linked)
    if cfg.fix_weights:
        from sporttrack_gui.assist.fix_confidence import calibrate_fixes

        out = calibrate_fixes(ta, out, cfg)
    return sort_suspects(out)
