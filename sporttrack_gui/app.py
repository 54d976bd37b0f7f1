"""GUI entry point (``sporttrack-gui``, ``python main.py``, ``make run``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from sporttrack_gui.ui.launch import launch

    return launch(argv)


if __name__ == "__main__":
    sys.exit(main())
