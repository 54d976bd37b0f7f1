"""Python's cyclic garbage collector runs only in the GUI thread, from a timer.

Why: the collector runs in whichever thread crosses an allocation threshold. With the
window's worker threads (frame decoding, model loads, assistant scans, imports) a
collection can start in the middle of a Qt call, in a worker or in the GUI thread, and
free wrappers of Qt objects another thread is using. Seen here: a segfault with the GUI
thread "Garbage-collecting" while the frame loader's thread listed an image folder
(`tests/test_gui_editor.py`, twice in about eight full runs on a loaded machine). The
remedy Qt applications use (pyqtgraph's ``GarbageCollector``) is applied while a window
is open: automatic collection off, the same generational thresholds checked every 500 ms
from a GUI-thread timer, so collections happen between events, never inside one.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_state: dict[str, object] = {"users": 0, "timer": None, "was_enabled": True}


def _check() -> None:
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if c0 > t0:
        gc.collect(2 if c2 > t2 and c1 > t1 else 1 if c1 > t1 else 0)


def install(owner: QObject) -> None:
    """Take over collection while ``owner`` (a window) lives; call :func:`release` when it
    closes. Nested windows share one timer."""
    if _state["users"] == 0:
        _state["was_enabled"] = gc.isenabled()
        gc.disable()
        timer = QTimer()
        timer.setInterval(500)
        timer.timeout.connect(_check)
        timer.start()
        _state["timer"] = timer
    _state["users"] = int(_state["users"]) + 1


def release() -> None:
    """The window closed: back to automatic collection when no window is left."""
    if int(_state["users"]) <= 0:
        return
    _state["users"] = int(_state["users"]) - 1
    if _state["users"] == 0:
        timer = _state["timer"]
        if isinstance(timer, QTimer):
            timer.stop()
        _state["timer"] = None
        if _state["was_enabled"]:
            gc.enable()
        gc.collect()
