"""The ``fairmot:<weights.pt>`` detector: boxes AND identity embeddings in one forward pass.

Its ``Detections.feat`` carries the unit 128-d embedding of every box, so any tracker that
reads ``dets.feat`` (fairmot, deepsort, bytetrack with appearance) uses it without a crop
network.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.detect.base import check_batch


class FairMOTDetector:
    needs_pixels = True

    def __init__(self, weights: str, conf: float = 0.3, imgsz: int | None = None,
                 max_det: int = 100, batch: int = 8, device: str = "cpu",
                 threads: int | None = None, **_ignored):
        """``device``/``iou``/``class_map`` and other YOLO options are accepted and ignored
        (CPU torch; the heatmap's 3x3 max-pool replaces box NMS)."""
        from sporttrack_gui.detect.fairmot.model import load_weights

        self.net = load_weights(weights)
        self.embed_seconds = 0.0  # cumulative time in the identity head (pipeline "embed")
        self._id_t0 = 0.0
        self.net.id.register_forward_pre_hook(self._id_start)
        self.net.id.register_forward_hook(self._id_end)
        self.conf = float(conf)
        self.imgsz = int(imgsz or self.net.cfg.imgsz)
        self.max_det = int(max_det)
        self.batch = max(1, int(batch))
        self.threads = threads  # torch intra-op threads, chosen like the YOLO detector's
        self.class_names = tuple(self.net.cfg.class_names)

    def detect(self, frames: Sequence[np.ndarray | None],
               frame_numbers: Sequence[int] | None = None) -> list[Detections]:
        import torch

        from sporttrack_gui.detect.device import set_torch_threads
        from sporttrack_gui.detect.fairmot.data import prepare_image
        from sporttrack_gui.detect.fairmot.model import decode

        numbers = check_batch(frames, frame_numbers)
        set_torch_threads(self.threads)
        for frame, fn in zip(frames, numbers, strict=True):
            if frame is None:
                raise ValueError(f"fairmot detector needs pixels (frame {fn} has none)")
        prepared = [prepare_image(frame, self.imgsz) for frame in frames]
        out: list[Detections] = []
        for start in range(0, len(frames), self.batch):  # one forward per batch of equal-size frames
            chunk = prepared[start:start + self.batch]
            shapes = {img.shape for img, _ in chunk}
            groups = [chunk] if len(shapes) == 1 else [[c] for c in chunk]
            for group in groups:
                with torch.inference_mode():
                    x = torch.from_numpy(np.stack([img for img, _ in group]))
                    results = decode(self.net(x), self.max_det, self.conf)
                done = len(out)  # frames already decoded = index of this group's first frame
                for (_, scale), frame, (xyxy, score, cls, emb) in zip(
                        group, frames[done:done + len(group)], results, strict=True):
                    xyxy = xyxy / scale
                    xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, frame.shape[1])
                    xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, frame.shape[0])
                    out.append(Detections(xyxy, score, cls, emb))
        return out

    def _id_start(self, *_: object) -> None:
        self._id_t0 = time.perf_counter()

    def _id_end(self, *_: object) -> None:
        self.embed_seconds += time.perf_counter() - self._id_t0

    def close(self) -> None:
        self.net = None
