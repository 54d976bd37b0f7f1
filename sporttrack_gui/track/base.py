"""Tracker protocols and the registry every tracker (built-in or plugin) goes through."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from sporttrack_gui.core.boxes import Detections, Tracks
from sporttrack_gui.core.registry import Registry


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
    """What the registry knows about a tracker: how to build it and its default parameters.

    One source of defaults: a built-in's come from ``resources/trackers/<name>.yaml`` (its
    constructor takes ``**overrides``); a plugin class's are read from its ``__init__``
    signature when ``defaults`` is not given (as roboflow ``trackers`` does), and checked
    against it when they are, so a parameter the tracker does not take is refused at
    registration, not on the first run.
    """

    name: str
    factory: Callable[..., Tracker]
    defaults: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    needs_pixels: bool = False
    origin: str = "built-in"

    def __post_init__(self) -> None:
        accepted = signature_defaults(self.factory)
        if accepted is None:  # takes **kwargs (built-ins, lambdas): the YAML/defaults rule
            return
        if not self.defaults:
            self.defaults = dict(accepted)
            return
        unknown = sorted(set(self.defaults) - set(accepted))
        if unknown:
            raise ValueError(f"tracker {self.name!r}: default(s) {', '.join(unknown)} are not "
                             f"parameters of {getattr(self.factory, '__name__', self.factory)}"
                             f" (it takes: {', '.join(accepted) or 'none'})")


def signature_defaults(factory: Callable[..., Any]) -> dict[str, Any] | None:
    """Keyword parameters with defaults of ``factory`` (a class: its ``__init__``); None
    when it also takes ``**kwargs`` or has no readable signature (nothing to check)."""
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return {p.name: p.default for p in params
            if p.default is not inspect.Parameter.empty
            and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                           inspect.Parameter.KEYWORD_ONLY)}


def _builtins() -> None:
    from sporttrack_gui.track import register_builtins

    register_builtins()


#: every tracker by (case-insensitive) name; built-ins are registered on first use
TRACKERS: Registry[TrackerSpec] = Registry("tracker", TrackerSpec, builtins=_builtins)


def register_tracker(spec: TrackerSpec) -> None:
    """Add or replace a tracker by (case-insensitive) name; plugins call this too, but a
    plugin may not replace one of the app's own trackers (refused with an error)."""
    TRACKERS.register(spec)


def tracker_specs() -> dict[str, TrackerSpec]:
    """Built-ins plus every plugin that loaded (plugins are discovered on first use)."""
    from sporttrack_gui.plugins import load_plugins

    load_plugins()
    return TRACKERS.specs()
