"""``KEY=VALUE`` text -> typed values: the one parser behind ``--param`` (trackers, single-
object trackers), ``--option`` (formats) and the run dialog's parameter table.

Why here: four places used to split ``KEY=VALUE`` and guess or coerce types, each a little
differently (``on`` was true in one and a string in another). The typed coercion against a
default lives with the trackers' defaults (``track.config.coerce``); this module only knows
text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sporttrack_gui.errors import InputError

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def split_pair(item: str, flag: str = "--param") -> tuple[str, str]:
    """``"k=v"`` -> ``("k", "v")`` (both stripped); a missing ``=`` or key is an ``InputError``
    naming ``flag``."""
    key, sep, value = str(item).partition("=")
    if not sep or not key.strip():
        raise InputError(f"{flag} expects KEY=VALUE, got {item!r}")
    return key.strip(), value.strip()


def parse_pairs(items: Iterable[str] | None, flag: str = "--param") -> dict[str, str]:
    """``["k=v", ...]`` -> ``{"k": "v"}``; values stay text until typed against a default."""
    return dict(split_pair(item, flag) for item in items or ())


def parse_bool(text: str) -> bool | None:
    """``1/true/yes/on`` -> True, ``0/false/no/off`` -> False (any case); else None."""
    low = str(text).strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


def guess_value(text: str) -> Any:
    """A value with no default to type it by: int, then float, then bool, else the text."""
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    flag = parse_bool(text) if str(text).strip().lower() in ("true", "false") else None
    return text if flag is None else flag
