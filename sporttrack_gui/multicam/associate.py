"""Global identities: per-camera tracks linked on the pitch into one id per player.

How (and why this way): a single pass over global time keeps one state per global id
(fused pitch position, velocity, last frame seen, class, team, appearance) and a binding
``(camera, local track) -> global id``.

1. A bound local track keeps its global id while its foot point stays within
   ``keep_gate_m`` of the id's predicted position: per-camera trackers are good at
   short-term identity, so their tracks are the unit of association, not single boxes.
   A track that drifts away (an ID switch inside the camera's tracker, or a wrong
   earlier link) is released and re-associated.
2. Unbound tracks (a player entering a view, a new tracker id) are matched per camera
   by minimum-cost assignment to the ids that camera does not already show: cost is the
   ground-plane distance to the prediction over a gate that grows with the time the id
   has been unseen (hand-offs through blind zones), plus team and appearance penalties
   (kit colour, ReID) as tie-breakers. Classes never mix.
3. What is still unmatched starts new global ids, observations of several cameras at
   one spot starting one id together.
4. Two ids seen by disjoint sets of cameras at one spot for ``merge_s`` are one player
   whose first link was missed: the younger is merged into the older (history relabelled
   where that creates no clash).
5. Finally, within every local track a short run of another id between two runs of the
   same id (a flicker at a crossing) is relabelled.

Invariants (checked by :mod:`.evaluate`): one global id has at most one box per camera
per frame, and its boxes in one frame lie within the gate of each other.
The per-frame loop touches only that frame's tens of boxes with array operations; a
90-minute match is a few minutes of CPU (``benchmarks/bench_multicam.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.errors import Cancelled
from sporttrack_gui.multicam.observations import Observations

_KEY_SHIFT = 40
_BIG = 1e6
#: boxes of one id in one frame farther apart than this are "one id in two places"
CONFLICT_APART_M = 4.0


@dataclass(frozen=True)
class AssociationParams:
    """Tuned on synthetic seeds 100-104 (never the tests' seeds); units metres/seconds."""

    gate_m: float = 1.2           # a new link: distance to the prediction, plus 3 sigma
    keep_gate_m: float = 1.5      # a bound track keeps its id while this close (plus 3 sigma)
    lost_speed: float = 3.5       # m/s: how fast the reach of an unseen id grows
    max_reach_m: float = 14.0
    max_lost_s: float = 30.0      # an id unseen this long is closed
    lost_bias: float = 0.25       # prefer ids seen right now over ids being re-found
    merge_m: float = 1.0
    merge_s: float = 0.5
    team_penalty: float = 0.6
    appearance_weight: float = 0.8
    own_s: float = 0.4            # another local track of a camera holds an id this long
    smooth_s: float = 0.5
    velocity_alpha: float = 0.85
    max_speed: float = 10.0
    predict_cap_s: float = 0.6

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Association:
    """``global_id[i]`` for observation ``i``; the merges and id count for the report."""

    global_id: np.ndarray
    n_ids: int
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (young, old, frame)
    released: int = 0     # bound tracks let go because they drifted off their id
    handoffs: int = 0     # unbound tracks linked to an id seen by another camera or earlier
    split_conflicts: int = 0  # boxes moved to a fresh id so that no id is in two places


class _State:
    """Growable per-id arrays (ids are row numbers + 1)."""

    def __init__(self, dim: int):
        cap = 64
        self.n = 0
        self.pos = np.zeros((cap, 2))
        self.vel = np.zeros((cap, 2))
        self.last = np.zeros(cap, np.int64)
        self.first = np.zeros(cap, np.int64)
        self.cls = np.zeros(cap, np.int64)
        self.team = np.full(cap, -1, np.int64)
        self.feat = np.zeros((cap, dim))
        self.alive = np.zeros(cap, bool)

    def new(self, xy: np.ndarray, frame: int, cls: int, team: int, feat: np.ndarray | None) -> int:
        if self.n == len(self.last):
            for name in ("pos", "vel", "last", "first", "cls", "team", "feat", "alive"):
                a = getattr(self, name)
                setattr(self, name, np.concatenate([a, np.zeros_like(a)]))
            self.team[self.n:] = -1
        g = self.n
        self.n += 1
        self.pos[g], self.vel[g] = xy, 0.0
        self.last[g] = self.first[g] = frame
        self.cls[g], self.team[g], self.alive[g] = cls, team, True
        if feat is not None and self.feat.shape[1]:
            self.feat[g] = feat
        return g


def _expand(per_track: Mapping[tuple[int, int], object] | None, obs: Observations, default, dtype):
    """Per-track values spread to every observation: one dict look-up per (camera, local
    track), not per box (millions at match scale)."""
    if not per_track:
        return None
    keys = (obs.cam.astype(np.int64) << _KEY_SHIFT) | (obs.local_id & ((1 << _KEY_SHIFT) - 1))
    uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
    vals = np.array([per_track.get((int(c), int(t)), default) for c, t in
                     zip(obs.cam[first].tolist(), obs.local_id[first].tolist(), strict=True)], dtype)
    return vals[inv.ravel()]


def associate(obs: Observations, fps: float, params: AssociationParams | None = None, *,
              team: Mapping[tuple[int, int], int] | None = None,
              appearance: Mapping[tuple[int, int], np.ndarray] | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> Association:
    """Global id (1-based) of every observation; see the module docstring.

    ``team`` / ``appearance``: optional per ``(camera, local id)`` team (0/1, -1 unknown)
    and L2-normalised appearance vectors (kit colour histogram or ReID embedding).
    """
    p = params or AssociationParams()
    n = len(obs)
    out = np.zeros(n, np.int64)
    if n == 0:
        return Association(out, 0)
    obs_team = _expand(team, obs, -1, np.int64)
    dim = len(next(iter(appearance.values()))) if appearance else 0
    obs_feat = None
    if appearance:
        obs_feat = _expand({k: np.asarray(v, np.float64) for k, v in appearance.items()}, obs,
                           np.zeros(dim), np.float64)
    st = _State(dim)
    binding: dict[int, int] = {}
    owner: dict[tuple[int, int], tuple[int, int]] = {}     # (cam, gid) -> (local key, last frame)
    pair_since: dict[tuple[int, int], int] = {}
    result = Association(out, 0)
    keys_all = (obs.cam.astype(np.int64) << _KEY_SHIFT) | (obs.local_id & ((1 << _KEY_SHIFT) - 1))
    sigma_all = obs.sigma
    frames, starts = np.unique(obs.frame, return_index=True)
    bounds = np.append(starts, n)
    max_lost = int(p.max_lost_s * fps)
    own_frames = max(1, int(p.own_s * fps))
    merge_frames = max(1, int(p.merge_s * fps))
    for fi, t in enumerate(frames.tolist()):
        if cancel is not None and fi % 500 == 0 and cancel():
            raise Cancelled("association cancelled")
        lo, hi = int(bounds[fi]), int(bounds[fi + 1])
        _frame_step(p, st, obs, lo, hi, t, fps, binding, owner, keys_all, sigma_all, obs_team,
                    obs_feat, out, result, max_lost, own_frames)
        _merge_step(p, st, obs, lo, hi, t, out, binding, owner, pair_since, merge_frames, result)
        if progress is not None and (fi % 2000 == 0 or fi == len(frames) - 1):
            progress(fi + 1, len(frames))
    _smooth(obs, out, max(1, int(p.smooth_s * fps)))
    result.split_conflicts = _enforce(obs, out)
    result.global_id = _compact(out)
    result.n_ids = int(result.global_id.max(initial=0))
    return result


def _frame_step(p: AssociationParams, st: _State, obs: Observations, lo: int, hi: int, t: int,
                fps: float, binding: dict, owner: dict, keys_all: np.ndarray, sigma_all: np.ndarray,
                obs_team: np.ndarray | None, obs_feat: np.ndarray | None, out: np.ndarray,
                result: Association, max_lost: int, own_frames: int) -> None:
    idx = np.arange(lo, hi)
    keys = keys_all[lo:hi]
    cams = obs.cam[lo:hi].astype(np.int64)
    xy = obs.xy[lo:hi]
    sig = sigma_all[lo:hi]
    gid = np.array([binding.get(int(k), -1) for k in keys], np.int64)
    # --- 1. bound tracks keep their id while close to its prediction
    dt_s = np.clip((t - st.last[: st.n]) / fps, 0.0, None)
    pred = st.pos[: st.n] + st.vel[: st.n] * np.minimum(dt_s, p.predict_cap_s)[:, None]
    b = np.flatnonzero(gid >= 0)
    if len(b):
        g = gid[b]
        d = np.hypot(*(xy[b] - pred[g]).T)
        gate = p.keep_gate_m + 3 * sig[b] + p.lost_speed * np.maximum(dt_s[g] - 1.0 / fps, 0)
        bad = (d > gate) | ~st.alive[g]
        # one box per camera per id: the nearest of competing bound tracks keeps it
        ck = cams[b] * (1 << 32) + g
        order = np.lexsort((d, ck))
        dup = np.zeros(len(b), bool)
        dup[order[1:]] = ck[order[1:]] == ck[order[:-1]]
        drop = bad | dup
        for i in b[drop]:
            binding.pop(int(keys[i]), None)
            o = owner.get((int(cams[i]), int(gid[i])))
            if o is not None and o[0] == int(keys[i]):
                del owner[(int(cams[i]), int(gid[i]))]
        result.released += int(drop.sum())
        gid[b[drop]] = -1
    claimed = {(int(c), int(g)) for c, g in zip(cams[gid >= 0], gid[gid >= 0], strict=True)}
    # --- 2. unbound tracks: per camera, assignment to the ids that camera does not show
    live = np.flatnonzero(st.alive[: st.n] & (t - st.last[: st.n] <= max_lost))
    for c in np.unique(cams[gid < 0]).tolist():
        u = np.flatnonzero((gid < 0) & (cams == c))
        if not len(live):
            break
        held = np.array([(c, int(g)) in claimed or _owned(owner, c, int(g), t, own_frames)
                         for g in live], bool)
        cand = live[~held]
        if not len(cand):
            continue
        d = np.hypot(xy[u, None, 0] - pred[None, cand, 0], xy[u, None, 1] - pred[None, cand, 1])
        unseen = np.maximum(dt_s[cand] - 1.0 / fps, 0.0)
        reach = np.minimum(p.gate_m + 3 * sig[u, None] + p.lost_speed * unseen[None, :], p.max_reach_m)
        cost = d / reach + p.lost_bias * (unseen[None, :] > 0.5)
        ocls = obs.cls[lo:hi][u]
        bad = (d > reach) | ((ocls[:, None] >= 0) & (st.cls[cand][None, :] >= 0)
                             & (ocls[:, None] != st.cls[cand][None, :]))
        if obs_team is not None:
            ot = obs_team[lo:hi][u]
            tt = st.team[cand]
            cost += p.team_penalty * ((ot[:, None] >= 0) & (tt[None, :] >= 0) & (ot[:, None] != tt[None, :]))
        if obs_feat is not None:
            cost += p.appearance_weight * (1.0 - obs_feat[lo:hi][u] @ st.feat[cand].T).clip(0, 2)
        cost[bad] = _BIG
        m, _, _ = linear_assignment(cost, _BIG / 2)
        for r, k in m:
            g = int(cand[k])
            i = int(u[r])
            gid[i] = g
            binding[int(keys[i])] = g
            claimed.add((c, g))
            result.handoffs += 1
    # --- 3. what is left starts new ids (several cameras at one spot share one)
    left = np.flatnonzero(gid < 0)
    fresh: list[int] = []
    for i in left[np.argsort(sig[left], kind="stable")].tolist():
        c = int(cams[i])
        join = -1
        for g in fresh:
            if (c, g) not in claimed and st.cls[g] == obs.cls[lo + i] and \
                    np.hypot(*(xy[i] - st.pos[g])) <= p.gate_m + 3 * sig[i]:
                join = g
                break
        if join < 0:
            tm = int(obs_team[lo + i]) if obs_team is not None else -1
            join = st.new(xy[i], t, int(obs.cls[lo + i]), tm,
                          obs_feat[lo + i] if obs_feat is not None else None)
            fresh.append(join)
        gid[i] = join
        binding[int(keys[i])] = join
        claimed.add((c, join))
    # --- 4. fuse positions (information-weighted), update motion, ownership
    info = np.linalg.inv(obs.cov[lo:hi])
    ids, inv = np.unique(gid, return_inverse=True)
    lam = np.zeros((len(ids), 2, 2))
    eta = np.zeros((len(ids), 2))
    np.add.at(lam, inv, info)
    np.add.at(eta, inv, np.einsum("nij,nj->ni", info, xy))
    fused = np.linalg.solve(lam, eta[..., None])[..., 0]
    dt = np.maximum(t - st.last[ids], 1) / fps
    seen_before = st.last[ids] < t
    v_new = (fused - st.pos[ids]) / dt[:, None]
    speed = np.hypot(*v_new.T)
    v_new *= np.minimum(1.0, p.max_speed / np.maximum(speed, 1e-9))[:, None]
    upd = seen_before & (dt <= p.predict_cap_s)
    a = p.velocity_alpha
    st.vel[ids[upd]] = a * st.vel[ids[upd]] + (1 - a) * v_new[upd]
    st.vel[ids[~upd & seen_before]] = 0.0
    st.pos[ids] = fused
    st.last[ids] = t
    if obs_feat is not None:
        f = np.zeros((len(ids), obs_feat.shape[1]))
        np.add.at(f, inv, obs_feat[lo:hi])
        f = 0.9 * st.feat[ids] + 0.1 * f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-9)
        st.feat[ids] = f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-9)
    if obs_team is not None:
        known = obs_team[lo:hi] >= 0
        st.team[gid[known & (st.team[gid] < 0)]] = obs_team[lo:hi][known & (st.team[gid] < 0)]
    for c, k, g in zip(cams.tolist(), keys.tolist(), gid.tolist(), strict=True):
        owner[(c, g)] = (k, t)
    out[idx] = gid + 1


