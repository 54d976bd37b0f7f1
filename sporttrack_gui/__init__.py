"""SportTrack: annotation and tracking of sports video.

Importing the package applies the offline-safe runtime defaults (see
:mod:`sporttrack_gui.runtime`) so that no entry point can forget them.
"""

from sporttrack_gui.runtime import apply_runtime_defaults

__version__ = "0.1.0"

apply_runtime_defaults()
