"""The crash dialog: an unexpected exception becomes a report on disk and a dialog,
never a vanished window.

Why it is built like this:
- ``diagnostics.install_excepthook`` writes the report first; this module only shows it,
  so even a failing dialog leaves the report behind.
- PySide6 reports exceptions raised in slots through ``sys.excepthook`` on whatever thread
  ran the slot; a ``QObject`` bridge living in the GUI thread receives them through a
  queued signal, so widgets are only ever created on the GUI thread.
- A second error while the dialog is open updates that dialog ("N more errors") instead
  of stacking dialogs, and everything in here is guarded: the handler of last resort must
  not raise.
- Before the event loop runs (an error during start-up) the dialog blocks with ``exec()``
  so the user sees it before the process ends; later it opens without a nested loop.

The lead calls :func:`install_crash_handler` once the ``QApplication`` exists.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui import diagnostics

log = logging.getLogger(__name__)

#: how much of the report the dialog shows inline (the file keeps everything)
PREVIEW_CHARS = 20_000


def _stderr(message: str) -> None:
    stream = sys.__stderr__
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):  # stderr closed: nothing left to try
            stream.write(message + "\n")


def read_report(path: Path, summary: str) -> str:
    """The report's text, or the summary and path when the file cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"{summary}\n(crash report {path} could not be read: {exc})"


class CrashDialog(QDialog):
    """Summary, report path, the report itself, and Copy / Open folder / Continue / Quit."""

    QUIT_CODE = 1

    def __init__(self, report_path: Path, summary: str, parent: QWidget | None = None, *,
                 opener: Callable[[Path], bool] | None = None,
                 quit_app: Callable[[int], None] | None = None) -> None:
        """``opener`` opens a folder and ``quit_app(code)`` ends the app; tests replace both."""
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("SportTrack - unexpected error")
        self.report_path = Path(report_path)
        self.summary = summary
        self.extra_errors = 0
        if opener is None:
            from sporttrack_gui.ui.about_dialog import open_folder

            opener = open_folder
        self._opener = opener
        self._quit_app = quit_app or (lambda code: QApplication.exit(code))

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        self.summary_label = QLabel(
            "<b>SportTrack hit an unexpected error.</b><br>Your project is saved after every "
            "edit; you can usually continue. Please send the report below with a bug report.",
            self)
        self.summary_label.setWordWrap(True)
        self.error_label = QLabel(summary, self)
        self.error_label.setObjectName("crashSummary")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label = QLabel(f"Report: {self.report_path}", self)
        self.path_label.setObjectName("crashReportPath")
        self.path_label.setWordWrap(True)
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more_label = QLabel("", self)
        self.more_label.hide()
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlainText(read_report(self.report_path, summary)[:PREVIEW_CHARS])

        self.copy_button = QPushButton("Copy report", self)
        self.copy_button.clicked.connect(self.copy_report)
        self.open_button = QPushButton("Open folder", self)
        self.open_button.clicked.connect(self.open_folder)
        self.continue_button = QPushButton("Continue", self)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        self.quit_button = QPushButton("Quit SportTrack", self)
        self.quit_button.clicked.connect(self.quit)
        self.status = QLabel("", self)

        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        for w in (self.summary_label, self.error_label, self.path_label, self.more_label):
            text.addWidget(w)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        for w in (self.copy_button, self.open_button):
            buttons.addWidget(w)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.continue_button)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addLayout(buttons)
        self.resize(640, 420)

    def report_text(self) -> str:
        return read_report(self.report_path, self.summary)

    def copy_report(self) -> str:
        text = self.report_text()
        QGuiApplication.clipboard().setText(text)
        self.status.setText("report copied")
        return text

    def open_folder(self) -> bool:
        ok = bool(self._opener(self.report_path.parent))
        self.status.setText("" if ok else f"could not open {self.report_path.parent}")
        return ok

    def quit(self) -> None:
        self.done(QDialog.DialogCode.Rejected)
        self._quit_app(self.QUIT_CODE)

    def add_error(self, report_path: Path, summary: str) -> None:
        """Another crash while this dialog is open: count it, point at the newest report."""
        self.extra_errors += 1
        self.more_label.setText(f"{self.extra_errors} more error(s) since; newest report: "
                                f"{report_path} ({summary})")
        self.more_label.show()


class CrashHandler(QObject):
    """Lives in the GUI thread; ``show`` may be called from any thread."""

    crashed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *,
                 dialog_factory: Callable[[Path, str], CrashDialog] | None = None,
                 block: bool | None = None) -> None:
        """``block``: True always waits in ``exec()``, False never, None decides by whether
        an event loop runs (tests pass False; ``dialog_factory`` builds the dialog)."""
        super().__init__(parent)
        self._block = block
        self.dialog: CrashDialog | None = None
        self.shown = 0
        self._factory = dialog_factory or (lambda path, summary: CrashDialog(path, summary))
        self.crashed.connect(self._on_crash, Qt.ConnectionType.AutoConnection)

    def show(self, report_path: Path, summary: str) -> None:
        """The ``show`` callback of ``diagnostics.install_excepthook``; never raises."""
        try:
            self.crashed.emit(str(report_path), str(summary))
        except BaseException as exc:  # noqa: BLE001 - last line of defence
            _stderr(f"SportTrack: crash report written to {report_path} ({summary}); "
                    f"the crash dialog failed: {exc!r}")

    @Slot(str, str)
    def _on_crash(self, report_path: str, summary: str) -> None:
        try:
            path = Path(report_path)
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.add_error(path, summary)
                return
            self.dialog = self._factory(path, summary)
            self.shown += 1
            block = self._block if self._block is not None \
                else QThread.currentThread().loopLevel() == 0
            if block:
                self.dialog.exec()  # no event loop yet: block so the user sees it
            else:
                self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
                self.dialog.show()
                self.dialog.raise_()
        except BaseException as exc:  # noqa: BLE001 - the crash dialog must never raise
            _stderr(f"SportTrack: crash report written to {report_path} ({summary}); "
                    f"the crash dialog failed: {exc!r}")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    """Python threads: same report + dialog as the main thread (SystemExit stays quiet)."""
    if args.exc_type is SystemExit:
        return
    sys.excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_crash_handler(app: QApplication, *, block: bool | None = None) -> CrashHandler:
    """Log to the app's log file and turn uncaught exceptions (GUI thread, Qt worker
    threads, Python threads) into a crash report plus :class:`CrashDialog`.

    Call once after the ``QApplication`` exists; returns the handler (kept alive as a
    child of ``app``). Calling it again replaces the previous hook. ``block``: see
    :class:`CrashHandler`.
    """
    diagnostics.setup_logging()
    old = app.findChild(CrashHandler, "sporttrackCrashHandler")
    if old is not None:
        old.setObjectName("")
        old.deleteLater()
    handler = CrashHandler(app, block=block)
    handler.setObjectName("sporttrackCrashHandler")
    diagnostics.install_excepthook(show=handler.show)
    threading.excepthook = _thread_hook
    log.info("crash handler installed; log file %s", diagnostics.log_file())
    return handler
