"""Export a YOLO model to ONNX for onnxruntime inference.

Why: on machines without a usable torch build (or where onnxruntime is faster, e.g. with
a GPU provider) the same detector runs from a ``.onnx`` file. The export is dynamic in
batch and image size so rectangular (e.g. 384x640 for 16:9) letterboxing still applies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sporttrack_gui.detect.weights import resolve_model
from sporttrack_gui.errors import ModelError


def export_onnx(model_spec: str, out_path: str | Path, *, imgsz: int = 640,
                opset: int | None = None) -> Path:
    """Export ``model_spec`` (weights path/name or ``.yaml``) to ``out_path`` (.onnx)."""
    from sporttrack_gui.runtime import import_ultralytics

    out = Path(out_path)
    if out.suffix.lower() != ".onnx":
        raise ModelError(f"ONNX export target must end in .onnx: {out}")
    resolved = resolve_model(model_spec)
    ultralytics = import_ultralytics()
    try:
        model = ultralytics.YOLO(resolved)
        kwargs = {"format": "onnx", "imgsz": imgsz, "dynamic": True, "simplify": False,
                  "device": "cpu", "verbose": False}
        if opset is not None:
            kwargs["opset"] = opset
        produced = Path(model.export(**kwargs))
    except ModelError:
        raise
    except Exception as exc:  # ultralytics raises many types; the user needs the cause
        raise ModelError(f"ONNX export of {model_spec!r} failed: {exc}") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    if produced.resolve() != out.resolve():
        shutil.move(str(produced), out)
    return out
