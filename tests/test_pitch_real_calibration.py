"""A real SoccerNet frame calibrated by hand maps the penalty spot within 1 m.

The five clicked points (tests/fixtures/snmot116_calibration.json) are line intersections
around the right-hand goal. The penalty spot is not one of them: it is covered by a boot
in frame 1, so the test finds it where it is visible (frame 90: the white blob in a small
window), carries it back into frame 1 with the camera motion the app estimates, and maps
it through the calibration.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sporttrack_gui.core.geometry import accumulate_affines, apply_homography
from sporttrack_gui.pitch import load_calibration
from sporttrack_gui.pitch.analysis import estimate_sequence_motion

FIXTURE = Path(__file__).parent / "fixtures" / "snmot116_calibration.json"
PENALTY_SPOT_M = np.array([94.0, 34.0])  # right penalty spot, 11 m from the goal line


def test_hand_calibration_fits_the_clicks():
    cal = load_calibration(FIXTURE)
    assert cal.fit.inliers.all()
    assert cal.fit.rms_px < 2.0, f"RMS {cal.fit.rms_px:.2f} px"


def test_penalty_spot_maps_within_one_metre(snmot116):
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.media.source import open_source

    cal = load_calibration(FIXTURE)
    gt = read_mot(snmot116 / "gt" / "gt.txt")
    frame = 90
    with open_source(snmot116) as src:
        motion = estimate_sequence_motion(src, gt.frame, gt.xywh, n_frames=frame, cache=False)
        img = src.read_frame(frame)
    win = img[595:630, 1040:1110].astype(int)  # where the spot sits in frame 90
    ys, xs = np.nonzero(win.min(axis=2) > 170)
    assert 10 < len(xs) < 100, "expected one small white blob (the spot) in the window"
    spot_f90 = np.array([[xs.mean() + 1040, ys.mean() + 595]])
    to_frame1 = np.linalg.inv(accumulate_affines(motion)[frame - 1])
    spot_f1 = apply_homography(to_frame1, spot_f90)
    mapped = apply_homography(cal.fit.image_to_pitch, spot_f1)[0]
    err = float(np.linalg.norm(mapped - PENALTY_SPOT_M))
    assert err < 1.0, f"penalty spot mapped to {mapped.round(2)} ({err:.2f} m off)"
    # the spot image itself was not used for the fit: it is not a calibration pair
    assert not np.any(np.linalg.norm(cal.image_pts - spot_f1, axis=1) < 30)
