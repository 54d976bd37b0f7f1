"""Moving boxes between numpy columns and SQLite without per-box Python work.

Why a module of its own: the pipeline appends thousands of boxes per batch and the
viewer asks for one frame 25 times a second; both paths must stay columnar.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError

COLUMNS = ("frame", "track", "x", "y", "w", "h", "conf", "cls", "vis")


def as_columns(data: Any) -> dict[str, np.ndarray]:
    """Normalise a ``MotTable`` (or a mapping with its field names) to typed columns."""
    get = data.get if isinstance(data, Mapping) else (lambda k, d=None: getattr(data, k, d))
    frame = get("frame")
    track = get("track_id")
    xywh = get("xywh")
    if frame is None or track is None or xywh is None:
        raise InputError("boxes need frame, track_id and xywh columns")
    frame = np.asarray(frame, dtype=np.int64).reshape(-1)
    n = len(frame)
    # float32 columns (a MotTable's) stay float32: SQLite gets the same doubles from them
    xywh = np.asarray(xywh)
    xywh = (xywh.astype(_float(xywh), copy=False).reshape(n, 4) if n
            else np.zeros((0, 4)))

    def col(name: str, default: float, dtype) -> np.ndarray:
        v = get(name)
        if v is None:
            return np.full(n, default, dtype=dtype)
        v = np.asarray(v)
        if dtype is np.float64:
            dtype = _float(v)
        return v.astype(dtype, copy=False).reshape(-1)

    cols = {
        "frame": frame,
        "track": np.asarray(track, dtype=np.int64).reshape(-1),
        "x": xywh[:, 0], "y": xywh[:, 1], "w": xywh[:, 2], "h": xywh[:, 3],
        "conf": col("conf", 1.0, np.float64),
        "cls": col("cls", -1, np.int64),
        "vis": col("vis", -1.0, np.float64),
    }
    for k, v in cols.items():
        if len(v) != n:
            raise InputError(f"boxes column {k} has {len(v)} values, expected {n}")
    return cols


def _float(a: np.ndarray) -> type:
    return np.float32 if a.dtype == np.float32 else np.float64


def validate(cols: dict[str, np.ndarray], what: str) -> None:
    """Refuse boxes the project could not hold faithfully, naming the first bad one."""
    checks = [
        (cols["frame"] < 1, "frame numbers are 1-based, got {frame}"),
        (cols["track"] < -1, "track id must be >= -1, got {track}"),
        (_not_finite(cols), "non-finite value in the box of frame {frame} track {track}"),
        (cols["w"] <= 0, "width must be > 0, got {w} (frame {frame}, track {track})"),
        (cols["h"] <= 0, "height must be > 0, got {h} (frame {frame}, track {track})"),
    ]
    for bad, msg in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{int(bad.sum())} bad box(es); first: " + msg.format(
                **{k: v[i] for k, v in cols.items()}), what)
    real = cols["track"] >= 0
    if real.any():
        key = cols["frame"][real] * (1 << 32) + cols["track"][real]
        uniq, counts = np.unique(key, return_counts=True)
        if (counts > 1).any():
            k = int(uniq[counts > 1][0])
            raise InputError(
                f"duplicate box for frame {k >> 32}, track {k & 0xFFFFFFFF} "
                f"({int((counts > 1).sum())} duplicated (frame, track) pairs)", what)


def _not_finite(cols: dict[str, np.ndarray]) -> np.ndarray:
    bad = np.zeros(len(cols["frame"]), bool)
    for k in ("x", "y", "w", "h", "conf", "vis"):
        bad |= ~np.isfinite(cols[k])
    return bad


def rows(run_id: int, cols: dict[str, np.ndarray], chunk: int = 65536) -> Iterator[tuple]:
    """Tuples for ``executemany``; ``tolist`` converts whole columns in C, a chunk at a
    time (all 9 columns of 5 M boxes as Python lists at once took 1.5 GB)."""
    n = len(cols["frame"])
    for s in range(0, n, chunk):
        lists = [cols[k][s:s + chunk].tolist() for k in COLUMNS]
        yield from zip([run_id] * len(lists[0]), *lists, strict=True)


def fetch(conn: sqlite3.Connection, where: str, params: tuple | dict,
          track: int | None = None) -> dict[str, np.ndarray]:
    """Boxes ``SELECT ... FROM boxes {where}`` as float64 numpy columns (see ``COLUMNS``).

    With the sqlite3 module every returned value becomes a Python object, which is what
    reading 75,000 boxes spends its time on (the indexed SQL takes ~9 ms): so with
    ``track`` given the track column is not read but filled in, and the rows stream into
    one flat array (``np.fromiter``; ~20 % faster than ``np.array`` on ``fetchall``).
    Packing frame+class into one integer and NULL-ing default conf/vis measured no
    reliable gain: the per-column cost of the sqlite3 module stays.
    """
    names = [k for k in COLUMNS if track is None or k != "track"]
    sql = f"SELECT {', '.join(names)} FROM boxes {where}"
    arr = np.fromiter(itertools.chain.from_iterable(conn.execute(sql, params)),
                      dtype=np.float64).reshape(-1, len(names))
    cols = {k: arr[:, i] for i, k in enumerate(names)}
    if track is not None:
        cols["track"] = np.full(len(arr), track, dtype=np.float64)
    return {k: cols[k] for k in COLUMNS}


def fetch_track(conn: sqlite3.Connection, run: int, pieces: list[tuple[int, int, int]],
                track: int) -> dict[str, np.ndarray]:
    """Boxes of the raw stretches ``pieces`` ((raw id, first, last frame), each one
    range of the (run, track, frame) index) as float64 columns, all showing ``track``."""
    parts = [fetch(conn, "WHERE run_id = ? AND track = ? AND frame BETWEEN ? AND ? "
                   "ORDER BY frame", (run, raw, a, b), track=track) for raw, a, b in pieces]
    if not parts:
        return {k: np.zeros(0) for k in COLUMNS}
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([p[k] for p in parts]) for k in COLUMNS}


def to_table(cols: dict[str, np.ndarray]):
    """Numpy columns -> ``MotTable`` (the formats room's exchange type)."""
    from sporttrack_gui.formats.mot import MotTable

    return MotTable.from_arrays(
        cols["frame"].astype(np.int32),
        cols["track"].astype(np.int64),
        np.stack([cols["x"], cols["y"], cols["w"], cols["h"]], axis=1).astype(np.float32)
        if len(cols["frame"]) else np.zeros((0, 4), np.float32),
        cols["conf"].astype(np.float32),
        cols["cls"].astype(np.int32),
        cols["vis"].astype(np.float32),
    )
