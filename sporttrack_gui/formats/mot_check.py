"""Validation of MOTChallenge rows: which lines are good, and a precise message for the rest.

Why separate from the reader: the rules (column count, finite numbers, whole frame/ids,
positive sizes, unique (frame, id) in ground truth) are vectorised over all rows at once,
and messages are built only for the failing lines, so a clean 3-million-row file costs a
few array passes while a broken one still gets ``line 812: width must be > 0, got -3``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.formats.limits import MAX_CLASS, MAX_COORD, MAX_FRAME, MAX_TRACK_ID
from sporttrack_gui.formats.numtext import NumericText

MIN_COLS, MAX_COLS = 6, 10
COLUMN_NAMES = ("frame", "track id", "x", "y", "width", "height",
                "confidence", "class", "visibility", "z")
_DUPLICATE = 14  # reason code after the per-row rules (codes 2..13)


@dataclass(frozen=True)
class CheckedRows:
    """Rows that passed every rule, and (line number, message) for every line that did not."""

    values: np.ndarray  # float64 (K, ncol)
    line_no: np.ndarray  # int64 (K,) file line of each good row
    ncol: int
    problems: list[tuple[int, str]]  # sorted by line number


def resolve_kind(kind: str, ids: np.ndarray, filename: str) -> str:
    """``auto`` -> ``gt``/``det`` when the file name has that word (``gt.txt``, ``gt_temp.txt``,
    ``seq_det.txt``), else ``det`` when every id is -1, else ``results``."""
    if kind != "auto":
        return kind
    words = set(re.split(r"[^a-z0-9]+", filename.lower()))
    if "gt" in words:
        return "gt"
    if "det" in words:
        return "det"
    return "det" if len(ids) and bool(np.all(ids == -1)) else "results"


def check_rows(text: NumericText, kind: str, *, first_only: bool,
               ncol: int | None = None) -> CheckedRows:
    """Apply the MOT rules to every non-blank line of ``text``.

    ``first_only`` stops message building at the earliest failing line (strict readers
    raise that one; building 3 million messages for a wholly wrong file would be waste).
    ``ncol`` fixes the column count (a streamed file's later chunks use the first one's).
    """
    n_lines = len(text.ncols)
    if n_lines == 0:
        return CheckedRows(np.zeros((0, ncol or MIN_COLS)), np.zeros(0, np.int64),
                           ncol or MIN_COLS, [])
    ncol = ncol or _expected_columns(text.ncols)
    reason = np.full(n_lines, -1, np.int16)  # first failed rule per line (-1 = good)
    detail: dict[int, str] = {}

    reason[text.ncols != ncol] = 0

    # unparsable tokens on lines of the right length
    if len(text.bad_tokens):
        where = text.bad_token_lines()
        for (li, col), tok in zip(where.tolist(), text.bad_text, strict=True):
            if reason[li] < 0:
                reason[li] = 1
                detail[li] = f"{COLUMN_NAMES[col]} is not a number: {tok!r}"

    ok_idx = np.flatnonzero(reason < 0)
    rows = text.rows(ok_idx, ncol)
    row_reason = np.full(len(rows), -1, np.int16)
    rules = _row_rules(rows, kind, ncol)
    for code in range(len(rules) + 1, 1, -1):  # last to first, so the earliest rule wins
        row_reason[rules[code - 2]] = code
    reason[ok_idx] = row_reason

    first_of = _mark_duplicates(text, rows, ok_idx, reason) if kind in ("gt", "results") else {}

    bad_lines = np.flatnonzero(reason >= 0)
    if first_only:
        bad_lines = bad_lines[:1]
    if not (text.ncols == ncol).any():  # no line has a usable length: say what is expected
        detail.update((li, _count_message(int(text.ncols[li]))) for li in bad_lines.tolist())
    for li in bad_lines.tolist():
        if reason[li] == _DUPLICATE:
            row = text.values[text.offsets[li]:text.offsets[li] + 2]
            detail[li] = (f"duplicate box for frame {_num(row[0])}, id {_num(row[1])} "
                          f"(first given on line {int(text.line_no[first_of[li]])})")
    problems = [(int(text.line_no[li]), _message(text, li, int(reason[li]), ncol, kind, detail))
                for li in bad_lines.tolist()]
    good = reason[ok_idx] < 0
    if good.all():  # the common case: no copy of a possibly huge array
        return CheckedRows(rows, text.line_no[ok_idx], ncol, problems)
    return CheckedRows(rows[good], text.line_no[ok_idx[good]], ncol, problems)


def _expected_columns(ncols: np.ndarray) -> int:
    """The column count of the file: the most common valid count (ties: the larger, since
    truncated lines are more common than extra values); MIN_COLS if no line is valid."""
    counts = np.bincount(ncols, minlength=MAX_COLS + 1)[MIN_COLS:MAX_COLS + 1]
    if counts.max() == 0:
        return MIN_COLS
    return MIN_COLS + int(np.flatnonzero(counts == counts.max())[-1])


def gt_has_class(kind: str, ncol: int) -> bool:
    """Class/visibility columns exist only in 8/9-column gt (MOT17/20, SportsMOT).

    10-column gt is the MOT15/16 layout whose columns 8-10 are world x/y/z (TUD-Stadtmitte
    has real values there, SoccerNet -1), so they are not read as a class.
    """
    return kind == "gt" and 8 <= ncol <= 9


def _row_rules(rows: np.ndarray, kind: str, ncol: int) -> list[np.ndarray]:
    """Boolean "fails" masks, in the order their messages are preferred (codes 2, 3, ...)."""
    never = np.zeros(len(rows), bool)
    with np.errstate(invalid="ignore"):
        frame, ids = rows[:, 0], rows[:, 1]
        cls_col = rows[:, 7] if gt_has_class(kind, ncol) else None
        return [~np.isfinite(rows).all(axis=1),  # 2
                frame != np.round(frame),  # 3
                frame < 1,  # 4
                frame > MAX_FRAME,  # 5
                ids != np.round(ids),  # 6
                np.abs(ids) > MAX_TRACK_ID,  # 7
                ids < 0 if kind != "det" else never,  # 8
                rows[:, 4] <= 0,  # 9
                rows[:, 5] <= 0,  # 10
                never if cls_col is None else cls_col != np.round(cls_col),  # 11
                (np.abs(rows[:, 2:6]) > MAX_COORD).any(axis=1),  # 12
                never if cls_col is None else np.abs(cls_col) > MAX_CLASS]  # 13


def _mark_duplicates(text: NumericText, rows: np.ndarray, ok_idx: np.ndarray,
                     reason: np.ndarray) -> dict[int, int]:
    """Flag every later line that repeats an earlier good line's (frame, id).

    Returns duplicate line index -> line index of the first occurrence (for the message).
    """
    good = reason[ok_idx] < 0
    idx, frame, ids = ok_idx[good], rows[good, 0], rows[good, 1]
    if len(idx) < 2:
        return {}
    order = _key_order(frame.astype(np.int64), ids.astype(np.int64))
    same = (frame[order][1:] == frame[order][:-1]) & (ids[order][1:] == ids[order][:-1])
    if not same.any():
        return {}
    # for each duplicate, the first line of its run of equal keys
    run_start = np.maximum.accumulate(np.where(np.r_[True, ~same], np.arange(len(order)), 0))
    dup_pos = np.flatnonzero(np.r_[False, same])
    dup_lines = idx[order[dup_pos]]
    reason[dup_lines] = _DUPLICATE
    return dict(zip(dup_lines.tolist(), idx[order[run_start[dup_pos]]].tolist(), strict=True))


def _key_order(frame: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Stable order by (frame, id): equal keys stay in line order, so the first is kept.

    One int64 key and a stable sort (linear on the usual frame- or id-sorted files);
    lexsort only when the key would overflow.
    """
    lo, span = int(ids.min()), int(ids.max()) - int(ids.min()) + 1
    if int(frame.max()) < (2**62) // span:
        return np.argsort(frame * span + (ids - lo), kind="stable")
    return np.lexsort((ids, frame))


