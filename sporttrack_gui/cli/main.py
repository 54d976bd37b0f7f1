"""Entry point of the ``sporttrack`` command.

Sub-commands live in ``cmd_<name>.py`` modules of this package, each with
``register(subparsers)`` that adds its parser and sets ``func=run``; they are found
by name so adding a command touches no shared file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import sys
import textwrap
import traceback

import sporttrack_gui
from sporttrack_gui.cli.common import (
    COMMON_HELP,
    EXIT_CODES_HELP,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    cli_error,
    configure_logging,
    error_payload,
    finish_output,
    quiet_noise,
    quiet_stdout,
    report_error,
    split_common_options,
)

log = logging.getLogger("sporttrack.cli")

#: explicit order for --help; modules not listed here are appended alphabetically
_ORDER = ["info", "demo", "import", "export", "track", "run", "eval", "compare", "sot",
          "edit", "train", "pitch", "gui", "plugins"]


def command_modules() -> list[str]:
    """Names of the ``cmd_*`` modules (also used by the PyInstaller spec)."""
    import sporttrack_gui.cli as pkg

    found = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_"))
    rank = {f"cmd_{n}": i for i, n in enumerate(_ORDER)}
    return sorted(found, key=lambda n: (rank.get(n, len(rank)), n))


def command_names() -> list[str]:
    """Sub-command names as typed on the command line (``cmd_import`` -> ``import``)."""
    return [m.removeprefix("cmd_") for m in command_modules()]


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` instead of exiting, so ``main`` decides the
    exit code and the format (plain or ``--json``); sub-parsers inherit the class."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(message, self.format_usage(), self.prog)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sporttrack",
        description="SportTrack: track, correct, evaluate and export sports video annotations.",
        epilog=textwrap.fill(COMMON_HELP + ".", 78) + "\n\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sporttrack {sporttrack_gui.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log progress to stderr (anywhere on the line)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress line, only errors on stderr (anywhere on the line)")
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output and errors (anywhere on the line)")
    parser.add_argument("--self-test", action="store_true",
                        help="headless end-to-end check of this installation (exit 0 when all works)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"sporttrack_gui.cli.{name}").register(sub)
    note = ("--json, -v/--verbose and -q/--quiet work anywhere on the line; exit codes: "
            "see sporttrack --help.")
    for command in sub.choices.values():
        command.epilog = f"{command.epilog}\n\n{note}" if command.epilog else note
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (see ``EXIT_CODES_HELP``)."""
    common, rest = split_common_options(list(sys.argv[1:] if argv is None else argv))
    try:
        parser = build_parser()  # imports every command (OpenCV, numpy...): Ctrl+C may land here
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    try:
        args = parser.parse_args(rest)
    except UsageError as exc:
        configure_logging(common, file_log=False)
        report_error(exc, EXIT_USAGE, common.json)
        return EXIT_USAGE
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    for name in ("json", "verbose", "quiet"):
        setattr(args, name, getattr(args, name, False) or getattr(common, name))
    # the self-test works in its own temporary app home: it must not write the user's log
    configure_logging(common, file_log=not args.self_test)
    quiet_noise(args.verbose)
    if args.self_test:
        from sporttrack_gui.selftest import run_self_test

        return run_self_test()
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    log.info("sporttrack %s: %s", sporttrack_gui.__version__, " ".join(rest))
    try:
        code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `sporttrack ... | head`: the reader left, not an error of ours
        quiet_stdout()
        return EXIT_OK
    except Exception as exc:
        handled = cli_error(exc, args)  # bad input and faults of the environment: exit 2
        if handled is not None:
            return handled
        # a bug: keep the traceback for the report, exit distinctly
        from sporttrack_gui.diagnostics import write_crash_report

        report = write_crash_report(type(exc), exc, exc.__traceback__)
        traceback.print_exc()
        print(f"internal error (a bug): {type(exc).__name__}: {exc}; report: {report}",
              file=sys.stderr)
        if args.json:
            data = error_payload(exc, EXIT_INTERNAL)
            data["report"] = str(report)
            print(json.dumps(data, default=str))
        return EXIT_INTERNAL
    flushed = finish_output()
    return code if flushed is None else flushed


if __name__ == "__main__":
    sys.exit(main())
