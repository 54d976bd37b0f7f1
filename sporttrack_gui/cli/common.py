"""Small helpers shared by the sub-commands: the options every command takes (``--json``,
``-v/--verbose``, ``-q/--quiet``, anywhere on the line), output formatting, error reports,
the progress line, exit codes and argument parsing."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import math
import os
import sqlite3
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sporttrack_gui.errors import InputError, SportTrackError

#: exit codes of every ``sporttrack`` command (also printed by ``--help``)
EXIT_OK = 0
EXIT_INCOMPLETE = 1  # ran, but the result is partial or empty (cancelled run, nothing to edit,
                     # a failed self-test)
EXIT_INPUT = 2  # bad input: a file's content, a value of an option, a project refusing an edit
EXIT_INTERNAL = 3  # a bug: unexpected exception, traceback on stderr and a crash report
# The command line itself (unknown option, missing argument) is bad input too: 2, as argparse
# and POSIX utilities have it, so scripts need one test for "you gave me something wrong";
# the JSON error's "kind" ("usage" or "input") tells them apart.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # Ctrl-C

#: (code, meaning) for ``--help`` and the README
EXIT_CODES = [
    (EXIT_OK, "ok"),
    (EXIT_INCOMPLETE, "finished without a complete result (run cancelled, nothing to change, "
                      "self-test failed)"),
    (EXIT_INPUT, "bad input: file content, option value, missing file, refused edit, or a "
                 "usage error (unknown option, missing argument; JSON kind \"usage\")"),
    (EXIT_INTERNAL, "internal error (a bug): traceback on stderr, crash report in the log folder"),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C)"),
]
EXIT_CODES_HELP = "exit codes:\n" + "\n".join(f"  {c:<4} {m}" for c, m in EXIT_CODES)
COMMON_HELP = ("--json, -v/--verbose and -q/--quiet may be given anywhere on the line; with "
               "--json, errors are one JSON object on stdout: "
               '{"error", "kind", "file", "line", "exit_code"}')

#: the options every command accepts, wherever they appear: flag -> attribute
COMMON_FLAGS = {"--json": "json", "-v": "verbose", "--verbose": "verbose",
                "-q": "quiet", "--quiet": "quiet"}


@dataclass
class CommonOptions:
    json: bool = False
    verbose: bool = False
    quiet: bool = False


def split_common_options(argv: list[str]) -> tuple[CommonOptions, list[str]]:
    """Take ``--json``/``-v``/``--verbose``/``-q``/``--quiet`` out of ``argv``, wherever they are.

    Why before argparse: a flag defined on the top-level parser is only accepted before the
    sub-command and one defined on a sub-command only before its own sub-sub-command
    (``edit ... swap 3 5 --json`` failed). Everything after a bare ``--`` is left as is.
    A flag cannot be an option's value here either: argparse never takes ``-x`` as a value.
    """
    found = CommonOptions()
    rest: list[str] = []
    for i, token in enumerate(argv):
        if token == "--":
            rest.extend(argv[i:])
            break
        name = COMMON_FLAGS.get(token)
        if name is None and token.startswith("-v") and set(token[1:]) == {"v"}:
            name = "verbose"  # -vv
        if name is None:
            rest.append(token)
        else:
            setattr(found, name, True)
    return found, rest


class UsageError(SportTrackError):
    """The command line itself is wrong (argparse's complaint); ``usage`` is the usage line."""

    def __init__(self, message: str, usage: str = "", prog: str = "sporttrack"):
        self.usage = usage
        self.prog = prog
        super().__init__(message)


class FaultError(SportTrackError):
    """A fault of the environment met while working on the user's files (a full disk, a
    read-only medium, a damaged project, memory exhausted by a too large input): reported
    like bad input, naming the file, never as a bug."""

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        self.line = None
        super().__init__(message)


def error_kind(exc: BaseException) -> str:
    """``usage``, ``input``, ``media``, ``project``, ``model``, ``cancelled``, ``error`` or
    ``internal``: what a script needs to decide whether to retry, fix a file or report a bug."""
    from sporttrack_gui import errors

    for cls, kind in ((UsageError, "usage"), (errors.InputError, "input"), (FaultError, "input"),
                      (errors.MediaError, "media"), (errors.ProjectError, "project"),
                      (errors.ModelError, "model"), (errors.Cancelled, "cancelled"),
                      (SportTrackError, "error")):
        if isinstance(exc, cls):
            return kind
    return "internal"


def error_payload(exc: BaseException, exit_code: int) -> dict[str, Any]:
    """The ``--json`` error object: message, kind, file/line (and frame) when known."""
    data: dict[str, Any] = {"error": str(exc), "kind": error_kind(exc),
                            "file": getattr(exc, "path", None), "line": getattr(exc, "line", None)}
    if getattr(exc, "frame", None) is not None:
        data["frame"] = exc.frame  # type: ignore[attr-defined]
    data["exit_code"] = exit_code
    return data


def report_error(exc: BaseException, exit_code: int, as_json: bool, stream=None) -> None:
    """Print an error as ``error: <message>`` on stderr, or as one JSON object on stdout."""
    if as_json:
        json.dump(error_payload(exc, exit_code), stream or sys.stdout, default=_jsonable)
        (stream or sys.stdout).write("\n")
        return
    stream = stream or sys.stderr
    if isinstance(exc, UsageError):
        stream.write(exc.usage)
        stream.write(f"{exc.prog}: error: {exc}\n")
    else:
        stream.write(f"error: {exc}\n")


_STDERR_HANDLER_NAME = "sporttrack-cli-stderr"
_FILE_HANDLER_NAME = "sporttrack-cli-file"


def configure_logging(options: CommonOptions, file_log: bool = True) -> None:
    """stderr gets warnings (INFO with ``-v``, errors only with ``-q``); the rotating log file
    in the app's log folder gets INFO from every CLI run, as it does from the GUI."""
    root = logging.getLogger()
    level = logging.INFO if options.verbose else logging.ERROR if options.quiet else logging.WARNING
    for h in list(root.handlers):  # one stderr handler even when main() runs many times
        if h.get_name() == _STDERR_HANDLER_NAME:
            root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_STDERR_HANDLER_NAME)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    if file_log:
        _attach_file_log(root)


