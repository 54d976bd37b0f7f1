"""Frame display latency while scrubbing a 720p clip (goal: < 50 ms median).

Random jumps of the timeline slider on soccer_broadcast_1280x720.mp4 in the real main
window (project, frame loader thread, viewer with boxes); latency = from the slider
move until the pixmap of that frame is on screen. The peer, in the same run on the same
frames: raw OpenCV seek (CAP_PROP_POS_FRAMES) + decode, no display. Prints median/p95
and the ratio; asserts nothing timed.

    .venv/bin/python benchmarks/bench_gui_scrub.py [--jumps 60] [--video PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SPORTTRACK_HOME", tempfile.mkdtemp(prefix="sporttrack-bench-"))
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "videos" / "soccer_broadcast_1280x720.mp4"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def gui_latencies(video: Path, targets: list[int]) -> list[float]:
    from PySide6.QtCore import QEventLoop, QTimer

    from sporttrack_gui.ui.launch import make_app
    from sporttrack_gui.ui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    project = Path(tempfile.mkdtemp()) / "bench.stp"
    assert window.open_project(project, create=True) and window.import_media(video)
    slider = window.timeline.slider
    out: list[float] = []
    for target in [1, *targets]:
        loop = QEventLoop()
        shown = {"t": None}

        def on_shown(n: int, target=target, shown=shown, loop=loop) -> None:
            if n == target:
                shown["t"] = time.perf_counter()
                loop.quit()

        window.view.pixmapShown.connect(on_shown)
        QTimer.singleShot(10_000, loop.quit)
        t0 = time.perf_counter()
        slider.setValue(target)
        if shown["t"] is None:
            loop.exec()
        window.view.pixmapShown.disconnect(on_shown)
        app.processEvents()  # let the viewport repaint as a user would see it
        if shown["t"] is None:
            raise RuntimeError(f"frame {target} never shown")
        out.append((shown["t"] - t0) * 1000.0)
    window.close()
    return out[1:]


def cv2_latencies(video: Path, targets: list[int]) -> list[float]:
    import cv2

    cap = cv2.VideoCapture(str(video))
    out = []
    for target in targets:
        t0 = time.perf_counter()
        cap.set(cv2.CAP_PROP_POS_FRAMES, target - 1)
        ok, _ = cap.read()
        out.append((time.perf_counter() - t0) * 1000.0)
        if not ok:
            raise RuntimeError(f"cv2 could not decode frame {target}")
    cap.release()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--jumps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not args.video.exists():
        print(f"skip: {args.video} not found")
        return
    usable = 620  # the clip decodes 630 frames although its header claims 772
    targets = np.random.default_rng(args.seed).integers(2, usable, args.jumps).tolist()
    ours = gui_latencies(args.video, targets)
    peer = cv2_latencies(args.video, targets)
    print(f"video {args.video.name}, {len(targets)} random slider jumps")
    print(f"SportTrack slider -> pixmap shown  median {statistics.median(ours):6.1f} ms   "
          f"p95 {percentile(ours, 95):6.1f} ms   (goal: median < 50 ms)")
    print(f"peer: cv2 seek + decode only       median {statistics.median(peer):6.1f} ms   "
          f"p95 {percentile(peer, 95):6.1f} ms")
    print(f"ratio SportTrack / cv2 (median)    {statistics.median(ours) / statistics.median(peer):6.2f}x")


if __name__ == "__main__":
    main()
