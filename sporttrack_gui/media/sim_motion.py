"""Player and ball trajectories of the synthetic match, in pitch metres.

Why waypoints + cubic Hermite: footballers walk, jog and sprint between spots with
smooth velocity changes; keyframes every 1-3.5 s with a speed drawn from a walk/jog/sprint
mix, joined by C1 cubic segments, look like that and evaluate vectorised over 135,000
frames in milliseconds. Speeds are kept at or below ``MAX_SPEED`` by construction (a
segment whose Hermite curve would overshoot gets zero end tangents: its peak is then
1.5x its mean speed, and mean speeds are capped at ``MAX_SPEED / 1.5``).

Scripted segments (crossings, the walk behind the occluder) are keyframe lists that the
random motion is grown from, backwards and forwards in time, so every event happens
exactly where and when it was placed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sporttrack_gui.media.sim_camera import PITCH_LENGTH

MAX_SPEED = 8.0                      # m/s, a fast sprint
_MEAN_SPEED_CAP = MAX_SPEED / 1.5    # see module docstring
ZONE_HALF_WIDTH = 10.0               # m either side of the camera centre where play happens
ZONE_Y = (8.0, 56.0)                 # m, depth band of random play (occluder stands beyond)


@dataclass
class Keyframes:
    """Times (s, increasing) and positions (K,2) a trajectory passes through."""

    t: np.ndarray
    xy: np.ndarray


def _speed_sample(rng: np.random.Generator, n: int) -> np.ndarray:
    """Walk / jog / sprint mixture of mean segment speeds (m/s)."""
    kind = rng.random(n)
    walk = rng.uniform(0.6, 2.0, n)
    jog = rng.uniform(2.5, 4.2, n)
    sprint = rng.uniform(4.5, _MEAN_SPEED_CAP, n)
    return np.where(kind < 0.45, walk, np.where(kind < 0.85, jog, sprint))


def random_walk(rng: np.random.Generator, start_t: float, end_t: float, start_xy: np.ndarray,
                zone_x: np.ndarray, fps: float, backwards: bool = False) -> Keyframes:
    """Random waypoints from ``start_xy`` at ``start_t`` until ``end_t`` (or back to it).

    ``zone_x`` is the camera centre per frame: targets stay within the action zone
    around it so the players remain mostly in view while the camera pans.
    """
    span = abs(end_t - start_t)
    n = max(2, int(span / 1.0) + 2)
    dur = rng.uniform(1.0, 3.5, n)
    reach = (_speed_sample(rng, n) * dur).tolist()
    ang = rng.uniform(0, 2 * np.pi, n)
    dxs, dys = np.cos(ang).tolist(), np.sin(ang).tolist()
    sign = -1.0 if backwards else 1.0
    times = start_t + sign * np.concatenate([[0.0], np.cumsum(dur)])
    frames = np.clip(np.round(times * fps), 0, len(zone_x) - 1).astype(np.int64)
    zx = zone_x[frames].tolist()
    x, y = float(start_xy[0]), float(start_xy[1])
    xs, ys = [x], [y]
    y_lo, y_hi = ZONE_Y
    # plain floats: this loop runs ~5,000 times per player on a 90-minute match
    for i in range(n):
        x_lo = max(1.0, zx[i + 1] - ZONE_HALF_WIDTH)
        x_hi = min(PITCH_LENGTH - 1.0, zx[i + 1] + ZONE_HALF_WIDTH)
        tx, ty = x + reach[i] * dxs[i], y + reach[i] * dys[i]
        # reflect off the zone edges, then clamp (the zone moves with the camera)
        tx = 2 * x_lo - tx if tx < x_lo else (2 * x_hi - tx if tx > x_hi else tx)
        ty = 2 * y_lo - ty if ty < y_lo else (2 * y_hi - ty if ty > y_hi else ty)
        tx, ty = min(max(tx, x_lo), x_hi), min(max(ty, y_lo), y_hi)
        dx, dy = tx - x, ty - y
        dist = math.hypot(dx, dy)
        if dist > reach[i]:  # never faster than the sampled speed
            dx, dy = dx * reach[i] / dist, dy * reach[i] / dist
        x, y = x + dx, y + dy
        xs.append(x)
        ys.append(y)
        if (times[i + 1] <= end_t) if backwards else (times[i + 1] >= end_t):
            break
    times = times[: len(xs)]
    pts = np.column_stack([xs, ys])
    if backwards:
        pts, times = pts[::-1], times[::-1]
    return Keyframes(times, pts)


def join(*parts: Keyframes) -> Keyframes:
    """Concatenate keyframe lists that share their boundary keyframes."""
    t = [parts[0].t]
    xy = [parts[0].xy]
    for p in parts[1:]:
        t.append(p.t[1:])
        xy.append(p.xy[1:])
    return Keyframes(np.concatenate(t), np.concatenate(xy))


def _tangents(kf: Keyframes) -> np.ndarray:
    """Mean of adjacent segment velocities, zero at both ends."""
    v = np.diff(kf.xy, axis=0) / np.diff(kf.t)[:, None]
    m = np.zeros_like(kf.xy)
    m[1:-1] = 0.5 * (v[:-1] + v[1:])
    return m


def _hermite(p0, p1, m0, m1, dt, u):
    u2, u3 = u * u, u * u * u
    return ((2 * u3 - 3 * u2 + 1)[:, None] * p0 + (u3 - 2 * u2 + u)[:, None] * (dt[:, None] * m0)
            + (-2 * u3 + 3 * u2)[:, None] * p1 + (u3 - u2)[:, None] * (dt[:, None] * m1))


def _hermite_speed(p0, p1, m0, m1, dt, u):
    u2 = u * u
    d = ((6 * u2 - 6 * u)[:, None] * p0 + (3 * u2 - 4 * u + 1)[:, None] * (dt[:, None] * m0)
         + (-6 * u2 + 6 * u)[:, None] * p1 + (3 * u2 - 2 * u)[:, None] * (dt[:, None] * m1))
    return np.hypot(d[:, 0], d[:, 1]) / dt


def _safe_tangents(kf: Keyframes) -> np.ndarray:
    """Tangents with overshooting segments flattened until no segment exceeds MAX_SPEED."""
    m = _tangents(kf)
    dt = np.diff(kf.t)
    us = np.linspace(0, 1, 11)
    for _ in range(len(dt) + 1):
        seg = np.repeat(np.arange(len(dt)), len(us))
        u = np.tile(us, len(dt))
        sp = _hermite_speed(kf.xy[seg], kf.xy[seg + 1], m[seg], m[seg + 1], dt[seg], u)
        bad = np.unique(seg[sp > MAX_SPEED])
        if len(bad) == 0:
            break
        m[bad] = 0.0
        m[bad + 1] = 0.0
    return m


def sample(kf: Keyframes, times: np.ndarray) -> np.ndarray:
    """Positions (T,2) at ``times`` (clamped to the keyframe span)."""
    m = _safe_tangents(kf)
    t = np.clip(times, kf.t[0], kf.t[-1])
    seg = np.clip(np.searchsorted(kf.t, t, side="right") - 1, 0, len(kf.t) - 2)
    dt = kf.t[seg + 1] - kf.t[seg]
    u = (t - kf.t[seg]) / dt
    return _hermite(kf.xy[seg], kf.xy[seg + 1], m[seg], m[seg + 1], dt, u)


def ball_track(rng: np.random.Generator, players_xy: np.ndarray, fps: float) -> np.ndarray:
    """Ball positions (T,2): at a possessor's feet, passed to a nearby player every 1-4 s.

    Passes travel in a straight line at ~14 m/s from where the passer kicked to where the
    receiver is when it arrives, so the ball never jumps.
    """
    n_t, n_p = players_xy.shape[:2]
    out = np.empty((n_t, 2))
    offset = np.array([0.35, 0.25])
    holder = int(rng.integers(n_p))
    t = 0
    while t < n_t:
        hold = int(rng.uniform(1.0, 4.0) * fps)
        end = min(n_t, t + hold)
        out[t:end] = players_xy[t:end, holder] + offset
        t = end
        if t >= n_t:
            break
        d = np.hypot(*(players_xy[t, :] - players_xy[t, holder]).T)
        d[holder] = np.inf
        receiver = int(rng.choice(np.argsort(d)[: min(4, n_p - 1)]))
        start = out[t - 1]
        n_fly = max(3, int(d[receiver] / 14.0 * fps))
        arrive = min(n_t - 1, t + n_fly)
        goal = players_xy[arrive, receiver] + offset
        w = (np.arange(t, arrive + 1) - (t - 1)) / (arrive + 1 - (t - 1))
        out[t:arrive + 1] = start + w[:, None] * (goal - start)
        t = arrive + 1
        holder = receiver
    return out
