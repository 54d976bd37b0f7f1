"""Entry point of the ``sporttrack`` command.

Sub-commands live in ``cmd_<name>.py`` modules of this package, each with
``register(subparsers)`` that adds its parser and sets ``func=run``; they are found
by name so adding a command touches no shared file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import sporttrack_gui
from sporttrack_gui.cli.common import cli_error, finish_output, quiet_noise, quiet_stdout

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sporttrack",
        description="SportTrack: track, correct, evaluate and export sports video annotations.",
    )
    parser.add_argument("--version", action="version", version=f"sporttrack {sporttrack_gui.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--self-test", action="store_true",
                        help="headless end-to-end check of this installation (exit 0 when all works)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(f"sporttrack_gui.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    quiet_noise(args.verbose)
    if args.self_test:
        from sporttrack_gui.selftest import run_self_test

        return run_self_test()
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        code = int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `sporttrack ... | head`: the reader left, not an error of ours
        quiet_stdout()
        return 0
    except Exception as exc:  # user errors and faults of the environment: one line, exit 2
        handled = cli_error(exc, args)
        if handled is None:
            raise
        return handled
    flushed = finish_output()
    return code if flushed is None else flushed


if __name__ == "__main__":
    sys.exit(main())