def _owned(owner: dict, cam: int, g: int, t: int, own_frames: int) -> bool:
    """A local track of ``cam`` showed ``g`` within ``own_frames``: not free for others."""
    o = owner.get((cam, g))
    return o is not None and t - o[1] <= own_frames


def _merge_step(p: AssociationParams, st: _State, obs: Observations, lo: int, hi: int, t: int,
                out: np.ndarray, binding: dict, owner: dict, pair_since: dict, merge_frames: int,
                result: Association) -> None:
    """Ids at one spot seen by disjoint cameras for ``merge_frames`` are one player."""
    g = out[lo:hi] - 1
    cams = obs.cam[lo:hi].astype(np.int64)
    ids = np.unique(g)
    if len(ids) < 2:
        pair_since.clear()
        return
    pos = st.pos[ids]
    d = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
    ii, jj = np.nonzero(np.triu(d <= p.merge_m, 1))
    now = set()
    for a, b in zip(ids[ii].tolist(), ids[jj].tolist(), strict=True):
        if st.cls[a] != st.cls[b]:
            continue
        ca, cb = set(cams[g == a].tolist()), set(cams[g == b].tolist())
        if ca & cb:
            continue
        key = (a, b)
        now.add(key)
        since = pair_since.setdefault(key, t)
        if t - since + 1 >= merge_frames:
            old, young = (a, b) if st.first[a] <= st.first[b] else (b, a)
            _merge(st, obs, out, binding, owner, young, old, since)
            result.merges.append((young + 1, old + 1, since))
            now.discard(key)
            pair_since.pop(key, None)
            return  # ids changed: re-check next frame
    for key in list(pair_since):
        if key not in now:
            del pair_since[key]


