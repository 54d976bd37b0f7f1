"""Shortest exact decimal text for float32 columns, and whole tables as text lines.

Why: exported gt.txt must read back to the very same numbers and should look like the
files people already have (``912`` not ``912.000000``, ``912.8`` not ``912.79998779``).
``%.6g`` loses precision on 1920-px frames with decimals (``1919.375`` -> ``1919.38``),
and ``%.9g`` prints float32 noise (``912.799988``). Here each value gets the
fewest decimals that parse back to the identical float32, decided per value with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_MAX_DECIMALS = 9


def format_ints(values: np.ndarray) -> list[str]:
    """Integers as decimal strings."""
    return list(map(str, np.asarray(values, np.int64).tolist()))


def format_float32(values: np.ndarray) -> list[str]:
    """Each value with the fewest decimals that reads back as the same float32.

    Whole numbers have no decimal point. Non-finite values print as ``nan``/``inf``/``-inf``
    (writers validate before they get here; this keeps the function total).
    """
    v32 = np.asarray(values, np.float32).reshape(-1)
    v64 = v32.astype(np.float64)
    decimals = np.full(len(v32), -1, np.int8)
    finite = np.isfinite(v32)
    todo = np.flatnonzero(finite)
    with np.errstate(over="ignore", invalid="ignore"):
        for d in range(_MAX_DECIMALS + 1):
            if len(todo) == 0:
                break
            ok = np.round(v64[todo], d).astype(np.float32) == v32[todo]
            decimals[todo[ok]] = d
            todo = todo[~ok]
    if len(v32) and (decimals == 0).all():
        return format_ints(v64)
    out = np.empty(len(v32), object)
    whole = decimals == 0
    out[whole] = format_ints(v64[whole])
    for d in range(1, _MAX_DECIMALS + 1):
        sel = decimals == d
        if sel.any():
            fmt = f"%.{d}f"
            out[sel] = [fmt % x for x in v64[sel].tolist()]
    for i in np.flatnonzero(decimals < 0).tolist():  # too large/small for fixed decimals
        out[i] = repr(float(v32[i])) if finite[i] else str(float(v32[i]))
    return out.tolist()


def join_columns(columns: Sequence[list[str]], sep: str = ",") -> str:
    """Rows of already formatted columns as text, one line per row, newline-terminated."""
    if not columns or not columns[0]:
        return ""
    return "\n".join(map(sep.join, zip(*columns, strict=True))) + "\n"
