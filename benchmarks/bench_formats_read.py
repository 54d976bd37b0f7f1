"""Parse speed of a full-match gt.txt (135,000 frames x 25 boxes = 3.4 M rows).

Prints rows/s of ``read_mot`` (numpy parse + full validation), of the bare tokenizer, and
of ``read_mot_lenient`` on the same file with three broken lines, next to
``pandas.read_csv`` on the same bytes as the peer (it only parses: no validation, no line
numbers). Also prints ``write_mot`` against ``DataFrame.to_csv``. Wall and CPU seconds
are both shown because the machine is shared; ratios use CPU seconds, best of
``--repeat``. Nothing is asserted.

    .venv/bin/python benchmarks/bench_formats_read.py [--frames 135000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sporttrack_gui.formats.mot import MotTable, read_mot, read_mot_lenient, write_mot  # noqa: E402
from sporttrack_gui.formats.numtext import parse_numeric_text  # noqa: E402


def match_table(frames: int, per_frame: int = 25, seed: int = 0) -> MotTable:
    """Integer boxes with one decimal on x (like interpolated annotations), visibility 0..1."""
    rng = np.random.default_rng(seed)
    n = frames * per_frame
    xy = rng.uniform(0, 1800, (n, 2)).round(0)
    xy[:, 0] = rng.uniform(0, 1800, n).round(1)
    wh = rng.uniform(10, 200, (n, 2)).round(0)
    return MotTable.from_arrays(np.repeat(np.arange(1, frames + 1), per_frame),
                                np.tile(np.arange(1, per_frame + 1), frames),
                                np.concatenate([xy, wh], axis=1), conf=1,
                                cls=rng.integers(1, 4, n), vis=rng.uniform(0, 1, n).round(2))


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Best (wall, cpu) seconds over ``repeat`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, result


def line(label: str, rows: int, wall: float, cpu: float) -> None:
    print(f"  {label:<34} {wall:7.2f} s wall {cpu:7.2f} s cpu {rows / cpu / 1e6:7.2f} M rows/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=135_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    import pandas as pd

    table = match_table(args.frames)
    rows = len(table)
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
        path = Path(tmp) / "gt.txt"
        print(f"gt.txt: {rows:,} rows ({args.frames:,} frames x 25 boxes), 9 columns")
        w_wall, w_cpu, _ = timed(lambda: write_mot(path, table, kind="gt"), 1)
        data = path.read_bytes()
        print(f"file: {len(data) / 1e6:.1f} MB")
        frame = pd.DataFrame({"frame": table.frame, "id": table.track_id,
                              **{c: table.xywh[:, i] for i, c in enumerate("xywh")},
                              "conf": table.conf, "cls": table.cls, "vis": table.vis})
        pw_wall, pw_cpu, _ = timed(lambda: frame.to_csv(Path(tmp) / "pd.txt", header=False,
                                                        index=False), 1)

        print("read")
        r_wall, r_cpu, back = timed(lambda: read_mot(path), args.repeat)
        line("read_mot (parse + validate)", rows, r_wall, r_cpu)
        t_wall, t_cpu, _ = timed(lambda: parse_numeric_text(data), args.repeat)
        line("tokenizer only", rows, t_wall, t_cpu)
        p_wall, p_cpu, _ = timed(lambda: pd.read_csv(io.BytesIO(data), header=None),
                                 args.repeat)
        line("peer: pandas.read_csv", rows, p_wall, p_cpu)
        broken = Path(tmp) / "gt_broken.txt"
        text = data.split(b"\n")
        for at, bad in ((10, b"11,3,5,5,-3,4,1,1,1"), (rows // 2, b"9,9,9"),
                        (rows - 5, b"1,1,1,1,1,1,1,1,1")):
            text[at] = bad
        broken.write_bytes(b"\n".join(text))
        l_wall, l_cpu, (lt, problems) = timed(lambda: read_mot_lenient(broken), 1)
        line(f"read_mot_lenient ({len(problems)} problems)", rows, l_wall, l_cpu)
        print(f"  round trip equal: {back.equals(table)}; lenient kept {len(lt):,} rows")
        print(f"  ratio read_mot / pandas (rows/s, cpu): {p_cpu / r_cpu:.2f}")
        print(f"  ratio tokenizer / pandas (rows/s, cpu): {p_cpu / t_cpu:.2f}")

        print("write")
        line("write_mot", rows, w_wall, w_cpu)
        line("peer: DataFrame.to_csv", rows, pw_wall, pw_cpu)
        print(f"  ratio write_mot / to_csv (rows/s, cpu): {pw_cpu / w_cpu:.2f}")


if __name__ == "__main__":
    main()
