"""SOT one-pass evaluation: curves on hand-computed cases, absent gt, lost tracker, real-time."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval.sot import (
    PRECISION_THRESHOLDS,
    SUCCESS_THRESHOLDS,
    evaluate_sot,
    realtime_schedule,
)


def test_shifted_boxes_give_hand_computed_curves():
    gt = np.array([[0, 0, 20, 10]] * 4, float)
    # shifts of 0, 5, 10, 30 px in x: IoU 1, 15/25 = 0.6, 10/30 = 1/3, 0; errors 0, 5, 10, 30
    pred = gt + np.array([[0, 0, 0, 0], [5, 0, 0, 0], [10, 0, 0, 0], [30, 0, 0, 0]])
    r = evaluate_sot(pred, gt)
    np.testing.assert_allclose(r.iou, [1.0, 0.6, 1 / 3, 0.0], atol=1e-6)
    np.testing.assert_allclose(r.center_error, [0, 5, 10, 30])
    # success(t) = share of IoU > t: 3/4 at t=0, 3/4 up to 0.30, 2/4 from 0.35 to 0.55,
    # 1/4 from 0.60 (0.6 is not > 0.6) to 0.95, 0 at 1.0
    expected = np.array([0.75 if t < 1 / 3 else 0.5 if t < 0.6 - 1e-9 else 0.25 if t < 1 else 0.0
                         for t in SUCCESS_THRESHOLDS])
    np.testing.assert_allclose(r.success_curve, expected)
    assert r.auc == pytest.approx(expected.mean())
    # precision(t) = share of error <= t px
    prec = np.array([(np.array([0, 5, 10, 30]) <= t).mean() for t in PRECISION_THRESHOLDS])
    np.testing.assert_allclose(r.precision_curve, prec)
    assert r.precision_20 == 0.75
    # normalised by gt width 20: 0, 0.25, 0.5, 1.5 -> at 0.2 only the exact one
    assert r.norm_precision == 0.25
    assert r.num_valid == 4


def test_absent_gt_excluded_and_lost_tracker_fails():
    gt = np.array([[0, 0, 10, 10], [np.nan] * 4, [0, 0, 0, 10], [0, 0, 10, 10]], float)
    pred = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [np.nan] * 4], float)
    r = evaluate_sot(pred, gt)
    assert r.num_valid == 2  # NaN row and zero-width row are out of view
    assert r.iou[3] == 0.0 and np.isinf(r.center_error[3])
    assert np.isnan(r.iou[1]) and np.isnan(r.iou[2])
    assert r.success_curve[0] == 0.5 and r.precision_20 == 0.5


def test_fps_from_processing_times():
    gt = np.zeros((4, 4)) + [0, 0, 10, 10]
    r = evaluate_sot(gt, gt, times=[0.01, 0.02, 0.03, 0.04])
    assert r.fps == pytest.approx(4 / 0.1)
    assert r.auc == pytest.approx(20 / 21)  # IoU 1 is not > 1.0: the last point is 0


def test_realtime_schedule_hand_case():
    # 10 fps: frame k arrives at k/10 s and must be answered before (k+1)/10 s.
    # frame 0: 0.00-0.25 -> too late for frames 0 and 1, shown at frame 2 (deadline 0.3);
    # frame 1 is skipped; frame 2: 0.25-0.30 -> misses its deadline 0.3 (not strictly before);
    # frame 3: 0.30-0.35 -> in time; frame 4: 0.40-0.41, frame 5: 0.50-0.51 -> in time
    times = np.array([0.25, 0.01, 0.05, 0.05, 0.01, 0.01])
    shown = realtime_schedule(times, fps=10.0)
    np.testing.assert_array_equal(shown, [-1, -1, 0, 3, 4, 5])


def test_realtime_fast_tracker_shows_every_frame():
    shown = realtime_schedule(np.full(5, 0.001), fps=25.0)
    np.testing.assert_array_equal(shown, np.arange(5))


def test_realtime_evaluation_uses_stale_boxes():
    gt = np.array([[10.0 * k, 0, 30, 10] for k in range(6)])
    times = np.array([0.25, 0.01, 0.05, 0.05, 0.01, 0.01])
    r = evaluate_sot(gt.copy(), gt, times=times, fps=10.0, realtime=True)
    np.testing.assert_array_equal(r.shown, [-1, -1, 0, 3, 4, 5])
    # frames 0, 1: nothing shown (failure); frame 2 shows frame 0's box 20 px behind:
    # overlap 10x10 -> IoU 100 / (300 + 300 - 100) = 0.2; frames 3-5 are current
    np.testing.assert_allclose(r.iou, [0, 0, 0.2, 1, 1, 1], atol=1e-6)


@pytest.mark.parametrize(("pred", "gt", "kw", "msg"), [
    (np.zeros((3, 4)), np.zeros((4, 4)), {}, "3 frames"),
    (np.zeros((3, 3)), np.zeros((3, 3)), {}, "x, y, w, h"),
    (np.zeros((3, 4)), np.zeros((3, 4)), {"realtime": True}, "processing times"),
    (np.zeros((3, 4)), np.zeros((3, 4)), {"times": [0.1] * 3, "realtime": True}, "fps"),
])
def test_bad_input_raises_input_error(pred, gt, kw, msg):
    with pytest.raises(InputError, match=msg):
        evaluate_sot(pred, gt, **kw)


def test_otb_bolt_ground_truth_against_shifted_copy(bolt):
    text = (bolt / "groundtruth_rect.txt").read_text().replace("\t", ",").split()
    gt = np.array([[float(v) for v in line.split(",")] for line in text])
    pred = gt + [8, 6, 0, 0]  # centre error exactly 10 px everywhere
    r = evaluate_sot(pred, gt)
    assert r.num_valid == len(gt) == 350
    assert r.precision_curve[9] == 0.0 and r.precision_curve[10] == 1.0
    w, h = gt[:, 2], gt[:, 3]
    iou = (w - 8) * (h - 6) / (2 * w * h - (w - 8) * (h - 6))
    np.testing.assert_allclose(r.iou, iou, rtol=1e-5)
