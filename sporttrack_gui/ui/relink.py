"""File ▸ Relink media…, and the prompt when a sequence's media cannot be found.

Why a prompt: a project whose video or MOT folder moved elsewhere (not together with the
project file, which relative paths cover) would otherwise show blank frames and a
decode error. The message names the missing path and offers to pick the new place;
relinking calls the same Qt-free :func:`sporttrack_gui.project._media.relink_sequence`
as ``sporttrack project relink``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.ui.actions import ActionSpec, add_actions
from sporttrack_gui.ui.errors import show_error

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

RELINK_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("relink", "Re&link media…", (), "",
               "Point the shown sequence at its video or MOT folder's new place", "File"),
)


class RelinkControl(QObject):
    """The relink action and the missing-media prompt of the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.actions = add_actions(window, RELINK_SPECS)
        self.action = self.actions["relink"]
        self.action.triggered.connect(lambda: self.relink())
        self.prompt: QMessageBox | None = None

    def check(self) -> bool:
        """True when the shown sequence's media exists; else show the prompt (non-modal,
        so a script or test is never blocked) and return False."""
        from sporttrack_gui.project._media import missing_message

        s = self.w.session
        seq = None if s is None else s.sequence
        if seq is None or seq.get("source_found", True):
            return True
        text = missing_message({**seq, "tried": seq.get("source_tried", [seq["source"]])})
        if self.prompt is not None:  # one prompt at a time: replace, never stack
            self.prompt.close()
            self.prompt.deleteLater()
        box = QMessageBox(QMessageBox.Icon.Warning, "SportTrack", text,
                          QMessageBox.StandardButton.Cancel, self.w)
        box.setObjectName("missingMediaBox")
        relink = box.addButton("Relink…", QMessageBox.ButtonRole.AcceptRole)
        relink.setObjectName("relinkButton")
        relink.clicked.connect(lambda: self.relink())
        self.prompt = box
        box.open()
        self.w.statusBar().showMessage(f"media missing: {seq['source']}", 10000)
        return False

    def relink(self, path: str | Path | None = None) -> bool:
        """Relink the shown sequence to ``path`` (asked for when None); reloads it."""
        from sporttrack_gui.project._media import relink_sequence

        s = self.w.session
        if s is None or s.sequence is None:
            return False
        seq = s.sequence
        if path is None:
            if seq["kind"] == "video":
                path, _ = QFileDialog.getOpenFileName(self.w, f"Video of {seq['name']}", "",
                                                      "Videos (*.mp4 *.avi *.mov *.mkv "
                                                      "*.webm);;All files (*)")
            else:
                path = QFileDialog.getExistingDirectory(
                    self.w, f"Folder of {seq['name']} (MOT folder or images)")
            if not path:
                return False
        try:
            result = relink_sequence(s.project, int(seq["id"]), path)
            s.select_sequence(int(seq["id"]))
        except SportTrackError as exc:
            show_error(self.w, exc, f"relink {seq['name']}")
            return False
        from sporttrack_gui.ui import view_memory

        view_memory.save(self.w)  # the reload returns to the frame shown now
        self.w._load_sequence()  # noqa: SLF001 - the window's own reload
        notes = "; ".join(result["notes"])
        self.w.statusBar().showMessage(f"Relinked {seq['name']} to {result['source']}"
                                       + (f" ({notes})" if notes else ""), 10000)
        return True
