"""Frame heatmaps of a whole run: whose boxes, aggregated off the GUI thread, as a PNG.

Qt-free. Why here: the heatmap dock used to gather every box of the run on the GUI
thread each time it was shown (3.4 M boxes on a match); now the window hands a model
snapshot to a worker that calls :func:`heatmap_from_snapshot`, and "Export PNG…" calls
:func:`render_png` -- both callable from tests and scripts without a display.

The binning is ``track.sot_heatmap.trajectory_heatmap``'s (foot points, Gaussian blur in
cells; tested equal) done on the snapshot's columns without copying the boxes.
Values are *seconds per grid cell* (box-frames divided by fps, after smoothing), so the
colour scale has a unit: "a player of this team stood here for 12 s". Teams come from
track metadata, or for tracker runs (no metadata) from kit colours
(:func:`kit_teams`, the clustering of ``pitch.teams``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from sporttrack_gui.errors import InputError


@dataclass(frozen=True)
class HeatmapSpec:
    """Grid and time base of a heatmap: frame ``(width, height)``, cell px, blur in cells."""

    frame_size: tuple[int, int]
    cell: int = 12
    sigma: float = 1.5
    fps: float = 25.0


@dataclass(frozen=True)
class HeatmapData:
    """``seconds`` per cell (rows x cols), the number of positions and what they are."""

    seconds: np.ndarray
    positions: int
    caption: str
    spec: HeatmapSpec

    @property
    def peak(self) -> float:
        return float(self.seconds.max()) if self.seconds.size else 0.0

    def normalised(self) -> np.ndarray:
        """0..1 (peak = 1) for colouring."""
        peak = self.peak
        return self.seconds / peak if peak > 0 else np.zeros_like(self.seconds)


def foot_counts(xywh: np.ndarray, spec: HeatmapSpec, keep: np.ndarray | None = None
                ) -> np.ndarray:
    """Box-frames per cell of the foot points of ``xywh[keep]``, unsmoothed: the same
    binning as ``trajectory_heatmap`` (tested equal) without its float64 copy of every
    box -- on 3.4 M boxes only a few float32 columns are made."""
    width, height = (int(v) for v in spec.frame_size)
    if width <= 0 or height <= 0:
        raise InputError(f"heatmap frame size must be positive, got {width}x{height}")
    cell = int(spec.cell)
    if cell < 1:
        raise InputError(f"heatmap cell size must be >= 1 pixel, got {cell}")
    rows, cols = -(-height // cell), -(-width // cell)
    b = np.asarray(xywh).reshape(-1, 4)
    px = b[:, 0] + b[:, 2] / 2
    py = b[:, 1] + b[:, 3]
    ok = (px >= 0) & (px <= width) & (py >= 0) & (py <= height)  # NaN rows fail all
    if keep is not None:
        ok &= keep
    c = np.minimum((px[ok] // cell).astype(np.int64), cols - 1)
    r = np.minimum((py[ok] // cell).astype(np.int64), rows - 1)
    return np.bincount(r * cols + c, minlength=rows * cols).astype(np.float32).reshape(rows, cols)


def _from_counts(counts: np.ndarray, positions: int, spec: HeatmapSpec,
                 caption: str) -> HeatmapData:
    if spec.sigma < 0:
        raise InputError(f"heatmap sigma must be >= 0, got {spec.sigma}")
    if spec.sigma > 0 and counts.any():
        counts = cv2.GaussianBlur(counts, (0, 0), sigmaX=float(spec.sigma),
                                  sigmaY=float(spec.sigma), borderType=cv2.BORDER_CONSTANT)
    fps = spec.fps if spec.fps > 0 else 25.0
    return HeatmapData((counts / fps).astype(np.float32), int(positions), caption, spec)


def aggregate(xywh: np.ndarray, spec: HeatmapSpec, caption: str = "") -> HeatmapData:
    """Foot-point density of ``xywh`` boxes in seconds per cell."""
    return _from_counts(foot_counts(xywh, spec), len(xywh), spec, caption)


def _keep(track_id: np.ndarray, tracks: set[int] | None) -> np.ndarray:
    keep = track_id >= 0
    if tracks is not None:
        keep &= np.isin(track_id, np.fromiter(tracks, np.int64, len(tracks)))
    return keep


def select_boxes(snapshot: Any, tracks: set[int] | None = None) -> np.ndarray:
    """xywh of every real track's boxes in a ``RunIndex`` snapshot, or of ``tracks``."""
    return np.concatenate([np.asarray(snapshot.xywh)[_keep(snapshot.track_id, tracks)],
                           np.asarray(snapshot.extra_xywh)[_keep(snapshot.extra_track, tracks)]])