def _merge(st: _State, obs: Observations, out: np.ndarray, binding: dict, owner: dict,
           young: int, old: int, since: int) -> None:
    rows = np.flatnonzero(out == young + 1)
    old_rows = np.flatnonzero(out == old + 1)
    key = lambda r: obs.cam[r].astype(np.int64) * (1 << 32) + obs.frame[r]  # noqa: E731
    clash = np.isin(key(rows), key(old_rows))
    if clash.any():  # both ids in one camera at once earlier: relabel only the recent part
        rows = rows[obs.frame[rows] >= since]
    out[rows] = old + 1
    for k, g in list(binding.items()):
        if g == young:
            binding[k] = old
    for (c, g), v in list(owner.items()):
        if g == young:
            owner.pop((c, g))
            owner.setdefault((c, old), v)
    st.alive[young] = False
    st.last[old] = max(st.last[old], st.last[young])
    st.first[old] = min(st.first[old], st.first[young])


def _smooth(obs: Observations, out: np.ndarray, max_len: int) -> None:
    """Within each local track, a short run of another id between two runs of one id goes
    back to that id, unless the id already has a box in that camera and frame."""
    if len(out) < 3:
        return
    order = np.lexsort((obs.frame, obs.local_id, obs.cam))
    cam, loc, gid = obs.cam[order], obs.local_id[order], out[order]
    new_track = np.concatenate([[True], (cam[1:] != cam[:-1]) | (loc[1:] != loc[:-1]), [True]])
    starts = np.flatnonzero(new_track[:-1] | np.concatenate([[True], gid[1:] != gid[:-1]]))
    ends = np.append(starts[1:], len(order))
    if len(starts) < 3:
        return
    r = np.arange(1, len(starts) - 1)
    cand = r[(ends[r] - starts[r] <= max_len) & ~new_track[starts[r]] & ~new_track[ends[r]]
             & (gid[starts[r - 1]] == gid[starts[r + 1]])]
    if not len(cand):
        return
    lengths = ends[cand] - starts[cand]
    rows = order[np.repeat(starts[cand], lengths) + (np.arange(lengths.sum()) - np.repeat(
        np.cumsum(lengths) - lengths, lengths))]
    target = np.repeat(gid[starts[cand - 1]], lengths)
    key = lambda c, f, g: (c.astype(np.int64) << 56) | (f.astype(np.int64) << 28) | g  # noqa: E731
    clash = np.isin(key(obs.cam[rows], obs.frame[rows], target), key(obs.cam, obs.frame, out))
    # a run with any clashing box keeps its id entirely
    run_of = np.repeat(np.arange(len(cand)), lengths)
    bad_run = np.zeros(len(cand), bool)
    np.logical_or.at(bad_run, run_of, clash)
    ok = ~bad_run[run_of]
    out[rows[ok]] = target[ok]


