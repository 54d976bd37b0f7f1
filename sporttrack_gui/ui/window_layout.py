"""Where the docks go: the first-start layout, View ▸ Reset layout, and small windows.

Why a module of its own: the main window only creates its docks; how much room they
take is a policy with numbers (the video keeps most of the width; at 1366x768 the
timeline keeps a useful height), and it is the same policy on a first start, after
"Reset layout" and when the window is made narrow. The numbers are plain functions,
tested without Qt.

Small windows: below ``COMPACT_WIDTH`` every side dock is tabified into one column on
the right, at most ``SIDE_SHARE`` of the width, so an 800-px window still shows the
frame at ~65 % of its width; widening the window again restores the layout the user
had before (their own arrangement, not the default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

COMPACT_WIDTH = 1100  # px: narrower windows get one tabbed side column
SIDE_SHARE = 0.34  # a side dock takes at most this share of the window width
SIDE_MIN, SIDE_MAX = 200, 460  # px: default side dock widths are clamped to these
BOTTOM_SHARE = 0.42  # the timeline takes at most this share of the window height
RIGHT_TABS = ("plots", "jobs", "heatmap", "assistant", "pitch")  # tab order of the right column
SIDE_DOCKS = ("runs",) + RIGHT_TABS
PANEL_MIN = (160, 120)  # px: what a side panel may be squeezed to


def side_width(window_width: int, share: float) -> int:
    """Default width of a side dock: ``share`` of the window, clamped to SIDE_MIN..MAX."""
    return int(min(SIDE_MAX, max(SIDE_MIN, window_width * share)))


def timeline_height(window_height: int) -> int:
    """Default timeline height: a third of the window, 190..300 px (at 768 px high that
    leaves the frame ~400 px and the lanes ~190 px)."""
    return int(min(300, max(190, window_height / 3)))


def initial_size(available: tuple[int, int], wanted: tuple[int, int] = (1500, 920)
                 ) -> tuple[int, int]:
    """The first window size: ``wanted``, but inside the screen's available area (on a
    1366x768 laptop a 1500x920 window would be cut by the window manager after the
    docks were laid out for the larger size)."""
    return (min(wanted[0], max(640, int(available[0] * 0.96))),
            min(wanted[1], max(480, int(available[1] * 0.94))))


def side_max_width(window_width: int) -> int:
    """The most a side dock may take: never the video's room (>= 200 px to stay usable)."""
    return max(SIDE_MIN, int(window_width * SIDE_SHARE))


