"""The pitch panel on a match-length analysis: what runs in the worker, what on the GUI thread.

A synthetic 90-minute match's positions (135,000 frames x 25 players = 3.4 M rows, stored
track by track as the project does) go through the panel's worker step
(``analyse_for_panel`` minus the project read: the frame-sorted minimap painter and the
whole-run heatmap), then the GUI-thread steps: ``show_result``, following the play head
(``set_frame``) and a team heatmap (inline vs the background path a match takes).
Goal: every GUI-thread step < 100 ms. Figures on a shared machine are inflated; compare
the ratios printed in the same run. Nothing is asserted.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_pitch_panel.py [--frames N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=135_000)
    ap.add_argument("--players", type=int, default=25)
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication

    import sporttrack_gui.ui  # noqa: F401 - Qt work-arounds before any widget
    from sporttrack_gui.pitch import calibrate, load_template
    from sporttrack_gui.pitch.analysis import PitchAnalysis
    from sporttrack_gui.pitch.kinematics import track_kinematics
    from sporttrack_gui.pitch.mapping import PitchPositions
    from sporttrack_gui.pitch.render import MinimapPainter
    from sporttrack_gui.pitch.workflow import PitchResult
    from sporttrack_gui.ui.pitch_view import (
        EVERYONE,
        MARGIN,
        MINIMAP_PX,
        PitchPanel,
        render_heatmap,
    )

    app = QApplication.instance() or QApplication([])
    n_f, k = args.frames, args.players
    rng = np.random.default_rng(0)
    tid = np.repeat(np.arange(1, k + 1), n_f).astype(np.int64)
    frame = np.tile(np.arange(1, n_f + 1), k).astype(np.int32)
    walk = np.cumsum(rng.normal(0, 0.05, (k, n_f, 2)), axis=1).reshape(-1, 2)
    xy = np.clip(walk + rng.uniform(10, 90, (k, 1, 2)).repeat(n_f, 1).reshape(-1, 2), 0, 68)
    pos = PitchPositions(frame, tid, xy)
    cal = calibrate([[0, 0], [1280, 0], [1280, 720], [0, 720]], [[0, 0], [105, 0], [105, 68], [0, 68]])
    t = time.perf_counter()
    kin = track_kinematics(pos, 25.0)
    t_kin = time.perf_counter() - t
    teams = {t: ("A" if t <= k // 2 else "B") for t in range(1, k + 1)}
    result = PitchResult(PitchAnalysis(pos, kin, cal.fit.image_to_pitch[None], 1, 0), cal, teams,
                         {}, 25.0, "none", 1, "bench")

    t = time.perf_counter()
    painter = MinimapPainter(load_template(), pos, teams, MINIMAP_PX, MARGIN)
    heat = render_heatmap(result, EVERYONE, None, MINIMAP_PX)
    t_worker = time.perf_counter() - t

    panel = PitchPanel()
    panel.show()
    t = time.perf_counter()
    panel.show_result(result, painter, heat)
    app.processEvents()
    t_show = time.perf_counter() - t
    steps = []
    for f in range(1000, n_f, max(1, n_f // 200)):
        t = time.perf_counter()
        panel.set_frame(f)
        steps.append(time.perf_counter() - t)
    t = time.perf_counter()
    render_heatmap(result, "team:A", None, MINIMAP_PX)
    t_team = time.perf_counter() - t
    t = time.perf_counter()
    panel.heat_who.setCurrentIndex(panel.heat_who.findData("team:A"))  # goes to the background
    t_team_gui = time.perf_counter() - t
    panel.background.wait()
    panel.close()

    print(f"positions: {len(pos):,} ({n_f:,} frames x {k})")
    print(f"worker  kinematics            {t_kin * 1e3:8.0f} ms")
    print(f"worker  painter + heatmap     {t_worker * 1e3:8.0f} ms")
    print(f"GUI     show_result           {t_show * 1e3:8.1f} ms")
    print(f"GUI     set_frame median/max  {np.median(steps) * 1e3:8.2f} / {max(steps) * 1e3:.2f} ms")
    print(f"GUI     team heatmap request  {t_team_gui * 1e3:8.2f} ms "
          f"(the heatmap itself, in the worker: {t_team * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