def heatmap_from_snapshot(snapshot: Any, tracks: set[int] | None, spec: HeatmapSpec,
                          caption: str) -> HeatmapData:
    """The worker's whole job: bin the chosen tracks' foot points (O(N) numpy on the
    snapshot's columns, no copy of the boxes) and smooth the grid."""
    counts = np.zeros((0, 0), np.float32)
    positions = 0
    for tid, xywh in ((snapshot.track_id, snapshot.xywh),
                      (snapshot.extra_track, snapshot.extra_xywh)):
        keep = _keep(np.asarray(tid), tracks)
        positions += int(keep.sum())
        part = foot_counts(xywh, spec, keep)
        counts = part if not counts.size else counts + part
    return _from_counts(counts, positions, spec, caption)


def colourise(norm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(BGR colours, alpha 0..1) of a 0..1 grid: inferno, cold cells transparent (the
    panel's look: opacity grows with the value)."""
    u8 = np.clip(norm * 255.0, 0, 255).astype(np.uint8)
    bgr = cv2.applyColorMap(u8, cv2.COLORMAP_INFERNO)
    alpha = np.clip(norm * 2.5, 0.0, 1.0) * (235 / 255)
    return bgr, alpha.astype(np.float32)


def _bar(width: int, data: HeatmapData) -> np.ndarray:
    """A 44-px strip: the colour scale from 0 to the peak, with its unit."""
    strip = np.full((44, width, 3), 24, np.uint8)
    x0, x1 = 60, max(61, width - 150)
    ramp = np.linspace(0.0, 1.0, x1 - x0)[None, :].repeat(14, axis=0)
    bgr, _ = colourise(ramp)
    strip[8:22, x0:x1] = bgr
    font, white = cv2.FONT_HERSHEY_SIMPLEX, (235, 235, 235)
    cv2.putText(strip, "0 s", (16, 20), font, 0.45, white, 1, cv2.LINE_AA)
    cv2.putText(strip, f"{data.peak:.1f} s per cell", (x1 + 8, 20), font, 0.45, white, 1,
                cv2.LINE_AA)
    cv2.putText(strip, f"{data.caption}: {data.positions} positions", (x0, 38), font, 0.42,
                white, 1, cv2.LINE_AA)
    return strip


def render_image(data: HeatmapData, frame_bgr: np.ndarray | None = None) -> np.ndarray:
    """The heatmap over the (dimmed) frame with its colour scale below, BGR uint8."""
    w, h = data.spec.frame_size
    base = np.full((h, w, 3), 30, np.uint8) if frame_bgr is None else \
        (cv2.resize(np.asarray(frame_bgr)[..., :3], (w, h)) * 0.6).astype(np.uint8)
    cell = data.spec.cell
    norm = data.normalised()
    big = cv2.resize(norm, (norm.shape[1] * cell, norm.shape[0] * cell),
                     interpolation=cv2.INTER_NEAREST)[:h, :w]
    bgr, alpha = colourise(big)
    out = base.astype(np.float32) * (1 - alpha[..., None]) + bgr.astype(np.float32) * alpha[..., None]
    return np.vstack([out.astype(np.uint8), _bar(w, data)])


def render_png(out: str | Path, data: HeatmapData, frame_bgr: np.ndarray | None = None) -> Path:
    """Write :func:`render_image` as a PNG; the file appears only when complete."""
    from sporttrack_gui.atomic_io import atomic_path

    ok, buf = cv2.imencode(".png", render_image(data, frame_bgr))
    if not ok:
        raise InputError(f"could not encode the heatmap for {out}")
    out = Path(out)
    with atomic_path(out) as tmp:
        tmp.write_bytes(buf.tobytes())
    return out
