"""Work-around for reference-count bugs of the PySide6 6.12 bindings on Python 3.11.

Found here (PySide6-Essentials 6.12.0, Python 3.11.7): methods returning ``void`` hand
back ``None`` without taking a reference, and ``SignalInstance.emit`` does the same with
``True``. Every ``widget.resize(...)``, ``item.setVisible(...)`` or ``signal.emit(...)``
from Python (ours and pyqtgraph's) therefore takes one reference away from ``None`` or
``True``; after enough calls -- minutes of playback -- the interpreter aborts with
"Fatal Python error: none_dealloc" (or ``bool_dealloc``), at the latest on exit. Python
3.12 made these singletons immortal, which is why the bug goes unnoticed there.

The fix does what 3.12 does: give ``None``, ``True`` and ``False`` a reference count so
large that no session can drain it (2**60 calls). It is probed, not assumed: only when a
void call and an emission are measured to lose a reference is anything changed, so a
fixed PySide6 (or Python >= 3.12) is left alone.
"""

from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 60
_state: dict[str, bool] = {}


def _loses_references() -> bool:
    """One void call and one emission, measured on ``None``/``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal(int)

    probe = _Probe()
    probe.ping.connect(lambda _v: None)
    probe.setObjectName("warm-up")  # first calls may allocate caches
    probe.ping.emit(0)
    none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
    probe.setObjectName("probe")
    probe.ping.emit(0)
    return sys.getrefcount(None) < none0 or sys.getrefcount(True) < true0


def _reserve(obj: object) -> None:
    refcnt = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field
    refcnt.value += _RESERVE


def apply_qt_workarounds() -> bool:
    """Protect ``None``/``True``/``False`` when this PySide6 needs it; returns whether it did."""
    if "applied" in _state:
        return _state["applied"]
    needed = sys.implementation.name == "cpython" and sys.version_info < (3, 12) \
        and _loses_references()
    if needed:
        for singleton in (None, True, False):
            _reserve(singleton)
    _state["applied"] = needed
    return needed
