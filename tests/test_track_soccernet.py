"""Our ByteTrack vs ultralytics' BYTETracker on the same degraded SoccerNet detections.

The perturbation and the adapter are the benchmark's (``benchmarks/_soccernet_degrade.py``)
so this test asserts exactly what ``bench_track_soccernet.py`` prints. Accuracy only;
timings are never asserted.
"""

from __future__ import annotations

import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from _soccernet_degrade import (  # noqa: E402
    degrade,
    evaluate,
    load_mot_arrays,
    run_tracker,
    ultralytics_bytetrack,
)

from sporttrack_gui.track import create_tracker  # noqa: E402


@pytest.mark.slow  # ~12 s, most of it importing ultralytics
@pytest.mark.parametrize("seed", [0])
def test_bytetrack_at_least_as_accurate_as_ultralytics(snmot116, seed):
    fr, _, xywh = load_mot_arrays(snmot116 / "det" / "det.txt")
    gt = load_mot_arrays(snmot116 / "gt" / "gt.txt")
    dets = degrade(fr, xywh, 750, 1920, 1080, seed=seed)
    ours = create_tracker("bytetrack", frame_rate=25)
    m_ours = evaluate(gt, run_tracker(lambda d: ours.update(d, None), dets))
    m_ul = evaluate(gt, run_tracker(ultralytics_bytetrack(), dets))
    assert m_ours["mota"] >= m_ul["mota"], (m_ours, m_ul)
    assert m_ours["idf1"] >= m_ul["idf1"], (m_ours, m_ul)


def test_degradation_is_seeded_and_as_specified(snmot116):
    fr, _, xywh = load_mot_arrays(snmot116 / "det" / "det.txt")
    a = degrade(fr, xywh, 750, 1920, 1080, seed=3)
    b = degrade(fr, xywh, 750, 1920, 1080, seed=3)
    assert all((x.xyxy == y.xyxy).all() and (x.conf == y.conf).all() for x, y in zip(a, b, strict=True))
    n_out = sum(len(d) for d in a)
    expected = 0.8 * len(fr) + 1.5 * 750  # 20 % dropped, 1.5 false positives per frame
    assert abs(n_out - expected) < 0.03 * expected
    assert sum((d.conf < 0.5).sum() for d in a) > 0.2 * n_out  # low scores matter
    assert all(((d.conf >= 0.1) & (d.conf < 0.95)).all() for d in a)
