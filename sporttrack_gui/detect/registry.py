"""Detector registry and ``create_detector(spec)``: ``kind:argument`` strings.

Why a registry: built-ins and plugins register by name, so no module picks detector
classes through an if/elif chain and a plugin detector is used exactly like a built-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sporttrack_gui.core.registry import Registry
from sporttrack_gui.detect.base import Detector
from sporttrack_gui.errors import ModelError


@dataclass(frozen=True)
class DetectorSpec:
    """``factory(argument, **opts)`` builds the detector; ``needs_pixels`` is known up front."""

    name: str
    factory: Callable[..., Detector]
    description: str = ""
    needs_pixels: bool = True
    origin: str = "built-in"


def register_detector(spec: DetectorSpec) -> None:
    """Add or replace a detector kind (case-insensitive); plugins call this too, but a
    plugin may not replace one of the app's own kinds (refused with an error)."""
    DETECTORS.register(spec)


def _yolo(arg: str, **opts: Any) -> Detector:
    from sporttrack_gui.detect.yolo import YoloDetector

    return YoloDetector(arg, **opts)


def _fairmot(arg: str, **opts: Any) -> Detector:
    from sporttrack_gui.detect.fairmot.detector import FairMOTDetector

    return FairMOTDetector(arg, **opts)


def _det_file(arg: str, **opts: Any) -> Detector:
    from sporttrack_gui.detect.public import FileDetector

    return FileDetector(arg, kind="det", **opts)


def _gt_file(arg: str, **opts: Any) -> Detector:
    from sporttrack_gui.detect.public import FileDetector

    return FileDetector(arg, kind="gt", **opts)


def _builtins() -> None:
    for spec in (
        DetectorSpec("yolo", _yolo, "ultralytics YOLO: yolo:<weights.pt|model.yaml|model.onnx>"),
        DetectorSpec("fairmot", _fairmot,
                     "FairMOT boxes + identity embeddings: fairmot:<weights.pt>"),
        DetectorSpec("det", _det_file, "public detections: det:<det.txt>", needs_pixels=False),
        DetectorSpec("gt", _gt_file, "ground-truth boxes as detections: gt:<gt.txt>",
                     needs_pixels=False),
    ):
        register_detector(spec)


#: every detector kind by (case-insensitive) name; built-ins registered on first use
DETECTORS: Registry[DetectorSpec] = Registry("detector", DetectorSpec, builtins=_builtins,
                                             label="detector:")


def _load_plugins() -> None:
    """Plugins (entry points, ``plugins/`` files) may register detectors; a broken one is
    reported by the plugin loader and skipped, never fatal here."""
    from sporttrack_gui.plugins import load_plugins

    load_plugins()


def detector_specs(load_plugins: bool = True) -> dict[str, DetectorSpec]:
    if load_plugins:
        _load_plugins()
    return DETECTORS.specs()


def detector_names(load_plugins: bool = True) -> list[str]:
    return sorted(detector_specs(load_plugins))


def split_spec(spec: str) -> tuple[DetectorSpec, str]:
    """``"yolo:x.pt"`` -> (registry entry, ``"x.pt"``); a bare ``.pt``/``.yaml``/``.onnx``
    means ``yolo:``. Raises ``ModelError`` naming the known kinds."""
    text = (spec or "").strip()
    kind, sep, arg = text.partition(":")
    if not sep or (len(kind) == 1 and kind.isalpha()):  # bare path (or C:\ on Windows)
        kind, arg = "yolo", text
    entry = DETECTORS.get(kind)
    if entry is None:
        _load_plugins()
        entry = DETECTORS.get(kind)
    if entry is None:
        raise ModelError(f"unknown detector {kind!r} in {spec!r}; known: "
                         f"{', '.join(sorted(DETECTORS.names()))} (e.g. yolo:yolov8n.pt, det:det.txt)")
    if not arg.strip():
        raise ModelError(f"detector spec {spec!r} names no model/file after '{kind}:'")
    return entry, arg.strip()


def create_detector(spec: str, **opts: Any) -> Detector:
    """Build a detector from ``kind:argument``; options go to its constructor."""
    entry, arg = split_spec(spec)
    try:
        return entry.factory(arg, **opts)
    except TypeError as exc:
        raise ModelError(f"detector {entry.name!r}: bad option ({exc})") from exc
