"""Tracker default parameters from ``resources/trackers/<name>.yaml`` and override checks.

Why YAML files and not keyword defaults in code: users (and the GUI's settings dialog)
read and edit them, and the registry can list every valid parameter of every tracker
without importing the tracker module (which may pull heavy optional dependencies).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from sporttrack_gui.core.params import parse_bool, parse_pairs
from sporttrack_gui.errors import InputError
from sporttrack_gui.runtime import resources_dir


def trackers_dir() -> Path:
    return resources_dir() / "trackers"


def load_defaults(name: str, path: Path | None = None) -> dict[str, Any]:
    """Parse one tracker's YAML defaults (a flat mapping); a broken file names itself."""
    import yaml

    path = path or trackers_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read tracker defaults ({exc.strerror})", str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {exc}", str(path), line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("expected a mapping of parameter: value", str(path))
    return dict(data)


@cache
def _builtin_defaults(name: str) -> tuple[tuple[str, Any], ...]:
    return tuple(load_defaults(name).items())


def builtin_defaults(name: str) -> dict[str, Any]:
    """A built-in tracker's defaults: THE one source (constructors read them from here).

    Read once per process; every tracker construction gets a fresh copy.
    """
    return dict(_builtin_defaults(name))


def merge_params(name: str, defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults updated by overrides; unknown names and wrong types are user errors.

    Values are coerced to the type of the default so ``--param track_buffer=60`` (a string
    from the command line) and ``track_buffer=60`` from code behave alike.
    """
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise InputError(f"unknown parameter(s) for tracker {name!r}: {', '.join(unknown)}; "
                         f"valid: {', '.join(sorted(defaults))}")
    params = dict(defaults)
    for key, value in overrides.items():
        params[key] = coerce(name, key, value, defaults[key])
    return params


def coerce(tracker: str, key: str, value: Any, default: Any) -> Any:
    """Convert ``value`` to the type of ``default`` (bool/int/float/str/None); the one typed
    conversion of tracker parameters (``--param``, the run dialog, code, batch manifests)."""
    try:
        return convert(value, default)
    except _Negative:
        raise InputError(f"tracker {tracker!r}: parameter {key}={value!r} must be "
                         f">= 0 like the default {default!r}") from None
    except (TypeError, ValueError, OverflowError):
        finite = " (a finite number)" if isinstance(default, int | float) \
            and not isinstance(default, bool) else ""
        raise InputError(f"tracker {tracker!r}: parameter {key}={value!r} must be "
                         f"{type(default).__name__} like the default {default!r}{finite}") from None


class _Negative(ValueError):
    """A negative value where the default is >= 0 (thresholds, buffers, sizes: a typo)."""


def convert(value: Any, default: Any) -> Any:
    """``value`` (text or a value) as the type of ``default``; ``ValueError`` when it does
    not fit. ``None``/``""``/``"none"`` stay None where the default is None."""
    if isinstance(default, bool):
        if isinstance(value, str):
            flag = parse_bool(value)
            if flag is None:
                raise ValueError(value)
            return flag
        return bool(value)
    if isinstance(default, int | float):
        f = float(value)
        if not math.isfinite(f) or (isinstance(default, int) and f != int(f)):
            raise ValueError(value)
        if f < 0 <= default:
            raise _Negative(value)
        return int(f) if isinstance(default, int) else f
    if default is None:
        return None if value is None or str(value).strip().lower() in ("", "none") else value
    if isinstance(default, str):
        return None if value is None else str(value)
    return value


def parse_param_args(items: list[str] | None) -> dict[str, str]:
    """``["k=v", ...]`` from ``--param`` into a dict (values stay strings until coerced)."""
    return parse_pairs(items, "--param")
