"""Distance covered, speed and sprints per track from pitch positions.

Foot points jitter by a few pixels from frame to frame (a pixel is 0.1-0.3 m far from
the camera); summed naively at 25 Hz that jitter adds kilometres that were never run.
So positions are smoothed (centred moving average inside each continuous stretch of a
track, ``smooth_s``) and then differenced at a lower rate (``sample_s``), which is how
optical tracking providers report distance. Vectorised over all tracks at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sporttrack_gui.pitch.mapping import PitchPositions


@dataclass
class TrackKinematics:
    track_id: np.ndarray  # (K,)
    distance_m: np.ndarray  # (K,)
    top_speed_kmh: np.ndarray  # (K,)
    mean_speed_kmh: np.ndarray  # (K,) distance over time seen
    sprints: np.ndarray  # (K,) stretches above the sprint threshold for >= sprint_min_s
    sprint_distance_m: np.ndarray  # (K,)
    frames_seen: np.ndarray  # (K,)

    def rows(self) -> list[dict]:
        return [
            {"track_id": int(t), "distance_m": round(float(d), 2), "top_speed_kmh": round(float(s), 2),
             "mean_speed_kmh": round(float(m), 2), "sprints": int(n),
             "sprint_distance_m": round(float(sd), 2), "frames": int(f)}
            for t, d, s, m, n, sd, f in zip(self.track_id, self.distance_m, self.top_speed_kmh,
                                            self.mean_speed_kmh, self.sprints,
                                            self.sprint_distance_m, self.frames_seen, strict=True)
        ]


def _segment_rolling_mean(values: np.ndarray, seg_start: np.ndarray, seg_end: np.ndarray,
                          half: int) -> np.ndarray:
    """Centred mean over ``[i-h, i+h]``, ``h`` shrunk symmetrically near segment ends.

    A symmetric window keeps straight-line motion unbiased up to the last sample; a
    one-sided window at the ends would pull them inwards and lose distance.
    """
    idx = np.arange(len(values))
    h = np.minimum(np.minimum(half, idx - seg_start), seg_end - idx)
    lo = idx - h
    hi = idx + h
    cs = np.concatenate([np.zeros((1,) + values.shape[1:]), np.cumsum(values, axis=0)])
    count = (hi - lo + 1).reshape((-1,) + (1,) * (values.ndim - 1))
    return (cs[hi + 1] - cs[lo]) / count


def track_kinematics(pos: PitchPositions, fps: float, *, smooth_s: float = 0.6,
                     sample_s: float = 0.2, max_gap_frames: int = 5, sprint_kmh: float = 25.0,
                     sprint_min_s: float = 1.0, max_speed_kmh: float = 45.0) -> TrackKinematics:
    """Per-track distance (m), top/mean speed (km/h) and sprints.

    A track's stretches are split at gaps longer than ``max_gap_frames``. Steps faster
    than ``max_speed_kmh`` (no footballer runs faster: such jumps are ID switches or
    calibration errors) count neither as distance nor as top speed.
    """
    ok = np.isfinite(pos.xy).all(axis=1)
    frame = pos.frame[ok].astype(np.int64)
    tid = pos.track_id[ok].astype(np.int64)
    xy = pos.xy[ok]
    order = np.lexsort((frame, tid))
    frame, tid, xy = frame[order], tid[order], xy[order]
    n = len(frame)
    ids = np.unique(tid)
    k = len(ids)
    frames_seen = np.bincount(np.searchsorted(ids, tid), minlength=k) if n else np.zeros(0, np.int64)
    zeros = np.zeros(k)
    if n < 2:
        return TrackKinematics(ids, zeros, zeros, zeros, np.zeros(k, np.int64), zeros, frames_seen)
    new_seg = np.ones(n, bool)
    new_seg[1:] = (tid[1:] != tid[:-1]) | (np.diff(frame) > max_gap_frames)
    seg_id = np.cumsum(new_seg) - 1
    starts = np.flatnonzero(new_seg)
    ends = np.append(starts[1:] - 1, n - 1)
    half = max(int(round(smooth_s * fps / 2)), 0)
    smooth = _segment_rolling_mean(xy, starts[seg_id], ends[seg_id], half) if half else xy
    # resample each stretch at ~1/sample_s Hz (always keeping its last row)
    stride = max(1, int(round(sample_s * fps)))
    offset = frame - frame[starts[seg_id]]
    keep = (offset % stride == 0)
    keep[ends] = True
    s_frame, s_tid, s_seg, s_xy = frame[keep], tid[keep], seg_id[keep], smooth[keep]
    same = s_seg[1:] == s_seg[:-1]
    step = np.linalg.norm(np.diff(s_xy, axis=0), axis=1)
    dt = np.diff(s_frame) / fps
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(same & (dt > 0), step / dt * 3.6, 0.0)
    valid = same & (speed <= max_speed_kmh)
    track_of_step = np.searchsorted(ids, s_tid[1:])
    distance = np.bincount(track_of_step[valid], weights=step[valid], minlength=k)
    time_seen = np.bincount(track_of_step[same], weights=dt[same], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_speed = np.where(time_seen > 0, distance / time_seen * 3.6, 0.0)
    speed_valid = np.where(valid, speed, 0.0)
    top = np.zeros(k)
    np.maximum.at(top, track_of_step, speed_valid)
    # sprints: consecutive valid steps at or above the threshold; boundary steps have
    # speed 0, so a run never spans two stretches or two tracks
    fast = speed_valid >= sprint_kmh
    sprints = np.zeros(k, np.int64)
    sprint_dist = np.zeros(k)
    if fast.any():
        run_start = fast & np.concatenate([[True], ~fast[:-1]])
        rid = (np.cumsum(run_start) - 1)[fast]
        run_time = np.bincount(rid, weights=dt[fast])
        run_dist = np.bincount(rid, weights=step[fast])
        run_track = np.zeros(len(run_time), np.int64)
        run_track[rid] = track_of_step[fast]
        long_runs = run_time >= sprint_min_s - 1e-9
        np.add.at(sprints, run_track[long_runs], 1)
        np.add.at(sprint_dist, run_track[long_runs], run_dist[long_runs])
    return TrackKinematics(ids, distance, top, mean_speed, sprints, sprint_dist, frames_seen)
