"""MOTChallenge ``gt.txt`` / ``det.txt`` / tracker-result files: read with validation, write exactly.

Row layout (1-based frames, top-left boxes in pixels)::

    frame, id, x, y, w, h[, col7[, col8[, col9[, col10]]]]

* ``gt``: col7 = "consider" flag (stored as ``conf``); in 8/9-column files (MOT17/20,
  SportsMOT) col8 = class and col9 = visibility; in 10-column files (MOT15/16, SoccerNet)
  cols 8-10 are world x/y/z and are not kept. Ids are >= 0 (SportsMOT starts at 0) and (frame, id) is unique.
* ``det``: id is -1 and may repeat; col7 = confidence; cols 8-10 are the unused world
  x/y/z (-1).
* ``results`` (a tracker's output): like ``det`` but with real, unique ids.

Separators may be ``,``, ``", "`` (SportsMOT) or whitespace. The seqinfo/sequence helpers
are re-exported here because every caller of ``read_mot`` also needs them.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Literal

import numpy as np

from sporttrack_gui.atomic_io import atomic_write_text
from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.mot_check import (
    MAX_COLS,
    MIN_COLS,
    check_rows,
    gt_has_class,
    resolve_kind,
)
from sporttrack_gui.formats.mot_table import DEFAULT_CLS, DEFAULT_CONF, DEFAULT_VIS, MotTable
from sporttrack_gui.formats.numfmt import format_float32, format_ints, join_columns
from sporttrack_gui.formats.numtext import parse_numeric_text
from sporttrack_gui.formats.seqinfo import (
    MotSequence,
    SeqInfo,
    find_mot_sequence,
    read_seqinfo,
    write_seqinfo,
)

__all__ = ["MotTable", "read_mot", "read_mot_lenient", "parse_mot", "write_mot", "format_mot",
           "SeqInfo", "read_seqinfo", "write_seqinfo", "MotSequence", "find_mot_sequence"]

log = logging.getLogger(__name__)

Kind = Literal["auto", "gt", "det", "results"]
_KINDS = ("auto", "gt", "det", "results")
_DEFAULT_COLUMNS = {"gt": 9, "det": 10, "results": 10}


def read_mot(path: str | os.PathLike, *, kind: Kind = "auto", strict: bool = True) -> MotTable:
    """Read a MOTChallenge file.

    ``strict`` raises :class:`InputError` naming the file and line of the first bad row;
    otherwise bad rows are skipped and logged (use :func:`read_mot_lenient` to get them).
    An empty file gives an empty table.
    """
    table, problems = _read(path, kind, strict)
    if problems:
        log.warning("%s: skipped %d bad line(s); first: %s", path, len(problems), problems[0])
    return table


def read_mot_lenient(path: str | os.PathLike, *,
                     kind: Kind = "auto") -> tuple[MotTable, list[InputError]]:
    """Read the good rows of a mostly-good file and list every dropped line.

    Each problem is an :class:`InputError` with ``.path``, ``.line`` and a message;
    duplicates keep the first occurrence of a (frame, id).
    """
    return _read(path, kind, strict=False)


def parse_mot(data: bytes, *, kind: Kind = "auto", name: str = "<memory>",
              strict: bool = True) -> tuple[MotTable, list[InputError]]:
    """Parse MOT text already in memory; ``name`` is used in messages and for ``auto``."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    text = parse_numeric_text(data)
    ids = text.values[text.offsets[text.ncols >= 2] + 1] if len(text.ncols) else np.zeros(0)
    resolved = resolve_kind(kind, ids, Path(name).name)
    checked = check_rows(text, resolved, first_only=strict)
    problems = [InputError(msg, name, line) for line, msg in checked.problems]
    if strict and problems:
        raise problems[0]
    return _table_from_rows(checked.values, checked.ncol, resolved), problems


#: files above this are read in chunks of lines (memory ~ the compact table, not the text)
STREAM_BYTES = 32 << 20
_CHUNK = 4 << 20


def _read(path: str | os.PathLike, kind: Kind, strict: bool) -> tuple[MotTable, list[InputError]]:
    name = str(path)
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size <= STREAM_BYTES:
                return parse_mot(fh.read(), kind=kind, name=name, strict=strict)
            return _read_stream(fh, kind, name, strict)
    except OSError as exc:
        raise InputError(f"cannot read MOT file: {exc.strerror or exc}", name) from exc


