"""OTB ``groundtruth_rect.txt``: one ``x,y,w,h`` box per frame for single-object tracking.

Why a reader of its own: OTB files mix separators (comma in most sequences, tab or
spaces in others) and a single broken line shifts every later frame of an evaluation,
so lines are checked one by one and errors name the line.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.limits import MAX_COORD
from sporttrack_gui.formats.numfmt import format_float32, join_columns
from sporttrack_gui.formats.numtext import parse_numeric_text

_NAMES = ("x", "y", "width", "height")


def read_otb_groundtruth(path: str | os.PathLike) -> np.ndarray:
    """(N, 4) float32 ``xywh``, row ``i`` = frame ``i + 1``. Blank lines are not frames.

    Raises :class:`InputError` on a line without exactly four numbers, a non-finite value
    or a width/height <= 0.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ground truth: {exc.strerror or exc}", name) from exc
    text = parse_numeric_text(data)
    problems: list[tuple[int, str]] = []  # (line index, message): the earliest is raised
    wrong = np.flatnonzero(text.ncols != 4)
    if len(wrong):
        li = int(wrong[0])
        problems.append((li, f"expected 4 values (x, y, width, height), got {text.ncols[li]}"))
    if len(text.bad_tokens):
        li, col = text.bad_token_lines()[0].tolist()
        problems.append((li, f"{_NAMES[col]} is not a number: {text.bad_text[0]!r}"))
    good = np.flatnonzero(text.ncols == 4)
    rows = text.rows(good, 4)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(rows) | (np.arange(4) >= 2) & (rows <= 0) | (np.abs(rows) > MAX_COORD)
    if bad.any():
        r, col = np.argwhere(bad)[0].tolist()
        rule = ("a finite number" if not np.isfinite(rows[r, col]) else
                f"within ±{MAX_COORD:g} pixels" if abs(rows[r, col]) > MAX_COORD else "> 0")
        problems.append((int(good[r]), f"{_NAMES[col]} must be {rule}, got {rows[r, col]:g}"))
    if problems:
        li, msg = min(problems)
        raise InputError(msg, name, int(text.line_no[li]))
    return rows.astype(np.float32)


def write_otb_groundtruth(path: str | os.PathLike, xywh: np.ndarray, sep: str = ",") -> None:
    """Write one box per line; whole numbers without decimals, as OTB ships them."""
    boxes = np.asarray(xywh, np.float32).reshape(-1, 4)
    text = join_columns([format_float32(boxes[:, j]) for j in range(4)], sep)
    Path(path).write_text(text, encoding="ascii")
