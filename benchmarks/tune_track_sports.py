"""Coordinate-descent tuning of one built-in tracker on the TUNE half only.

    python benchmarks/tune_track_sports.py cbiou [--passes 2] [--frames N]

How the defaults in ``resources/trackers/*.yaml`` were chosen (see
``bench_track_sports.py``): the objective is the mean of HOTA and IDF1 at both levels
on the tune sequences and seeds; this script cannot see the held-out half (it only
reads ``SPLITS["tune"]``). It prints the best parameters; copying them into the YAML is
a human decision. Ours only, so the project venv is enough (TrackEval is a dev extra).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np  # noqa: E402
from bench_track_sports import SPLITS, eval_seq, load_seq, ours, score  # noqa: E402

from sporttrack_gui.track import tracker_specs  # noqa: E402
from sporttrack_gui.track.degrade import degrade  # noqa: E402

LEVELS = ("moderate", "hard")

#: candidate values per parameter (a parameter a tracker lacks is skipped)
GRID: dict[str, list] = {
    "track_high_thresh": [0.3, 0.4, 0.5, 0.6],
    "track_low_thresh": [0.05, 0.1, 0.2],
    "new_track_thresh": [0.3, 0.4, 0.5, 0.6, 0.7],
    "match_thresh": [0.7, 0.8, 0.9, 0.95],
    "second_match_thresh": [0.4, 0.5, 0.6, 0.7],
    "unconfirmed_match_thresh": [0.6, 0.7, 0.8],
    "track_buffer": [30, 60, 90],
    "fuse_score": [False, True],
    "lost_velocity_decay": [0.8, 0.9, 1.0],
    "buffer_first": [0.0, 0.1, 0.2, 0.3],
    "buffer_cascade": [0.0, 0.3, 0.5],
    "cascade_match_thresh": [0.7, 0.8, 0.9],
    "buffer_low": [0.0, 0.1, 0.2, 0.3],
    "det_thresh": [0.4, 0.5, 0.6],
    "low_thresh": [0.05, 0.1, 0.2],
    "iou_threshold": [0.1, 0.2, 0.3],
    "min_hits": [1, 2, 3],
    "max_age": [30, 60, 90],
    "inertia": [0.0, 0.1, 0.2, 0.4],
    "delta_t": [1, 3, 5],
    "use_byte": [False, True],
    "use_oru": [False, True],
    "min_conf": [0.05, 0.1, 0.2, 0.3],
    "n_init": [1, 2, 3],
    "max_iou_distance": [0.7, 0.8, 0.9],
    "lambda_motion": [0.0, 0.3, 1.0],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tracker")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--frames", type=int, default=None, help="first N frames per sequence")
    ap.add_argument("--params", nargs="*", default=None, help="only these parameters")
    args = ap.parse_args()
    names, seeds = SPLITS["tune"]  # never the held-out half
    seqs = [s for s in (load_seq(n, args.frames) for n in names) if s]
    if not seqs:
        print("tune sequences not found")
        return 1
    cases = [(seq, degrade(*seq.gt, seq.n_frames, seq.width, seq.height, lv, seed), lv)
             for lv in LEVELS for seq in seqs for seed in seeds]
    defaults = tracker_specs()[args.tracker].defaults

    def objective(params: dict) -> float:
        runner = ours(args.tracker, **params)
        per_level: dict[str, list] = {lv: [] for lv in LEVELS}
        for seq, dets, lv in cases:
            per_level[lv].append(eval_seq(seq, runner(dets, seq)[0]))
        sc = [score(v) for v in per_level.values()]
        return float(np.mean([s["HOTA"] for s in sc] + [s["IDF1"] for s in sc]))

    best: dict = {}
    best_val = objective(best)
    print(f"start {best_val:.4f}", flush=True)
    keys = [k for k in GRID if k in defaults and (args.params is None or k in args.params)]
    for p in range(args.passes):
        improved = False
        for k in keys:
            for v in GRID[k]:
                cur = best.get(k, defaults[k])
                if v == cur:
                    continue
                trial = {**best, k: v}
                val = objective(trial)
                if val > best_val + 1e-4:
                    best, best_val, improved = trial, val, True
                    print(f"pass {p}: {k}={v} -> {val:.4f}", flush=True)
        if not improved:
            break
    print(f"best {best_val:.4f}: {best}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
