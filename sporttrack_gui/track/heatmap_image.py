"""Frame heatmaps of a whole run: whose boxes, aggregated off the GUI thread, as a PNG.

Qt-free. Why here: the heatmap dock used to gather every box of the run on the GUI
thread each time it was shown (3.4 M boxes on a match); now the window hands a model
snapshot to a worker that calls :func:`heatmap_from_snapshot`, and "Export PNG…" calls
:func:`render_png` -- both callable from tests and scripts without a display.

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
from sporttrack_gui.track.sot_heatmap import trajectory_heatmap


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


def aggregate(xywh: np.ndarray, spec: HeatmapSpec, caption: str = "") -> HeatmapData:
    """Foot-point density of ``xywh`` boxes in seconds per cell."""
    counts = trajectory_heatmap(xywh, spec.frame_size, cell=spec.cell, sigma=spec.sigma,
                                normalize=None)
    fps = spec.fps if spec.fps > 0 else 25.0
    return HeatmapData((counts / fps).astype(np.float32), int(len(xywh)), caption, spec)


def select_boxes(snapshot: Any, tracks: set[int] | None = None) -> np.ndarray:
    """xywh of every real track's boxes in a ``RunIndex`` snapshot, or of ``tracks``."""
    parts = []
    for tid, xywh in ((snapshot.track_id, snapshot.xywh),
                      (snapshot.extra_track, snapshot.extra_xywh)):
        keep = tid >= 0
        if tracks is not None:
            keep &= np.isin(tid, np.fromiter(tracks, np.int64, len(tracks)))
        parts.append(np.asarray(xywh)[keep])
    return np.concatenate(parts) if parts else np.zeros((0, 4), np.float32)


def heatmap_from_snapshot(snapshot: Any, tracks: set[int] | None, spec: HeatmapSpec,
                          caption: str) -> HeatmapData:
    """The worker's whole job: pick the boxes, aggregate them (O(N) numpy)."""
    return aggregate(select_boxes(snapshot, tracks), spec, caption)


def kit_teams(source: str, snapshot: Any, samples_per_track: int = 6) -> dict[int, str]:
    """Track id -> "A" / "B" / "other" from torso colours (k-means over the run's
    tracks), for runs whose tracks carry no team: a tracker's output."""
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.pitch.teams import assign_teams, track_colour_embeddings

    keep = snapshot.track_id >= 0
    frame = np.asarray(snapshot.frame)[keep]
    tid = np.asarray(snapshot.track_id)[keep]
    xywh = np.asarray(snapshot.xywh)[keep]
    if not len(tid):
        raise InputError("the run has no tracked boxes to find teams in")
    src = open_source(source)
    try:
        inside = frame <= len(src)
        ids, emb = track_colour_embeddings(lambda f: src[f - 1], frame[inside], tid[inside],
                                           xywh[inside], samples_per_track=samples_per_track)
    finally:
        src.close()
    return assign_teams(ids, emb).as_dict()


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
