"""Small helpers shared by the sub-commands (output formatting, argument parsing)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import sqlite3
import sys
import warnings
from typing import Any

from sporttrack_gui.errors import InputError, SportTrackError


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


def json_stdout_guard(as_json: bool):
    """Under ``--json`` stdout carries one JSON object: anything else printed while the
    command works (a plugin tracker's ``print``) is sent to stderr instead."""
    if not as_json:
        return contextlib.nullcontext()
    return contextlib.redirect_stdout(sys.stderr)


def quiet_noise(verbose: bool) -> None:
    """Keep stderr to the lines that matter: without ``-v``, OpenCV/FFmpeg/Qt chatter and
    numpy's arithmetic warnings (NaN comparisons the code already handles) are muted."""
    if verbose:
        return
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.*=false")
    warnings.filterwarnings(
        "ignore", category=RuntimeWarning,
        message=r"(invalid value|divide by zero|overflow) encountered|Mean of empty slice")


# ------------------------------------------------------------------ errors and exit codes
def report_error(message: str, as_json: bool, *, path: str | None = None,
                 line: int | None = None) -> int:
    """Print one error the way the CLI promises (``error: ...`` on stderr, or one JSON
    object ``{"error": ..., "file": ..., "line": ...}`` on stdout under ``--json``);
    returns the exit code 2."""
    if as_json:
        data: dict[str, Any] = {"error": message}
        if path is not None:
            data["file"] = path
        if line is not None:
            data["line"] = line
        _safe_write(sys.stdout, json.dumps(data) + "\n")
    else:
        _safe_write(sys.stderr, f"error: {message}\n")
    return 2


def cli_error(exc: BaseException, args: Any) -> int | None:
    """Exit code for an exception that reached the CLI, after reporting it; None when it
    is a bug that should surface with its traceback.

    Faults of the environment are errors of the input, not bugs: a full disk, a read-only
    medium, a damaged project file, memory exhausted by an input too large.
    """
    as_json = bool(getattr(args, "json", False))
    if isinstance(exc, SportTrackError):
        return report_error(str(exc), as_json, path=getattr(exc, "path", None),
                            line=getattr(exc, "line", None))
    if isinstance(exc, sqlite3.DatabaseError):
        project = getattr(args, "project", None)
        return report_error(damaged_project_message(project, exc), as_json, path=project)
    if isinstance(exc, MemoryError):
        return report_error("out of memory (the input is too large for this machine)",
                            as_json)
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        return report_error(os_error_message(exc), as_json, path=exc.filename)
    return None


def os_error_message(exc: OSError) -> str:
    """``<file>: <reason>`` with a hint for the faults a user can fix."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc)
    hint = {errno.ENOSPC: " (the disk is full: free space and run again; nothing was "
                          "written under the final name)",
            errno.EROFS: " (read-only medium: write the output somewhere else)",
            errno.EACCES: " (no permission)"}.get(exc.errno or 0, "")
    return f"{where}{reason}{hint}"


def damaged_project_message(project: str | None, exc: BaseException) -> str:
    """A database error while reading/writing a project: say which file, and what SQLite's
    integrity check finds (run only now, when damage is suspected)."""
    if not project:
        return f"database error: {exc}"
    from sporttrack_gui.project.store import integrity_report

    report = integrity_report(project)
    if report is None or report == "ok":
        return f"{project}: database error: {exc}"
    return (f"{project} is damaged ({exc}); integrity check: {report}. Restore it from a "
            "backup; nothing was written")


def finish_output() -> int | None:
    """Flush stdout at the end of a command: a closed or full stdout is reported on
    stderr (exit 2) instead of a traceback at interpreter exit; None when all was written."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()
        return 0
    except OSError as exc:
        quiet_stdout()
        _safe_write(sys.stderr, f"error: cannot write the output: {exc.strerror or exc}\n")
        return 2
    except ValueError:  # stdout closed
        return 2
    return None


def quiet_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _safe_write(stream, text: str) -> None:
    try:
        if stream is not None:
            stream.write(text)
            stream.flush()
    except (OSError, ValueError):
        pass


def warn_partial_run(project: Any, run_id: int) -> None:
    """Print :func:`partial_run_note` on stderr (exports/evaluations of a partial run)."""
    from sporttrack_gui.project.store import partial_run_note

    note = partial_run_note(project.run(run_id))
    if note:
        _safe_write(sys.stderr, f"warning: {note}\n")


# ------------------------------------------------------------------ argument types
def _number(text: str, kind: type, what: str) -> float:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} expects a {'whole ' if kind is int else ''}number, "
                         f"got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {text!r}")
    return value


def frame_arg(text: str) -> int:
    """argparse type of a 1-based frame number (refuses 0, negatives and absurd values)."""
    from sporttrack_gui.formats.limits import MAX_FRAME

    value = int(_number_or_arg_error(text, int, "frame"))
    if not 1 <= value <= MAX_FRAME:
        raise argparse.ArgumentTypeError(f"frame must be 1..{MAX_FRAME}, got {text}")
    return value


def track_id_arg(text: str) -> int:
    """argparse type of a track id (0..MAX_TRACK_ID)."""
    from sporttrack_gui.formats.limits import MAX_TRACK_ID

    value = int(_number_or_arg_error(text, int, "track id"))
    if not 0 <= value <= MAX_TRACK_ID:
        raise argparse.ArgumentTypeError(f"track id must be 0..{MAX_TRACK_ID}, got {text}")
    return value


def bounded(kind: type, lo: float | None = None, hi: float | None = None, *,
            lo_open: bool = False):
    """argparse type: a ``kind`` number within [lo, hi] (``lo_open``: strictly above lo)."""
    def parse(text: str):
        value = _number_or_arg_error(text, kind, "value")
        if lo is not None and (value <= lo if lo_open else value < lo):
            raise argparse.ArgumentTypeError(
                f"must be {'>' if lo_open else '>='} {lo:g}, got {text}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"must be <= {hi:g}, got {text}")
        return kind(value)

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def _number_or_arg_error(text: str, kind: type, what: str) -> float:
    try:
        return _number(text, kind, what)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
