"""Hand-off accuracy and fused-position scoring at match scale: the vectorised versions
give exactly what the straightforward per-entry / per-row definitions give."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.formats.mot import MotTable
from sporttrack_gui.multicam import evaluate as ev


def _reference_handoffs(gt, pred, offsets, gap=5, span=10):
    """The definition, one full scan per entry (what evaluate.py did before)."""
    cams, gframes, objs, pids = [], [], [], []
    for c, (g, p) in enumerate(zip(gt, pred, strict=True)):
        m = ev.match_rows(g, p)
        cams.append(np.full(len(g), c))
        gframes.append(g.frame.astype(np.int64) + int(offsets[c]))
        objs.append(g.track_id)
        pids.append(np.where(m >= 0, p.track_id[np.maximum(m, 0)], -1))
    cam, gf, obj, pid = (np.concatenate(a) for a in (cams, gframes, objs, pids))
    out = [0, 0, 0, 0]
    order = np.lexsort((gf, cam, obj))
    cam, gf, obj, pid = cam[order], gf[order], obj[order], pid[order]
    start = np.concatenate([[True], (obj[1:] != obj[:-1]) | (cam[1:] != cam[:-1]) | (gf[1:] - gf[:-1] > gap)])
    for s in np.flatnonzero(start):
        o, c, f = obj[s], cam[s], gf[s]
        seg = np.arange(s, min(s + span, len(obj)))
        seg = seg[(obj[seg] == o) & (cam[seg] == c) & (pid[seg] >= 0)]
        before = np.flatnonzero((obj == o) & (gf < f) & (pid >= 0))
        if not len(seg) or not len(before):
            continue
        last = before[np.argmax(gf[before] * 8 + cam[before])]
        vals, counts = np.unique(pid[seg], return_counts=True)
        given = vals[np.argmax(counts)]
        k = 0 if cam[last] != c else 2
        out[k] += 1
        out[k + 1] += int(given == pid[last])
    return out


def _random_cameras(seed, n_cams=3, frames=120, players=8):
    rng = np.random.default_rng(seed)
    gts, preds = [], []
    for c in range(n_cams):
        f, t = np.meshgrid(np.arange(1, frames + 1), np.arange(1, players + 1), indexing="ij")
        f, t = f.ravel(), t.ravel()
        blocks = rng.random((frames // 10 + 1, players + 1)) < 0.5
        seen = blocks[f // 10, t] & (rng.random(len(f)) < 0.95)  # in and out of view, gaps
        seen &= (t <= 5) | (c == 0)                  # players 6-8 only ever in camera 0
        f, t = f[seen], t[seen]
        xywh = np.column_stack([t * 60.0, np.full(len(t), 100.0), np.full(len(t), 40.0),
                                np.full(len(t), 90.0)])
        gts.append(MotTable(f, t, xywh, np.ones(len(f)), np.ones(len(f), np.int32), np.ones(len(f))))
        pid = np.where(rng.random(len(t)) < 0.8, t, rng.integers(1, players + 3, len(t)))
        keep = rng.random(len(f)) < 0.9
        preds.append(MotTable(f[keep], pid[keep], xywh[keep], np.ones(keep.sum()),
                              np.ones(keep.sum(), np.int32), np.ones(keep.sum())))
    return gts, preds


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_handoff_accuracy_matches_its_definition(seed):
    gts, preds = _random_cameras(seed)
    offsets = [0, 4, 9]
    h = ev.handoff_accuracy(gts, preds, offsets)
    ref = _reference_handoffs(gts, preds, offsets)
    assert ref[0] > 5 and ref[2] > 5
    assert [h.cross_camera, h.cross_correct, h.reentries, h.reentry_correct] == ref


def test_position_errors_majority_truth_per_fused_row():
    from sporttrack_gui.multicam.fusion import FusedPositions
    from sporttrack_gui.multicam.observations import Observations

    # fused rows (frame, id): (1,1) (1,2) (2,1); observations vote for their true object
    fused = FusedPositions(np.array([1, 1, 2], np.int32), np.array([1, 2, 1]),
                           np.array([[0.0, 0], [10, 0], [1, 0]]), np.ones(3), np.array([3, 2, 1], np.int16))
    frame = np.array([1, 1, 1, 1, 1, 2], np.int32)
    gid = np.array([1, 1, 1, 2, 2, 1])
    truth = np.array([7, 5, 5, 8, 6, 5])          # row 0: 5 wins 2:1; row 1: tie 6/8 -> 6
    obs = Observations(np.zeros(6, np.int16), frame, np.zeros(6, np.int64), np.zeros((6, 2)),
                       np.tile(np.eye(2), (6, 1, 1)), np.ones(6, np.int32), np.arange(6))
    where = {(1, 5): (0.5, 0), (1, 7): (100, 0), (1, 6): (10, 2), (1, 8): (10, 50), (2, 5): (1, 0)}

    def truth_xy(f, t):
        return np.array([where[(int(a), int(b))] for a, b in zip(f, t, strict=True)], float)

    pe = ev.position_errors(obs, fused, truth, truth_xy, gid)
    assert pe["fused_median_m"] == pytest.approx(0.5)      # errors 0.5, 2, 0
    assert pe["multi_fused_median_m"] == pytest.approx(1.25)


def test_per_track_hints_spread_to_every_box():
    from sporttrack_gui.multicam.associate import _expand
    from sporttrack_gui.multicam.observations import Observations

    cam = np.array([0, 1, 0, 1, 2, 0], np.int16)
    local = np.array([5, 5, 7, 5, 5, 5], np.int64)
    obs = Observations(cam, np.arange(6, dtype=np.int32), local, np.zeros((6, 2)),
                       np.tile(np.eye(2), (6, 1, 1)), np.ones(6, np.int32), np.arange(6))
    team = _expand({(0, 5): 1, (1, 5): 0}, obs, -1, np.int64)
    assert team.tolist() == [1, 0, -1, 0, -1, 1]
    feat = _expand({(0, 7): np.array([1.0, 0.0]), (2, 5): np.array([0.0, 1.0])}, obs,
                   np.zeros(2), np.float64)
    assert feat.tolist() == [[0, 0], [0, 0], [1, 0], [0, 0], [0, 1], [0, 0]]
    assert _expand(None, obs, -1, np.int64) is None
