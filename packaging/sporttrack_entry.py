"""Bundle entry point: ``sporttrack`` starts the GUI, ``sporttrack COMMAND ...`` the CLI.

One executable serves both so the desktop bundle can also run its own ``--self-test``
and every CLI command without a Python installation.
"""

import sys

_CLI_FLAGS = {"--self-test", "--help", "-h", "--version", "-v", "--verbose"}


def _main() -> int:
    args = sys.argv[1:]
    if args:
        from sporttrack_gui.cli.main import command_names
        from sporttrack_gui.cli.main import main as cli_main

        if args[0] in _CLI_FLAGS or args[0] in command_names():
            return cli_main(args)
    from sporttrack_gui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(_main())
