"""Tracker-only speed at a fixed number of boxes per frame, vs ultralytics' BYTETracker.

    .venv/bin/python benchmarks/bench_track_speed.py [--boxes 25] [--frames 2000] [--repeat 3]

Scene: N players walking with random velocities and turns, 2 % jitter, 5 % misses and
two false positives per frame; the same precomputed ``Detections`` go to every tracker.
Reports, best of ``repeat`` runs, CPU ms/frame (``time.process_time``: what the tracker
costs, robust to other jobs on a shared machine) and wall ms/frame, fps from CPU time, and
ultralytics/ours ratios measured in the same process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _soccernet_degrade import ultralytics_bytetrack  # noqa: E402

from sporttrack_gui.core.boxes import Detections  # noqa: E402
from sporttrack_gui.track import create_tracker  # noqa: E402


def scene(n_boxes: int, n_frames: int, seed: int = 0) -> list[Detections]:
    rng = np.random.default_rng(seed)
    pos = rng.uniform([0, 200], [1800, 900], (n_boxes, 2))
    vel = rng.normal(0, 3, (n_boxes, 2))
    size = rng.uniform([25, 60], [45, 120], (n_boxes, 2))
    out = []
    for _ in range(n_frames):
        vel += rng.normal(0, 0.3, vel.shape)
        pos = np.clip(pos + vel, [0, 0], [1880, 960])
        xy = pos + rng.normal(0, 0.02, pos.shape) * size
        keep = rng.random(n_boxes) >= 0.05
        boxes = np.column_stack([xy, xy + size])[keep]
        fp_xy = rng.uniform(0, 1800, (2, 2))
        boxes = np.concatenate([boxes, np.column_stack([fp_xy, fp_xy + [30, 80]])])
        conf = np.concatenate([rng.uniform(0.5, 0.95, keep.sum()), rng.uniform(0.1, 0.4, 2)])
        out.append(Detections(boxes, conf))
    return out


def time_it(update, dets: list[Detections]) -> tuple[float, float]:
    """(CPU ms/frame, wall ms/frame)."""
    c0, t0 = time.process_time(), time.perf_counter()
    for d in dets:
        update(d)
    n = len(dets)
    return 1000 * (time.process_time() - c0) / n, 1000 * (time.perf_counter() - t0) / n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxes", type=int, default=25)
    ap.add_argument("--frames", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    dets = scene(args.boxes, args.frames)
    makers = {
        "ultralytics BYTETracker": lambda: ultralytics_bytetrack(),
        "ours bytetrack": lambda: (lambda t: lambda d: t.update(d, None))(create_tracker("bytetrack")),
        "ours sort": lambda: (lambda t: lambda d: t.update(d, None))(create_tracker("sort")),
        "ours deepsort (no pixels)": lambda: (lambda t: lambda d: t.update(d, None))(
            create_tracker("deepsort", embedder="none")),
    }
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    for _ in range(args.repeat):
        for label, make in makers.items():
            c, w = time_it(make(), dets)
            cpu[label] = min(cpu.get(label, np.inf), c)
            wall[label] = min(wall.get(label, np.inf), w)
    print(f"{args.boxes} boxes/frame (+2 false positives), {args.frames} frames, best of {args.repeat}")
    print(f"{'tracker':<28}{'cpu ms/f':>10}{'wall ms/f':>10}{'fps(cpu)':>10}{'ultralytics/this (cpu, wall)':>31}")
    ucpu, uwall = cpu["ultralytics BYTETracker"], wall["ultralytics BYTETracker"]
    for label in makers:
        print(f"{label:<28}{cpu[label]:10.3f}{wall[label]:10.3f}{1000 / cpu[label]:10.0f}"
              f"{ucpu / cpu[label]:20.2f}x {uwall / wall[label]:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
