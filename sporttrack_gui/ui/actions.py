"""Every menu/toolbar/shortcut command as one table of QActions.

Why a table: the menus, the toolbar, the keyboard and the F1 help dialog all read the
same ``QAction`` objects, so a shortcut shown in the help is the one that works, and the
box editor adds its commands by adding rows (``add_actions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from sporttrack_gui.ui.icons import icon

Std = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One command: key, menu text, shortcuts (first is shown in menus), icon, help group."""

    key: str
    text: str
    shortcuts: tuple[QKeySequence | Std | str, ...] = ()
    icon: str = ""
    tip: str = ""
    group: str = "General"
    checkable: bool = False


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("new", "&New project…", (Std.New,), "document-new", "Create an empty project file", "File"),
    ActionSpec("open", "&Open project…", (Std.Open,), "document-open", "Open a project file", "File"),
    ActionSpec("open_season", "Open &season folder…", ("Ctrl+Shift+O",), "",
               "List the matches of a batch output folder (status, metrics) and open one", "File"),
    ActionSpec("add_media", "&Add video or MOT folder…", ("Ctrl+I",), "list-add",
               "Import a video file, image folder or MOTChallenge sequence", "File"),
    ActionSpec("add_folder", "Add &folder (images or MOT)…", ("Ctrl+Shift+I",), "list-add",
               "Import an image folder, a MOTChallenge folder (seqinfo.ini / img1 found "
               "automatically) or a folder of MOT sequences", "File"),
    ActionSpec("export", "Export &MOTChallenge gt.txt + seqinfo.ini…", ("Ctrl+E",), "document-export",
               "Write the shown (corrected) run as a MOTChallenge folder", "File"),
    ActionSpec("screenshot", "Save &screenshot…", ("Ctrl+Shift+S",), "",
               "Save the window as a PNG", "File"),
    ActionSpec("quit", "&Quit", (Std.Quit, "Ctrl+Q"), "", "Quit SportTrack", "File"),
    ActionSpec("play", "&Play / pause", ("Space",), "media-playback-start", "Play or pause", "Playback"),
    ActionSpec("next", "Next frame", ("Right",), "media-seek-forward", "Step one frame forward", "Playback"),
    ActionSpec("prev", "Previous frame", ("Left",), "media-seek-backward", "Step one frame back", "Playback"),
    ActionSpec("next10", "Forward 10 frames", ("Shift+Right",), "", "Step 10 frames forward", "Playback"),
    ActionSpec("prev10", "Back 10 frames", ("Shift+Left",), "", "Step 10 frames back", "Playback"),
    ActionSpec("next_sec", "Forward 1 second", ("L",), "", "Jump one second forward", "Playback"),
    ActionSpec("prev_sec", "Back 1 second", ("J",), "", "Jump one second back", "Playback"),
    ActionSpec("first", "First frame", ("Home",), "media-skip-backward", "Go to the first frame", "Playback"),
    ActionSpec("last", "Last frame", ("End",), "media-skip-forward", "Go to the last frame", "Playback"),
    ActionSpec("goto", "&Go to frame…", ("Ctrl+G",), "", "Jump to a frame number", "Playback"),
    ActionSpec("faster", "Faster", ("]",), "", "Increase playback speed", "Playback"),
    ActionSpec("slower", "Slower", ("[",), "", "Decrease playback speed", "Playback"),
    ActionSpec("zoom_in", "Zoom &in", (Std.ZoomIn, "+", "="), "zoom-in", "Zoom in", "View"),
    ActionSpec("zoom_out", "Zoom &out", (Std.ZoomOut, "-"), "zoom-out", "Zoom out", "View"),
    ActionSpec("zoom_fit", "&Fit frame", ("0",), "zoom-fit-best", "Fit the frame in the window", "View"),
    ActionSpec("labels", "&Cycle labels: full / ids only / none", ("Ctrl+Shift+L",), "",
               "Switch the box tags between id + class + name, the id alone and none", "View"),
    ActionSpec("reset_layout", "&Reset layout", (), "",
               "Put the docks back where a first start puts them", "View"),
    ActionSpec("trails", "Show &trails", ("T",), "", "Draw the last positions of each track", "View", True),
    ActionSpec("run_tracker", "&Run tracker…", ("Ctrl+R",), "system-run",
               "Detect and track over the sequence", "Run"),
    ActionSpec("track_box", "&Track a box…", ("Ctrl+B",), "draw-rectangle",
               "Drag a box on the frame and follow it (CSRT/KCF/MOSSE)", "Run"),
    ActionSpec("train", "T&rain a detector…", (), "",
               "Train YOLO or FairMOT (boxes + identities) from the project's runs", "Run"),
    ActionSpec("evaluate", "&Evaluate shown run", ("Ctrl+M",), "", "MOT metrics of the shown run against ground truth", "Run"),
    ActionSpec("follow_run", "&Follow the running job", (), "",
               "Move the play head with a running job's newest frame (same sequence only)",
               "Run", True),
    ActionSpec("cancel", "&Cancel running job", ("Esc",), "process-stop", "Stop the running job", "Run"),
    ActionSpec("shortcuts", "&Keyboard shortcuts", (Std.HelpContents, "F1"), "",
               "List every shortcut", "Help"),
    ActionSpec("plugins", "&Plugins…", (), "", "Loaded and failed tracker/detector plugins", "Help"),
    ActionSpec("about", "&About SportTrack", (), "sporttrack", "", "Help"),
)


def _sequences(spec: ActionSpec) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for s in spec.shortcuts:
        if isinstance(s, Std):
            out.extend(k for k in QKeySequence.keyBindings(s) if k not in out)
        else:
            seq = QKeySequence(s)
            if seq not in out:
                out.append(seq)
    return out


def make_action(spec: ActionSpec, parent: QWidget) -> QAction:
    action = QAction(spec.text, parent)
    action.setObjectName(spec.key)
    keys = _sequences(spec)
    if keys:
        action.setShortcuts(keys)
    if spec.icon:
        action.setIcon(icon(spec.icon))
    tip = spec.tip or spec.text.replace("&", "").rstrip("…")
    if keys:
        tip += f" ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip)
    action.setStatusTip(spec.tip)
    action.setCheckable(spec.checkable)
    action.setProperty("help_group", spec.group)
    # window-wide, so the keys work whichever dock has focus
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    parent.addAction(action)
    return action


def add_actions(parent: QWidget, specs: tuple[ActionSpec, ...] | list[ActionSpec]
                ) -> dict[str, QAction]:
    """Create actions for ``specs`` on ``parent`` (the main window)."""
    return {s.key: make_action(s, parent) for s in specs}
