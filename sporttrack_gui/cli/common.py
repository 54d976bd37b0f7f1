"""Small helpers shared by the sub-commands (output formatting, argument parsing)."""

from __future__ import annotations

import json
import sys
from typing import Any

from sporttrack_gui.errors import InputError


def emit(data: dict[str, Any], as_json: bool, stream=None) -> None:
    """Print ``data`` as JSON (one object) or as aligned ``key: value`` lines."""
    stream = stream or sys.stdout
    if as_json:
        json.dump(data, stream, indent=2, default=_jsonable)
        stream.write("\n")
        return
    width = max((len(k) for k in data), default=0)
    for key, value in data.items():
        if isinstance(value, float):
            value = f"{value:.6g}"
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
        stream.write(f"{key:<{width}}  {value}\n")


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _jsonable(o: Any):
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(o)


def parse_box(text: str, what: str = "--init") -> tuple[float, float, float, float]:
    """``"x,y,w,h"`` -> floats, with a message naming the option on bad input."""
    parts = text.replace(" ", "").split(",")
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        raise InputError(f"{what} expects x,y,w,h numbers, got {text!r}") from None
    if len(vals) != 4:
        raise InputError(f"{what} expects 4 numbers x,y,w,h, got {len(vals)}")
    return vals  # type: ignore[return-value]
