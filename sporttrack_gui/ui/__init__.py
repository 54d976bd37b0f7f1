"""The Qt desktop interface (PySide6 + pyqtgraph). Nothing outside ``ui/`` imports Qt.

Entry point: :func:`sporttrack_gui.ui.launch.launch`. Qt-free helpers that the box editor
and tests reuse live next to the widgets: ``lanes``, ``hit_test``, ``run_index``,
``session``, ``live_eval``, ``demo``.
"""

from sporttrack_gui.ui.qt_compat import apply_qt_workarounds

# before any widget or signal exists: PySide6 6.12 would otherwise abort after a few
# thousand signal emissions (see qt_compat)
apply_qt_workarounds()
