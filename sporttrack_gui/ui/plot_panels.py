"""pyqtgraph panels: live MOT metrics, tracker comparison bars, SOT success/precision.

Each panel is handed numbers (dicts/arrays computed by the eval room) and draws them;
nothing here computes a metric.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.eval.metrics import fields, ratio_keys
from sporttrack_gui.ui.painting import track_qcolor

#: curve/bar colours, given to the metrics of a view in their ``eval.metrics`` order
PALETTE = ((80, 170, 255), (255, 190, 60), (190, 130, 255), (120, 210, 120), (230, 100, 100))


def _keys(view: str, ratios_only: bool = False) -> tuple[tuple[str, str, tuple[int, int, int]], ...]:
    """(key, label, colour) of the metrics ``eval.metrics`` shows in ``view``."""
    chosen = [f for f in fields(view) if f.ratio or not ratios_only]
    return tuple((f.key, f.label, PALETTE[i % len(PALETTE)]) for i, f in enumerate(chosen))


LIVE_KEYS = _keys("live")
BAR_KEYS = _keys("chart", ratios_only=True)
#: metric rule sets offered in the comparison panel: (label, value for ``eval``'s ``rules``)
RULES = (("TrackEval (leaderboards)", "trackeval"), ("py-motmetrics", "motmetrics"))
SPLIT_KEYS = tuple((k, label) for k, label, _ in _keys("chart"))


def metric(values: dict[str, Any], key: str) -> float:
    """Metric ``key`` from a dict whose keys may be spelt MOTA/mota/Mota."""
    for k, v in values.items():
        if k.lower() == key:
            try:
                return float(v)
            except (TypeError, ValueError):
                return float("nan")
    return float("nan")


def _plot(title: str, xlabel: str, ylabel: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background=(36, 38, 44))
    w.setTitle(title, color="#dfe3ea")
    w.setLabel("bottom", xlabel)
    w.setLabel("left", ylabel)
    w.showGrid(x=True, y=True, alpha=0.2)
    w.getPlotItem().hideButtons()
    w.addLegend(offset=(-10, 10))
    return w


class LiveMetricsPanel(QWidget):
    """MOTA/IDF1/precision/recall over the frames processed so far."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot("Live metrics against ground truth", "frame", "score")
        self.plot.setYRange(0, 1.0)
        self.curves = {k: self.plot.plot([], [], name=label, pen=pg.mkPen(c, width=2))
                       for k, label, c in LIVE_KEYS}
        self.summary = QLabel("Start a run with “evaluate against ground truth” to see metrics here.")
        self.summary.setWordWrap(True)
        self._x: list[float] = []
        self._y: dict[str, list[float]] = {k: [] for k, _, _ in LIVE_KEYS}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)

    def clear(self, title: str = "", frame_count: int = 0) -> None:
        if frame_count > 0:
            self.plot.setXRange(1, frame_count, padding=0.01)
        self._x.clear()
        for k in self._y:
            self._y[k].clear()
            self.curves[k].setData([], [])
        self.summary.setText(title or "Waiting for the first frames…")

    def add_point(self, frame: int, values: dict[str, Any]) -> None:
        self._x.append(float(frame))
        for k, _, _ in LIVE_KEYS:
            self._y[k].append(metric(values, k))
            self.curves[k].setData(self._x, self._y[k])
        self.summary.setText("  ".join(f"{label} {metric(values, k):.3f}" for k, label, _ in LIVE_KEYS)
                             + f"   (frame {frame})")

    def point_count(self) -> int:
        return len(self._x)


