"""Plugin discovery: the shipped example registers and runs; a broken plugin is reported."""

from __future__ import annotations

import numpy as np

from sporttrack_gui import plugins
from sporttrack_gui.core.boxes import Detections


def test_example_plugin_registers_and_tracks():
    records = plugins.load_plugins(force=True)
    rec = next(r for r in records if r.name == "centroid_tracker")
    assert rec.ok and rec.origin == "shipped" and "centroid" in rec.registered
    from sporttrack_gui.track import create_tracker, tracker_names

    assert "centroid" in tracker_names()
    trk = create_tracker("centroid")
    ids = []
    for t in range(10):  # two objects moving right, 5 px per frame
        x = 100 + 5 * t
        out = trk.update(Detections(np.array([[x, 50, x + 20, 90], [x, 300, x + 20, 340]]),
                                    np.array([0.9, 0.9])), None)
        ids.append(sorted(out.track_id.tolist()))
    assert all(i == [1, 2] for i in ids)


def test_broken_plugin_is_listed_and_skipped(tmp_path, monkeypatch):
    (tmp_path / "broken_one.py").write_text("import this_module_does_not_exist\n")
    (tmp_path / "raises.py").write_text("raise RuntimeError('plugin exploded')\n")
    monkeypatch.setenv("SPORTTRACK_PLUGIN_PATH", str(tmp_path))
    records = {r.name: r for r in plugins.load_plugins(force=True)}
    assert not records["broken_one"].ok and "this_module_does_not_exist" in records["broken_one"].error
    assert not records["raises"].ok and "plugin exploded" in records["raises"].error
    assert records["centroid_tracker"].ok  # the good one still loads
