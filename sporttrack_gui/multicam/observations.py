"""Per-camera boxes as pitch observations: foot point, its uncertainty, global frame.

Why an uncertainty per box: the same pixel error means centimetres on the near touchline
and metres on the far one (foreshortening), and a box cut by the bottom image edge has
no foot at all. Each observation therefore carries the 2x2 pitch covariance of its foot
point, propagated through the homography's Jacobian from a pixel noise proportional to
the box height; association gates with it and fusion weights by its inverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: pixel noise of a foot point as a fraction of the box height (detector jitter)
FOOT_NOISE = 0.03
#: floor of the positional sigma in metres (model error: the foot is not a point)
SIGMA_FLOOR_M = 0.12
#: a box this close (px) to the bottom edge has lost its feet: its position is a guess
EDGE_PX = 2.0
EDGE_INFLATE = 8.0


@dataclass
class Observations:
    """Columnar observations of all cameras, sorted by global frame then camera.

    ``row`` indexes the box in its camera's table; ``cov`` is (N, 2, 2) in square metres.
    """

    cam: np.ndarray       # int16 (N,)
    frame: np.ndarray     # int32 (N,) GLOBAL frame (camera frame + offset), 1-based
    local_id: np.ndarray  # int64 (N,)
    xy: np.ndarray        # float64 (N, 2) pitch metres
    cov: np.ndarray       # float64 (N, 2, 2)
    cls: np.ndarray       # int32 (N,)
    row: np.ndarray       # int64 (N,)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def sigma(self) -> np.ndarray:
        """Scalar positional sigma (m): sqrt of the covariance's mean eigenvalue."""
        return np.sqrt(0.5 * (self.cov[:, 0, 0] + self.cov[:, 1, 1]))


def foot_jacobian(h: np.ndarray, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pitch points and d(pitch)/d(pixel) (N, 2, 2) of image points ``uv`` under ``h`` (N, 3, 3)."""
    hom = np.einsum("nij,nj->ni", h, np.concatenate([uv, np.ones((len(uv), 1))], axis=1))
    w = hom[:, 2:3]
    with np.errstate(divide="ignore", invalid="ignore"):
        xy = hom[:, :2] / w
        # d(X/W)/du = (h00 - x*h20) / W, etc.
        jac = (h[:, :2, :2] - xy[:, :, None] * h[:, 2:3, :2]) / w[:, :, None]
    return xy, jac


def camera_observations(cam_index: int, frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray,
                        cls: np.ndarray, homographies: np.ndarray, *, offset: int = 0,
                        image_height: int | None = None, foot_noise: float = FOOT_NOISE
                        ) -> Observations:
    """Map one camera's boxes (camera frames 1..T) to pitch observations in global frames.

    ``homographies[k]`` maps image pixels of camera frame ``k + 1`` to pitch metres.
    Boxes outside the frames the homographies cover, or whose foot maps to infinity, are
    dropped (their ``row`` is simply absent).
    """
    frame = np.asarray(frame, np.int64)
    xywh = np.asarray(xywh, np.float64).reshape(-1, 4)
    h = np.asarray(homographies, np.float64)
    ok = (frame >= 1) & (frame <= len(h)) & (np.asarray(track_id) >= 0)
    rows = np.flatnonzero(ok)
    uv = np.column_stack([xywh[rows, 0] + xywh[rows, 2] / 2, xywh[rows, 1] + xywh[rows, 3]])
    xy, jac = foot_jacobian(h[frame[rows] - 1], uv)
    sig_px = foot_noise * np.maximum(xywh[rows, 3], 4.0)
    cov = sig_px[:, None, None] ** 2 * (jac @ jac.transpose(0, 2, 1))
    if image_height is not None:
        cut = uv[:, 1] >= image_height - EDGE_PX
        cov[cut] *= EDGE_INFLATE ** 2
    cov += SIGMA_FLOOR_M ** 2 * np.eye(2)
    good = np.isfinite(xy).all(axis=1) & np.isfinite(cov).all(axis=(1, 2))
    rows, xy, cov = rows[good], xy[good], cov[good]
    return Observations(cam=np.full(len(rows), cam_index, np.int16),
                        frame=(frame[rows] + int(offset)).astype(np.int32),
                        local_id=np.asarray(track_id, np.int64)[rows], xy=xy, cov=cov,
                        cls=np.asarray(cls, np.int32)[rows], row=rows.astype(np.int64))


def concat_observations(parts: list[Observations]) -> Observations:
    """All cameras' observations in one table sorted by (global frame, camera)."""
    if not parts:
        z = np.zeros(0)
        return Observations(z.astype(np.int16), z.astype(np.int32), z.astype(np.int64),
                            np.zeros((0, 2)), np.zeros((0, 2, 2)), z.astype(np.int32), z.astype(np.int64))
    cat = {f: np.concatenate([getattr(p, f) for p in parts]) for f in
           ("cam", "frame", "local_id", "xy", "cov", "cls", "row")}
    order = np.lexsort((cat["local_id"], cat["cam"], cat["frame"]))
    return Observations(**{k: v[order] for k, v in cat.items()})
