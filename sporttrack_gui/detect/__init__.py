"""Detectors: the ``Detector`` protocol, ``create_detector(spec)`` and the registry.

Importing this package is cheap: ultralytics/torch load only when a YOLO detector is built.
"""

from sporttrack_gui.detect.base import Detector
from sporttrack_gui.detect.classes import DEFAULT_CLASS_MAP, parse_class_map
from sporttrack_gui.detect.registry import (
    DetectorSpec,
    create_detector,
    detector_names,
    detector_specs,
    register_detector,
    split_spec,
)

__all__ = ["DEFAULT_CLASS_MAP", "Detector", "DetectorSpec", "create_detector", "detector_names", "detector_specs",
           "parse_class_map", "register_detector", "split_spec"]
