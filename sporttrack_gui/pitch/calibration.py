"""Calibration files: clicked point pairs on one frame, and the homography fitted to them.

JSON layout (what ``--calib`` reads and the GUI's calibration tool writes)::

    {"template": "football", "frame": 1,
     "pairs": [{"image": [x, y], "pitch": [X, Y]},
               {"image": [x, y], "keypoint": "left_penalty_spot"}, ...]}

``frame`` is the 1-based frame the clicks were made on; camera motion is chained from it.
An optional ``"camera_motion"``: ``[[[a, b, c], [d, e, f]], ...]`` gives the known image
motion into each frame from frame 1 on (2x3, the first the identity), for a camera whose
motion is known (the built-in demo's generator knows it); without it the motion is
estimated from the pixels.
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
    motion: np.ndarray | None = None  # (T, 2, 3) known camera motion, frame 1 first

    @property
    def known_motion(self) -> bool:
        """The camera's motion came with the calibration (no estimation needed)."""
        return self.motion is not None

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
        if self.motion is not None:
            out["camera_motion"] = np.round(self.motion, 9).tolist()
        return out


def calibrate(image_pts, pitch_pts, *, frame: int = 1, template: str = "football",
              labels: list[str] | None = None, ransac_px: float = 8.0,
              motion: np.ndarray | None = None) -> Calibration:
    cal = Calibration(np.asarray(image_pts, np.float64).reshape(-1, 2),
                      np.asarray(pitch_pts, np.float64).reshape(-1, 2), int(frame), template,
                      list(labels or []))
    if motion is not None:
        cal.motion = _check_motion(motion, int(frame))
    cal.fit = fit_homography(cal.image_pts, cal.pitch_pts, ransac_px=ransac_px)
    return cal


def _check_motion(motion, frame: int) -> np.ndarray:
    """A (T, 2, 3) finite stack that covers the calibrated frame, or an InputError."""
    try:
        m = np.asarray(motion, np.float64)
    except (TypeError, ValueError):
        raise InputError("camera_motion must be a list of 2x3 matrices") from None
    if m.ndim != 3 or m.shape[1:] != (2, 3) or len(m) == 0:
        raise InputError(f"camera_motion must be a list of 2x3 matrices, got shape {m.shape}")
    bad = np.flatnonzero(~np.isfinite(m).all(axis=(1, 2)))
    if len(bad):
        raise InputError(f"camera_motion: frame {int(bad[0]) + 1} is not finite")
    if not 1 <= frame <= len(m):
        raise InputError(f"calibration frame {frame} is outside the {len(m)} frames of camera_motion")
    return m


def load_calibration(path: str | Path) -> Calibration:
    """Read and fit a calibration file; errors name the file and the offending pair."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError("calibration file not found", str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", str(path)) from None
    return calibration_from_json(data, str(path))


def calibration_from_json(data: object, where: str = "calibration") -> Calibration:
    """A fitted calibration from its JSON object (a file's, or one stored in a project);
    ``where`` names the origin in error messages."""
    if not isinstance(data, dict) or not isinstance(data.get("pairs"), list):
        raise InputError("expected an object with a 'pairs' list", where)
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
            raise InputError(f"pair {i}: {exc}", where) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"pair {i}: needs 'image' [x, y] and 'pitch' [X, Y] or 'keypoint' ({exc})",
                             where) from None
        if len(im) != 2 or len(pi) != 2:
            raise InputError(f"pair {i}: points must have two coordinates", where)
        img.append(im)
        pit.append(pi)
        labels.append(label)
    try:
        return calibrate(img, pit, frame=int(data.get("frame", 1)), template=template.name,
                         labels=labels, motion=data.get("camera_motion"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"bad 'frame' ({exc})", where) from None
    except InputError as exc:
        raise InputError(str(exc), where) from None


def save_calibration(cal: Calibration, path: str | Path) -> None:
    atomic_write_text(path, json.dumps(cal.to_json(), indent=2))
