"""Multi-object trackers by name: ``create_tracker("bytetrack", **overrides)``.

Light to import on purpose (no torch, ultralytics or onnxruntime): the CLI, the GUI's
tracker menu and plugins only need names and defaults; a tracker's module is imported
when one is created.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.track.base import (
    TRACKERS,
    SingleTracker,
    Tracker,
    TrackerSpec,
    register_tracker,
    tracker_specs,
)
from sporttrack_gui.track.config import load_defaults, merge_params

#: THE default multi-object tracker of the CLI, the pipeline and the GUI's run dialog: the
#: built-in that ranks first on the held-out half of benchmarks/bench_track_sports.py
DEFAULT_TRACKER = "cbiou"

__all__ = ["DEFAULT_TRACKER", "TRACKERS", "Tracker", "SingleTracker", "TrackerSpec", "register_tracker", "tracker_specs",
           "create_tracker", "tracker_names", "load_builtin_trackers", "tracker_needs_pixels"]

#: name -> (module, class, description) of the built-in trackers
_BUILTINS: dict[str, tuple[str, str, str]] = {
    "sort": ("sporttrack_gui.track.sort", "SortTracker",
             "SORT: Kalman + IoU + Hungarian, the fastest baseline"),
    "bytetrack": ("sporttrack_gui.track.bytetrack", "ByteTracker",
                  "ByteTrack: two-stage high/low score association with a lost-track buffer"),
    "deepsort": ("sporttrack_gui.track.deepsort", "DeepSortTracker",
                 "DeepSORT: Mahalanobis-gated appearance cascade, then IoU"),
    "cbiou": ("sporttrack_gui.track.bytetrack", "CBIoUTracker",
              "C-BIoU: ByteTrack stages on cascaded buffered IoU, for fast irregular motion"),
    "ocsort": ("sporttrack_gui.track.ocsort", "OcSortTracker",
               "OC-SORT: observation-centric momentum, recovery and re-update after gaps"),
    "fairmot": ("sporttrack_gui.track.fairmot", "FairMOTTracker",
                "FairMOT: detector embeddings fused with Kalman gating, then IoU "
                "(use with --detector fairmot:<weights.pt>)"),
}


def _lazy_factory(module: str, cls: str):
    def factory(**params: Any) -> Tracker:
        return getattr(import_module(module), cls)(**params)

    factory.__qualname__ = f"{cls}.factory"
    return factory


def load_builtin_trackers() -> None:
    """Make sure the built-ins are registered (the registry does it on first use)."""
    TRACKERS.load_builtins()


def register_builtins() -> None:
    """Register the built-ins (defaults from ``resources/trackers``); the registry calls
    this once, on first use, before any plugin can register."""
    for name, (module, cls, desc) in _BUILTINS.items():
        defaults = load_defaults(name)
        register_tracker(TrackerSpec(name=name, factory=_lazy_factory(module, cls),
                                     defaults=defaults, description=desc,
                                     needs_pixels=_pixels_for(defaults)))


def _pixels_for(params: dict[str, Any]) -> bool:
    """Pixels are needed for an appearance embedder or camera-motion compensation."""
    return (str(params.get("embedder", "none")).lower() != "none"
            or str(params.get("cmc", "none")).lower() != "none")


def tracker_names() -> list[str]:
    return sorted(tracker_specs())


def _spec(name: str) -> TrackerSpec:
    specs = tracker_specs()
    spec = specs.get(str(name).lower())
    if spec is None:
        raise InputError(f"unknown tracker {name!r}; available: {', '.join(sorted(specs))}")
    return spec


def tracker_needs_pixels(name: str, **overrides: Any) -> bool:
    """Whether ``create_tracker(name, **overrides)`` would need frames (without building it)."""
    spec = _spec(name)
    if not spec.defaults:
        return spec.needs_pixels
    return _pixels_for(merge_params(spec.name, spec.defaults, overrides))


def create_tracker(name: str, **overrides: Any) -> Tracker:
    """Build a tracker with its YAML defaults updated by ``overrides`` (validated)."""
    spec = _spec(name)
    params = merge_params(spec.name, spec.defaults, overrides) if spec.defaults else overrides
    return spec.factory(**params)
