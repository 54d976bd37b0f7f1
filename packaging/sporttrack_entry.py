"""Bundle entry point: ``sporttrack`` starts the GUI, ``sporttrack COMMAND ...`` the CLI.

One executable serves both so the desktop bundle can also run its own ``--self-test``
and every CLI command without a Python installation.
"""

import sys

_CLI_FLAGS = {"--self-test", "--help", "-h", "--version"}


def _main() -> int:
    args = sys.argv[1:]
    if args:
        from sporttrack_gui.cli.common import split_common_options
        from sporttrack_gui.cli.main import command_names
        from sporttrack_gui.cli.main import main as cli_main

        # --json / -v / -q may stand anywhere, also before the command
        _, rest = split_common_options(args)
        if not rest or rest[0] in _CLI_FLAGS or rest[0] in command_names():
            return cli_main(args)
    from sporttrack_gui.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(_main())
