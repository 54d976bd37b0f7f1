"""Timeline responsiveness with 500 tracks over 135,000 frames (a 90-minute match).

Measures: lane layout from the boxes (numpy), setting the layout on the lanes plot, one
full repaint of the plot, and scrolling the lanes by a page (scrollbar) and zooming the
frame axis (Ctrl+wheel), each followed by a repaint. SportTrack's lanes draw only the
lanes on screen (a pool of curves in the track colours); the peer is the naive design
(one PlotCurveItem per track, all of them in the scene) in the same run, reported as a
ratio. Prints figures; asserts nothing timed.

    .venv/bin/python benchmarks/bench_gui_timeline.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

N_TRACKS, N_FRAMES = 500, 135_000


def synthetic_run(seed: int = 0):
    """500 tracks with on-screen stints and long absences: ~3.4 M boxes like a full match
    (about 25 players, referees and ball on screen per frame)."""
    rng = np.random.default_rng(seed)
    frames, ids = [], []
    for tid in range(1, N_TRACKS + 1):
        t = int(rng.integers(1, 2000))
        while t < N_FRAMES:
            n = int(rng.integers(50, 1500))
            frames.append(np.arange(t, min(t + n, N_FRAMES + 1)))
            ids.append(np.full(len(frames[-1]), tid))
            t += n + int(rng.integers(5, 28000))
    f = np.concatenate(frames)
    t = np.concatenate(ids)
    by_frame = np.argsort(f, kind="stable")  # the project returns boxes sorted by frame
    f, t = f[by_frame], t[by_frame]
    xywh = np.column_stack([rng.uniform(0, 1200, len(f)), rng.uniform(0, 600, len(f)),
                            np.full(len(f), 30.0), np.full(len(f), 80.0)]).astype(np.float32)
    return f, t, xywh


def timed(fn, repeat: int = 5) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1000.0


def main() -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from sporttrack_gui.ui.lanes import build_lanes
    from sporttrack_gui.ui.timeline import LANE_PEN, LanesPlot

    app = QApplication.instance() or QApplication([])
    f, t, xywh = synthetic_run()
    print(f"boxes {len(f):,}  tracks {N_TRACKS}  frames {N_FRAMES:,}")
    # the window passes the assistant panel's suspects, so the layout itself is timed
    # without a scan; the scan (what a first open costs once) is timed separately
    layout_ms = timed(lambda: build_lanes(f, t, suspects=[]), repeat=3)
    scan_ms = timed(lambda: build_lanes(f, t, xywh), repeat=1) if "--scan" in sys.argv else float("nan")
    lay = build_lanes(f, t, xywh)
    print(f"segments {len(lay.seg_x) // 2:,}  gaps {len(lay.gap_x):,}  suspected switches {len(lay.switches)}")
    print(f"lane layout (numpy)             {layout_ms:8.1f} ms")
    print(f"layout + assistant scan         {scan_ms:8.1f} ms")

    plot = LanesPlot()
    plot.resize(1400, 300)
    plot.show()
    app.processEvents()
    set_ms = timed(lambda: plot.set_layout(lay, N_FRAMES), repeat=3)

    def repaint(widget) -> None:
        widget.grab()

    ours_ms = timed(lambda: repaint(plot))
    page = [0]

    def scroll_page() -> None:
        page[0] = (page[0] + plot.scrollbar.pageStep()) % max(1, plot.scrollbar.maximum())
        plot.scrollbar.setValue(page[0])
        repaint(plot)

    scroll_ms = timed(scroll_page, repeat=9)
    vb = plot.getPlotItem().getViewBox()
    zoom = [0.5]

    def zoom_time() -> None:
        zoom[0] = 1 / zoom[0]
        vb.scaleBy(x=zoom[0], y=1.0)
        repaint(plot)

    zoom_ms = timed(zoom_time, repeat=6)
    print(f"lanes on screen                 {len(plot.visible()):8d}   (of {lay.n_lanes})")
    from sporttrack_gui.assist.suspects import Suspect

    plot.suspects = [Suspect("jump", int(x), (int(lay.track_ids[int(y)]),), 0.5, "")
                     for x, y in zip(lay.switch_x, lay.switch_y, strict=True)]
    index_ms = timed(lambda: (setattr(plot, "_suspect_index", None),
                              plot.tooltip_at(float(lay.switch_x[0]), float(lay.switch_y[0]))),
                     repeat=1)
    hover_ms = timed(lambda: plot.tooltip_at(float(lay.switch_x[0]), float(lay.switch_y[0])),
                     repeat=50)

    peer = pg.PlotWidget()
    peer.resize(1400, 300)
    peer.show()
    seg_lane = lay.seg_y
    t0 = time.perf_counter()
    for lane in range(lay.n_lanes):
        m = seg_lane == lane
        peer.addItem(pg.PlotCurveItem(lay.seg_x[m], lay.seg_y[m], connect=lay.connect[m], pen=LANE_PEN))
    peer_set_ms = (time.perf_counter() - t0) * 1000.0
    peer.getPlotItem().getViewBox().setRange(xRange=(1, N_FRAMES), yRange=(-0.5, N_TRACKS - 0.5), padding=0)
    app.processEvents()
    peer_ms = timed(lambda: repaint(peer))
    print(f"set layout on plot              {set_ms:8.1f} ms   (peer, {lay.n_lanes} items: {peer_set_ms:.1f} ms)")
    print(f"full repaint, all lanes visible {ours_ms:8.1f} ms   (peer: {peer_ms:.1f} ms)")
    print(f"repaint ratio peer/ours         {peer_ms / ours_ms:8.2f}x")
    print(f"scroll a page + repaint         {scroll_ms:8.1f} ms")
    print(f"zoom time x2 + repaint          {zoom_ms:8.1f} ms")
    print(f"hover tooltip (first: index)    {index_ms:8.1f} ms   then {hover_ms:.2f} ms per move")
    print(f"set ratio peer/ours             {peer_set_ms / set_ms:8.2f}x")


if __name__ == "__main__":
    main()
