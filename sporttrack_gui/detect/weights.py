"""Find model files offline, and say exactly how to provide one when it is missing.

Why: ultralytics downloads ``yolov8n.pt`` on a miss; SportTrack must never reach the
network, so names are resolved here first and ultralytics only ever sees an existing path
(or an architecture ``.yaml`` it ships itself).
"""

from __future__ import annotations

from pathlib import Path

from sporttrack_gui.errors import ModelError
from sporttrack_gui.runtime import app_home

ARCH_SUFFIXES = (".yaml", ".yml")
WEIGHT_SUFFIXES = (".pt", ".onnx", ".torchscript")


def models_dir() -> Path:
    """Per-user model folder searched for bare weight names."""
    return app_home() / "models"


def search_paths(name: str) -> list[Path]:
    """Where a bare weights name is looked for, in order."""
    p = Path(name).expanduser()
    if p.is_absolute() or len(p.parts) > 1:
        return [p]
    return [Path.cwd() / p, models_dir() / p]


def missing_weights_message(name: str) -> str:
    tried = ", ".join(str(p) for p in search_paths(name))
    return (f"detector weights {name!r} not found (looked in: {tried}). SportTrack never "
            f"downloads models. Give a path to a weights file (e.g. --detector "
            f"yolo:/path/to/{Path(name).name}), or copy the file into {models_dir()}. "
            f"To try the pipeline without trained weights use yolo:yolov8n.yaml "
            f"(architecture only, random weights).")


def resolve_model(spec: str) -> str:
    """Return what to hand to ``ultralytics.YOLO``: an existing file path, or an
    architecture name such as ``yolov8n.yaml`` (ultralytics ships those).

    Raises ``ModelError`` for a weights file that is not on disk anywhere we look.
    """
    spec = spec.strip()
    if not spec:
        raise ModelError("empty model name: expected a weights file (.pt/.onnx) or a model .yaml")
    suffix = Path(spec).suffix.lower()
    for candidate in search_paths(spec):
        if candidate.is_file():
            return str(candidate.resolve())
    if suffix in ARCH_SUFFIXES:
        return spec  # ultralytics resolves its bundled architecture files offline
    if suffix not in WEIGHT_SUFFIXES:
        raise ModelError(f"model {spec!r}: expected a weights file (.pt, .onnx) or an "
                         f"architecture file (.yaml)")
    raise ModelError(missing_weights_message(spec))
