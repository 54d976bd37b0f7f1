"""Fused pitch positions: one point per global id and frame from every camera that sees him.

Inverse-covariance weighting: a far-side box from one camera and a near-side box from
another combine into a point that leans on the near (sharper) one, and the fused
covariance is reported, so a single far camera's guess is never mistaken for a fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.multicam.observations import Observations


@dataclass
class FusedPositions:
    """One row per (global frame, global id), sorted that way."""

    frame: np.ndarray     # int32 (M,)
    global_id: np.ndarray  # int64 (M,)
    xy: np.ndarray        # float64 (M, 2)
    sigma: np.ndarray     # float64 (M,) metres
    n_cams: np.ndarray    # int16 (M,)

    def __len__(self) -> int:
        return len(self.frame)

    def at(self, frame: int) -> np.ndarray:
        """Row indices of ``frame``."""
        lo, hi = np.searchsorted(self.frame, [frame, frame + 1])
        return np.arange(lo, hi)


def fuse(obs: Observations, global_id: np.ndarray) -> FusedPositions:
    """Information-weighted mean of each id's observations in each frame."""
    gid = np.asarray(global_id, np.int64)
    ok = gid > 0
    if not ok.any():
        z = np.zeros(0)
        return FusedPositions(z.astype(np.int32), z.astype(np.int64), np.zeros((0, 2)), z, z.astype(np.int16))
    key = obs.frame[ok].astype(np.int64) * (1 << 32) + gid[ok]
    uniq, inv = np.unique(key, return_inverse=True)
    info = np.linalg.inv(obs.cov[ok])
    lam = np.zeros((len(uniq), 2, 2))
    eta = np.zeros((len(uniq), 2))
    np.add.at(lam, inv, info)
    np.add.at(eta, inv, np.einsum("nij,nj->ni", info, obs.xy[ok]))
    xy = np.linalg.solve(lam, eta[..., None])[..., 0]
    cov = np.linalg.inv(lam)
    n = np.bincount(inv, minlength=len(uniq)).astype(np.int16)
    return FusedPositions((uniq >> 32).astype(np.int32), (uniq & 0xFFFFFFFF).astype(np.int64), xy,
                          np.sqrt(0.5 * (cov[:, 0, 0] + cov[:, 1, 1])), n)