class WindowLayout(QObject):
    """Installed on the main window (an event filter for its resizes)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.compact = False
        self._wide_state: QByteArray | None = None  # the layout to restore when widened
        self._busy = False
        # dock sizes follow the window (proportional) until the user drags a dock's
        # splitter: then their sizes are theirs (and are saved with the window state)
        self.auto_sizes = False
        for dock in self._docks(SIDE_DOCKS):
            # an explicit minimum overrides the panel layout's (the pitch panel alone
            # asks 455 px of height): a small window squeezes a panel, the window
            # itself is never forced taller or wider than the screen
            dock.widget().setMinimumSize(*PANEL_MIN)
        for dock in self._docks(SIDE_DOCKS + ("timeline",)):
            dock.installEventFilter(self)
        window.installEventFilter(self)

    def _docks(self, keys: tuple[str, ...]) -> list[QDockWidget]:
        return [self.w.docks[k] for k in keys if k in self.w.docks]

    def fit_to_screen(self) -> None:
        """Size a new window to ``initial_size`` of the screen it opens on."""
        screen = self.w.screen() or QGuiApplication.primaryScreen()
        geo = screen.availableGeometry() if screen is not None else None
        avail = (geo.width(), geo.height()) if geo is not None and geo.width() > 0 else (1600, 1000)
        self.w.resize(*initial_size(avail))

    # ---- the default layout ------------------------------------------------------------
    def apply_default(self) -> None:
        """Runs on the left, Plots raised in the right tab group (not the Pitch tab: a
        dead end without a calibration), timeline at the bottom, sized for the window."""
        w = self.w
        self._busy = True
        try:
            docks = w.docks
            right = self._docks(RIGHT_TABS)
            for dock in [docks["runs"], docks["timeline"], *right]:
                dock.setFloating(False)
                dock.show()
            w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks["runs"])
            w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, docks["timeline"])
            for dock in right:
                w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            for dock in right[1:]:
                w.tabifyDockWidget(right[0], dock)
            docks["plots"].raise_()
            self.compact = False
            self._wide_state = None
            self.auto_sizes = True
            self._size_docks()
        finally:
            self._busy = False
        self._adapt()

    def _size_docks(self) -> None:
        """Proportional sizes: side docks (not while compact, where the one column has
        its share already) and the timeline."""
        w = self.w
        width, height = w.width(), w.height()
        if not self.compact:
            w.resizeDocks([w.docks["runs"], w.docks["plots"]],
                          [side_width(width, 0.2), side_width(width, 0.27)],
                          Qt.Orientation.Horizontal)
        w.resizeDocks([w.docks["timeline"]], [timeline_height(height)], Qt.Orientation.Vertical)

    def state_to_save(self) -> QByteArray:
        """The window state to remember: the wide layout while compact, so the next
        start on a large screen gets the user's arrangement back."""
        return self._wide_state if self.compact and self._wide_state is not None \
            else self.w.saveState()

    # ---- small windows -----------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if obj is self.w and event.type() == QEvent.Type.Show:
            QTimer.singleShot(0, self.scroll_tabs)  # the dock tab bars exist by then
        if event.type() != QEvent.Type.Resize or self._busy:
            return False
        if obj is self.w:
            self._adapt()
            self.scroll_tabs()
            if self.auto_sizes:
                self._busy = True
                try:
                    self._size_docks()
                finally:
                    self._busy = False
        elif QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self.auto_sizes = False  # a dock resized under a held button: a splitter drag
        return False

    def scroll_tabs(self) -> None:
        """Dock tab bars scroll instead of eliding: "Jobs", "Heatmap", not "J…", "He…"
        (five tabs share the right column). Qt makes the bars lazily, so on every resize."""
        for bar in self.w.findChildren(QTabBar):
            if bar.parent() is self.w and bar.elideMode() != Qt.TextElideMode.ElideNone:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    def _adapt(self) -> None:
        """Cap side docks and the timeline to their share; go compact below
        COMPACT_WIDTH, and back to the remembered layout above it."""
        w = self.w
        cap = side_max_width(w.width())
        for dock in self._docks(SIDE_DOCKS):  # a floating dock is the user's own window
            dock.setMaximumWidth(16777215 if dock.isFloating() else cap)
        w.docks["timeline"].setMaximumHeight(max(160, int(w.height() * BOTTOM_SHARE)))
        narrow = w.width() < COMPACT_WIDTH
        if narrow and not self.compact:
            self._enter_compact()
        elif not narrow and self.compact:
            self._leave_compact()

    def _enter_compact(self) -> None:
        w = self.w
        self._busy = True
        try:
            self._wide_state = w.saveState()
            side = [d for d in self._docks(SIDE_DOCKS) if not d.isFloating()]
            opened = [d for d in side if d.toggleViewAction().isChecked()]
            right = [d for d in side
                     if w.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea]
            anchor = right[0] if right else side[0]
            if not right:
                w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, anchor)
            for dock in side:  # straight into the anchor's tabs: never stacked meanwhile
                if dock is not anchor and dock not in w.tabifiedDockWidgets(anchor):
                    w.tabifyDockWidget(anchor, dock)
            for dock in side:
                if dock not in opened:
                    dock.hide()
            self.scroll_tabs()
            if opened:
                keep = next((d for d in opened if d is w.docks.get("plots")), opened[0])
                keep.raise_()
                w.resizeDocks([keep], [int(w.width() * 0.3)], Qt.Orientation.Horizontal)
            self.compact = True
        finally:
            self._busy = False

    def _leave_compact(self) -> None:
        w = self.w
        self._busy = True
        try:
            state, self._wide_state = self._wide_state, None
            self.compact = False
            if state is not None:
                w.restoreState(state)
        finally:
            self._busy = False
