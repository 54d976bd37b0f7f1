"""Ultralytics YOLO detector (torch weights, architecture ``.yaml`` or ``.onnx``).

Why it is shaped like this: ultralytics is imported only when a detector is built, so
importing ``sporttrack_gui.detect`` stays cheap for the rest of the app; names are resolved
offline by :mod:`weights` before ultralytics sees them, so nothing is ever downloaded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.detect.base import check_batch
from sporttrack_gui.detect.classes import ClassMap
from sporttrack_gui.detect.device import pick_device, set_torch_threads
from sporttrack_gui.detect.weights import resolve_model
from sporttrack_gui.errors import MediaError, ModelError

log = logging.getLogger(__name__)


class YoloDetector:
    """Batched YOLO inference mapped to SportTrack classes."""

    needs_pixels = True

    def __init__(self, model: str, *, conf: float = 0.25, iou: float = 0.5, imgsz: int = 640,
                 batch: int = 8, device: str = "auto", half: bool | None = None,
                 class_map: Mapping[str, str] | str | None = None, max_det: int = 300,
                 onnx: bool | str | Path = False, threads: int | None = None) -> None:
        """``onnx``: False (torch), True (export next to the app's model cache and run
        with onnxruntime) or a target ``.onnx`` path. A ``.onnx`` ``model`` runs as is."""
        if not 0.0 <= conf <= 1.0 or not 0.0 <= iou <= 1.0:
            raise ModelError(f"conf and iou must be in [0, 1], got conf={conf} iou={iou}")
        if imgsz < 32 or batch < 1:
            raise ModelError(f"imgsz must be >= 32 and batch >= 1 (got {imgsz}, {batch})")
        resolved = resolve_model(model)  # a missing file fails before torch is loaded
        from sporttrack_gui.runtime import import_ultralytics

        ultralytics = import_ultralytics()
        self.device, fp16_ok = pick_device(device)
        self.half = bool(fp16_ok if half is None else (half and fp16_ok))
        if onnx and not resolved.lower().endswith(".onnx"):
            resolved = str(self._export(model, onnx, imgsz))
        self.model_path = resolved
        try:
            task = {"task": "detect"} if resolved.lower().endswith(".onnx") else {}
            self._model = ultralytics.YOLO(resolved, **task)
        except FileNotFoundError as exc:
            raise ModelError(f"model {model!r} not found: {exc}") from exc
        except Exception as exc:  # corrupt/incompatible file: name it, keep the app alive
            raise ModelError(f"cannot load detector model {resolved!r}: {exc}") from exc
        if getattr(self._model, "task", "detect") != "detect":
            raise ModelError(f"model {resolved!r} is a {self._model.task!r} model, not a detector")
        self.classes = ClassMap(self._model.names, class_map)
        self.class_names = self.classes.class_names
        self.conf, self.iou, self.imgsz, self.batch = conf, iou, imgsz, batch
        self.max_det = max_det
        self.threads = threads
        self._warm_up()

    def _warm_up(self) -> None:
        """Build ultralytics' predictor now (the first real batch should not pay setup),
        then set torch's threads: ultralytics' device selection overrides them."""
        try:
            self._predict([np.zeros((64, 64, 3), np.uint8)])
        except Exception as exc:  # an unusable model: say which, keep the app alive
            raise ModelError(f"detector model {self.model_path!r} cannot run: {exc}") from exc
        self._threads_ok()

    def _threads_ok(self) -> None:
        if self.device == "cpu":
            set_torch_threads(self.threads)

    def _predict(self, chunk: list[np.ndarray]):
        return self._model.predict(
            chunk, conf=self.conf, iou=self.iou, imgsz=self.imgsz, device=self.device,
            half=self.half, max_det=self.max_det, classes=self.classes.source_ids or None,
            verbose=False)

    @staticmethod
    def _export(model: str, onnx: bool | str | Path, imgsz: int) -> Path:
        from sporttrack_gui.detect.onnx_export import export_onnx
        from sporttrack_gui.detect.weights import models_dir

        target = Path(onnx) if isinstance(onnx, str | Path) and not isinstance(onnx, bool) \
            else models_dir() / "onnx" / f"{Path(model).stem}-{imgsz}.onnx"
        if not target.exists():
            log.info("exporting %s to %s", model, target)
            export_onnx(model, target, imgsz=imgsz)
        return target

    def detect(self, frames: Sequence[np.ndarray | None],
               frame_numbers: Sequence[int] | None = None) -> list[Detections]:
        frame_numbers = check_batch(frames, frame_numbers)
        for img, fn in zip(frames, frame_numbers, strict=True):
            if img is None or img.ndim != 3 or img.shape[2] != 3:
                raise MediaError(f"frame {fn}: detector needs a BGR image, got "
                                 f"{None if img is None else img.shape}", frame=fn)
        out: list[Detections] = []
        for start in range(0, len(frames), self.batch):
            self._threads_ok()
            results = self._predict(list(frames[start:start + self.batch]))
            out.extend(self._to_detections(r) for r in results)
        return out

    def _to_detections(self, result) -> Detections:
        boxes = result.boxes
        if boxes is None or len(boxes) == 0:
            return Detections.empty()
        xyxy = boxes.xyxy.float().cpu().numpy()
        conf = boxes.conf.float().cpu().numpy()
        cls, keep = self.classes.apply(boxes.cls.cpu().numpy().astype(np.int64))
        return Detections(xyxy[keep], conf[keep], cls[keep])

    def close(self) -> None:
        self._model = None