class ComparisonPanel(QWidget):
    """Grouped bars of stored metrics per run (one group per run), the metric rules used for
    the next evaluation, and the shown run scored over every sequence of the project."""

    #: the user asked to score the shown run's name on all sequences, with these rules
    evaluateAllRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot("Tracker comparison", "run", "score")
        self.plot.setYRange(0, 1.0)
        self.bars: list[pg.BarGraphItem] = []
        self.names: list[str] = []
        self.note = QLabel("Runs with metrics (Run ▸ Evaluate shown run) appear here.")
        self.rules_box = QComboBox()
        for label, value in RULES:
            self.rules_box.addItem(label, value)
        self.rules_box.setToolTip("CLEAR/ID rules for the next evaluation: TrackEval's (what "
                                  "SportsMOT, SoccerNet and MOTChallenge rank with) or "
                                  "py-motmetrics' (used by some papers). HOTA is TrackEval's.")
        self.all_button = QPushButton("Evaluate on all sequences")
        self.all_button.setToolTip("Score the shown run's name on every sequence that has it "
                                   "and a ground truth; combined as TrackEval combines them")
        self.all_button.clicked.connect(lambda: self.evaluateAllRequested.emit(self.rules()))
        self.split = QLabel("")
        self.split.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Rules"))
        row.addWidget(self.rules_box, 1)
        row.addWidget(self.all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        layout.addLayout(row)
        layout.addWidget(self.split)

    def rules(self) -> str:
        """The selected rule set, a plain value for ``eval`` (``"trackeval"``/``"motmetrics"``)."""
        return str(self.rules_box.currentData())

    def show_split(self, run: str, rules: str, rows: list[dict[str, Any]]) -> None:
        """Per-sequence rows plus the combined one (last), as ``SplitResult.rows()`` gives."""
        ratios = ratio_keys()

        def line(r: dict[str, Any]) -> str:
            vals = [f"{label} {metric(r, k):.3f}" if k in ratios
                    else f"{label} {int(metric(r, k))}" for k, label in SPLIT_KEYS]
            return f"{r['sequence']}: " + ", ".join(vals)

        if not rows:
            self.split.setText("")
            return
        self.split.setText(f"“{run}” on {len(rows) - 1} sequence(s), {rules} rules — "
                           + line(rows[-1]))
        self.split.setToolTip("\n".join(line(r) for r in rows))

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        """``runs``: project run rows; those with a non-empty ``metrics`` dict are drawn."""
        for b in self.bars:
            self.plot.removeItem(b)
        self.bars.clear()
        from sporttrack_gui.eval.project_metrics import has_mot_metrics

        rated = [r for r in runs if has_mot_metrics(r)]  # SOT runs have no MOT bars
        self.names = [r["name"] for r in rated]
        legend = self.plot.getPlotItem().legend
        if legend is not None:
            legend.clear()
        width = 0.8 / len(BAR_KEYS)
        x = np.arange(len(rated), dtype=float)
        for i, (key, label, colour) in enumerate(BAR_KEYS):
            h = np.array([metric(r["metrics"], key) for r in rated], float)
            keep = np.isfinite(h)
            if not keep.any():
                continue
            bar = pg.BarGraphItem(x=x[keep] - 0.4 + width * (i + 0.5), height=h[keep], width=width,
                                  brush=pg.mkBrush(*colour), pen=None, name=label)
            self.plot.addItem(bar)  # a named item joins the legend once, by itself
            self.bars.append(bar)
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setTicks([[(float(i), n) for i, n in enumerate(self.names)]])
        self.plot.setXRange(-0.6, max(len(rated), 1) - 0.4)
        self.note.setText(f"{len(rated)} run(s) with MOT metrics" if rated else
                          "No run has MOT metrics yet (Run ▸ Evaluate shown run).")


class SotCurvesPanel(QWidget):
    """OTB-style success (IoU threshold) and precision (pixel threshold) curves."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.success = _plot("Success", "overlap threshold", "success rate")
        self.precision = _plot("Precision", "location error threshold (px)", "precision")
        self.success.setYRange(0, 1.0)
        self.precision.setYRange(0, 1.0)
        self.curves: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.note = QLabel("Track a box on a sequence with ground truth to compare curves.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        h.addWidget(self.success)
        h.addWidget(self.precision)
        layout.addWidget(row, 1)
        layout.addWidget(self.note)

    def add_curves(self, name: str, success_x: np.ndarray, success_y: np.ndarray, auc: float,
                   precision_x: np.ndarray, precision_y: np.ndarray, p20: float,
                   detail: str = "") -> None:
        """``detail``: what the newest curves were scored against (gt track, frames)."""
        colour = track_qcolor(len(self.curves) + 1)
        pen = pg.mkPen(colour, width=2)
        if name in self.curves:
            old_s, old_p = self.curves.pop(name)
            self.success.removeItem(old_s)
            self.precision.removeItem(old_p)
        s = self.success.plot(success_x, success_y, pen=pen, name=f"{name} [AUC {auc:.3f}]")
        p = self.precision.plot(precision_x, precision_y, pen=pen, name=f"{name} [P@20 {p20:.3f}]")
        self.curves[name] = (s, p)
        self.note.setText(f"{len(self.curves)} tracker curve(s)" + (f" · {detail}" if detail else ""))
        self.note.setWordWrap(True)


class PlotsDock(QTabWidget):
    """The plots dock: one tab per panel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = LiveMetricsPanel()
        self.compare = ComparisonPanel()
        self.sot = SotCurvesPanel()
        from sporttrack_gui.ui.metrics_panel import MetricsPanel

        self.metrics = MetricsPanel()  # filled by ui.metrics_panel.MetricsUpdater
        self.addTab(self.live, "Live metrics")
        self.addTab(self.metrics, "Metrics")
        self.addTab(self.compare, "Compare runs")
        self.addTab(self.sot, "SOT curves")
