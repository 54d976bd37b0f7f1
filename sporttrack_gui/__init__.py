"""SportTrack: annotation and tracking of sports video.

Importing the package applies the offline-safe runtime defaults (see
:mod:`sporttrack_gui.runtime`) so that no entry point can forget them.

The version has one source, ``pyproject.toml``: a source checkout reads it from there
(an older install of the package in the same environment cannot mask it), an installed
package or the PyInstaller bundle from the package metadata built from it.
"""

from __future__ import annotations

from pathlib import Path

from sporttrack_gui.runtime import apply_runtime_defaults


def _version() -> str:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except (OSError, tomllib.TOMLDecodeError):
            project = {}
        if project.get("name") == "sporttrack" and project.get("version"):
            return str(project["version"])
    from importlib import metadata

    try:
        return metadata.version("sporttrack")
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _version()

apply_runtime_defaults()
