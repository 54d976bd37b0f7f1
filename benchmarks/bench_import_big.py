"""Memory of importing a big gt.txt: peak RSS of ``sporttrack import`` on a 200 MB file.

Issue #21: a 200 MB gt.txt (5.4 M rows) took 2.55 GB RSS (12.7x the file) and died with
``MemoryError`` under a 1.5 GB limit. The import now reads the file in chunks of lines
into compact columns (40 bytes a box instead of every token as float64 plus the text) and
writes them in one transaction. The file is generated in a temporary folder (never in
the repository), imported by a child process, and the child's peak RSS is printed with
the file size and the ratio; a second line imports 1/8 of the rows for a same-run
comparison, and how long opening the result takes for writing (writers run SQLite's
``quick_check`` first, so a damaged file is refused) and read-only. Nothing is asserted;
the goal is < 1 GiB.

    .venv/bin/python benchmarks/bench_import_big.py [--rows 5400000] [--limit-mb 0]

``--limit-mb`` also runs the import under ``RLIMIT_AS`` of that size (as the issue's
1.5 GB trial did).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def write_gt(path: Path, rows: int, ids: int = 40, seed: int = 0) -> None:
    """A SoccerNet-like gt.txt (9 columns, ``ids`` boxes a frame), written in blocks."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii") as fh:
        for r0 in range(0, rows, 500_000):
            r = np.arange(r0, min(r0 + 500_000, rows))
            n = len(r)
            xy = rng.uniform(0, 1800, (n, 2))
            wh = rng.uniform(20, 200, (n, 2))
            vis = rng.uniform(0, 1, n)
            fh.writelines(
                f"{a},{b},{c:.1f},{d:.1f},{e:.1f},{g:.1f},1,1,{v:.2f}\n"
                for a, b, c, d, e, g, v in zip((r // ids + 1).tolist(), (r % ids + 1).tolist(),
                                               xy[:, 0].tolist(), xy[:, 1].tolist(),
                                               wh[:, 0].tolist(), wh[:, 1].tolist(),
                                               vis.tolist(), strict=True))


_CHILD = """
import resource, sys
limit = int(sys.argv[3])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from sporttrack_gui.cli.main import main
code = main(["import", sys.argv[1], sys.argv[2], "--name", "big"])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
import time
from sporttrack_gui.project import Project
t0 = time.perf_counter()
Project.open(sys.argv[1]).close()  # a writer's open runs quick_check on the whole file
print("OPEN_S", time.perf_counter() - t0)
t0 = time.perf_counter()
Project.open(sys.argv[1], readonly=True).close()
print("OPEN_RO_S", time.perf_counter() - t0)
sys.exit(code)
"""


def import_peak(gt_dir: Path, project: Path, limit_bytes: int = 0) -> tuple[int, float, int, str]:
    """(exit code, seconds, peak RSS in bytes, stderr tail) of one import in a child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(project), str(gt_dir),
                           str(limit_bytes)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    peak, opens = 0, ""
    for line in proc.stdout.splitlines():
        if line.startswith("PEAK_KB"):
            peak = int(line.split()[1]) * 1024
        elif line.startswith("OPEN_S"):
            opens += f"  open for writing (quick_check) {float(line.split()[1]):.2f} s"
        elif line.startswith("OPEN_RO_S"):
            opens += f", read-only {float(line.split()[1]):.3f} s"
    return proc.returncode, wall, peak, (proc.stderr.strip()[-300:] if proc.returncode
                                         else opens)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_400_000)
    ap.add_argument("--limit-mb", type=int, default=0)
    args = ap.parse_args()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with tempfile.TemporaryDirectory(prefix="bench-import-big-") as tmp:
        for rows in (max(args.rows // 8, 1), args.rows):
            seq = Path(tmp) / f"seq{rows}"
            gt = seq / "gt" / "gt.txt"
            write_gt(gt, rows)
            size = gt.stat().st_size
            code, wall, peak, err = import_peak(seq, Path(tmp) / f"p{rows}.stp")
            print(f"rows {rows:>9,}  file {size / 2**20:7.1f} MiB  exit {code}  "
                  f"{wall:6.1f} s  peak RSS {peak / 2**20:7.1f} MiB  "
                  f"({peak / size:4.2f}x the file)\n  {err}")
            if args.limit_mb and rows == args.rows:
                code, wall, peak, err = import_peak(seq, Path(tmp) / f"q{rows}.stp",
                                                    args.limit_mb * 2**20)
                print(f"  under RLIMIT_AS {args.limit_mb} MiB: exit {code}, {wall:.1f} s"
                      + (f"\n  {err}" if code else ""))
    print(f"(benchmark process itself: {base / 2**20:.0f} MiB; machine shared and loaded, "
          "absolute times are inflated)")


if __name__ == "__main__":
    main()