def _read_stream(fh, kind: Kind, name: str,
                 strict: bool) -> tuple[MotTable, list[InputError]]:
    """A big file in chunks of whole lines: each is parsed, checked and turned into a
    compact table (40 bytes a box) before the next is read, so memory follows the boxes,
    not the text (a 200 MB gt.txt parsed whole took 2.5 GB). The column count and the
    kind come from the first chunk; (frame, id) uniqueness is checked over the whole
    file at the end."""
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    tables: list[MotTable] = []
    lines: list[np.ndarray] = []
    problems: list[InputError] = []
    resolved, ncol, line_base, rest = None, None, 0, b""
    release_free_memory(mmap_threshold=1 << 20)
    while True:
        block = fh.read(_CHUNK)
        data = rest + block
        cut = len(data) if not block else data.rfind(b"\n") + 1
        if block and cut == 0:  # one line longer than a chunk: keep reading
            rest = data
            continue
        chunk, rest = data[:cut], data[cut:]
        if chunk:
            text = parse_numeric_text(chunk)
            if resolved is None:
                ids = (text.values[text.offsets[text.ncols >= 2] + 1] if len(text.ncols)
                       else np.zeros(0))
                resolved = resolve_kind(kind, ids, Path(name).name)
            checked = check_rows(text, resolved, first_only=strict, ncol=ncol)
            if len(text.ncols):
                ncol = ncol or checked.ncol
            found = [InputError(msg, name, line + line_base) for line, msg in checked.problems]
            problems += found
            tables.append(_table_from_rows(checked.values, checked.ncol, resolved))
            lines.append((checked.line_no + line_base).astype(np.int32 if line_base < 2**30
                                                                else np.int64))
            if strict and found:  # a repeat across chunks may come first
                raise _earliest(found[0], tables, lines, resolved, name)
            line_base += chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
        if not block:
            break
    table = _concat_consuming(tables)
    release_free_memory()
    if resolved in ("gt", "results") and len(table) > 1 and _has_repeats(table):
        table, problems = _unique_keys(table, np.concatenate(lines), name, strict, problems)
    problems.sort(key=lambda e: e.line or 0)
    return table, problems


