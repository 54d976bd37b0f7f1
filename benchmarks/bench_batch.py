"""Batch processing on Ray: 8 synthetic matches with ``--jobs 1`` vs ``--jobs 2``.

Prints the wall time of each, the speed-up as a ratio, and Ray's overhead per task: the
``--jobs 1`` Ray batch against the same matches processed one after another in this
process (``--engine local``), plus the time Ray takes to start. Every figure comes from
the same run on the same files; nothing is asserted.

    python benchmarks/bench_batch.py [--matches 8] [--frames 6000] [--players 20]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from sporttrack_gui.batch import BatchSettings, load_jobs, run_batch
from sporttrack_gui.batch.synthetic import write_synthetic_match


def _time_batch(jobs, out: Path, **kw) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    summary = run_batch(jobs, BatchSettings(out_dir=str(out)), **kw)
    return time.perf_counter() - t0, summary.counts()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matches", type=int, default=8)
    ap.add_argument("--frames", type=int, default=6000)
    ap.add_argument("--players", type=int, default=20)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        for i in range(args.matches):
            write_synthetic_match(root / "data" / f"match{i:02d}", frames=args.frames,
                                  players=args.players, seed=i)
        jobs = load_jobs(str(root / "data" / "match*"))
        print(f"{len(jobs)} synthetic matches x {args.frames} frames x {args.players} players "
              "(public detections, ByteTrack)")
        local_s, counts = _time_batch(jobs, root / "local", engine="local")
        print(f"local, one after another : {local_s:7.2f} s  {counts}")

        from sporttrack_gui.batch.engine import _start_ray

        t0 = time.perf_counter()
        ray, _ = _start_ray(1, None)
        start_s = time.perf_counter() - t0
        ray.shutdown()
        print(f"Ray start (1 CPU)        : {start_s:7.2f} s")
        one_s, counts = _time_batch(jobs, root / "j1", engine="ray", workers=1)
        print(f"ray --jobs 1             : {one_s:7.2f} s  {counts}")
        two_s, counts = _time_batch(jobs, root / "j2", engine="ray", workers=2)
        print(f"ray --jobs 2             : {two_s:7.2f} s  {counts}")
        print(f"speed-up --jobs 2 vs 1   : {one_s / two_s:7.2f}x")
        per_task = (one_s - start_s - local_s) / len(jobs)
        print(f"Ray overhead per task    : {per_task * 1000:7.0f} ms "
              f"(jobs-1 batch minus start minus local, over {len(jobs)} tasks)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
