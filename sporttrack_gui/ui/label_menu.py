"""View ▸ Labels: full tags, ids only or none -- remembered, with a cycling shortcut.

The choice of what a tag says is ``label_layout.label_texts`` (Qt-free); this module
owns the three radio actions, the setting (``view/labels``) and tells the viewer
whether to declutter (full tags are long: a tag that would overlap another is
skipped; ids only are short and all drawn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from sporttrack_gui.ui import settings
from sporttrack_gui.ui.label_layout import FULL, MODE_TEXT, MODES, next_mode

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

SETTING = "view/labels"


class LabelModes(QObject):
    """``changed(mode)`` after the mode changed (the window redraws its overlay)."""

    changed = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for mode in MODES:
            act = QAction(MODE_TEXT[mode], window)
            act.setObjectName(f"labels_{mode}")
            act.setCheckable(True)
            act.setProperty("help_group", "View")
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _c=False, m=mode: self.set_mode(m))
            self.group.addAction(act)
            window.addAction(act)
            self.actions[f"labels_{mode}"] = act
        self.cycle = window.actions_["labels"]
        self.cycle.triggered.connect(lambda _c=False: self.set_mode(next_mode(self.mode())))
        stored = str(settings.value(SETTING, FULL))
        self._mode = ""
        self.set_mode(stored if stored in MODES else FULL, save=False)

    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str, save: bool = True) -> None:
        if mode not in MODES:
            raise ValueError(f"label mode must be one of {MODES}, got {mode!r}")
        self.actions[f"labels_{mode}"].setChecked(True)
        if mode == self._mode:
            return
        self._mode = mode
        self.w.view.set_declutter(mode == FULL)
        if save:
            settings.set_value(SETTING, mode)
        self.changed.emit(mode)

    def menu(self) -> QMenu:
        menu = QMenu("&Labels", self.w)
        menu.setObjectName("labelsMenu")
        menu.addActions(list(self.actions.values()))
        menu.addSeparator()
        menu.addAction(self.cycle)
        return menu
