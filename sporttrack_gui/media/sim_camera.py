"""Broadcast camera model of the synthetic match: pitch metres -> image pixels, per frame.

Why this shape: a real broadcast camera pans and zooms about a fixed position, so the
image of the (planar) pitch is one fixed perspective calibration followed by a per-frame
image-space pan/zoom. Splitting it that way makes the frame-to-frame camera motion an
exact 2x3 affine (what camera-motion compensation estimates) while keeping a genuine
perspective (players near the camera are bigger), and gives an exact image->pitch
homography per frame for the pitch-view code to test against.

Coordinates: pitch ``X`` along the touchline (0..105 m), ``Y`` from the far touchline
(0) towards the camera (68 m). The calibration maps the pitch to a wide "panorama"
image; the per-frame view cuts a ``width x height`` window out of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PITCH_LENGTH = 105.0
PITCH_WIDTH = 68.0


@dataclass(frozen=True)
class CameraRig:
    """Fixed calibration of the synthetic broadcast camera.

    ``far_px_per_m`` / ``near_px_per_m`` are the horizontal scales at the far and near
    touchlines: with a 1.8 m player they give ~61 px and ~103 px tall figures.
    """

    width: int = 1280
    height: int = 720
    far_px_per_m: float = 34.0
    near_px_per_m: float = 57.0
    far_v: float = 60.0      # panorama row of the far touchline
    near_v: float = 760.0    # panorama row of the near touchline
    view_v: float = 410.0    # panorama row at the centre of the view

    def calibration(self) -> np.ndarray:
        """3x3 homography pitch metres -> panorama pixels (symmetric trapezoid)."""
        far_w = PITCH_LENGTH * self.far_px_per_m
        near_w = PITCH_LENGTH * self.near_px_per_m
        cx = near_w / 2.0
        src = np.float32([[0, 0], [PITCH_LENGTH, 0], [0, PITCH_WIDTH], [PITCH_LENGTH, PITCH_WIDTH]])
        dst = np.float32([[cx - far_w / 2, self.far_v], [cx + far_w / 2, self.far_v],
                          [cx - near_w / 2, self.near_v], [cx + near_w / 2, self.near_v]])
        return cv2.getPerspectiveTransform(src, dst).astype(np.float64)


def project(h: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Map points through homographies, batched.

    ``h`` is (3,3) or (T,3,3); ``xy`` is (..., 2) with a leading T axis when ``h`` has one.
    """
    xy = np.asarray(xy, np.float64)
    hom = np.concatenate([xy, np.ones(xy.shape[:-1] + (1,))], axis=-1)
    out = hom @ h.T if h.ndim == 2 else np.einsum("tij,t...j->t...i", h, hom)
    return out[..., :2] / out[..., 2:3]


def px_per_metre(k: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Horizontal panorama scale (px per metre) at pitch depth ``y_m``.

    For the symmetric trapezoid this does not depend on ``X``; vertical objects (players,
    boards) are drawn with the same scale, as a camera looking down ~25 deg roughly does.
    """
    y = np.asarray(y_m, np.float64)
    x0 = np.full_like(y, PITCH_LENGTH / 2 - 0.5)
    a = project(k, np.stack([x0, y], axis=-1))
    b = project(k, np.stack([x0 + 1.0, y], axis=-1))
    return b[..., 0] - a[..., 0]


def pan_zoom_path(n_frames: int, fps: float, pan_speed: float, zoom: float,
                  rng: np.random.Generator, amplitude_m: float = 12.0) -> tuple[np.ndarray, np.ndarray]:
    """Pitch ``X`` the camera centres on and its zoom factor, per frame.

    A sine pan whose peak speed is exactly ``pan_speed`` m/s (slow, like a broadcast
    camera following play) and a gentle zoom in and out by up to ``1 + zoom``.
    """
    t = np.arange(n_frames, dtype=np.float64) / fps
    phase = rng.uniform(0, 2 * np.pi)
    omega = pan_speed / amplitude_m if amplitude_m > 0 else 0.0
    centre_x = PITCH_LENGTH / 2 + amplitude_m * np.sin(phase + omega * t)
    zoom_phase = rng.uniform(0, 2 * np.pi)
    z = 1.0 + zoom * (0.5 - 0.5 * np.cos(zoom_phase + 2 * np.pi * t / 20.0))
    return centre_x, z


def view_affines(rig: CameraRig, k: np.ndarray, centre_x: np.ndarray, zoom: np.ndarray) -> np.ndarray:
    """(T,2,3) panorama -> image affines: centre the view on ``centre_x`` and scale by zoom."""
    u_c = project(k, np.stack([centre_x, np.full_like(centre_x, PITCH_WIDTH / 2)], axis=-1))[:, 0]
    a = np.zeros((len(centre_x), 2, 3))
    a[:, 0, 0] = zoom
    a[:, 1, 1] = zoom
    a[:, 0, 2] = rig.width / 2 - zoom * u_c
    a[:, 1, 2] = rig.height / 2 - zoom * rig.view_v
    return a


def to_homographies(affines: np.ndarray) -> np.ndarray:
    """(T,2,3) affines as (T,3,3) homographies."""
    h = np.zeros((len(affines), 3, 3))
    h[:, :2, :] = affines
    h[:, 2, 2] = 1.0
    return h


def frame_motion(affines: np.ndarray) -> np.ndarray:
    """(T,2,3) image motion from frame t-1 to t (identity for the first frame).

    ``x_t = M_t @ [x_{t-1}, 1]`` for any static pitch point seen in both frames.
    """
    h = to_homographies(affines)
    m = np.zeros_like(affines)
    m[0, 0, 0] = m[0, 1, 1] = 1.0
    if len(h) > 1:
        m[1:] = (h[1:] @ np.linalg.inv(h[:-1]))[:, :2, :]
    return m
