"""Start the SportTrack desktop app: ``python main.py [PROJECT]``."""

import sys

from sporttrack_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
