"""The box editor: box and track edits from the viewer, the track list and the timeline.

Why a controller of its own: the main window lays widgets out; this class turns user
gestures (drags, context menus, shortcuts, edited cells) into calls of Qt-free
typed ``project.ops`` operations (the CLI's too), each pushed through ``MainWindow.push_edit`` so it is one
entry of the run's persistent edit log and one step of the undo stack. It holds no
project state: the selection is the window's (primary track) and the view's (partner
track for swaps and merges).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QPoint, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from sporttrack_gui.project import edits, ops, run_admin
from sporttrack_gui.ui.actions import ActionSpec, add_actions
from sporttrack_gui.ui.edit_tools import EditTool, NewBoxTool
from sporttrack_gui.ui.errors import show_error
from sporttrack_gui.ui.track_dialogs import NEW_ID, RangeDialog, ask_target_id
from sporttrack_gui.ui.track_ops import (
    box_id_at,
    clip_box,
    keyframes_around,
    nearest_partner,
    tracker_interpolation,
    xyxy_to_xywh,
)
from sporttrack_gui.ui.workers import CallWorker

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

G = "Track"
EDIT_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("draw_box", "&Draw new box", ("D",), "draw-rectangle",
               "Drag a new box: it joins the selected track, or gets a new id", "Edit"),
    ActionSpec("delete_box", "Delete &box", ("Delete",), "edit-delete",
               "Delete the selected track's box on this frame", "Edit"),
    ActionSpec("swap", "S&wap ids from here…", ("X",), "",
               "Exchange the ids of the selected and the partner track (Shift+click) "
               "from this frame on; without a partner the nearest track is proposed", G),
    ActionSpec("reassign", "&Reassign id from here…", ("R",), "",
               "Give the selected track another (new or existing) id from this frame on", G),
    ActionSpec("merge", "&Merge partner into selected…", ("M",), "",
               "The partner track (Shift+click) becomes part of the selected track", G),
    ActionSpec("split", "S&plit at this frame", ("Ctrl+K",), "",
               "Boxes of the selected track from this frame on get a new id", G),
    ActionSpec("interpolate", "&Interpolate gap (linear)", ("I",), "",
               "Fill the selected track's gap around this frame by linear interpolation", G),
    ActionSpec("interpolate_tracker", "Interpolate gap with &CSRT", ("Shift+I",), "",
               "Fill the gap by running the CSRT tracker between its keyframes", G),
    ActionSpec("delete_track", "Delete &track", ("Shift+Delete",), "",
               "Delete every box of the selected track", G),
    ActionSpec("delete_range", "Delete &frames of track…", ("Ctrl+Shift+Delete",), "",
               "Delete the selected track's boxes in a frame range", G),
)
PAIR_OPS = ("swap", "merge")


class BoxEditor(QObject):
    """``edited`` fires after every edit made here (the window refreshes on its own)."""

    edited = Signal(str)  # label of the edit

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.actions = add_actions(window, EDIT_SPECS)
        self.last_menu: QMenu | None = None
        self._pending: tuple[int, str] | None = None  # (run, label) of a running worker edit
        self.tool = EditTool(self.box_changed)
        window.view.set_default_tool(self.tool)
        a = self.actions
        a["draw_box"].triggered.connect(self.start_draw)
        a["delete_box"].triggered.connect(lambda: self.delete_box())
        a["swap"].triggered.connect(lambda: self.swap())
        a["reassign"].triggered.connect(lambda: self.reassign())
        a["merge"].triggered.connect(lambda: self.merge())
        a["split"].triggered.connect(lambda: self.split())
        a["interpolate"].triggered.connect(lambda: self.interpolate())
        a["interpolate_tracker"].triggered.connect(lambda: self.interpolate_with_tracker())
        a["delete_track"].triggered.connect(lambda: self.delete_track())
        a["delete_range"].triggered.connect(lambda: self.delete_range())
        window.view.contextRequested.connect(self.show_context_menu)
        window.runs_panel.trackMenuRequested.connect(self._list_menu)
        window.runs_panel.partnerChosen.connect(self.set_partner)
        window.runs_panel.trackFieldEdited.connect(self.set_track_field)
        window.timeline.trackMenuRequested.connect(self._lane_menu)

    # ---- menus ----------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> QMenu:
        """Fill the window's Track menu (the same QActions as the shortcuts)."""
        a = self.actions
        menu.addActions([a["swap"], a["reassign"], a["merge"], a["split"]])
        menu.addSeparator()
        menu.addActions([a["interpolate"], a["interpolate_tracker"]])
        menu.addSeparator()
        menu.addActions([a["delete_track"], a["delete_range"]])
        return menu

    def edit_menu_actions(self) -> list[QAction]:
        return [self.actions["draw_box"], self.actions["delete_box"]]

    def context_menu(self, track: int | None) -> QMenu:
        """Menu for ``track`` (the clicked box/lane/row) with the selection as partner.

        Entries carry explicit ids (``ctx-<op>`` object names), so what the menu says is
        what happens even if the selection changes while it is open.
        """
        menu = QMenu(self.w)
        menu.setObjectName("trackContextMenu")
        frame = self.frame()
        a, b = self.w.selected_track, self.partner()
        if track is None:
            self._entry(menu, "draw_box", "Draw new box here", self.start_draw)
            return menu
        other = b if track == a else a
        title = menu.addAction(f"Track {track}  ·  frame {frame}")
        title.setEnabled(False)
        if other is not None and other != track:
            self._entry(menu, "swap", f"Swap {track} ↔ {other} from frame {frame}",
                        lambda: self.swap(track, other, frame))
            self._entry(menu, "merge", f"Merge {other} into {track}",
                        lambda: self.merge(track, other))
        else:
            self._entry(menu, "swap", "Swap ids from here…", lambda: self.swap(track, None, frame))
            self._entry(menu, "merge", f"Merge another track into {track}…",
                        lambda: self.merge(track, None))
        self._entry(menu, "reassign", f"Reassign {track} from frame {frame}…",
                    lambda: self.reassign(track, None, frame))
        self._entry(menu, "split", f"Split {track} at frame {frame}", lambda: self.split(track, frame))
        menu.addSeparator()
        self._entry(menu, "interpolate", "Interpolate gap (linear)",
                    lambda: self.interpolate(track, frame))
        self._entry(menu, "interpolate_tracker", "Interpolate gap with CSRT",
                    lambda: self.interpolate_with_tracker(track, frame))
        menu.addSeparator()
        self._entry(menu, "delete_box", f"Delete box of {track} on frame {frame}",
                    lambda: self.delete_box(track, frame))
        self._entry(menu, "delete_track", f"Delete track {track}", lambda: self.delete_track(track))
        self._entry(menu, "delete_range", f"Delete frames of {track}…",
                    lambda: self.delete_range(track))
        return menu

    def _entry(self, menu: QMenu, key: str, text: str, slot: Callable[[], Any]) -> QAction:
        act = menu.addAction(text)
        act.setObjectName(f"ctx-{key}")
        shortcut = self.actions[key].shortcut()
        if not shortcut.isEmpty():
            act.setShortcut(shortcut)  # shown, not active: the window's action has the key
            act.setShortcutVisibleInContextMenu(True)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    def show_context_menu(self, track: int | None, global_pos: QPoint) -> QMenu:
        self.last_menu = self.context_menu(track)
        self.last_menu.popup(global_pos)
        return self.last_menu

    def _list_menu(self, track: int, global_pos: QPoint) -> None:
        if track != self.w.selected_track:
            self.w.select_track(track)
        self.show_context_menu(track, global_pos)

    def _lane_menu(self, track: int | None, frame: int, global_pos: QPoint) -> None:
        if track is None:
            return
        self.w.playback.seek(frame)
        self._list_menu(track, global_pos)

    # ---- selection ------------------------------------------------------------------
    def frame(self) -> int:
        return max(1, int(self.w.playback.frame))

    def partner(self) -> int | None:
        return self.w.view.partner_track()

    def set_partner(self, track: int | None) -> None:
        """The other side of a swap or merge (its box gets the dashed partner style and
        the status bar names it, ``ui.selection_status``)."""
        self.w.view.set_partner(track)

    def _run(self) -> int | None:
        s = self.w.session
        if s is None or s.run is None:
            QMessageBox.information(self.w, "SportTrack", "Show a run first (double-click it).")
            return None
        if not self.w.edit_gate():  # gt lock, copy on first edit of raw output
            return None
        return int(s.run["id"])

    def _drawing_run(self) -> int | None:
        """The run a drawn box goes to: the shown run if editable, else a new manual
        run of the shown sequence (never locked ground truth)."""
        s = self.w.session
        if s is None or s.sequence is None:
            return None
        if s.run is not None and not run_admin.is_locked(s.run):
            return int(s.run["id"])
        new = run_admin.new_manual_run(s.project, int(s.sequence["id"]))
        self.w.show_run(new)
        self.w.statusBar().showMessage(
            f"New box goes to the new run “{s.project.run(new)['name']}”", 6000)
        return new

    def _track(self, track: int | None) -> int | None:
        t = self.w.selected_track if track is None else track
        if t is None or t < 0:
            self.w.statusBar().showMessage("Select a track first (click its box)", 4000)
            return None
        return int(t)

    def _push(self, label: str, fn: Callable[[], Any]) -> bool:
        ok = self.w.push_edit(label, fn)
        if ok:
            self.edited.emit(label)
        return ok

    # ---- box edits ------------------------------------------------------------------
    def _box_id(self, track: int, frame: int, xywh: Any = None) -> int | None:
        s = self.w.session
        assert s is not None and s.run is not None
        return box_id_at(s.project.frame_boxes(s.run["id"], frame), track, xywh)

    def box_changed(self, index: int, track: int, xyxy: tuple[float, float, float, float]) -> bool:
        """A move/resize drag ended: store the new geometry as one edit."""
        run = self._run()
        if run is None:
            return False
        w, h = self.w.view.image_size()
        clipped = clip_box(xyxy, w, h)
        old = self.w.view.frame_boxes().xyxy[index]
        if clipped is None:
            self.w.refresh_overlay()
            self.w.statusBar().showMessage("The box would leave the frame; not changed", 4000)
            return False
        box_id = self._box_id(track, self.frame(), xyxy_to_xywh(tuple(old)))
        if box_id is None:
            self.w.refresh_overlay()
            return False
        xywh = xyxy_to_xywh(clipped)
        s = self.w.session
        assert s is not None
        ok = self._push(f"move/resize box of {track} on frame {self.frame()}",
                        lambda: ops.SetBox(box_id, xywh).apply(s.project, run))
        if not ok:
            self.w.refresh_overlay()
        return ok

    def start_draw(self) -> None:
        s = self.w.session
        if s is None or s.sequence is None:
            return
        self.w.playback.pause()
        self.w.view.set_tool(NewBoxTool(self.box_drawn))
        self.w.view.setFocus()
        t = self.w.selected_track
        who = f"track {t}" if t is not None and t >= 0 else "a new id"
        self.w.statusBar().showMessage(f"Drag the new box for {who} (Esc cancels)")

    def box_drawn(self, x: float, y: float, w: float, h: float) -> bool:
        """A new box: it joins the selected track unless that track already has a box
        on this frame (then, and with nothing selected, it starts a new id)."""
        self.w.view.set_tool(None)
        s = self.w.session
        fresh = s is not None and (s.run is None or run_admin.is_locked(s.run))
        run = self._drawing_run()
        if run is None or s is None:
            return False
        frame = self.frame()
        t = None if fresh else self.w.selected_track
        if t is None or t < 0 or (s.frame(frame).track_id == t).any():
            t = edits.next_track_id(s.project, run)
        ok = self._push(f"add box to track {t} on frame {frame}",
                        lambda: ops.AddBox(frame, t, (x, y, w, h)).apply(s.project, run))
        if ok:
            self.w.select_track(t)
        return ok

    def delete_box(self, track: int | None = None, frame: int | None = None) -> bool:
        t, run = self._track(track), self._run()
        if t is None or run is None:
            return False
        frame = frame or self.frame()
        box_id = self._box_id(t, frame)
        if box_id is None:
            self.w.statusBar().showMessage(f"track {t} has no box on frame {frame}", 4000)
            return False
        s = self.w.session
        assert s is not None
        return self._push(f"delete box of {t} on frame {frame}",
                          lambda: ops.DeleteBox(box_id).apply(s.project, run))

    # ---- track edits ----------------------------------------------------------------
    def _other(self, a: int, b: int | None, verb: str, frame: int | None = None) -> int | None:
        """The partner given, else the chosen one, else asked for -- with the track
        nearest to ``a`` on ``frame`` (``track_ops.nearest_partner``) proposed first."""
        if b is None:
            b = self.partner()
        if b is None or b == a:
            near = self.proposed_partner(a, frame or self.frame())
            hint = f" (nearest on frame {frame or self.frame()}: {near})" if near is not None else ""
            return ask_target_id(self.w, f"{verb} track {a} with id{hint}:",
                                 self._ids(exclude=a), default=near)
        return b

    def proposed_partner(self, a: int, frame: int) -> int | None:
        """The track overlapping or closest to ``a`` on ``frame`` (None if alone)."""
        s = self.w.session
        if s is None:
            return None
        sl = s.frame(frame)
        return nearest_partner(sl.track_id, sl.xywh, a)

    def _ids(self, exclude: int | None = None) -> list[int]:
        s = self.w.session
        if s is None:
            return []
        return [int(t) for t in s.index.track_ids() if int(t) != exclude]

    def swap(self, a: int | None = None, b: int | None = None, from_frame: int | None = None) -> bool:
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        f = from_frame or self.frame()
        b = self._other(a, b, "Swap", f)
        if b is None:
            return False
        s = self.w.session
        assert s is not None
        return self._push(f"swap {a} ↔ {b} from frame {f}",
                          lambda: ops.Swap(a, b, f).apply(s.project, run))

    def reassign(self, a: int | None = None, target: int | None = None,
                 from_frame: int | None = None, *, new_id: bool = False) -> bool:
        """``target`` None asks (a new id or an existing one) unless ``new_id``."""
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        if target is None and not new_id:
            target = ask_target_id(self.w, f"Give track {a} from frame "
                                   f"{from_frame or self.frame()} on the id:",
                                   self._ids(exclude=a), allow_new=True)
            if target is None:
                return False
            new_id = target == NEW_ID
        f = from_frame or self.frame()
        s = self.w.session
        assert s is not None
        dest = None if new_id else target
        return self._push(f"reassign {a} → {dest or 'new id'} from frame {f}",
                          lambda: ops.Reassign(a, dest, f).apply(s.project, run))

    def merge(self, a: int | None = None, b: int | None = None) -> bool:
        """Track ``b`` (the partner) becomes part of ``a`` (the selected track)."""
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        b = self._other(a, b, "Merge into")
        if b is None:
            return False
        s = self.w.session
        assert s is not None
        ok = self._push(f"merge {b} into {a}", lambda: ops.Merge(a, b).apply(s.project, run))
        if ok:
            self.w.view.set_partner(None)
        return ok

    def split(self, a: int | None = None, at_frame: int | None = None) -> bool:
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        f = at_frame or self.frame()
        s = self.w.session
        assert s is not None
        return self._push(f"split {a} at frame {f}",
                          lambda: ops.Split(a, f).apply(s.project, run))

    def delete_track(self, a: int | None = None) -> bool:
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        s = self.w.session
        assert s is not None
        ok = self._push(f"delete track {a}", lambda: ops.Delete(a).apply(s.project, run))
        if ok:
            self.w.select_track(None)
        return ok

    def delete_range(self, a: int | None = None, first: int | None = None,
                     last: int | None = None) -> bool:
        """Delete ``a``'s boxes in [first, last]; asks for the range when not given."""
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        if first is None or last is None:
            dialog = RangeDialog(a, self.frame(), max(1, self.w.playback.frame_count), self.w)
            if dialog.exec() != RangeDialog.DialogCode.Accepted:
                return False
            first, last = dialog.range()
        s = self.w.session
        assert s is not None
        lo, hi = int(first), int(last)
        return self._push(f"delete {a} frames {lo}-{hi}",
                          lambda: ops.Delete(a, lo, hi).apply(s.project, run))

    def _keyframes(self, a: int, frame: int) -> tuple[int, int] | None:
        s = self.w.session
        assert s is not None and s.run is not None
        if s.loading:  # the model is not in yet: read the track
            frames = s.project.boxes(s.run["id"], track=a).frame
            keys = keyframes_around(np.asarray(frames), frame)
        else:  # the model's stretches of the track: no box read
            keys = s.index.keyframes(a, frame)
        if keys is None:
            self.w.statusBar().showMessage(
                f"track {a} has no gap around frame {frame} to interpolate", 5000)
        return keys

    def interpolate(self, a: int | None = None, frame: int | None = None) -> bool:
        a, run = self._track(a), self._run()
        if a is None or run is None:
            return False
        keys = self._keyframes(a, frame or self.frame())
        if keys is None:
            return False
        s = self.w.session
        assert s is not None
        return self._push(f"interpolate {a} frames {keys[0]}-{keys[1]}",
                          lambda: ops.Interpolate(a, *keys).apply(s.project, run))

    def interpolate_with_tracker(self, a: int | None = None, frame: int | None = None,
                                 tracker: str = "csrt") -> CallWorker | None:
        """CSRT between the keyframes, in a worker; the edit is pushed when it is done."""
        a, run = self._track(a), self._run()
        s = self.w.session
        if a is None or run is None or s is None:
            return None
        if self.w.jobs.busy():
            QMessageBox.information(self.w, "SportTrack", "Wait for the running job to finish.")
            return None
        keys = self._keyframes(a, frame or self.frame())
        if keys is None or not s.source():
            return None
        label = f"{tracker} interpolate {a} frames {keys[0]}-{keys[1]}"
        worker = CallWorker(tracker_interpolation, str(s.path), run, a, keys[0], keys[1],
                            str(s.source()), tracker)
        self._pending = (run, label)
        # bound slots of this GUI-thread object, never lambdas: a lambda would run in
        # the worker's thread and touch widgets from there
        worker.message.connect(self._tracker_message)
        worker.finished.connect(self._tracker_done)
        worker.failed.connect(self._tracker_failed)
        self.w.jobs.runner.start(worker)
        return worker

    @Slot(str)
    def _tracker_message(self, message: str) -> None:
        self.w.statusBar().showMessage(message)

    @Slot(str)
    def _tracker_failed(self, message: str) -> None:
        show_error(self.w, message, self._pending[1] if self._pending else "interpolate")
        self._pending = None

    @Slot(object)
    def _tracker_done(self, result: Any) -> None:
        if self._pending is None:
            return
        (run, label), self._pending = self._pending, None
        s = self.w.session
        if s is None or s.run is None or int(s.run["id"]) != run:
            return  # another run is shown: its stack is rebuilt from the log when reshown
        self.w.record_edit(label, result)
        self.w.statusBar().showMessage(f"done: {label}", 5000)
        self.edited.emit(label)

    # ---- track list cells -------------------------------------------------------------
    def set_track_field(self, track: int, field: str, value: str) -> bool:
        run = self._run()
        s = self.w.session
        if run is None or s is None:
            return False
        text = value.strip() or None
        return self._push(f"set {field} of {track} to {text!r}",
                          lambda: ops.SetTrackFields(track, ((field, text),)).apply(s.project, run))
