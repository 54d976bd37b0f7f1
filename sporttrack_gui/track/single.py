"""Single-object tracking: one factory over OpenCV's trackers, with lost state and recovery.

This is the module other rooms import (``create_single_tracker``); the parts live in
``sot_*`` modules with one job each: OpenCV back-ends, input checks, appearance model,
lost-state monitor, recovery, session, heatmap, project storage.
"""

from __future__ import annotations

from typing import Any

from sporttrack_gui.errors import InputError
from sporttrack_gui.track.sot_monitor import LostPolicy, MonitoredTracker, PlainTracker, TrackState
from sporttrack_gui.track.sot_opencv import BACKENDS, BackendSpec, OpenCvBackend, register_backend
from sporttrack_gui.track.sot_recovery import RecoveringTracker, RecoveryConfig

__all__ = [
    "BackendSpec", "LostPolicy", "MonitoredTracker", "PlainTracker", "RecoveringTracker",
    "RecoveryConfig", "TrackState", "create_single_tracker", "register_backend",
    "single_tracker_info", "single_tracker_names",
]

AnyTracker = PlainTracker | MonitoredTracker | RecoveringTracker


def single_tracker_names() -> list[str]:
    """Names accepted by :func:`create_single_tracker` in this OpenCV build."""
    return sorted(BACKENDS)


def single_tracker_info() -> dict[str, dict[str, Any]]:
    """Name -> description and required model-file parameters (for ``--help`` and the GUI)."""
    return {n: {"description": s.description, "model_files": dict(s.model_files),
                "native_score": s.native_score} for n, s in sorted(BACKENDS.items())}


def _config(cls: type, value: Any, what: str) -> Any:
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, dict):
        try:
            return cls(**value)
        except TypeError as exc:
            raise InputError(f"{what}: {exc}") from None
    raise InputError(f"{what}: expected a {cls.__name__} or a dict, got {type(value).__name__}")


def create_single_tracker(name: str, *, recover: bool = False, monitor: bool = True,
                          policy: LostPolicy | dict | None = None,
                          recovery: RecoveryConfig | dict | None = None,
                          **params: Any) -> AnyTracker:
    """Build a single-object tracker.

    ``name``: ``csrt``, ``kcf``, ``mosse``, ``mil``; ``nano`` (``backbone=``, ``neckhead=``
    ONNX paths) and ``vit`` (``net=``) when the user has their model files. ``params`` go to
    OpenCV's ``*_Params`` (unknown names raise ``InputError``; missing model files raise
    ``ModelError`` naming them). ``monitor=False`` gives the bare OpenCV tracker (no lost
    state, the baseline); ``recover=True`` wraps the monitored tracker in
    :class:`RecoveringTracker`.
    """
    backend = OpenCvBackend(name, **params)
    if not monitor:
        if recover:
            raise InputError("recover=True needs the lost-state monitor (monitor=True)")
        return PlainTracker(backend)
    base = MonitoredTracker(backend, _config(LostPolicy, policy, "lost policy"))
    if recover:
        return RecoveringTracker(base, _config(RecoveryConfig, recovery, "recovery settings"))
    return base
