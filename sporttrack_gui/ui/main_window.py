"""The main window: layout, menus, toolbar, status bar, docks and what the viewer shows.

Long jobs (tracker runs, single-object tracks, the demo) are started by ``JobControl``
(``ui.job_control``), box and track edits by ``BoxEditor`` (``ui.editor``), the ID-switch
assistant by ``AssistantController`` (``ui.assistant_panel``) and exports by
``ExportControl`` (``ui.exports``); this class owns the widgets, the open ``Session`` and
the undo stack, which always mirrors the shown run's stored edit log (``ui.undo``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.project import run_admin
from sporttrack_gui.ui import gc_guard, settings, view_memory
from sporttrack_gui.ui.actions import SPECS, add_actions
from sporttrack_gui.ui.assistant_panel import AssistantController, AssistantPanel
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.editor import BoxEditor
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.exports import ExportControl
from sporttrack_gui.ui.frame_loader import FrameLoader
from sporttrack_gui.ui.frame_view import FrameView
from sporttrack_gui.ui.heatmap_panel import SELECTED, HeatmapPanel
from sporttrack_gui.ui.icons import icon
from sporttrack_gui.ui.label_layout import label_texts
from sporttrack_gui.ui.playback import SPEEDS, Playback, format_time
from sporttrack_gui.ui.plot_panels import PlotsDock
from sporttrack_gui.ui.project_files import ProjectFilesMixin
from sporttrack_gui.ui.proxy_status import attach_proxy_status
from sporttrack_gui.ui.relink import RelinkControl
from sporttrack_gui.ui.run_index import ModelChange
from sporttrack_gui.ui.runs_panel import RunsPanel
from sporttrack_gui.ui.scene_items import FrameBoxes
from sporttrack_gui.ui.season_view import open_season_dialog
from sporttrack_gui.ui.session import Session, load_model
from sporttrack_gui.ui.shortcuts_dialog import ShortcutsDialog
from sporttrack_gui.ui.train_dialog import open_train_dialog
from sporttrack_gui.ui.undo import ProjectEditCommand, rebuild_stack

TRAIL_LENGTH = 25


class MainWindow(ProjectFilesMixin, QMainWindow):
    """``sessionChanged`` fires after a project is opened/closed or its runs change."""

    sessionChanged = Signal()
    frameShown = Signal(int)  # the full-resolution pixels of this frame are on screen
    runEdited = Signal()  # an edit, undo or redo changed the shown run
    modelChanged = Signal(object)  # ModelChange: the shown run's model followed an edit
    modelReady = Signal()  # the shown run's model is loaded (lanes, track list filled)

    def __init__(self) -> None:
        super().__init__()
        gc_guard.install(self)  # cyclic GC only in the GUI thread while the window lives
        self._gc_released = False
        self.setWindowTitle("SportTrack")
        self.setWindowIcon(icon("sporttrack"))
        self.setObjectName("MainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks |
                            QMainWindow.DockOption.AllowTabbedDocks)
        self.session: Session | None = None
        self.selected_track: int | None = None
        self.frame_size = (0, 0)
        self._frame_error_shown = False
        self._no_pixels = False  # the sequence's source does not open

        self.playback = Playback(self)
        self.loader = FrameLoader(self)
        self.view = FrameView()
        self.view.setObjectName("frameView")
        self.setCentralWidget(self.view)
        self.undo_stack = QUndoStack(self)
        self._stack_key: tuple[str, int | None] | None = None  # (project, run) it mirrors
        self.background = Background(self)  # loads the shown run's model
        self.counter = Background(self)  # counts boxes of the runs list
        self.spans = Background(self)  # the track list while a long run's model loads
        for bg in (self.background, self.counter, self.spans):
            bg.finished.connect(self._background_done)
            bg.failed.connect(self._background_failed)
        self._run_rows: dict[int, dict[str, Any]] = {}  # runs list rows with box counts

        from sporttrack_gui.ui.timeline import Timeline

        self.timeline = Timeline(self.playback)
        self.runs_panel = RunsPanel()
        self.plots = PlotsDock()
        self.heatmap = HeatmapPanel()
        self.assistant_panel = AssistantPanel()
        self.docks = {
            "timeline": self._dock("Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea),
            "runs": self._dock("Runs and tracks", self.runs_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            "plots": self._dock("Plots", self.plots, Qt.DockWidgetArea.RightDockWidgetArea),
            "heatmap": self._dock("Heatmap", self.heatmap, Qt.DockWidgetArea.RightDockWidgetArea),
            "assistant": self._dock("ID-switch assistant", self.assistant_panel,
                                    Qt.DockWidgetArea.RightDockWidgetArea),
        }
        self.tabifyDockWidget(self.docks["plots"], self.docks["heatmap"])
        self.tabifyDockWidget(self.docks["plots"], self.docks["assistant"])
        self.docks["plots"].raise_()
        self.docks["assistant"].visibilityChanged.connect(self._assistant_visible)

        self.actions_ = add_actions(self, SPECS)
        from sporttrack_gui.ui.heatmap_control import HeatmapControl

        self.heatmap_control = HeatmapControl(self)  # aggregation off the GUI thread, export
        self._undo_actions()
        self.editor = BoxEditor(self)
        self.assistant = AssistantController(self, self.assistant_panel)
        self.exports = ExportControl(self)
        self.relinker = RelinkControl(self)  # File ▸ Relink media…, missing-media prompt
        from sporttrack_gui.ui.run_menu import RunMenu

        self.run_menu = RunMenu(self)  # copy / rename / delete runs, the gt lock
        for extra in (self.editor.actions, self.assistant.actions, self.exports.actions,
                      self.relinker.actions, self.run_menu.actions):
            self.actions_.update(extra)  # one table: menus, keys and the F1 help
        self._assistant_visible(False)
        from sporttrack_gui.ui.label_menu import LabelModes

        self.label_modes = LabelModes(self)  # View ▸ Labels: full / ids only / none
        self.label_modes.changed.connect(lambda _m: self.refresh_overlay())
        self.actions_.update(self.label_modes.actions)
        self.actions_["cancel"].setEnabled(False)
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._connect()
        from sporttrack_gui.ui.pitch_view import install_pitch_view

        self.pitch = install_pitch_view(self)
        self.docks["pitch"] = self.pitch.dock
        # a calibration loaded/made in the pitch view gives exported demo videos a minimap
        self.pitch.calibrationChanged.connect(self.exports.set_calibration)

        self.view.set_placeholder("Open a project (Ctrl+O), or drop a video, MOT folder or .stp file here")
        self.setAcceptDrops(True)
        from sporttrack_gui.ui.job_control import JobControl

        self.jobs = JobControl(self)
        from sporttrack_gui.ui.sot_control import SotControl

        self.sot = SotControl(self)  # Run ▸ Track a box: progress, ETA, cancel, gt curves
        from sporttrack_gui.ui.jobs_panel import install_jobs_panel

        self.jobs_dock = install_jobs_panel(self)  # Jobs dock, View/Run menu entries
        from sporttrack_gui.ui.metrics_panel import MetricsUpdater

        self.metrics = MetricsUpdater(self, self.plots.metrics)  # re-scores after edits
        from sporttrack_gui.ui.window_layout import WindowLayout

        self.layout_policy = WindowLayout(self)  # first-start layout, Reset, small windows
        self.layout_policy.fit_to_screen()
        self._layout_pending = not self._restore_settings()

    # ---- construction ---------------------------------------------------------------
    def _assistant_visible(self, visible: bool) -> None:
        """The assistant's keys (N, Ctrl+Enter, …) act only while its dock is seen: a
        hidden assistant once deleted a gt track on N then Ctrl+Enter."""
        for key in ("assist_next", "assist_prev", "assist_apply", "assist_rescan"):
            if key in getattr(self, "actions_", {}):
                self.actions_[key].setEnabled(visible)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _undo_actions(self) -> None:
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a, name in ((undo, "edit-undo"), (redo, "edit-redo")):
            a.setIcon(icon(name))
            a.setProperty("help_group", "Edit")
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
        self.actions_["undo"], self.actions_["redo"] = undo, redo

    def _build_menus(self) -> None:
        a = self.actions_
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([a["new"], a["open"], a["open_season"]])
        self.recent_menu = QMenu("Open &recent", self)
        file.addMenu(self.recent_menu)
        file.addSeparator()
        file.addActions([a["add_media"], a["add_folder"], a["relink"]])
        export = file.addMenu("&Export")
        export.addActions(self.exports.menu_actions())
        file.addAction(a["screenshot"])
        file.addSeparator()
        file.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        edit.addActions([a["undo"], a["redo"]])
        edit.addSeparator()
        edit.addActions(self.editor.edit_menu_actions())
        view = bar.addMenu("&View")
        view.addActions([a["zoom_in"], a["zoom_out"], a["zoom_fit"]])
        view.addSeparator()
        view.addMenu(self.label_modes.menu())
        view.addAction(a["trails"])
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        from sporttrack_gui.ui.multicam_view import multicam_action

        view.addAction(multicam_action(self))
        view.addSeparator()
        view.addAction(a["reset_layout"])
        play = bar.addMenu("&Playback")
        play.addActions([a[k] for k in ("play", "prev", "next", "prev10", "next10", "prev_sec",
                                        "next_sec", "first", "last", "goto", "slower", "faster")])
        track = self.editor.build_menu(bar.addMenu("&Track"))
        track.addSeparator()
        track.addAction(a["gt_lock"])
        track.addSeparator()
        assist = track.addMenu("ID-switch &assistant")
        assist.addActions([a[k] for k in ("assist_next", "assist_prev", "assist_apply",
                                          "assist_rescan")])
        run = bar.addMenu("&Run")
        run.addActions([a["run_tracker"], a["track_box"], a["evaluate"], a["follow_run"],
                        a["cancel"]])
        run.addSeparator()
        run.addAction(a["train"])
        run.addSeparator()
        run.addActions(self.run_menu.menu_actions())
        helpm = bar.addMenu("&Help")
        helpm.addActions([a["shortcuts"], a["plugins"], a["about"]])
        self._refresh_recent()

    def _build_toolbar(self) -> None:
        a = self.actions_
        tb = self.addToolBar("Main")
        tb.setObjectName("toolbar-main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for key in ("open", "add_media"):
            tb.addAction(a[key])
        tb.addSeparator()
        tb.addActions([a["undo"], a["redo"]])
        tb.addSeparator()
        tb.addActions([a["run_tracker"], a["track_box"], a["cancel"]])
        tb.addSeparator()
        tb.addActions([a["zoom_in"], a["zoom_out"], a["zoom_fit"]])

    def _build_status(self) -> None:
        self.status_frame = QLabel("frame –")
        self.status_time = QLabel("0:00.00")
        self.status_zoom = QLabel("zoom –")
        self.status_project = QLabel("no project")
        for w in (self.status_frame, self.status_time, self.status_zoom, self.status_project):
            w.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(w)
        from sporttrack_gui.ui.selection_status import attach_selection_status

        self.status_selection = attach_selection_status(self)  # "Track 12 selected · partner 15"
        attach_proxy_status(self)  # background scrub-proxy build, ui.proxy_status

    def _connect(self) -> None:
        a, pb = self.actions_, self.playback
        a["new"].triggered.connect(self.new_project_dialog)
        a["open"].triggered.connect(self.open_project_dialog)
        a["open_season"].triggered.connect(lambda: open_season_dialog(self))
        a["train"].triggered.connect(lambda: open_train_dialog(self))
        a["add_media"].triggered.connect(self.add_media_dialog)
        a["add_folder"].triggered.connect(self.add_folder_dialog)
        a["screenshot"].triggered.connect(self.screenshot_dialog)
        a["quit"].triggered.connect(self.close)
        a["play"].triggered.connect(pb.toggle)
        a["play"].setAutoRepeat(False)  # holding Space toggles once, not 30 times a second
        a["next"].triggered.connect(lambda: pb.step(1))
        a["prev"].triggered.connect(lambda: pb.step(-1))
        a["next10"].triggered.connect(lambda: pb.step(10))
        a["prev10"].triggered.connect(lambda: pb.step(-10))
        a["next_sec"].triggered.connect(lambda: pb.step_seconds(1.0))
        a["prev_sec"].triggered.connect(lambda: pb.step_seconds(-1.0))
        a["first"].triggered.connect(pb.first)
        a["last"].triggered.connect(pb.last)
        a["goto"].triggered.connect(self.goto_dialog)
        a["faster"].triggered.connect(lambda: self._change_speed(+1))
        a["slower"].triggered.connect(lambda: self._change_speed(-1))
        a["zoom_in"].triggered.connect(self.view.zoom_in)
        a["zoom_out"].triggered.connect(self.view.zoom_out)
        a["zoom_fit"].triggered.connect(self.view.zoom_fit)
        a["reset_layout"].triggered.connect(lambda: self.layout_policy.apply_default())
        a["trails"].toggled.connect(lambda _on: self.refresh_overlay())
        a["shortcuts"].triggered.connect(self.show_shortcuts)
        a["about"].triggered.connect(self.show_about)
        a["plugins"].triggered.connect(self.show_plugins)
        self.sessionChanged.connect(self.assistant.rescan)
        pb.frameChanged.connect(self._frame_requested)
        pb.playingChanged.connect(lambda on: a["play"].setIcon(
            icon("media-playback-pause" if on else "media-playback-start")))
        self.loader.frameReady.connect(self._frame_ready)
        self.loader.failed.connect(self._frame_failed)
        self.view.zoomChanged.connect(lambda z: self.status_zoom.setText(f"zoom {z * 100:.0f}%"))
        self.view.trackClicked.connect(lambda t: self.select_track(t, source="view"))
        self.timeline.trackSelected.connect(lambda t: self.select_track(t, source="timeline"))
        self.runs_panel.trackChosen.connect(lambda t: self.select_track(t, source="list"))
        self.runs_panel.sequenceChosen.connect(self.show_sequence)
        self.runs_panel.runChosen.connect(self.show_run)
        self.heatmap.settingsChanged.connect(self.refresh_heatmap)
        self.docks["heatmap"].visibilityChanged.connect(
            lambda on: self.refresh_heatmap() if on else None)

    # ---- settings -------------------------------------------------------------------
    def _restore_settings(self) -> bool:
        """Window geometry, dock layout and view toggles; False when none were saved."""
        geo = settings.value("window/geometry")
        state = settings.value("window/state")
        self.actions_["trails"].setChecked(str(settings.value("view/trails", "false")) == "true")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
        return isinstance(state, QByteArray | bytes) and self.restoreState(state)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._layout_pending:  # first start: the frame gets the most room, Plots raised
            self._layout_pending = False
            self.layout_policy.apply_default()

    def save_settings(self) -> None:
        settings.set_value("window/geometry", self.saveGeometry())
        settings.set_value("window/state", self.layout_policy.state_to_save())
        settings.set_value("view/trails", "true" if self.actions_["trails"].isChecked() else "false")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.jobs.busy():
            answer = QMessageBox.question(
                self, "SportTrack", "A job is still running. Cancel it and quit?\n"
                "Boxes written so far are kept; the run is marked incomplete.")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.jobs.shutdown()
        self.save_settings()
        view_memory.save(self)
        self.playback.pause()
        if getattr(self, "imports", None) is not None:
            self.imports.shutdown()  # cancels a running import: the project stays as it was
        self.loader.shutdown()
        if self.session is not None:
            self.session.close()
            self.session = None
        if not self._gc_released:
            self._gc_released = True
            gc_guard.release()
        event.accept()

    # ---- sequences and runs ------------------------------------------------------------
    def _load_sequence(self) -> None:
        s = self.session
        assert s is not None
        seq = s.sequence
        self.runs_panel.set_sequences(s.sequences(), None if seq is None else seq["id"])
        self._frame_error_shown = False
        self._no_pixels = False
        if seq is None:
            self.playback.set_media(0, 25.0)
            self.refresh_runs()
            return
        self.frame_size = (int(seq.get("width") or 0), int(seq.get("height") or 0))
        if s.source() and self.relinker.check():
            self.loader.open(s.source())
        elif s.source():  # media missing (relink offered): boxes on a dark canvas meanwhile
            self._no_pixels = True
        self.playback.set_media(s.frame_count(), s.fps())
        self.refresh_runs()
        self.playback.seek(view_memory.frame_for(self), force=True)  # where the user was
        self._load_model()

    def show_sequence(self, seq_id: int) -> None:
        if self.session is None:
            return
        view_memory.save(self)  # switching back returns to this frame
        try:
            self.session.select_sequence(seq_id, load=False)
        except SportTrackError as exc:
            show_error(self, exc, "show the sequence")
            return
        self._load_sequence()
        self.view.setFocus()  # not the combo box: Up/Down must not switch sequences

    def show_run(self, run_id: int | None) -> None:
        if self.session is None:
            return
        try:
            self.session.select_run(run_id, load=False)
        except SportTrackError as exc:
            show_error(self, exc, "show the run")
            return
        self.refresh_runs()
        self.refresh_overlay()
        self._load_model()

    # ---- the shown run's model ---------------------------------------------------------
    def _load_model(self) -> None:
        """Start loading a long run's model in the background (short ones are loaded)."""
        s = self.session
        if s is None or s.run is None or not s.loading:
            if s is not None and s.run is not None:
                self.modelReady.emit()  # loaded inline
            return
        self.statusBar().showMessage(f"Loading run “{s.run['name']}”…")
        self.background.start(("model", int(s.run["id"]), s.generation), load_model,
                              str(s.path), int(s.run["id"]))
        self.spans.start(("spans", int(s.run["id"])), _track_spans, str(s.path), int(s.run["id"]))

    def _background_done(self, tag: Any, result: Any) -> None:
        s = self.session
        if s is None:
            return
        if tag[0] == "model":
            if s.set_model(tag[1], result, tag[2]):
                self.statusBar().showMessage(f"Run “{s.run['name']}”: {len(result):,} boxes", 4000)
                self._update_shown_run_row()
                self.refresh_tracks()
                self.refresh_overlay()
                self.refresh_heatmap()
                self.assistant.rescan()
                self.modelReady.emit()
            elif s.loading:  # an edit landed while loading: load again
                self._load_model()
        elif tag[0] == "spans":
            if s.loading and s.run is not None and int(s.run["id"]) == tag[1]:
                self._show_track_rows({int(t): (int(a), int(b), None) for t, a, b in
                                       zip(result["track"], result["first"], result["last"],
                                           strict=True)})
        elif tag[0] == "stats":
            for run_id, stats in result.items():
                if run_id in self._run_rows:
                    self._run_rows[run_id] = {**self._run_rows[run_id], "boxes": stats["boxes"],
                                              "tracks": stats["tracks"]}
            self._show_run_rows()

    def _background_failed(self, tag: Any, message: str) -> None:
        show_error(self, message, "load the run" if tag[0] == "model" else "count boxes")

    def refresh_runs(self) -> None:
        """Re-read the runs list, tracks and lanes of the shown run (after a job or a
        switch). Box counts of match-length runs are counted in the background."""
        s = self.session
        if s is None:
            return
        shown = s.run["id"] if s.run else None
        self._sync_undo_stack()
        old = self._run_rows
        self._run_rows = {}
        missing = []
        from sporttrack_gui.eval.project_metrics import edit_state
        from sporttrack_gui.ui.metrics_panel import runs_table_cells

        runs, states = s.runs(), edit_state(s.project)
        for r in runs:
            known = old.get(r["id"], {})
            same = known.get("updated") == r["updated"] and "boxes" in known
            row = {**r, "boxes": known.get("boxes") if same else None,
                   "tracks": known.get("tracks") if same else None,
                   **runs_table_cells(r, runs, states),  # "—" for SOT, stale mark
                   "shown": r["id"] == shown}
            self._run_rows[r["id"]] = row
            if not same:
                missing.append(r["id"])
        if missing and s.frame_count() <= 5000:
            for run_id in missing:
                stats = s.project.run_stats(run_id)
                self._run_rows[run_id].update(boxes=stats["boxes"], tracks=stats["tracks"])
        elif missing:
            self.counter.start(("stats",), _count_runs, str(s.path), missing)
        self._show_run_rows()
        self.refresh_tracks()
        self.heatmap.set_teams(s.teams())
        self.sessionChanged.emit()
        self.refresh_heatmap()

    def _show_run_rows(self) -> None:
        rows = list(self._run_rows.values())
        self.runs_panel.set_runs(rows)
        self.plots.compare.set_runs(rows)

    def _update_shown_run_row(self) -> None:
        """The shown run's counts from its model (after an edit: no SQL count)."""
        s = self.session
        if s is None or s.run is None or s.loading or int(s.run["id"]) not in self._run_rows:
            return
        run_id = int(s.run["id"])  # a new dict: the table spots changed rows by value
        self._run_rows[run_id] = {**self._run_rows[run_id], "boxes": len(s.index),
                                  "tracks": len(s.index.track_stats())}
        self.runs_panel.set_runs(list(self._run_rows.values()))

    def refresh_tracks(self, keep_view: bool = False) -> None:
        """Tracks list and timeline lanes of the shown (possibly growing) run: O(tracks)
        from the model's per-track table (``keep_view``: the timeline keeps its zoom)."""
        s = self.session
        assert s is not None
        lanes = s.index.lanes()
        stats = s.index.track_stats()
        self._show_track_rows({tid: stats[tid] for tid in lanes.track_ids.tolist()})
        self.timeline.lanes.names = {t: m["label"] for t, m in s.meta.items() if m.get("label")}
        self.timeline.set_lanes(lanes, keep_view)
        self.timeline.set_selected(self.selected_track)

    def _show_track_rows(self, stats: dict[int, tuple[int, int, int | None]]) -> None:
        """The tracks table from track id -> (first, last, count or None), in order."""
        s = self.session
        assert s is not None
        rows = []
        for tid, (first, last, count) in stats.items():
            meta = s.meta.get(tid, {})
            rows.append({"track": tid, "label": meta.get("label") or "",
                         "team": meta.get("team") or "", "class": meta.get("class") or "",
                         "first": first, "last": last, "count": count})
        self.runs_panel.set_tracks(rows)

    # ---- frames ----------------------------------------------------------------------
    def _frame_requested(self, frame: int) -> None:
        self.status_frame.setText(f"frame {frame} / {self.playback.frame_count}")
        self.status_time.setText(format_time(frame, self.playback.fps))
        if self.session is not None and self.session.source() and not self._no_pixels:
            self.loader.request(frame)
        else:
            self._show_blank(frame)

    def _frame_ready(self, frame: int, image: np.ndarray, exact: bool = True) -> None:
        if exact:
            self.frame_size = (image.shape[1], image.shape[0])
        self.view.set_frame(frame, image, self.frame_size if self.frame_size[0] else None)
        self.refresh_overlay()
        if exact:  # a scrub proxy is followed by the full frame; report that one
            self.frameShown.emit(frame)

    def _frame_failed(self, frame: int, message: str) -> None:
        """Open failures and unexpected decode errors get a dialog (once per sequence);
        frames past the images on disk (partial downloads) only a status message."""
        on_disk = self.session.frames_on_disk() if self.session is not None else None
        expected = frame > 0 and on_disk is not None and frame > on_disk
        if frame == 0:  # the source does not open: boxes on a dark canvas from now on
            self._no_pixels = True
        if not expected and (frame == 0 or not self._frame_error_shown):
            self._frame_error_shown = True
            show_error(self, message, "open the sequence's images" if frame == 0 else
                       f"decode frame {frame}")
        note = f" (images exist for frames 1-{on_disk})" if expected else ""
        self.statusBar().showMessage(f"frame {frame}: no image{note}: {message}", 5000)
        shown = frame or self.playback.frame
        # the transient message may be replaced at once (a scan, a job): the permanent
        # frame field keeps saying that this frame has no pixels
        self.status_frame.setText(f"frame {shown} / {self.playback.frame_count} · no image")
        self._show_blank(shown)

    def _show_blank(self, frame: int) -> None:
        """No pixels for this frame (missing images): boxes on a dark canvas still help."""
        w, h = self.frame_size
        if w <= 0 or h <= 0:
            return
        self.view.set_frame(frame, np.full((h, w, 3), 40, np.uint8))
        self.refresh_overlay()
        self.frameShown.emit(frame)

    def current_frame_image(self) -> np.ndarray | None:
        last = self.loader.last_frame
        return None if last is None else last[1]

    def refresh_overlay(self) -> None:
        """Boxes, labels and trails of the shown frame from the session's run index."""
        s = self.session
        frame = self.view.frame_number
        if s is None or frame < 1:
            self.view.set_boxes(FrameBoxes())
            self.view.set_trails([])
            return
        sl = s.frame(frame)
        labels = label_texts(self.label_modes.mode(), sl.track_id,
                             lambda: s.labels(sl.track_id, sl.cls))
        self.view.select_track(self.selected_track, notify=False)
        self.view.set_boxes(FrameBoxes(sl.xyxy, sl.track_id, labels))
        trails = s.index.trails(frame, TRAIL_LENGTH) if self.actions_["trails"].isChecked() else []
        self.view.set_trails(trails)

    # ---- selection and heatmap ---------------------------------------------------------
    def select_track(self, track_id: int | None, source: str = "") -> None:
        self.selected_track = track_id
        if source != "view":
            self.view.select_track(track_id, notify=False)
        if source != "timeline":
            self.timeline.set_selected(track_id)
        if source != "list":
            self.runs_panel.select_track(track_id)
        if track_id is not None:
            self.statusBar().showMessage(f"track {track_id} selected", 3000)
        if self.heatmap.selection() == SELECTED:
            self.refresh_heatmap()

    def refresh_heatmap(self) -> None:
        """Only while the heatmap is on screen; a run's boxes are aggregated in a
        worker (``ui.heatmap_control``)."""
        self.heatmap_control.refresh()

    # ---- edits (undoable) ---------------------------------------------------------------
    def push_edit(self, label: str, apply: Callable[[], Any]) -> bool:
        """Apply a ``project.edits`` operation on the shown run and make it undoable.

        A refused edit (``EditConflict`` etc.) is shown and leaves stack and project as
        they were. The box editor, the assistant and the track list all go through here.
        """
        if not self.edit_gate():
            return False
        try:
            result = apply()
        except SportTrackError as exc:
            show_error(self, exc, label)
            return False
        self.record_edit(label, result)
        return True

    def edit_gate(self) -> bool:
        """The one gate before any edit of the shown run (editor, assistant, track list,
        workers): locked ground truth is refused; the first edit of a tracker's raw
        output offers a copy (``ui.copy_on_edit``; the shown run may become the copy)."""
        s = self.session
        if s is None or s.run is None:
            return False
        if run_admin.is_locked(s.run):
            self.statusBar().showMessage(run_admin.locked_message(s.run), 10000)
            return False
        return self.run_menu.copy_on_edit.allow(s.run)

    def record_edit(self, label: str, result: Any = None) -> None:
        """Push the undo step of an edit already in the shown run's log (applied here by
        ``push_edit`` or by a worker, e.g. tracker-assisted interpolation) and let the
        views follow its delta (``result``: the ``EditResult``; without it the run is
        reloaded)."""
        s = self.session
        if s is None or s.run is None:
            return
        self.undo_stack.push(ProjectEditCommand(s.project, s.run["id"], label, self._after_edit,
                                                result))

    def _after_edit(self, result: Any = None) -> None:
        """An edit, undo or redo of the shown run: the model follows its delta in place
        and only what changed is redrawn; without a delta the run is reloaded."""
        s = self.session
        if s is None:
            return
        change = s.apply(result)
        if change is None:
            if s.run is not None and not s.loading:
                s.select_run(int(s.run["id"]), load=False)
            self._load_model()
            change = ModelChange(frozenset(), (1, max(1, s.frame_count())), frozenset())
        self._show_change(change)

    def _show_change(self, change: ModelChange) -> None:
        """Redraw what ``change`` touched: the track list and lanes (O(tracks)), the
        shown frame, the runs row of the shown run; the assistant rescans."""
        if change.boxes_changed or change.meta:
            self._update_shown_run_row()
            self.refresh_tracks(keep_view=True)
            self.refresh_overlay()
            if self.heatmap.selection() != SELECTED or self.selected_track in change.tracks:
                self.refresh_heatmap()
        self.modelChanged.emit(change)
        self.runEdited.emit()

    def _sync_undo_stack(self) -> None:
        """Rebuild the undo stack from the stored log when another run (or project) is
        shown: undo survives switching runs and reopening the project."""
        s = self.session
        run = int(s.run["id"]) if s is not None and s.run is not None else None
        key = (str(s.path) if s is not None else "", run)
        if key == self._stack_key:
            return
        self._stack_key = key
        rebuild_stack(self.undo_stack, s.project if s is not None else None, run,
                      self._after_edit)

    # ---- small dialogs ----------------------------------------------------------------
    def goto_dialog(self) -> None:
        n, ok = QInputDialog.getInt(self, "Go to frame", "Frame:", self.playback.frame, 1,
                                    max(1, self.playback.frame_count))
        if ok:
            self.playback.seek(n)

    def _change_speed(self, direction: int) -> None:
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.playback.speed))
        i = min(max(i + direction, 0), len(SPEEDS) - 1)
        self.timeline.speed_box.setCurrentIndex(i)
        self.statusBar().showMessage(f"speed {SPEEDS[i]:g}×", 2000)

    def all_actions(self) -> list[QAction]:
        return list(self.actions_.values())

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.all_actions(), self).exec()

    def show_about(self) -> QDialog:
        from sporttrack_gui.ui.about_dialog import show_about

        return show_about(self)

    def show_plugins(self) -> QDialog:
        from sporttrack_gui.ui.plugins_dialog import show_plugins

        return show_plugins(self)

    def screenshot_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "sporttrack.png", "PNG (*.png)")
        if path:
            self.grab().save(path, "PNG")


def _count_runs(path: str, runs: list[int]) -> dict[int, dict[str, int]]:
    """Box and track counts of runs (index scans; a worker's own connection)."""
    from sporttrack_gui.project import Project

    with Project.open(path) as project:
        return {r: project.run_stats(r) for r in runs}


def _track_spans(path: str, run: int) -> dict:
    """First/last frame per shown track (index seeks, no counts): the track list while
    the run's model loads."""
    from sporttrack_gui.project import Project

    with Project.open(path) as project:
        return project.track_spans(run, with_counts=False)
