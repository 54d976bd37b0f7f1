"""Tracker protocols and the registry every tracker (built-in or plugin) goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sporttrack_gui.core.boxes import Detections, Tracks


@runtime_checkable
class Tracker(Protocol):
    """Multi-object tracker. ``frame`` may be None when ``needs_pixels`` is False."""

    needs_pixels: bool

    def reset(self) -> None: ...

    def update(self, dets: Detections, frame: np.ndarray | None) -> Tracks: ...


@runtime_checkable
class SingleTracker(Protocol):
    """Single-object tracker: ``init(frame, xywh)`` then ``update(frame) -> (ok, xywh, score)``."""

    def init(self, frame: np.ndarray, xywh: tuple[float, float, float, float]) -> None: ...

    def update(self, frame: np.ndarray) -> tuple[bool, tuple[float, float, float, float], float]: ...


@dataclass
class TrackerSpec:
    """What the registry knows about a tracker: how to build it and its default parameters."""

    name: str
    factory: Callable[..., Tracker]
    defaults: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    needs_pixels: bool = False
    origin: str = "built-in"


_REGISTRY: dict[str, TrackerSpec] = {}
_PROTECTED: set[str] = set()  # names registered by the app itself, not by a plugin


def register_tracker(spec: TrackerSpec) -> None:
    """Add or replace a tracker by (case-insensitive) name; plugins call this too, but a
    plugin may not replace one of the app's own trackers (refused with an error)."""
    from sporttrack_gui.plugins import check_plugin_registration, loading_plugin

    name = spec.name.lower()
    check_plugin_registration("tracker", name, name in _PROTECTED)
    if loading_plugin() is None:
        _PROTECTED.add(name)
    _REGISTRY[name] = spec


def tracker_specs() -> dict[str, TrackerSpec]:
    """Built-ins plus every plugin that loaded (plugins are discovered on first use)."""
    from sporttrack_gui.plugins import load_plugins
    from sporttrack_gui.track import load_builtin_trackers

    load_builtin_trackers()
    load_plugins()
    return dict(_REGISTRY)