def _message(text: NumericText, li: int, code: int, ncol: int, kind: str,
             detail: dict[int, str]) -> str:
    if li in detail:
        return detail[li]
    n = int(text.ncols[li])
    if code == 0:
        hint = " (truncated line?)" if n < ncol else ""
        return f"expected {ncol} values like the rest of the file, got {n}{hint}"
    row = text.values[text.offsets[li]:text.offsets[li] + n]
    frame, ids = row[0], row[1]
    if code == 2:
        col = int(np.flatnonzero(~np.isfinite(row))[0])
        return f"{COLUMN_NAMES[col]} must be a finite number, got {_num(row[col])}"
    messages = {
        3: f"frame must be a whole number, got {_num(frame)}",
        4: f"frame must be >= 1, got {_num(frame)}",
        5: f"frame must be <= {MAX_FRAME}, got {_num(frame)}",
        6: f"track id must be a whole number, got {_num(ids)}",
        7: f"track id {_num(ids)} is too large (at most {MAX_TRACK_ID})",
        8: f"track id must be >= 0 in a {kind} file (-1 is for detections), got {_num(ids)}",
        9: f"width must be > 0, got {_num(row[4])}",
        10: f"height must be > 0, got {_num(row[5])}",
        11: f"class must be a whole number, got {_num(row[7])}" if n >= 8 else "",
        12: f"box coordinates must be within ±{MAX_COORD:g} pixels, got x, y, w, h = "
            f"{', '.join(_num(v) for v in row[2:6])}",
        13: f"class {_num(row[7]) if n >= 8 else ''} is too large (at most {MAX_CLASS})",
    }
    return messages[code]


def _count_message(n: int) -> str:
    return (f"expected {MIN_COLS} to {MAX_COLS} values (frame, id, x, y, width, height"
            f"[, conf, class, visibility, z]), got {n}")


def _num(x: float) -> str:
    """A value as the user typed it (``-3`` not ``-3.0``)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))
