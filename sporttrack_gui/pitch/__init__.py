"""Pitch view: calibration, image->pitch mapping, distance/speed, team colours, minimap.

Qt-free; the GUI's calibration tool and minimap and the ``sporttrack pitch`` command
all call these functions.
"""

from sporttrack_gui.pitch.calibration import (
    Calibration,
    calibrate,
    load_calibration,
    save_calibration,
)
from sporttrack_gui.pitch.kinematics import TrackKinematics, track_kinematics
from sporttrack_gui.pitch.mapping import PitchPositions, map_to_pitch
from sporttrack_gui.pitch.template import PitchTemplate, load_template, template_names

__all__ = [
    "Calibration", "calibrate", "load_calibration", "save_calibration",
    "TrackKinematics", "track_kinematics", "PitchPositions", "map_to_pitch",
    "PitchTemplate", "load_template", "template_names",
]
