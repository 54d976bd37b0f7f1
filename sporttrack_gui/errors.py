"""Error types that carry a message a user can act on (file, line, frame).

The CLI prints them as ``error: <message>`` and exits 2; the GUI shows them in a dialog.
Anything else escaping is a bug and goes to the crash log.
"""

from __future__ import annotations


class SportTrackError(Exception):
    """Base class: ``str(exc)`` is the whole user-facing message."""


class InputError(SportTrackError):
    """Bad content in a user file: names the file and, where known, the line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}" + (f" line {line}" if line is not None else "") + ": "
        super().__init__(where + message)


class MediaError(SportTrackError):
    """A video or image folder that cannot be opened, or a frame that cannot be decoded."""

    def __init__(self, message: str, path: str | None = None, frame: int | None = None):
        self.path = path
        self.frame = frame
        super().__init__(message)


class ProjectError(SportTrackError):
    """The project file cannot be opened or an edit was refused (the project is unchanged)."""


class ProjectLockedError(ProjectError):
    """Another process holds the project's write lock."""


class EditConflict(ProjectError):
    """An edit would put two boxes with one id in one frame; nothing was changed."""


class ModelError(SportTrackError):
    """A detector/embedder model that is missing or cannot be loaded."""


class Cancelled(SportTrackError):
    """A long operation stopped because the user asked it to."""


class TrackerError(SportTrackError):
    """A tracker (usually a plugin) failed or returned invalid boxes; names the frame."""
