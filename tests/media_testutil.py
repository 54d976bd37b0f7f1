"""Small generated videos for the media tests (PyAV, seconds to write)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def frame_image(i: int, width: int = 320, height: int = 240) -> np.ndarray:
    """A frame that differs from every other: a moving bar plus frame-number bits."""
    img = np.full((height, width, 3), (40 + i * 3) % 200, np.uint8)
    img[:, (i * 5) % width] = 255
    for b in range(10):
        if (i >> b) & 1:
            img[4:20, 4 + b * 14:14 + b * 14] = (0, 0, 255)
    return img


def make_video(path: Path, n: int, *, gop: int = 25, fps: float = 25.0, vfr: bool = False,
               width: int = 320, height: int = 240, seed: int = 0) -> list[float]:
    """An H.264 file of ``n`` frames; with ``vfr`` the frame durations vary (20-60 ms).
    Returns the presentation times written (seconds)."""
    from sporttrack_gui.media.encode import VideoEncoder

    rng = np.random.default_rng(seed)
    times, t = [], 0.0
    with VideoEncoder(path, fps, codec="libx264", preset="ultrafast", gop=gop) as enc:
        for i in range(n):
            enc.write(frame_image(i, width, height), t)
            times.append(t)
            t += float(rng.choice([0.02, 0.04, 0.06])) if vfr else 1.0 / fps
    return times


def corrupt_middle(src: Path, dst: Path, lo: float = 0.4, hi: float = 0.6, seed: int = 1) -> None:
    """Copy ``src`` with the bytes between fractions ``lo`` and ``hi`` of its size replaced
    by noise (packets stay listed in the moov; their data is garbage)."""
    data = bytearray(src.read_bytes())
    a, b = int(len(data) * lo), int(len(data) * hi)
    data[a:b] = np.random.default_rng(seed).integers(0, 256, b - a, dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))


def truncate(src: Path, dst: Path, keep: float = 0.6) -> None:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
