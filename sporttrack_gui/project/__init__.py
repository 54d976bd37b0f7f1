"""The SQLite project file: sequences, runs, boxes, track metadata and undoable edits."""

from sporttrack_gui.project.store import Project

__all__ = ["Project"]
