"""Constant-velocity Kalman filter over box states, vectorised over many tracks.

State per track: ``[cx, cy, a, h, vcx, vcy, va, vh]`` (a = w/h), the parametrisation
ByteTrack and DeepSORT use; noise scales with box height so small far-away players and
big close-ups are filtered alike. All methods take stacked arrays so a tracker predicts
and updates every track in one numpy call instead of a Python loop.
"""

from __future__ import annotations

import numpy as np

#: chi-square 0.95 quantiles for 1..9 degrees of freedom (Mahalanobis gating)
CHI2INV95 = {1: 3.8415, 2: 5.9915, 3: 7.8147, 4: 9.4877, 5: 11.070, 6: 12.592, 7: 14.067,
             8: 15.507, 9: 16.919}


def xyxy_to_xyah(b: np.ndarray) -> np.ndarray:
    b = np.asarray(b, np.float64).reshape(-1, 4)
    out = np.empty_like(b)
    wh = b[:, 2:] - b[:, :2]
    out[:, :2] = b[:, :2] + wh / 2
    out[:, 2] = wh[:, 0] / np.maximum(wh[:, 1], 1e-6)
    out[:, 3] = wh[:, 1]
    return out


def xyah_to_xyxy(s: np.ndarray) -> np.ndarray:
    s = np.asarray(s, np.float64)
    s = s.reshape(-1, s.shape[-1])
    half = np.empty((len(s), 2))
    half[:, 1] = s[:, 3] / 2
    half[:, 0] = s[:, 2] * half[:, 1]
    out = np.empty((len(s), 4), np.float32)
    out[:, :2] = s[:, :2] - half
    out[:, 2:] = s[:, :2] + half
    return out


class KalmanBoxFilter:
    """Batch constant-velocity filter; ``mean`` (N, 8), ``cov`` (N, 8, 8)."""

    ndim = 4

    def __init__(self, std_weight_position: float = 1 / 20, std_weight_velocity: float = 1 / 160):
        self.F = np.eye(8)
        self.F[:4, 4:] = np.eye(4)
        self.H = np.eye(4, 8)
        self.std_pos = std_weight_position
        self.std_vel = std_weight_velocity

    def initiate(self, xyah: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """New tracks from measurements (N, 4): zero velocity, wide velocity prior."""
        z = np.asarray(xyah, np.float64).reshape(-1, 4)
        n = len(z)
        mean = np.concatenate([z, np.zeros((n, 4))], axis=1)
        h = z[:, 3]
        sp, sv = self.std_pos, self.std_vel
        std = np.stack([2 * sp * h, 2 * sp * h, np.full(n, 1e-2), 2 * sp * h,
                        10 * sv * h, 10 * sv * h, np.full(n, 1e-5), 10 * sv * h], axis=1)
        cov = np.zeros((n, 8, 8))
        idx = np.arange(8)
        cov[:, idx, idx] = std**2
        return mean, cov

    def predict(self, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(mean) == 0:
            return mean, cov
        h = mean[:, 3]
        sp, sv = self.std_pos, self.std_vel
        var = np.empty((len(mean), 8))
        var[:, [0, 1, 3]] = (sp * h)[:, None] ** 2
        var[:, [4, 5, 7]] = (sv * h)[:, None] ** 2
        var[:, 2] = 1e-4
        var[:, 6] = 1e-10
        mean = mean @ self.F.T
        cov = self.F @ cov @ self.F.T
        idx = np.arange(8)
        cov[:, idx, idx] += var
        return mean, cov

    def project(self, mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Measurement-space mean (N, 4) and innovation covariance (N, 4, 4)."""
        h = mean[:, 3]
        n = len(mean)
        std = np.stack([self.std_pos * h, self.std_pos * h, np.full(n, 1e-1), self.std_pos * h],
                       axis=1)
        r = np.zeros((n, 4, 4))
        idx = np.arange(4)
        r[:, idx, idx] = std**2
        return mean[:, :4], cov[:, :4, :4] + r

    def update(self, mean: np.ndarray, cov: np.ndarray, xyah: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """Correct each track ``i`` with measurement ``xyah[i]``."""
        if len(mean) == 0:
            return mean, cov
        z = np.asarray(xyah, np.float64).reshape(-1, 4)
        proj_mean, proj_cov = self.project(mean, cov)
        pht = cov[:, :, :4]  # cov @ H.T
        gain = np.linalg.solve(proj_cov, np.transpose(pht, (0, 2, 1)))  # (N,4,8)
        gain = np.transpose(gain, (0, 2, 1))  # (N,8,4)
        innov = z - proj_mean
        mean = mean + np.einsum("nij,nj->ni", gain, innov)
        cov = cov - gain @ proj_cov @ np.transpose(gain, (0, 2, 1))
        return mean, cov

    def gating_distance(self, mean: np.ndarray, cov: np.ndarray, xyah: np.ndarray,
                        only_position: bool = False) -> np.ndarray:
        """Squared Mahalanobis distance of every track (N) to every measurement (M): (N, M)."""
        z = np.asarray(xyah, np.float64).reshape(-1, 4)
        if len(mean) == 0 or len(z) == 0:
            return np.zeros((len(mean), len(z)))
        pm, pc = self.project(mean, cov)
        if only_position:
            pm, pc, z = pm[:, :2], pc[:, :2, :2], z[:, :2]
        d = z[None, :, :] - pm[:, None, :]  # (N,M,d)
        # one small inverse per track, then d^T S^-1 d for every pair in one einsum
        inv = np.linalg.inv(pc)  # (N,d,d)
        return np.einsum("nmi,nij,nmj->nm", d, inv, d)

    @staticmethod
    def warp(mean: np.ndarray, cov: np.ndarray, affine: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
        """Apply a 2x3 camera-motion affine to centres, velocities and heights.

        Used by camera-motion compensation: the box centre moves with the camera,
        the velocity is rotated/scaled by the linear part, heights by the scale.
        """
        if len(mean) == 0:
            return mean, cov
        a = np.asarray(affine, np.float64).reshape(2, 3)
        lin, t = a[:, :2], a[:, 2]
        scale = float(np.sqrt(abs(np.linalg.det(lin))))
        mean = mean.copy()
        mean[:, 0:2] = mean[:, 0:2] @ lin.T + t
        mean[:, 4:6] = mean[:, 4:6] @ lin.T
        mean[:, 3] *= scale
        mean[:, 7] *= scale
        big = np.eye(8)
        big[0:2, 0:2] = lin
        big[4:6, 4:6] = lin
        big[3, 3] = big[7, 7] = scale
        cov = big @ cov @ big.T
        return mean, cov
