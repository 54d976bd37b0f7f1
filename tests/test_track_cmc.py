"""Camera-motion estimation: known affines recovered; players masked out; Kalman warp."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sporttrack_gui.core.kalman import KalmanBoxFilter, xyah_to_xyxy, xyxy_to_xyah
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import create_tracker
from sporttrack_gui.track.cmc import CameraMotion, box_mask, estimate_camera_motion


def _texture(h: int = 360, w: int = 640, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (h // 8, w // 8), dtype=np.uint8)
    return cv2.GaussianBlur(cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC), (5, 5), 0)


def _err(a: np.ndarray, b: np.ndarray, w: int, h: int) -> float:
    pts = np.array([[0, 0], [w, 0], [0, h], [w, h], [w / 2, h / 2]], float)
    return float(np.abs(pts @ a[:, :2].T + a[:, 2] - (pts @ b[:, :2].T + b[:, 2])).max())


@pytest.mark.parametrize("method", ["sparse", "ecc"])
def test_recovers_pan_and_zoom(method):
    img = _texture()
    true = cv2.getRotationMatrix2D((320, 180), 0.0, 1.02)
    true[:, 2] += (6.0, -4.0)
    moved = cv2.warpAffine(img, true, (640, 360), borderMode=cv2.BORDER_REFLECT)
    est = estimate_camera_motion(img, moved, None, method, downscale=2)
    assert _err(est, true, 640, 360) < 1.0
    assert _err(np.eye(2, 3), true, 640, 360) > 8  # the test can fail


def test_moving_players_are_masked_out():
    """A big object moving against the pan must not drag the estimate with it."""
    img = _texture()
    shift = np.float32([[1, 0, 5], [0, 1, 0]])
    moved = cv2.warpAffine(img, shift, (640, 360), borderMode=cv2.BORDER_REFLECT)
    block = _texture(200, 200, seed=1)
    img[80:280, 200:400] = block
    moved[80:280, 160:360] = block  # the "player" moves 40 px left
    boxes = np.array([[150, 70, 410, 290]], np.float32)
    est = estimate_camera_motion(img, moved, box_mask(img.shape, boxes) > 0, "sparse", 1)
    assert abs(est[0, 2] - 5) < 0.5 and abs(est[1, 2]) < 0.5


def test_synthetic_match_camera(synthetic_match):
    sim = synthetic_match.sim
    by = sim.gt.by_frame()
    cm = CameraMotion("sparse", 4)
    errs, base = [], []
    w, h = synthetic_match.config.width, synthetic_match.config.height
    for f in range(1, 41):
        img = cv2.imread(str(synthetic_match.frames_dir / f"{f:06d}.jpg"))
        est = cm(img, sim.gt.xyxy[by.get(f, [])])
        if f > 1:
            errs.append(_err(est, sim.camera[f - 1], w, h))
            base.append(_err(np.eye(2, 3), sim.camera[f - 1], w, h))
    assert np.median(errs) < 0.5
    assert np.mean(errs) < 0.5 * np.mean(base)


def test_flat_frames_give_identity_and_bad_method_is_an_error():
    flat = np.full((100, 100), 128, np.uint8)
    assert np.allclose(estimate_camera_motion(flat, flat, None, "sparse"), np.eye(2, 3))
    assert np.allclose(estimate_camera_motion(flat, flat, None, "ecc"), np.eye(2, 3))
    with pytest.raises(InputError, match="sparse"):
        estimate_camera_motion(flat, flat, None, "optical")
    with pytest.raises(InputError, match="cmc"):
        create_tracker("sort", cmc="gyro")


def test_kalman_warp_moves_boxes_with_the_camera():
    kf = KalmanBoxFilter()
    box = np.array([[100, 100, 140, 200]], np.float64)
    mean, cov = kf.initiate(xyxy_to_xyah(box))
    affine = np.array([[1.1, 0, 10], [0, 1.1, -5]])
    mean, cov = kf.warp(mean, cov, affine)
    expect = np.array([[120, 105, 164, 215]])
    assert np.allclose(xyah_to_xyxy(mean), expect, atol=1e-3)
    assert np.all(np.linalg.eigvalsh(cov[0]) > 0)


def test_cmc_tracker_follows_a_pan():
    """With the camera panning 25 px/frame, boxes of standing players jump; CMC keeps ids."""
    base = _texture(720, 1280)
    trk = create_tracker("sort", cmc="sparse", cmc_downscale=2, min_hits=1)
    boxes0 = np.array([[300, 300, 330, 380], [600, 300, 630, 380]], np.float32)
    from sporttrack_gui.core.boxes import Detections

    ids = None
    for f in range(6):
        dx = 25.0 * f if f < 3 else 25.0 * 2 - 25.0 * (f - 2)  # pan right then back: no constant velocity
        frame = cv2.warpAffine(base, np.float32([[1, 0, dx], [0, 1, 0]]), (1280, 720),
                               borderMode=cv2.BORDER_REFLECT)
        out = trk.update(Detections(boxes0 + [dx, 0, dx, 0], [0.9, 0.9]), cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
        ids = sorted(out.track_id) if ids is None else ids
        assert sorted(out.track_id) == ids