def group_ranks(obs: Observations, gid: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes ordered by (frame, id, sigma): (order, rank within its group, group start)."""
    key = obs.frame.astype(np.int64) * (1 << 32) + gid
    order = np.lexsort((obs.sigma, key))
    k = key[order]
    head = np.concatenate([[True], k[1:] != k[:-1]])
    start = np.maximum.accumulate(np.where(head, np.arange(len(k)), 0))
    return order, np.arange(len(k)) - start, start


def incompatible(obs: Observations, a: np.ndarray, b: np.ndarray, apart_m: float = CONFLICT_APART_M
                 ) -> np.ndarray:
    """Boxes ``a[i]`` and ``b[i]`` cannot be one player at one time: same camera, or
    farther apart than ``apart_m`` plus three sigmas of their combined uncertainty."""
    sig = obs.sigma
    d = np.hypot(*(obs.xy[a] - obs.xy[b]).T)
    return (obs.cam[a] == obs.cam[b]) | (d > apart_m + 3 * np.hypot(sig[a], sig[b]))


def _enforce(obs: Observations, out: np.ndarray) -> int:
    """Last guard of the invariants (merges and smoothing relabel history): in every
    (frame, id) group the boxes are kept most precise first while compatible with every
    box kept before them (:func:`incompatible`); the others move to a fresh id per
    (camera, local track, old id). Returns how many boxes moved."""
    if not len(out):
        return 0
    order, rank, start = group_ranks(obs, out)
    kept = np.ones(len(order), bool)
    for r in range(1, int(rank.max(initial=0)) + 1):  # cameras per id: a handful of ranks
        at = np.flatnonzero(rank == r)
        bad = np.zeros(len(at), bool)
        for q in range(r):
            partner = start[at] + q
            bad |= kept[partner] & incompatible(obs, order[at], order[partner])
        kept[at] = ~bad
    moved = order[~kept]
    if not len(moved):
        return 0
    trio = np.column_stack([obs.cam[moved].astype(np.int64), obs.local_id[moved], out[moved]])
    _, inv = np.unique(trio, axis=0, return_inverse=True)
    out[moved] = out.max() + 1 + inv.ravel()
    return int(len(moved))


def _compact(gid: np.ndarray) -> np.ndarray:
    """Renumber ids 1..n in order of first appearance (merged ids leave holes)."""
    if not len(gid):
        return gid
    uniq, first = np.unique(gid, return_index=True)
    rank = np.empty(len(uniq), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(1, len(uniq) + 1)
    return rank[np.searchsorted(uniq, gid)]