def _attach_file_log(root: logging.Logger) -> None:
    """The rotating log file of the current app folder; a file handler a previous ``main``
    call attached for another folder (tests, an in-process caller changing
    ``SPORTTRACK_HOME``) is closed first, so handlers and open files never pile up."""
    import logging.handlers
    from pathlib import Path

    from sporttrack_gui.diagnostics import log_file, setup_logging

    current = log_file()
    for h in list(root.handlers):
        if h.get_name() == _FILE_HANDLER_NAME and Path(h.baseFilename) != current:
            root.removeHandler(h)
            h.close()
    path = setup_logging(logging.INFO)
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path \
                and not h.get_name():
            h.set_name(_FILE_HANDLER_NAME)


def progress_printer(quiet: bool, stream=None) -> Callable[[Any], None] | None:
    """The ``\\r frame ... fps eta`` line on stderr, or ``None`` when ``quiet`` or when
    stderr is not a terminal (a pipe or a log file would fill up with ``\\r`` lines)."""
    stream = stream or sys.stderr
    if quiet or not _is_terminal(stream):
        return None

    def show(p) -> None:
        if getattr(p, "phase", "frames") != "frames":
            stream.write(f"\r{p.phase}…")
            stream.flush()
            return
        eta = f"{p.eta_s:5.0f}s" if p.eta_s is not None else "    ?"
        stream.write(f"\rframe {p.frame} ({p.done}/{p.total})  {p.fps:6.1f} fps  eta {eta}")
        if p.done >= p.total:
            stream.write("\n")
        stream.flush()

    return show


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


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


# ------------------------------------------------------------------ faults and exit codes
def cli_error(exc: BaseException, args: Any) -> int | None:
    """Exit code for an exception that reached the CLI, after reporting it; None when it
    is a bug that should surface with its traceback and a crash report.

    Faults of the environment are errors of the input, not bugs: a full disk, a read-only
    medium, a damaged project file, memory exhausted by an input too large.
    """
    as_json = bool(getattr(args, "json", False))
    if isinstance(exc, UsageError):
        report_error(exc, EXIT_USAGE, as_json)
        return EXIT_USAGE
    if isinstance(exc, SportTrackError):
        logging.getLogger("sporttrack.cli").info("%s: %s", type(exc).__name__, exc)
        report_error(exc, EXIT_INPUT, as_json)
        return EXIT_INPUT
    fault: FaultError | None = None
    if isinstance(exc, sqlite3.DatabaseError):
        project = getattr(args, "project", None)
        fault = FaultError(damaged_project_message(project, exc), project)
    elif isinstance(exc, MemoryError):
        fault = FaultError("out of memory (the input is too large for this machine)")
    elif isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        fault = FaultError(os_error_message(exc),
                           None if exc.filename is None else str(exc.filename))
    if fault is None:
        return None
    logging.getLogger("sporttrack.cli").info("%s: %s", type(exc).__name__, fault)
    report_error(fault, EXIT_INPUT, as_json)
    return EXIT_INPUT


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
