"""Calibration files: clicked point pairs on one frame, and the homography fitted to them.

JSON layout (what ``--calib`` reads and the GUI's calibration tool writes)::

    {"template": "football", "frame": 1,
     "pairs": [{"image": [x, y], "pitch": [X, Y]},
               {"image": [x, y], "keypoint": "left_penalty_spot"}, ...]}

``frame`` is the 1-based frame the clicks were made on; camera motion is chained from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sporttrack_gui.atomic_io import atomic_write_text
from sporttrack_gui.core.geometry import HomographyFit, fit_homography
from sporttrack_gui.errors import InputError
from sporttrack_gui.pitch.template import PitchTemplate, load_template


@dataclass
class Calibration:
    """Point pairs plus the fitted mapping; ``fit`` is recomputed from the pairs."""

    image_pts: np.ndarray
    pitch_pts: np.ndarray
    frame: int = 1
    template: str = "football"
    labels: list[str] = field(default_factory=list)
    fit: HomographyFit | None = None

    def to_json(self) -> dict:
        pairs = []
        for i, (im, pi) in enumerate(zip(self.image_pts, self.pitch_pts, strict=True)):
            entry = {"image": [float(im[0]), float(im[1])], "pitch": [float(pi[0]), float(pi[1])]}
            if i < len(self.labels) and self.labels[i]:
                entry["keypoint"] = self.labels[i]
            pairs.append(entry)
        out = {"template": self.template, "frame": int(self.frame), "pairs": pairs}
        if self.fit is not None:
            out["rms_reprojection_px"] = self.fit.rms_px
            out["image_to_pitch"] = self.fit.image_to_pitch.tolist()
        return out


def calibrate(image_pts, pitch_pts, *, frame: int = 1, template: str = "football",
              labels: list[str] | None = None, ransac_px: float = 8.0) -> Calibration:
    cal = Calibration(np.asarray(image_pts, np.float64).reshape(-1, 2),
                      np.asarray(pitch_pts, np.float64).reshape(-1, 2), int(frame), template,
                      list(labels or []))
    cal.fit = fit_homography(cal.image_pts, cal.pitch_pts, ransac_px=ransac_px)
    return cal


def load_calibration(path: str | Path) -> Calibration:
    """Read and fit a calibration file; errors name the file and the offending pair."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("calibration file not found", str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("pairs"), list):
        raise InputError("expected an object with a 'pairs' list", str(path))
    template: PitchTemplate = load_template(str(data.get("template", "football")))
    img, pit, labels = [], [], []
    for i, pair in enumerate(data["pairs"], start=1):
        try:
            im = [float(v) for v in pair["image"]]
            if "pitch" in pair:
                pi = [float(v) for v in pair["pitch"]]
                label = str(pair.get("keypoint", ""))
            else:
                label = str(pair["keypoint"])
                pi = list(template.keypoint(label))
        except InputError as exc:
            raise InputError(f"pair {i}: {exc}", str(path)) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"pair {i}: needs 'image' [x, y] and 'pitch' [X, Y] or 'keypoint' ({exc})",
                             str(path)) from None
        if len(im) != 2 or len(pi) != 2:
            raise InputError(f"pair {i}: points must have two coordinates", str(path))
        img.append(im)
        pit.append(pi)
        labels.append(label)
    try:
        return calibrate(img, pit, frame=int(data.get("frame", 1)), template=template.name, labels=labels)
    except InputError as exc:
        raise InputError(str(exc), str(path)) from None


def save_calibration(cal: Calibration, path: str | Path) -> None:
    atomic_write_text(path, json.dumps(cal.to_json(), indent=2))
