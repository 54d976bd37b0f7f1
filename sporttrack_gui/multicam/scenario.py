"""End-to-end check of the association on the synthetic multi-camera match (no pixels).

Shared by the tests and ``benchmarks/bench_multicam.py`` so both measure the same thing:
per-camera tracks (the local-id ground truth, or ByteTrack on degraded detections:
jitter, random and burst misses, false positives) -> observations through the exact
homographies -> global ids -> global IDF1 vs the mean per-camera IDF1 (same global
truth), hand-offs, conflicts, fused vs single-camera position error.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.multicam import evaluate as ev
from sporttrack_gui.multicam.associate import AssociationParams, associate
from sporttrack_gui.multicam.fusion import fuse
from sporttrack_gui.multicam.observations import camera_observations, concat_observations


def degraded_detections(gt, n_frames: int, rng: np.random.Generator, *, jitter: float = 0.05,
                        miss: float = 0.2, burst: float = 0.01, false_per_frame: float = 0.3,
                        width: int = 1280, height: int = 720) -> list[Detections]:
    """A weak detector: box jitter (fraction of size), misses, ~1-2 s blind bursts per player,
    Poisson false positives, nothing for boxes under 30 % visible."""
    by = gt.by_frame()
    blind: dict[int, int] = {}
    out = []
    for f in range(1, n_frames + 1):  # a loop over frames, vectorised over boxes
        idx = by.get(f, np.zeros(0, np.int64))
        keep = (rng.random(len(idx)) >= miss) & (gt.vis[idx] >= 0.3)
        for j, i in enumerate(idx.tolist()):
            tid = int(gt.track_id[i])
            if blind.get(tid, 0) >= f:
                keep[j] = False
            elif rng.random() < burst:
                blind[tid] = f + int(rng.integers(20, 60))
                keep[j] = False
        idx = idx[keep]
        xywh = gt.xywh[idx].astype(np.float64)
        xywh += rng.normal(0, jitter, xywh.shape) * np.repeat(xywh[:, 2:], 2, axis=1)
        conf = np.clip(rng.normal(0.75, 0.15, len(idx)), 0.1, 1.0)
        cls = gt.cls[idx].astype(np.int64)
        n_fp = int(rng.poisson(false_per_frame))
        if n_fp:
            h = rng.uniform(0.04, 0.12, n_fp) * height
            fp = np.column_stack([rng.uniform(0, width - 40, n_fp), rng.uniform(0.1, 0.8, n_fp) * height,
                                  0.45 * h, h])
            xywh = np.vstack([xywh, fp])
            conf = np.concatenate([conf, rng.uniform(0.3, 0.7, n_fp)])
            cls = np.concatenate([cls, np.ones(n_fp, np.int64)])
        out.append(Detections.from_xywh(xywh.astype(np.float32), conf.astype(np.float32), cls))
    return out


def bytetrack_run(dets: list[Detections], fps: float):
    """ByteTrack (defaults) over the detections; a MotTable of its tracks."""
    from sporttrack_gui.formats.mot import MotTable
    from sporttrack_gui.track import create_tracker

    trk = create_tracker("bytetrack", frame_rate=fps)
    fr, tid, xywh, cls = [], [], [], []
    for f, d in enumerate(dets, 1):
        t = trk.update(d, None)
        fr.append(np.full(len(t), f))
        tid.append(t.track_id)
        xywh.append(t.xywh)
        cls.append(t.cls)
    return MotTable.from_arrays(np.concatenate(fr), np.concatenate(tid), np.concatenate(xywh),
                                cls=np.concatenate(cls))


def evaluate_scenario(seed: int, *, frames: int = 400, cameras: int = 3, tracks: str = "gt",
                      params: AssociationParams | None = None) -> dict[str, Any]:
    """Figures of one synthetic match; ``tracks`` is ``gt`` or ``bytetrack``."""
    from sporttrack_gui.formats.mot import MotTable
    from sporttrack_gui.media.sim_multicam import MultiCamConfig, simulate_multicam
    from sporttrack_gui.media.synthetic import MatchConfig

    m = simulate_multicam(MultiCamConfig(MatchConfig(n_frames=frames, seed=seed), cameras=cameras))
    fps = m.config.match.fps
    rng = np.random.default_rng(seed + 1_000_003)
    truth = [c.gt_global() for c in m.cameras]
    preds, parts = [], []
    for i, c in enumerate(m.cameras):
        t = c.gt if tracks == "gt" else bytetrack_run(
            degraded_detections(c.gt, c.n_frames, rng, width=c.width, height=c.height), fps)
        preds.append(t)
        parts.append(camera_observations(i, t.frame, t.track_id, t.xywh, t.cls, c.homography,
                                         offset=c.offset, image_height=c.height))
    obs = concat_observations(parts)
    t0 = time.perf_counter()
    a = associate(obs, fps, params)
    assoc_s = time.perf_counter() - t0
    fused = fuse(obs, a.global_id)
    pred_global, obs_truth = [], np.full(len(obs), -1, np.int64)
    for i, t in enumerate(preds):
        sel = np.flatnonzero(obs.cam == i)
        gid = np.zeros(len(t), np.int64)
        gid[obs.row[sel]] = a.global_id[sel]
        keep = gid > 0
        pred_global.append(MotTable(t.frame[keep], gid[keep], t.xywh[keep], t.conf[keep], t.cls[keep],
                                    t.vis[keep]))
        mr = ev.match_rows(t, truth[i])
        tr = np.where(mr >= 0, truth[i].track_id[np.maximum(mr, 0)], -1)
        obs_truth[sel] = tr[obs.row[sel]]
    per_cam = ev.per_camera_idf1(truth, preds)
    h = ev.handoff_accuracy(truth, pred_global, [c.offset for c in m.cameras])
    return {"seed": seed, "tracks": tracks, "frames": frames, "cameras": cameras,
            "global_idf1": ev.global_idf1(truth, pred_global)["idf1"], "per_camera_idf1": per_cam,
            "mean_per_camera_idf1": float(np.mean(per_cam)),
            "handoffs": h.cross_camera, "handoff_accuracy": h.accuracy,
            "conflicts": ev.conflicts(obs, a.global_id, fps), "global_ids": a.n_ids,
            "true_ids": int(len(m.track_ids)), "boxes": int(len(obs)),
            "positions": ev.position_errors(obs, fused, obs_truth, m.truth_xy, a.global_id),
            "association_s": assoc_s, "match_minutes": frames / fps / 60.0}
