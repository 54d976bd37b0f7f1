"""The calibration of a synthetic match, from the generator's own camera.

Why: the built-in demo is rendered by ``media.synthetic``, which knows the camera of every
frame exactly. Shipping that knowledge as an ordinary calibration (point pairs on frame
1, plus the known camera motion) makes the pitch panel work on the demo at once, without
clicks or motion estimation, and gives tests the exact answer to compare with.
"""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.geometry import apply_homography
from sporttrack_gui.errors import InputError
from sporttrack_gui.pitch.calibration import Calibration, calibrate
from sporttrack_gui.pitch.template import load_template

#: keypoints closer than this to the image border are not used (a user could not click them)
BORDER_PX = 10.0


def calibration_from_simulation(sim, frame: int = 1, template: str = "football") -> Calibration:
    """Pairs a user would click on ``frame`` (the template keypoints in view), completed by
    the image corners when they cannot fix a homography, and the simulation's camera motion.

    ``sim``: a ``media.synthetic.SimulatedMatch`` (``pitch_to_image``, ``homography``,
    ``camera``, ``config``).
    """
    tpl = load_template(template)
    width, height = sim.config.width, sim.config.height
    names = list(tpl.keypoints)
    pitch_pts = np.array([tpl.keypoints[n] for n in names], np.float64)
    image_pts = apply_homography(sim.pitch_to_image[frame - 1], pitch_pts)
    inside = np.isfinite(image_pts).all(axis=1) & (image_pts[:, 0] >= BORDER_PX) & \
        (image_pts[:, 1] >= BORDER_PX) & (image_pts[:, 0] <= width - BORDER_PX) & \
        (image_pts[:, 1] <= height - BORDER_PX)
    img, pit = image_pts[inside], pitch_pts[inside]
    labels = [n for n, k in zip(names, inside, strict=True) if k]
    motion = np.asarray(sim.camera, np.float64)
    if len(img) >= 4:
        try:
            return calibrate(img, pit, frame=frame, template=tpl.name, labels=labels, motion=motion)
        except InputError:  # the keypoints in view lie on one line (the halfway line)
            pass
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float64)
    img = np.concatenate([img, corners])
    pit = np.concatenate([pit, apply_homography(sim.homography[frame - 1], corners)])
    return calibrate(img, pit, frame=frame, template=tpl.name, labels=labels + [""] * 4,
                     motion=motion)
