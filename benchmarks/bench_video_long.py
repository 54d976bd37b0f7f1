"""Match-length video: open-to-first-frame and random access, PyAV backend vs the old
OpenCV reader, on a generated long-GOP 720p H.264 file and a variable-frame-rate file.

    python benchmarks/bench_video_long.py                    # 30,000 frames (encoding takes minutes)
    python benchmarks/bench_video_long.py --frames 6000 --out /tmp/bench-video

The files are written outside the repository (default: ``$TMPDIR/sporttrack-bench-video``)
and reused by later runs with the same parameters. Content is simple and synthetic
(a moving block and frame-number bits on a flat field), encoded with libx264
``ultrafast``, keyframe interval ``--gop`` (x264's default 250 = 10 s at 25 fps).

Printed per file: time to open and show the first frame with a cold packet index and
with the cached one, and the latency of 200 random frames (median, p95), for PyAV and
for the old OpenCV path (which counts frames by decoding the whole file), with the
ratio old/new; for the long file also the scrub proxies (build time, size, and the time
to a picture for 200 random frames). Figures depend on the machine's load: compare the ratio within one run.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _frame(i: int, w: int, h: int, base: np.ndarray) -> np.ndarray:
    img = base.copy()
    x = (i * 7) % (w - 120)
    img[h // 3:h // 3 + 120, x:x + 120] = (230, 230, 230)
    for b in range(16):
        if (i >> b) & 1:
            img[8:40, 8 + b * 18:22 + b * 18] = (0, 0, 255)
    return img


def make_file(path: Path, frames: int, gop: int, vfr: bool, w: int = 1280, h: int = 720) -> float:
    """Write the test file (skipped when it exists); returns seconds spent."""
    from sporttrack_gui.media.encode import VideoEncoder

    if path.exists():
        return 0.0
    t0 = time.perf_counter()
    base = np.zeros((h, w, 3), np.uint8)
    base[:, :, 1] = 110
    base[:, :, 0] = np.linspace(20, 90, w, dtype=np.uint8)[None, :]
    rng = np.random.default_rng(0)
    tmp = path.with_name(".part-" + path.name)
    t = 0.0
    with VideoEncoder(tmp, 25.0, codec="libx264", preset="ultrafast", crf=28, gop=gop) as enc:
        for i in range(frames):
            enc.write(_frame(i, w, h, base), t)
            t += float(rng.choice([0.02, 0.04, 0.06])) if vfr else 0.04
            if i and i % 5000 == 0:
                print(f"  … {i}/{frames} frames encoded", flush=True)
    tmp.rename(path)
    return time.perf_counter() - t0


def _forget_indexes(path: Path) -> None:
    from sporttrack_gui.media import packet_index
    from sporttrack_gui.media.media_cache import file_key
    from sporttrack_gui.media.source import _INDEX_VERSION
    from sporttrack_gui.runtime import app_home

    packet_index.index_file(path).unlink(missing_ok=True)
    (app_home() / "cache" / "video-index" / (file_key(path, _INDEX_VERSION) + ".json")).unlink(
        missing_ok=True)


def _open_first(path: Path, backend: str) -> tuple[float, int]:
    from sporttrack_gui.media.source import open_source

    t0 = time.perf_counter()
    src = open_source(path, cache_mb=0, backend=backend)
    src[0]
    dt = time.perf_counter() - t0
    n = len(src)
    src.close()
    return dt, n


def _random_access(path: Path, backend: str, samples: int, seed: int) -> np.ndarray:
    from sporttrack_gui.media.source import open_source

    with open_source(path, cache_mb=0, backend=backend) as src:
        picks = np.random.default_rng(seed).integers(0, len(src), samples)
        src[int(picks[0])]  # the OpenCV reader checks its seeking once: not part of a jump
        out = []
        for i in picks:
            t0 = time.perf_counter()
            src[int(i)]
            out.append(time.perf_counter() - t0)
    return np.array(out) * 1e3


def bench(path: Path, label: str, samples: int, opencv: bool) -> None:
    print(f"\n{label}: {path} ({path.stat().st_size / 2**20:.1f} MB)")
    rows = {}
    for backend in ("pyav", "opencv") if opencv else ("pyav",):
        _forget_indexes(path)
        cold, n = _open_first(path, backend)
        cached, _ = _open_first(path, backend)
        lat = _random_access(path, backend, samples, seed=7)
        rows[backend] = (cold, cached, float(np.median(lat)), float(np.percentile(lat, 95)), n)
        print(f"  {backend:6s} frames {n:6d} | open→first frame: cold {cold:7.2f} s, cached index "
              f"{cached:6.3f} s | random access ({samples}): median {np.median(lat):6.1f} ms, "
              f"p95 {np.percentile(lat, 95):6.1f} ms", flush=True)
    if "opencv" in rows:
        a, b = rows["pyav"], rows["opencv"]
        print(f"  old OpenCV path / PyAV: cold open {b[0] / a[0]:.1f}x, cached open "
              f"{b[1] / a[1]:.1f}x, random median {b[2] / a[2]:.1f}x, p95 {b[3] / a[3]:.1f}x")


def bench_proxies(path: Path, samples: int) -> None:
    """Build the persisted scrub proxies once, then time a picture for random frames."""
    from sporttrack_gui.media.proxy_store import ProxyReader, build_proxies, proxy_file

    proxy_file(path).unlink(missing_ok=True)
    t0 = time.perf_counter()
    build_proxies(path)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    reader = ProxyReader.for_video(path)
    opened = time.perf_counter() - t0
    picks = np.random.default_rng(9).integers(1, int(reader.frames[-1]) + 1, samples)
    lat = []
    for f in picks:
        t0 = time.perf_counter()
        reader.get(int(f))
        lat.append((time.perf_counter() - t0) * 1e3)
    size = proxy_file(path).stat().st_size / 2**20
    print(f"  scrub proxies: built in {built:.0f} s (background, once per file), {len(reader)} "
          f"thumbnails {reader.width}x{reader.height}, {size:.0f} MB; reopened in {opened * 1e3:.1f} ms; "
          f"picture for a random frame: median {np.median(lat):.2f} ms, p95 "
          f"{np.percentile(lat, 95):.2f} ms", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=30000, help="frames of the long CFR file")
    ap.add_argument("--vfr-frames", type=int, default=3000, help="frames of the VFR file")
    ap.add_argument("--gop", type=int, default=250, help="keyframe interval of the files")
    ap.add_argument("--samples", type=int, default=200, help="random frames per measurement")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "sporttrack-bench-video",
                    help="folder for the generated files (outside the repository)")
    ap.add_argument("--no-opencv", action="store_true", help="skip the old OpenCV path")
    ap.add_argument("--no-proxies", action="store_true", help="skip building the scrub proxies")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SPORTTRACK_HOME", str(args.out / "home"))
    long_file = args.out / f"long-{args.frames}f-gop{args.gop}.mp4"
    vfr_file = args.out / f"vfr-{args.vfr_frames}f-gop{args.gop}.mp4"
    for path, n, vfr in ((long_file, args.frames, False), (vfr_file, args.vfr_frames, True)):
        spent = make_file(path, n, args.gop, vfr)
        print(f"{'wrote' if spent else 'reusing'} {path.name}" + (f" in {spent:.0f} s" if spent else ""),
              flush=True)
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: absolute times vary "
          "with load; compare the ratios)")
    bench(long_file, f"long-GOP 720p H.264, {args.frames} frames, GOP {args.gop}", args.samples,
          not args.no_opencv)
    if not args.no_proxies:
        bench_proxies(long_file, args.samples)
    bench(vfr_file, f"VFR 720p H.264 (20/40/60 ms frames), {args.vfr_frames} frames", args.samples,
          not args.no_opencv)
    real = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "videos" / \
        "soccer_broadcast_1280x720.mp4"
    if real.exists():  # third-party clip (../shared/data), B-frames, an edit list, GOP ~130
        bench(real, "real broadcast clip (claims 772 frames)", args.samples, not args.no_opencv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
