"""Comparison reports: a Markdown table, a CSV file and a PNG bar chart of the same rows.

Rows are plain dicts (one per tracker or sequence), so the CLI, the GUI and notebooks can
feed any metric set; the chart renders a bare matplotlib ``Figure`` (Agg canvas, no pyplot
state) so it works headless, inside the Qt app and in a frozen bundle (``runtime.apply_runtime_defaults`` points MPLCONFIGDIR at the app home).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sporttrack_gui.atomic_io import atomic_path, atomic_write_text
from sporttrack_gui.errors import InputError
from sporttrack_gui.eval.metrics import ratio_keys


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        if key in ratio_keys():
            return f"{100 * value:.1f}"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return str(value)


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *,
                   title: str | None = None) -> str:
    """GitHub-flavoured Markdown; ratio metrics as percentages with one decimal."""
    ratios = ratio_keys()
    head = [f"{c} (%)" if c in ratios else c for c in columns]
    lines = [f"## {title}", ""] if title else []
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(c, row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def write_csv(path: str | Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Path:
    """CSV with full-precision values (ratios stay in 0..1) for spreadsheets and scripts."""
    path = Path(path)
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for row in rows:
            w.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def _bar_text(v: float) -> str:
    if math.isnan(v):
        return "n/a"
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def bar_chart(path: str | Path, rows: Sequence[dict[str, Any]], metrics: Sequence[str], *,
              label: str = "tracker", title: str = "") -> Path:
    """One small bar panel per metric (own scale: % next to counts and fps), one bar per row."""
    if not rows or not metrics:
        raise InputError("nothing to plot: no rows or no metrics")
    # a bare Figure renders through Agg without touching pyplot's global backend (the GUI's)
    from matplotlib.figure import Figure

    names = [str(r.get(label, i)) for i, r in enumerate(rows)]
    fig = Figure(figsize=(max(6.0, 2.2 * len(metrics)), 3.6), dpi=100)
    colors = [f"C{i % 10}" for i in range(len(rows))]
    ratios = ratio_keys()
    for k, m in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), k + 1)
        vals = []
        for row in rows:
            v = row.get(m)
            v = float("nan") if v is None else float(v)
            vals.append(100 * v if m in ratios else v)
        bars = ax.bar(range(len(rows)), vals, color=colors)
        ax.bar_label(bars, labels=[_bar_text(v) for v in vals], fontsize=7, padding=1)
        ax.set_title(f"{m} (%)" if m in ratios else m, fontsize=9)
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.margins(y=0.15)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    return path


def write_report(out_dir: str | Path, name: str, rows: Sequence[dict[str, Any]],
                 columns: Sequence[str], chart_metrics: Sequence[str], *,
                 title: str = "", label: str = "tracker") -> dict[str, Path]:
    """``<name>.md``, ``<name>.csv`` and ``<name>.png`` in ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder: {exc.strerror or exc}", str(out)) from None
    md = out / f"{name}.md"
    atomic_write_text(md, markdown_table(rows, columns, title=title or None))
    return {"markdown": md, "csv": write_csv(out / f"{name}.csv", rows, columns),
            "png": bar_chart(out / f"{name}.png", rows, chart_metrics, label=label, title=title)}
