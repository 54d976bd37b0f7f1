"""Small helpers shared by the sub-commands: the options every command takes (``--json``,
``-v/--verbose``, ``-q/--quiet``, anywhere on the line), output formatting, error reports,
the progress line, exit codes and argument parsing."""

from __future__ import annotations

import json
import logging
import sys
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


def error_kind(exc: BaseException) -> str:
    """``usage``, ``input``, ``media``, ``project``, ``model``, ``cancelled``, ``error`` or
    ``internal``: what a script needs to decide whether to retry, fix a file or report a bug."""
    from sporttrack_gui import errors

    for cls, kind in ((UsageError, "usage"), (errors.InputError, "input"),
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
