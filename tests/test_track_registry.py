"""Tracker registry: names, YAML defaults, validated overrides, light import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.track import (
    TrackerSpec,
    create_tracker,
    register_tracker,
    tracker_names,
    tracker_specs,
)
from sporttrack_gui.track.config import load_defaults, merge_params


def test_builtins_registered_with_yaml_defaults():
    assert {"sort", "bytetrack", "deepsort"} <= set(tracker_names())
    trk = create_tracker("bytetrack")
    assert trk.max_time_lost == load_defaults("bytetrack")["track_buffer"]
    assert not trk.needs_pixels


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(InputError, match="track_buffer") as exc:
        create_tracker("bytetrack", track_bufer=10)
    assert "track_bufer" in str(exc.value)


def test_unknown_tracker_names_available():
    with pytest.raises(InputError, match="bytetrack"):
        create_tracker("nosuch")


def test_string_overrides_are_coerced_and_checked():
    p = merge_params("x", {"a": 1, "b": True, "c": 0.5}, {"a": "60", "b": "false", "c": "0.7"})
    assert p == {"a": 60, "b": False, "c": 0.7}
    with pytest.raises(InputError, match="must be int"):
        merge_params("x", {"a": 1}, {"a": "1.5"})


def test_frame_rate_scales_buffer():
    assert create_tracker("bytetrack", frame_rate=60, track_buffer=30).max_time_lost == 60


def test_bad_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("a: 1\nb: [unclosed\n")
    with pytest.raises(InputError, match=r"t\.yaml line"):
        load_defaults("t", bad)


def test_plugin_registration_is_used():
    from sporttrack_gui.track.sort import SortTracker

    register_tracker(TrackerSpec("my-sort", lambda **kw: SortTracker(**kw), {"max_age": 5}))
    assert create_tracker("my-sort").max_age == 5


def test_package_import_stays_light():
    code = ("import sys, sporttrack_gui.track as t; t.tracker_names(); "
            "print(any(m in sys.modules for m in ('torch', 'ultralytics', 'onnxruntime', 'cv2')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class _Walker:
    """A plugin-style tracker whose parameters live only in its signature."""

    needs_pixels = False

    def __init__(self, max_age: int = 7, min_conf: float = 0.3) -> None:
        self.max_age, self.min_conf = max_age, min_conf

    def reset(self) -> None: ...

    def update(self, dets, frame=None): ...


def test_plugin_defaults_come_from_the_init_signature():
    register_tracker(TrackerSpec("walker-sig", _Walker))
    assert tracker_specs()["walker-sig"].defaults == {"max_age": 7, "min_conf": 0.3}
    assert create_tracker("walker-sig", max_age="9").max_age == 9
    with pytest.raises(InputError, match="max_age"):
        create_tracker("walker-sig", max_agee=1)


def test_defaults_the_constructor_does_not_take_are_refused():
    with pytest.raises(ValueError, match="max_agee"):
        TrackerSpec("walker-bad", _Walker, {"max_agee": 3})