def release_free_memory(mmap_threshold: int | None = None) -> None:
    """Give freed heap back to the OS. glibc raises its mmap threshold after the first big
    free, so a streamed parse's chunk-sized temporaries land on the heap between the
    kept chunk tables and are never returned (200+ MB of RSS holding nothing); a fixed
    threshold keeps them in mmap, ``malloc_trim`` returns the rest. No-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        if mmap_threshold is not None:
            libc.mallopt(-3, mmap_threshold)  # M_MMAP_THRESHOLD
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _earliest(error: InputError, tables: list[MotTable], lines: list[np.ndarray],
              kind: str, name: str) -> InputError:
    """The error to raise in strict mode: ``error``, or a repeated (frame, id) on an
    earlier line among the rows read so far."""
    if kind not in ("gt", "results"):
        return error
    try:
        _unique_keys(MotTable.concat(tables), np.concatenate(lines), name, True, [])
    except InputError as dup:
        if (dup.line or 0) < (error.line or 0):
            return dup
    return error


def _concat_consuming(tables: list[MotTable]) -> MotTable:
    """``MotTable.concat`` one column at a time, freeing the parts as it goes (peak: the
    table plus one column, not two tables)."""
    if not tables:
        return MotTable.empty()
    out = {}
    for fld in ("frame", "track_id", "xywh", "conf", "cls", "vis"):
        out[fld] = np.concatenate([getattr(t, fld) for t in tables])
        for t in tables:
            setattr(t, fld, None)
    tables.clear()
    return MotTable(**out)


def _has_repeats(table: MotTable) -> bool:
    """Cheap test for a repeated (frame, id): one sorted int64 key (ids < 2**31)."""
    key = np.sort(table.frame.astype(np.int64) << 32 | (table.track_id & 0xFFFFFFFF))
    return bool((key[1:] == key[:-1]).any())


def _unique_keys(table: MotTable, line_no: np.ndarray, name: str, strict: bool,
                 problems: list[InputError]) -> tuple[MotTable, list[InputError]]:
    """(frame, id) must be unique over the whole file: later repeats are problems."""
    order = np.lexsort((line_no, table.track_id, table.frame))
    f, t = table.frame[order], table.track_id[order]
    same = np.r_[False, (f[1:] == f[:-1]) & (t[1:] == t[:-1])]
    if not same.any():
        return table, problems
    first = np.maximum.accumulate(np.where(~same, np.arange(len(order)), 0))
    dup = np.flatnonzero(same)
    found = [InputError(f"duplicate box for frame {int(f[i])}, id {int(t[i])} (first given "
                        f"on line {int(line_no[order[first[i]]])})", name,
                        int(line_no[order[i]])) for i in dup[:1000].tolist()]
    found.sort(key=lambda e: e.line or 0)
    if strict:
        raise found[0]
    keep = np.ones(len(table), bool)
    keep[order[dup]] = False
    return table.select(keep), problems + found


def _table_from_rows(rows: np.ndarray, ncol: int, kind: str) -> MotTable:
    n = len(rows)
    conf = rows[:, 6] if ncol >= 7 else np.full(n, DEFAULT_CONF)
    has_class = gt_has_class(kind, ncol)
    cls = rows[:, 7] if has_class else np.full(n, DEFAULT_CLS)
    vis = rows[:, 8] if has_class and ncol >= 9 else np.full(n, DEFAULT_VIS)
    return MotTable(frame=rows[:, 0], track_id=rows[:, 1], xywh=rows[:, 2:6],
                    conf=conf, cls=cls, vis=vis)


def format_mot(table: MotTable, *, kind: Literal["gt", "det", "results"] = "gt",
               columns: int | None = None, sep: str = ",") -> str:
    """The text :func:`write_mot` writes (see there)."""
    if kind not in _DEFAULT_COLUMNS:
        raise ValueError(f"kind must be gt, det or results, got {kind!r}")
    ncol = _DEFAULT_COLUMNS[kind] if columns is None else columns
    if not MIN_COLS <= ncol <= MAX_COLS:
        raise ValueError(f"columns must be {MIN_COLS}..{MAX_COLS}, got {ncol}")
    n = len(table)
    minus1 = ["-1"] * n
    cols = [format_ints(table.frame), format_ints(table.track_id)]
    cols += [format_float32(table.xywh[:, j]) for j in range(4)]
    if ncol >= 7:
        cols.append(format_float32(table.conf))
    if gt_has_class(kind, ncol):  # 10-column gt carries world x/y/z (-1), not a class
        if ncol >= 8:
            cols.append(format_ints(table.cls))
        if ncol >= 9:
            cols.append(format_float32(table.vis))
    cols += [minus1] * (ncol - len(cols))
    return join_columns(cols, sep)


def write_mot(path: str | os.PathLike, table: MotTable, *,
              kind: Literal["gt", "det", "results"] = "gt",
              columns: int | None = None, sep: str = ",") -> None:
    """Write ``table`` in row order so that :func:`read_mot` gives the same numbers back.

    ``columns`` defaults to 9 for gt (MOT17/SportsMOT) and 10 for det/results (MOT16 and
    the MOTChallenge result format); SoccerNet gt uses 10. Whole numbers are written
    without decimals, others with the fewest decimals that reproduce the float32 value.
    The file is replaced atomically, so a failed export never leaves half a file.
    """
    _check_writable(table, kind, str(path))
    text = format_mot(table, kind=kind, columns=columns, sep=sep)
    atomic_write_text(path, text, encoding="ascii")


def _check_writable(table: MotTable, kind: str, path: str) -> None:
    """Refuse tables that :func:`read_mot` would reject, naming the first bad row."""
    bad = ~np.isfinite(table.xywh).all(axis=1) | ~np.isfinite(table.conf)
    bad |= (table.frame < 1) | (table.xywh[:, 2] <= 0) | (table.xywh[:, 3] <= 0)
    if kind != "det":
        bad |= table.track_id < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"cannot write {kind} row {i}: frame {table.frame[i]}, id {table.track_id[i]}, "
            f"xywh {table.xywh[i].tolist()}, conf {table.conf[i]} (need frame >= 1, finite "
            f"values, width/height > 0{', id >= 0' if kind != 'det' else ''})", path)
