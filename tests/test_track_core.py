"""Core pieces the trackers lean on: the crowd paths of IoU and assignment, Kalman gating."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.core import assignment
from sporttrack_gui.core.iou import _iou_dense, iou_matrix
from sporttrack_gui.core.kalman import CHI2INV95, KalmanBoxFilter, xyxy_to_xyah


def _boxes(rng, n, span=2000.0, size=60.0):
    xy = rng.uniform(0, span, (n, 2))
    return np.column_stack([xy, xy + rng.uniform(0, size, (n, 2))]).astype(np.float32)


def test_sweep_iou_equals_dense_including_bad_boxes():
    rng = np.random.default_rng(0)
    a, b = _boxes(rng, 800), _boxes(rng, 700)
    a[3] = np.nan
    a[5, 2] = a[5, 0]
    b[7] = np.inf
    b[9] = [0, 0, 3000, 3000]  # one giant box widens every search window
    sweep = iou_matrix(a, b)  # 560,000 pairs: takes the sweep path
    assert np.array_equal(sweep, _iou_dense(a, b))
    assert np.isfinite(sweep).all() and (sweep[3] == 0).all()
    assert (sweep[:, 9] > 0).sum() > 100


@pytest.mark.parametrize("seed", range(5))
def test_reduced_assignment_is_optimal(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(5, 60, 2)
    cost = rng.uniform(0, 1, (n, m))
    cost[rng.random((n, m)) < 0.85] = np.inf
    thr = 0.8

    def objective(res):
        mt = res[0]
        return cost[mt[:, 0], mt[:, 1]].sum() + thr / 2 * (len(res[1]) + len(res[2]))

    full = assignment._solve(cost, thr)
    red = assignment._reduced_assignment(cost, thr)
    assert objective(red) == pytest.approx(objective(full))
    assert len(red[0]) + len(red[1]) == n and len(red[0]) + len(red[2]) == m


def test_gating_distance_matches_explicit_mahalanobis():
    kf = KalmanBoxFilter()
    mean, cov = kf.initiate(xyxy_to_xyah(np.array([[100, 100, 140, 200], [300, 50, 330, 120]])))
    mean, cov = kf.predict(mean, cov)
    z = xyxy_to_xyah(np.array([[102, 101, 141, 203], [500, 500, 540, 600]]))
    d = kf.gating_distance(mean, cov, z)
    pm, pc = kf.project(mean, cov)
    for i in range(2):
        for j in range(2):
            diff = z[j] - pm[i]
            assert d[i, j] == pytest.approx(diff @ np.linalg.solve(pc[i], diff), rel=1e-6)
    assert d[0, 0] < CHI2INV95[4] < d[0, 1]


def test_gallery_cost_is_the_nearest_neighbour_over_used_slots():
    from sporttrack_gui.track.matching import gallery_cost

    rng = np.random.default_rng(0)
    gal = rng.normal(size=(6, 5, 8)).astype(np.float32)
    gal /= np.linalg.norm(gal, axis=2, keepdims=True)
    count = np.array([0, 1, 5, 9, 3, 2])  # 9 > budget: ring buffer wrapped, all 5 slots used
    gal[1, 1:] = 1.0  # garbage in unused slots must be ignored
    det = rng.normal(size=(4, 8)).astype(np.float32)
    unit = det / np.linalg.norm(det, axis=1, keepdims=True)
    got = gallery_cost(gal, count, det)
    assert np.allclose(got[0], 1.0)  # no features yet: no evidence
    for i in range(1, 6):
        k = min(count[i], 5)
        assert np.allclose(got[i], 1 - (gal[i, :k] @ unit.T).max(axis=0), atol=1e-6)
