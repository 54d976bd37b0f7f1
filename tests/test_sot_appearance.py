"""The appearance model that scores boxes and searches for a lost target."""

from __future__ import annotations

import cv2
import numpy as np

from sporttrack_gui.track.sot_appearance import AppearanceModel, crop


def _frame_with(target: np.ndarray, x: int, y: int, seed: int = 9) -> np.ndarray:
    ramp = np.tile(np.linspace(60, 180, 400).astype(np.uint8), (300, 1))
    frame = cv2.cvtColor(ramp, cv2.COLOR_GRAY2BGR)
    h, w = target.shape[:2]
    frame[y:y + h, x:x + w] = target
    return frame


def _target(w: int = 40, h: int = 60, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.resize(rng.integers(0, 256, (6, 4, 3), dtype=np.uint8), (w, h),
                      interpolation=cv2.INTER_NEAREST)


def test_similarity_separates_target_from_background_and_other_objects():
    model = AppearanceModel(_frame_with(_target(), 50, 50), (50, 50, 40, 60))
    moved = _frame_with(_target(), 220, 120)
    on = model.similarity(moved, (220, 120, 40, 60))
    background = model.similarity(moved, (50, 50, 40, 60))
    other = model.similarity(_frame_with(_target(seed=11), 220, 120), (220, 120, 40, 60))
    assert on > 0.9
    assert background < 0.3
    assert other < on - 0.25


def test_search_finds_a_moved_and_scaled_target():
    model = AppearanceModel(_frame_with(_target(), 50, 50), (50, 50, 40, 60))
    big = _target(47, 71)  # 1.18x
    frame = _frame_with(big, 230, 150)
    hits = model.search(frame, centre=(120, 120), wh=(40, 60), radius=200)
    best = max(hits, key=lambda h: h.ncc)
    assert best.ncc > 0.8
    x, y, w, h = best.xywh
    assert abs(x - 230) <= 3 and abs(y - 150) <= 3 and abs(w - 47) <= 2
    # outside the radius it is not found
    near = model.search(frame, centre=(60, 60), wh=(40, 60), radius=40)
    assert all(h.ncc < 0.6 for h in near)


def test_search_window_outside_the_frame_returns_nothing():
    model = AppearanceModel(_frame_with(_target(), 50, 50), (50, 50, 40, 60))
    assert model.search(_frame_with(_target(), 50, 50), (-500, -500), (40, 60), 50) == []


def test_learning_skips_crops_unlike_the_first_template():
    frame = _frame_with(_target(), 50, 50)
    model = AppearanceModel(frame, (50, 50, 40, 60))
    before = model.slow_gray.copy()
    assert not model.learn(frame, (250, 200, 40, 60), min_initial=0.38)  # background
    assert np.array_equal(model.slow_gray, before)
    assert model.learn(frame, (51, 50, 40, 60), min_initial=0.38)


def test_crop_replicates_the_border_and_rejects_boxes_off_frame():
    frame = _frame_with(_target(), 0, 0)
    patch = crop(frame, (-10, -10, 40, 60), (20, 30))
    assert patch.shape == (30, 20, 3)
    assert crop(frame, (500, 10, 20, 20), (10, 10)) is None
