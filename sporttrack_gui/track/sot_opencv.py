"""OpenCV single-object tracker back-ends (CSRT, KCF, MOSSE, MIL, Nano, ViT) behind one factory.

Why a table of specs instead of an if/elif chain: each back-end differs only in how its
``Params`` object is built and whether it needs user-supplied model files, so one
``BackendSpec`` per name keeps the differences declarative and lets plugins add more.
OpenCV's two APIs (the modern ``cv2.Tracker*`` with integer rects, and ``cv2.legacy``
with float rects, the only home of MOSSE) are hidden behind :class:`OpenCvBackend`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from sporttrack_gui.errors import InputError, ModelError

Xywh = tuple[float, float, float, float]


@dataclass(frozen=True)
class BackendSpec:
    """How to build one OpenCV tracker: ``make(params_dict) -> cv2 tracker``."""

    name: str
    description: str
    make: Callable[[dict[str, Any]], Any]
    #: parameter name -> default file name, for trackers that run a user-supplied DNN
    model_files: dict[str, str] = field(default_factory=dict)
    #: True when ``getTrackingScore`` returns a real confidence (OpenCV's DNN trackers)
    native_score: bool = False
    legacy: bool = False
    #: dotted ``cv2`` attribute this back-end needs; absent -> not offered
    requires: str = ""
    #: smallest box area (px) the back-end handles (MIL hangs forever on a 4x4 box)
    min_area: float = 0.0


def _apply_params(params_obj: Any, overrides: dict[str, Any], tracker: str) -> Any:
    """Copy ``overrides`` onto an OpenCV ``*_Params`` object, rejecting unknown names."""
    valid = sorted(a for a in dir(params_obj) if not a.startswith("_"))
    for key, value in overrides.items():
        if key not in valid:
            raise InputError(f"tracker {tracker!r} has no parameter {key!r}; "
                             f"valid: {', '.join(valid) or '(none)'}")
        current = getattr(params_obj, key)
        try:
            setattr(params_obj, key, type(current)(value))
        except (TypeError, ValueError) as exc:
            raise InputError(f"tracker {tracker!r} parameter {key}={value!r}: {exc}") from None
    return params_obj


def _check_model_files(spec: BackendSpec, params: dict[str, Any]) -> None:
    """Name every model file the user still has to provide (none can be downloaded)."""
    missing = []
    for key, default in spec.model_files.items():
        value = params.get(key)
        if not value:
            missing.append(f"{key}=<path to {default}>")
        elif not Path(str(value)).is_file():
            missing.append(f"{key}={value} (file not found; expected {default})")
    if missing:
        raise ModelError(f"tracker {spec.name!r} needs model files: {'; '.join(missing)}. "
                         "Download them from the OpenCV model zoo and pass their paths.")


def _modern(cls_name: str) -> Callable[[dict[str, Any]], Any]:
    def make(params: dict[str, Any]) -> Any:
        cls = getattr(cv2, cls_name)
        p = _apply_params(getattr(cv2, f"{cls_name}_Params")(), params, cls_name)
        return cls.create(p)

    return make


def _mosse(params: dict[str, Any]) -> Any:
    if params:
        raise InputError(f"tracker 'mosse' takes no parameters, got {', '.join(params)}")
    return cv2.legacy.TrackerMOSSE_create()


def _dnn(cls_name: str) -> Callable[[dict[str, Any]], Any]:
    inner = _modern(cls_name)

    def make(params: dict[str, Any]) -> Any:
        try:
            return inner(params)
        except cv2.error as exc:
            files = ", ".join(str(v) for k, v in params.items() if str(v).endswith(".onnx"))
            raise ModelError(f"OpenCV could not load the {cls_name} model ({files}): "
                             f"{str(exc).strip().splitlines()[-1]}") from None

    return make


def _cv2_has(path: str) -> bool:
    """True when ``cv2`` exposes the dotted attribute (contrib builds differ)."""
    obj: Any = cv2
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return True


def _builtin_specs() -> dict[str, BackendSpec]:
    specs = [
        BackendSpec("csrt", "discriminative correlation filter with channel/spatial "
                    "reliability; accurate, ~50-70 fps", _modern("TrackerCSRT"),
                    requires="TrackerCSRT"),
        BackendSpec("kcf", "kernelised correlation filter; very fast, weak on fast motion",
                    _modern("TrackerKCF"), requires="TrackerKCF"),
        BackendSpec("mosse", "minimum output sum of squared error filter; fastest, "
                    "fixed scale", _mosse, legacy=True, requires="legacy.TrackerMOSSE_create"),
        BackendSpec("mil", "multiple-instance learning; robust to partial occlusion, slow",
                    _modern("TrackerMIL"), requires="TrackerMIL", min_area=25.0),
        BackendSpec("nano", "NanoTrack siamese DNN (needs its two ONNX files)",
                    _dnn("TrackerNano"), requires="TrackerNano",
                    model_files={"backbone": "nanotrack_backbone_sim.onnx",
                                 "neckhead": "nanotrack_head_sim.onnx"},
                    native_score=True),
        BackendSpec("vit", "VitTrack transformer DNN (needs its ONNX file)", _dnn("TrackerVit"),
                    requires="TrackerVit",
                    model_files={"net": "object_tracking_vittrack_2023sep.onnx"},
                    native_score=True),
    ]
    # plain opencv-python (no contrib) lacks some of these: offer only what this build has
    return {s.name: s for s in specs if _cv2_has(s.requires)}


BACKENDS: dict[str, BackendSpec] = _builtin_specs()


def register_backend(spec: BackendSpec) -> None:
    """Add or replace a single-object back-end by (case-insensitive) name."""
    BACKENDS[spec.name.lower()] = spec


def backend_spec(name: str) -> BackendSpec:
    spec = BACKENDS.get(name.lower().strip())
    if spec is None:
        raise InputError(f"unknown single-object tracker {name!r}; "
                         f"available: {', '.join(sorted(BACKENDS))}")
    return spec


class OpenCvBackend:
    """One OpenCV tracker instance with a uniform float ``xywh`` interface.

    ``score`` is the tracker's own confidence when OpenCV exposes a real one (Nano/ViT),
    else ``None``: CSRT/KCF/MIL have ``getTrackingScore`` in 5.x but it returns -1.
    """

    def __init__(self, name: str, **params: Any):
        self.spec = backend_spec(name)
        self.params = dict(params)
        _check_model_files(self.spec, self.params)
        self._tracker = self.spec.make(self.params)
        self.score: float | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def fresh(self) -> OpenCvBackend:
        """A new, un-initialised instance with the same parameters (for re-initialising)."""
        return OpenCvBackend(self.spec.name, **self.params)

    def init(self, frame: np.ndarray, xywh: Xywh) -> None:
        if xywh[2] * xywh[3] < self.spec.min_area:
            raise InputError(f"{self.name} needs a box of at least {self.spec.min_area:g} px², "
                             f"got {xywh[2]:g}x{xywh[3]:g}")
        if self.spec.legacy:
            rect: tuple = tuple(float(v) for v in xywh)
        else:
            x, y, w, h = xywh
            rect = (int(round(x)), int(round(y)), max(1, int(round(w))), max(1, int(round(h))))
        try:
            result = self._tracker.init(frame, rect)
        except cv2.error as exc:
            raise InputError(f"{self.name} could not initialise on box {tuple(xywh)}: "
                             f"{str(exc).strip().splitlines()[-1]}") from None
        if result is False:  # legacy API reports failure; modern API raises
            raise InputError(f"{self.name} could not initialise on box {tuple(xywh)}")
        self.score = None

    def update(self, frame: np.ndarray) -> tuple[bool, Xywh]:
        try:
            ok, box = self._tracker.update(frame)
        except cv2.error:
            # DNN trackers raise when the target has shrunk to nothing: that is a loss
            ok, box = False, (0, 0, 0, 0)
        self.score = None
        if self.spec.native_score:
            s = float(self._tracker.getTrackingScore())
            self.score = s if s >= 0 else None
        return bool(ok), tuple(float(v) for v in box)  # type: ignore[return-value]
