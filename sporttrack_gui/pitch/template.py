"""Pitch templates (football 105x68 m by default) from ``resources/pitches/*.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import yaml

from sporttrack_gui.errors import InputError
from sporttrack_gui.runtime import resources_dir


@dataclass(frozen=True)
class PitchTemplate:
    """A sport's playing surface in metres with the named points users click."""

    name: str
    length: float
    width: float
    keypoints: dict[str, tuple[float, float]] = field(default_factory=dict)
    lines: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = ()
    circles: tuple[tuple[tuple[float, float], float], ...] = ()

    def keypoint(self, name: str) -> np.ndarray:
        try:
            return np.asarray(self.keypoints[name], np.float64)
        except KeyError:
            raise InputError(f"pitch '{self.name}' has no keypoint '{name}'; known: "
                             + ", ".join(sorted(self.keypoints))) from None


def template_names() -> list[str]:
    return sorted(p.stem for p in (resources_dir() / "pitches").glob("*.yaml"))


@cache
def load_template(name: str = "football") -> PitchTemplate:
    path = resources_dir() / "pitches" / f"{name}.yaml"
    if not path.exists():
        raise InputError(f"unknown pitch template '{name}'; available: {', '.join(template_names())}")
    data = yaml.safe_load(path.read_text())
    return PitchTemplate(
        name=data["name"], length=float(data["length"]), width=float(data["width"]),
        keypoints={k: (float(v[0]), float(v[1])) for k, v in data.get("keypoints", {}).items()},
        lines=tuple((tuple(a), tuple(b)) for a, b in data.get("lines", [])),
        circles=tuple((tuple(c["centre"]), float(c["radius"])) for c in data.get("circles", [])),
    )
