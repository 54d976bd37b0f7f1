"""Detector options as the CLI names them (``--conf``, ``--iou``, ``--imgsz``, ``--classes``…).

Why one function: ``sporttrack run`` and the GUI's run dialog offer the same options and
must turn them into the same ``PipelineConfig.detector_options``. Only options that were
given are passed, so each detector keeps its own defaults; file detectors (``det:``,
``gt:``) take none of the model options.
"""

from __future__ import annotations

from typing import Any

from sporttrack_gui.detect.classes import parse_class_map
from sporttrack_gui.detect.registry import split_spec


def detector_options(spec: str, *, conf: float | None = None, iou: float | None = None,
                     imgsz: int | None = None, classes: str | None = None,
                     device: str | None = None, threads: int | None = None,
                     onnx: bool = False, batch: int | None = None,
                     min_conf: float | None = None) -> dict[str, Any]:
    """``detector_options`` of a ``PipelineConfig`` for detector ``spec``.

    Raises ``ModelError`` for a malformed class map (``"person=player,sports ball=ball"``
    or ``"all"``).
    """
    entry, _ = split_spec(spec)
    if not entry.needs_pixels:
        return {} if min_conf is None else {"min_conf": min_conf}
    opts: dict[str, Any] = {}
    for name, val in (("batch", batch), ("conf", conf), ("iou", iou), ("imgsz", imgsz),
                      ("device", device), ("threads", threads)):
        if val is not None:
            opts[name] = val
    if classes and classes.strip():
        opts["class_map"] = parse_class_map(classes)
    if onnx:
        opts["onnx"] = True
    return opts
