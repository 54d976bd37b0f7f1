"""What the heatmap dock shows, computed off the GUI thread.

Why: the dock used to gather every box of the run on the GUI thread whenever it was
visible -- on a match, 3.4 M boxes per refresh. Now the window's model gives a
snapshot (shown ids copied, ~10 ms) and a ``Background`` worker picks and bins the
boxes (``track.heatmap_image``); only the newest request's result is shown. One
track's heatmap stays synchronous (its rows come from the model's per-track index).
Teams come from track metadata, or -- for tracker runs -- from kit colours found by
a worker on request (remembered per run while the run is shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from sporttrack_gui.pitch.teams import kit_teams
from sporttrack_gui.track.heatmap_image import heatmap_from_snapshot, render_png
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.heatmap_panel import EVERYONE, KIT, SELECTED

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow


class HeatmapControl(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.panel = window.heatmap
        self.worker = Background(self)
        self.worker.finished.connect(self._done)
        self.worker.failed.connect(self._failed)
        self._seq = 0
        self._kit: tuple[int | None, dict[int, str]] = (None, {})  # (run id, teams)
        self.panel.kitRequested.connect(self.find_kit_teams)
        self.panel.exportRequested.connect(self.export_dialog)

    def busy(self) -> bool:
        return self.worker.busy()

    def _run_id(self) -> int | None:
        s = self.w.session
        return int(s.run["id"]) if s is not None and s.run is not None else None

    def _tracks(self, key: str) -> tuple[set[int] | None, str]:
        """Whose boxes for a selection key, and the caption."""
        s = self.w.session
        assert s is not None
        if key == EVERYONE:
            return None, "everyone"
        if key.startswith(KIT):
            name = key[len(KIT):]
            run, teams = self._kit
            picked = {t for t, n in teams.items() if n == name} if run == self._run_id() else set()
            return picked, f"kit colour team {name}"
        team = key.split(":", 1)[1]
        return s.team_tracks(team), f"team {team}"

    def refresh(self) -> None:
        """Only while the heatmap is on screen; a run's boxes are binned in the worker."""
        w, s = self.w, self.w.session
        if s is None or not w.frame_size[0] or not self.panel.isVisible():
            return
        if self._kit[0] is not None and self._kit[0] != self._run_id():
            self._kit = (None, {})
            self.panel.set_kit_teams([])
        image = w.current_frame_image()
        if image is not None:
            self.panel.set_frame(image)
        spec = self.panel.spec(w.frame_size, s.fps())
        key = self.panel.selection()
        self._seq += 1
        if key == SELECTED:
            t = w.selected_track
            if t is None:
                self.panel.show_boxes(np.zeros((0, 4)), w.frame_size, "no track selected", s.fps())
            else:
                self.panel.show_boxes(s.index.track_xywh(t), w.frame_size, f"track {t}", s.fps())
            return
        tracks, caption = self._tracks(key)
        self.panel.show_pending(caption)
        self.worker.start(("heat", self._seq), heatmap_from_snapshot, s.index.snapshot(), tracks,
                          spec, caption)

    def find_kit_teams(self) -> None:
        """Cluster kit colours of the shown run's tracks in the worker."""
        s = self.w.session
        if s is None or s.run is None or not s.source():
            self.w.statusBar().showMessage("Show a run of a sequence with images first", 5000)
            return
        self.panel.kit_button.setEnabled(False)
        self.panel.caption.setText("finding teams by kit colour…")
        self.worker.start(("kit", self._run_id()), kit_teams, str(s.source()), s.index.snapshot())

    def _done(self, tag: Any, result: Any) -> None:
        if tag[0] == "heat":
            if tag[1] == self._seq:  # an older request's result is dropped
                self.panel.show_data(result)
            return
        self.panel.kit_button.setEnabled(True)
        if tag[1] != self._run_id():
            return
        self._kit = (tag[1], dict(result))
        names = sorted({n for n in result.values() if n != "other"})
        self.panel.set_kit_teams(names)
        sizes = ", ".join(f"{n}: {sum(v == n for v in result.values())}" for n in names)
        self.w.statusBar().showMessage(f"kit-colour teams: {sizes} tracks", 6000)
        if names:
            self.panel.set_selection(f"{KIT}{names[0]}")

    def _failed(self, tag: Any, message: str) -> None:
        if tag[0] == "kit":
            self.panel.kit_button.setEnabled(True)
        show_error(self.w, message, "find teams by kit colour" if tag[0] == "kit"
                   else "aggregate the heatmap")

    # ---- export ------------------------------------------------------------------------------
    def export(self, path: str) -> str:
        """Write the shown heatmap (over the current frame) as a PNG."""
        data = self.panel.data
        if data is None:
            raise ValueError("no heatmap is shown")
        return str(render_png(path, data, self.w.current_frame_image()))

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.w, "Export heatmap", "heatmap.png",
                                              "PNG (*.png)")
        if not path:
            return
        try:
            out = self.export(path)
        except (OSError, ValueError) as exc:
            show_error(self.w, str(exc), "export the heatmap")
            return
        self.w.statusBar().showMessage(f"heatmap saved: {out}", 6000)
