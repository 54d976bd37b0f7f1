"""What the run dialog remembers between runs (QSettings through ``ui.settings``).

Why a module of its own: the keys and their types live in one place, read back with the
type the widget needs (QSettings' INI backend returns strings), and a value the user's
settings file mangled falls back to the default instead of raising in the dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sporttrack_gui.ui import settings

if TYPE_CHECKING:
    from sporttrack_gui.ui.run_dialog import RunDialog

#: key -> default; the dialog's widget for each is named in ``_widgets``
DEFAULTS: dict[str, Any] = {"run/yolo_model": "", "run/stride": 1, "run/conf": 0.25,
                            "run/iou": 0.5, "run/imgsz": 640, "run/classes": ""}


def _typed(key: str) -> Any:
    default = DEFAULTS[key]
    raw = settings.value(key, default)
    try:
        return type(default)(raw if raw is not None else default)
    except (TypeError, ValueError):
        return default


def _widgets(d: RunDialog) -> dict[str, Any]:
    return {"run/yolo_model": d.yolo_edit, "run/stride": d.stride, "run/conf": d.conf,
            "run/iou": d.iou, "run/imgsz": d.imgsz, "run/classes": d.classes}


def restore_run_settings(d: RunDialog) -> None:
    """Fill the dialog with the last run's model, stride and detector options."""
    for key, widget in _widgets(d).items():
        val = _typed(key)
        if isinstance(val, str):
            widget.setText(val)
        else:
            widget.setValue(val)


def save_run_settings(d: RunDialog) -> None:
    """Remember the dialog's choices (the model only when one is given)."""
    settings.set_value("run/last_tracker", d.tracker())
    for key, widget in _widgets(d).items():
        val = widget.text().strip() if hasattr(widget, "text") and not hasattr(widget, "value") \
            else widget.value()
        if key == "run/yolo_model" and not val:
            continue
        settings.set_value(key, val)
