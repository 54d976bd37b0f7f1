"""The first tracked frame does no one-time work (imports) that later frames skip, so the
per-frame time a run reports is the steady-state one (scipy.optimize's import used to add
~0.25 s to frame 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

CODE = r"""
import json, sys
import numpy as np
from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.track import create_tracker

tracker = create_tracker(sys.argv[1])
rng = np.random.default_rng(0)
xy = rng.uniform(0, 1000, (12, 2))
boxes = np.column_stack([xy, xy + [40, 100]])
before = set(sys.modules)
tracker.update(Detections(boxes, np.full(12, 0.9)), None)
tracker.update(Detections(boxes + 2, np.full(12, 0.9)), None)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


@pytest.mark.parametrize("name", ["bytetrack", "sort"])
def test_first_frames_import_nothing(name):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", CODE, name], capture_output=True, text=True,
                       env=env, timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == []
