"""Unit behaviour of the association on hand-made observations (no simulation)."""

from __future__ import annotations

import numpy as np

from sporttrack_gui.multicam.associate import _enforce, _smooth, associate
from sporttrack_gui.multicam.evaluate import conflicts
from sporttrack_gui.multicam.fusion import fuse
from sporttrack_gui.multicam.observations import Observations, concat_observations


def _obs(cam, frame, local, xy, sigma=0.2, cls=1):
    n = len(frame)
    return Observations(np.full(n, cam, np.int16), np.asarray(frame, np.int32),
                        np.full(n, local, np.int64) if np.isscalar(local) else np.asarray(local, np.int64),
                        np.asarray(xy, np.float64).reshape(n, 2), np.tile(np.eye(2) * sigma ** 2, (n, 1, 1)),
                        np.full(n, cls, np.int32), np.arange(n, dtype=np.int64))


def _walk(frames, x0, vx, y=30.0):
    f = np.asarray(frames)
    return np.column_stack([x0 + vx * (f - f[0]) / 25.0, np.full(len(f), y)])


def test_handoff_through_a_blind_gap_and_two_players_stay_apart():
    # player A walks right: camera 0 sees frames 1-50, camera 1 frames 71-120 (0.8 s blind)
    a0 = _obs(0, range(1, 51), 5, _walk(range(1, 51), 40, 2.0))
    a1 = _obs(1, range(71, 121), 9, _walk(range(71, 121), 40 + 2.0 * 70 / 25, 2.0))
    # player B 6 m away, seen by both cameras throughout
    b0 = _obs(0, range(1, 121), 6, _walk(range(1, 121), 40, 2.0, y=36.0))
    b1 = _obs(1, range(1, 121), 3, _walk(range(1, 121), 40, 2.0, y=36.0))
    obs = concat_observations([a0, a1, b0, b1])
    res = associate(obs, 25.0)
    gid = res.global_id
    a = ((obs.cam == 0) & (obs.local_id == 5)) | ((obs.cam == 1) & (obs.local_id == 9))
    b = ~a
    assert len(np.unique(gid[a])) == 1 and len(np.unique(gid[b])) == 1
    assert gid[a][0] != gid[b][0]
    assert conflicts(obs, gid, 25.0) == {"two_places": 0, "same_spot": 0}
    fused = fuse(obs, gid)
    assert fused.n_cams.max() == 2 and fused.sigma.min() < 0.2   # two cameras beat one


def test_smoothing_removes_a_short_flicker_inside_a_local_track():
    o = _obs(0, range(1, 31), 4, _walk(range(1, 31), 10, 1.0))
    out = np.full(30, 7, np.int64)
    out[12:15] = 9                      # three frames of another id inside one track
    _smooth(o, out, max_len=12)
    assert (out == 7).all()
    out[0:20] = 9                       # a long run is a real change: kept
    _smooth(o, out, max_len=12)
    assert (out[:20] == 9).all() and (out[20:] == 7).all()


def test_guard_moves_a_box_that_would_put_an_id_in_two_places():
    o = concat_observations([_obs(0, [1, 2], 1, [[10, 10], [10.1, 10]]),
                             _obs(1, [1, 2], 2, [[30, 40], [10.0, 10.1]])])
    out = np.array([3, 3, 3, 3], np.int64)
    assert conflicts(o, out, 25.0)["two_places"] == 1
    assert _enforce(o, out) == 1
    assert conflicts(o, out, 25.0)["two_places"] == 0
    far = (o.frame == 1) & (o.cam == 1)
    assert out[far][0] != 3 and (out[~far] == 3).all()
