"""Appearance embedders: boxes in a BGR frame -> L2-normalised feature rows.

Two kinds, one call signature ``embedder(frame, xyxy) -> (N, D) float32``:
``ColorEmbedder`` is instant and needs no model (kit colours separate teams and often
players of different roles); ``OnnxReidEmbedder`` runs a user-supplied person re-id
network (e.g. OSNet) when identities within one team must be told apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from sporttrack_gui.errors import InputError, ModelError


class Embedder(Protocol):
    dim: int

    def __call__(self, frame: np.ndarray, xyxy: np.ndarray) -> np.ndarray: ...


def _crops(frame: np.ndarray, xyxy: np.ndarray, size: tuple[int, int],
           region: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
           ) -> tuple[np.ndarray, np.ndarray]:
    """Resize the ``region`` (fractions of each box) of every box to ``size`` (w, h).

    Returns (N, h, w, 3) uint8 crops and a validity mask (boxes fully outside the frame
    or degenerate get a black crop and ``False``).
    """
    b = np.asarray(xyxy, np.float64).reshape(-1, 4)
    finite = np.isfinite(b).all(axis=1)
    b = np.where(finite[:, None], b, 0.0)
    n = len(b)
    w, h = size
    out = np.zeros((n, h, w, 3), np.uint8)
    ok = np.zeros(n, bool)
    if n == 0 or frame is None or frame.size == 0:
        return out, ok
    fh, fw = frame.shape[:2]
    bw, bh = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    rx1, ry1, rx2, ry2 = region
    x1 = np.clip(np.floor(b[:, 0] + rx1 * bw), 0, fw).astype(int)
    y1 = np.clip(np.floor(b[:, 1] + ry1 * bh), 0, fh).astype(int)
    x2 = np.clip(np.ceil(b[:, 0] + rx2 * bw), 0, fw).astype(int)
    y2 = np.clip(np.ceil(b[:, 1] + ry2 * bh), 0, fh).astype(int)
    good = finite & (x2 > x1) & (y2 > y1)
    img = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    for i in np.flatnonzero(good):  # one resize per box; the histogramming below is batched
        out[i] = cv2.resize(img[y1[i]:y2[i], x1[i]:x2[i]], (w, h), interpolation=cv2.INTER_AREA)
    ok[good] = True
    return out, ok


def _l2(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32)


class ColorEmbedder:
    """HSV histogram of the torso (upper-middle of the box), L2-normalised.

    Why the torso: shirts carry the kit colour, while legs (shorts, socks, skin) and the
    box edges (grass) dilute it. Chromatic pixels fill a hue x saturation grid; grey, white
    and black pixels (white kits, referees in black) fill a value histogram instead, since
    their hue is noise.
    """

    def __init__(self, h_bins: int = 16, s_bins: int = 4, v_bins: int = 8,
                 region: tuple[float, float, float, float] = (0.2, 0.15, 0.8, 0.5),
                 patch: int = 16, min_sat: int = 50, min_val: int = 40):
        self.h_bins, self.s_bins, self.v_bins = h_bins, s_bins, v_bins
        self.region, self.patch = region, patch
        self.min_sat, self.min_val = min_sat, min_val
        self.dim = h_bins * s_bins + v_bins

    def __call__(self, frame: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
        crops, ok = _crops(frame, xyxy, (self.patch, self.patch), self.region)
        n = len(crops)
        if n == 0:
            return np.zeros((0, self.dim), np.float32)
        hsv = cv2.cvtColor(crops.reshape(n * self.patch, self.patch, 3), cv2.COLOR_BGR2HSV)
        hsv = hsv.reshape(n, -1, 3).astype(np.int32)
        h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
        chroma = (s >= self.min_sat) & (v >= self.min_val)
        # bins centred on hue 0 so that reds (hue ~0 and ~179 in OpenCV) share a bin
        half = 90 // self.h_bins
        hb = ((h + half) % 180) * self.h_bins // 180
        sb = np.minimum((s - self.min_sat) * self.s_bins // max(1, 256 - self.min_sat), self.s_bins - 1)
        vb = np.minimum(v * self.v_bins // 256, self.v_bins - 1)
        bins = np.where(chroma, hb * self.s_bins + np.maximum(sb, 0), self.h_bins * self.s_bins + vb)
        flat = (bins + np.arange(n)[:, None] * self.dim).ravel()
        hist = np.bincount(flat, minlength=n * self.dim).reshape(n, self.dim).astype(np.float32)
        hist[~ok] = 0
        return _l2(hist)


class OnnxReidEmbedder:
    """Person re-identification network in ONNX (input N x 3 x 256 x 128 RGB, ImageNet norm).

    onnxruntime is used when installed (faster on CPU), else OpenCV DNN. The batch is split
    into chunks so a frame with hundreds of boxes does not allocate one huge tensor.
    """

    MEAN = np.array([0.485, 0.456, 0.406], np.float32)
    STD = np.array([0.229, 0.224, 0.225], np.float32)

    def __init__(self, model_path: str | Path, batch: int = 32, backend: str = "auto",
                 size: tuple[int, int] = (128, 256), threads: int = 2):
        self.path = Path(model_path)
        if not self.path.is_file():
            raise ModelError(f"re-id model not found: {self.path}")
        self.batch, self.size = max(1, int(batch)), size
        self._ort = None
        self._net = None
        if backend not in ("auto", "onnxruntime", "opencv"):
            raise InputError(f"re-id backend must be auto, onnxruntime or opencv, got {backend!r}")
        try:
            if backend in ("auto", "onnxruntime"):
                self._load_ort(threads)
            else:
                self._net = self._load_cv()
        except ImportError:
            if backend == "onnxruntime":
                raise ModelError("onnxruntime is not installed") from None
            self._net = self._load_cv()
        self.dim = int(self._embed_batch(np.zeros((1, size[1], size[0], 3), np.uint8)).shape[1])

    def _load_ort(self, threads: int) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, threads)
        try:
            self._ort = ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelError(f"cannot load re-id model {self.path}: {exc}") from None
        self._input = self._ort.get_inputs()[0].name

    def _load_cv(self):
        try:
            return cv2.dnn.readNetFromONNX(str(self.path))
        except cv2.error as exc:
            raise ModelError(f"cannot load re-id model {self.path}: {exc}") from None

    def _embed_batch(self, crops: np.ndarray) -> np.ndarray:
        rgb = crops[..., ::-1].astype(np.float32) / 255.0
        x = np.ascontiguousarray(((rgb - self.MEAN) / self.STD).transpose(0, 3, 1, 2))
        if self._ort is not None:
            return np.asarray(self._ort.run(None, {self._input: x})[0], np.float32)
        self._net.setInput(x)
        return np.asarray(self._net.forward(), np.float32).reshape(len(x), -1)

    def __call__(self, frame: np.ndarray, xyxy: np.ndarray) -> np.ndarray:
        crops, ok = _crops(frame, xyxy, self.size)
        n = len(crops)
        if n == 0:
            return np.zeros((0, self.dim), np.float32)
        out = np.zeros((n, self.dim), np.float32)
        idx = np.flatnonzero(ok)
        for start in range(0, len(idx), self.batch):
            sel = idx[start:start + self.batch]
            out[sel] = self._embed_batch(crops[sel])
        return _l2(out)


def make_embedder(spec: str | None) -> Embedder | None:
    """``"none"`` -> None, ``"color"`` -> ColorEmbedder, ``"onnx:/path.onnx"`` -> OnnxReidEmbedder."""
    text = (spec or "none").strip()
    low = text.lower()
    if low in ("", "none"):
        return None
    if low in ("color", "colour"):
        return ColorEmbedder()
    if low.startswith("onnx:"):
        return OnnxReidEmbedder(text[5:])
    if low.endswith(".onnx"):
        return OnnxReidEmbedder(text)
    raise InputError(f"embedder must be none, color or onnx:/path/to/model.onnx, got {spec!r}")
