"""Synthetic matches as MOT folders without images (seqinfo.ini, gt, det): a season in seconds.

Why: batch processing, resuming and the season table are about many long matches; rendering
pixels for them would cost minutes and test nothing more. Players walk with smooth random
velocities inside a 1280x720 frame, cross each other, and the detections are the true boxes
with size-relative noise, misses (more for small boxes) and a few false positives, so an
IoU tracker has real work to do. Seeded: the same call writes the same files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sporttrack_gui.formats.mot import write_mot
from sporttrack_gui.formats.mot_table import MotTable
from sporttrack_gui.formats.seqinfo import SeqInfo, write_seqinfo

WIDTH, HEIGHT = 1280, 720


def simulate_boxes(frames: int, players: int, seed: int) -> MotTable:
    """True boxes (gt) of ``players`` walkers over ``frames`` frames."""
    rng = np.random.default_rng(seed)
    h = rng.uniform(60, 140, players)
    w = h * rng.uniform(0.35, 0.45, players)
    pos = np.c_[rng.uniform(0, WIDTH, players), rng.uniform(0, HEIGHT, players)]
    vel = rng.normal(0, 3, (players, 2))
    out = np.empty((frames, players, 2))
    for f in range(frames):
        vel = 0.97 * vel + rng.normal(0, 0.4, (players, 2))
        pos = pos + vel
        for d, size in ((0, WIDTH), (1, HEIGHT)):  # bounce off the edges
            low, high = pos[:, d] < 0, pos[:, d] > size
            vel[low | high, d] *= -1
            pos[:, d] = np.clip(pos[:, d], 0, size)
        out[f] = pos
    frame = np.repeat(np.arange(1, frames + 1), players)
    tid = np.tile(np.arange(1, players + 1), frames)
    cx, cy = out[..., 0].ravel(), out[..., 1].ravel()
    ww, hh = np.tile(w, frames), np.tile(h, frames)
    xywh = np.c_[cx - ww / 2, cy - hh, ww, hh]
    return MotTable.from_arrays(frame, tid, xywh, conf=1, cls=1, vis=1)


def degrade(gt: MotTable, seed: int, miss: float = 0.06, noise: float = 0.04,
            false_per_frame: float = 0.3) -> MotTable:
    """Detections from ``gt``: noise, misses (twice as likely for the smallest third) and
    false positives; ids -1, scores between 0.3 and 1."""
    rng = np.random.default_rng(seed + 1000)
    small = gt.xywh[:, 3] < np.quantile(gt.xywh[:, 3], 1 / 3) if len(gt) else np.zeros(0, bool)
    keep = rng.random(len(gt)) > np.where(small, 2 * miss, miss)
    det = gt.select(keep)
    jitter = rng.normal(0, noise, (len(det), 4)) * det.xywh[:, [2, 3, 2, 3]]
    xywh = det.xywh + jitter
    xywh[:, 2:] = np.maximum(xywh[:, 2:], 4)
    conf = np.clip(rng.normal(0.8, 0.12, len(det)), 0.3, 1.0)
    frames = int(gt.frame.max()) if len(gt) else 0
    n_fp = rng.poisson(false_per_frame * frames)
    fp_frame = rng.integers(1, frames + 1, n_fp) if frames else np.zeros(0, int)
    fp = np.c_[rng.uniform(0, WIDTH - 40, n_fp), rng.uniform(0, HEIGHT - 90, n_fp),
               rng.uniform(20, 40, n_fp), rng.uniform(50, 90, n_fp)]
    table = MotTable.from_arrays(np.r_[det.frame, fp_frame], np.full(len(det) + n_fp, -1),
                                 np.r_[xywh, fp], conf=np.r_[conf, rng.uniform(0.3, 0.6, n_fp)],
                                 cls=-1, vis=-1)
    return table.sorted()


def write_synthetic_match(folder: str | Path, *, frames: int = 750, players: int = 20,
                          seed: int = 0, fps: float = 25.0) -> Path:
    """Write a MOT folder (``seqinfo.ini``, ``gt/gt.txt``, ``det/det.txt``); returns it."""
    folder = Path(folder)
    gt = simulate_boxes(frames, players, seed)
    (folder / "gt").mkdir(parents=True, exist_ok=True)
    (folder / "det").mkdir(parents=True, exist_ok=True)
    write_seqinfo(folder / "seqinfo.ini", SeqInfo(name=folder.name, frame_rate=fps,
                                                  seq_length=frames, width=WIDTH,
                                                  height=HEIGHT))
    write_mot(folder / "gt" / "gt.txt", gt, kind="gt")
    write_mot(folder / "det" / "det.txt", degrade(gt, seed), kind="det")
    return folder
