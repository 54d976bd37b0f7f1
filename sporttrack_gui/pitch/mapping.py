"""Boxes to pitch coordinates: each box's foot point through that frame's homography."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.core.boxes import foot_points
from sporttrack_gui.errors import InputError


@dataclass
class PitchPositions:
    """Pitch position (metres) of every box of a run, row-aligned with the source table."""

    frame: np.ndarray  # int32 (N,)
    track_id: np.ndarray  # int64 (N,)
    xy: np.ndarray  # float64 (N, 2); NaN where the foot point maps to infinity

    def __len__(self) -> int:
        return len(self.frame)

    def to_csv(self, path, fps: float | None = None) -> None:
        """Write ``frame,time_s,track_id,x_m,y_m`` rows sorted by frame then id."""
        order = np.lexsort((self.track_id, self.frame))
        t = self.frame[order].astype(np.float64) - 1
        time_s = t / fps if fps else np.full(len(t), np.nan)
        data = np.column_stack([self.frame[order], time_s, self.track_id[order], self.xy[order]])
        np.savetxt(path, data, delimiter=",", header="frame,time_s,track_id,x_m,y_m", comments="",
                   fmt=["%d", "%.3f", "%d", "%.3f", "%.3f"])


def map_to_pitch(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray,
                 homographies: np.ndarray, first_frame: int = 1) -> PitchPositions:
    """Map boxes (top-left xywh, 1-based frames) with one 3x3 or a (T, 3, 3) stack.

    ``homographies[k]`` is the image->pitch mapping of frame ``first_frame + k``.
    """
    frame = np.asarray(frame, np.int64)
    xywh = np.asarray(xywh, np.float64).reshape(-1, 4)
    xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
    feet = foot_points(xyxy).astype(np.float64)
    h = np.asarray(homographies, np.float64)
    if h.ndim == 2:
        hs = np.broadcast_to(h, (len(feet), 3, 3))
    else:
        idx = frame - first_frame
        if len(idx) and (idx.min() < 0 or idx.max() >= len(h)):
            raise InputError(f"boxes span frames {frame.min()}..{frame.max()} but homographies cover "
                             f"{first_frame}..{first_frame + len(h) - 1}")
        hs = h[idx]
    hom = np.einsum("nij,nj->ni", hs, np.concatenate([feet, np.ones((len(feet), 1))], axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        xy = hom[:, :2] / hom[:, 2:3]
    xy[~np.isfinite(xy).all(axis=1)] = np.nan
    return PitchPositions(frame.astype(np.int32), np.asarray(track_id, np.int64), xy)
