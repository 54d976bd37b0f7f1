"""The metrics table (Plots ▸ Metrics) and its re-evaluation after each edit.

``MetricsPanel`` shows, for every run of the shown sequence, MOTA, IDF1, precision,
recall, IDSW, FP, FN, MT, ML and Frag under TrackEval's rules, each with its delta
against the raw run (the run a corrected copy was made from). The numbers and their
staleness come from the Qt-free ``eval.project_metrics``.

``MetricsUpdater`` keeps them true: an edit of the shown run marks its row (and the
Runs table's MOTA/IDF1) stale at once, then re-scores the run -- and its raw run when
that has no current metrics -- in a ``Background`` worker on a connection of its own.
Bursts of edits coalesce into one extra evaluation; a result whose basis is no longer
the run's (another edit landed meanwhile) is dropped and the run scored again. Runs over
``AUTO_RESCORE_MAX_BOXES`` (a whole match) stay marked stale until Run ▸ Evaluate.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from sporttrack_gui.eval import project_metrics as pm
from sporttrack_gui.ui.background import Background
from sporttrack_gui.ui.runs_panel import RowsModel, _table

Index = QModelIndex | QPersistentModelIndex
GOOD, BAD, STALE = QColor(120, 200, 120), QColor(230, 110, 90), QColor(150, 150, 150)
DEBOUNCE_MS = 300
#: runs longer than this are not rescored after every edit, only marked stale: scoring a
#: 3.4 M-box match against its gt takes ~7 s of CPU and >1 GB at its peak (measured on
#: 675 k boxes: 1.3 s, 340 MB), which would break the window's memory budget per edit
AUTO_RESCORE_MAX_BOXES = 500_000
IDLE_TEXT = ("Runs of the shown sequence scored against its ground truth (Run ▸ Evaluate, "
             "Ctrl+M); edited runs are rescored automatically.")


class MetricsModel(RowsModel):
    """Rows of ``project_metrics.table_rows``; cells "value (delta)"."""

    columns = (("name", "Run"), *((k, h) for k, h, _ in pm.MOT_COLUMNS), ("note", ""))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "name":
                return row["name"] + (" ⟳" if row["stale"] else "")
            if key == "note":
                return row["note"]
            return row["cells"][key]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row["stale"]:
                return STALE
            d = row["deltas"].get(key)
            count = key.startswith(("num_", "mostly_"))
            if d is not None and pm.format_delta(d, count) != "±0":  # coloured as printed
                better = d < 0 if key in pm.LOWER_IS_BETTER else d > 0
                return GOOD if better else BAD
        if role == Qt.ItemDataRole.FontRole and row["stale"]:
            f = QFont()
            f.setItalic(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and key not in ("name", "note"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _tooltip(row: dict[str, Any], key: str) -> str:
        lines = []
        if row["stale"]:
            lines.append("Stale: the run (or its ground truth) was edited after these "
                         "numbers were computed; they are being recomputed (Ctrl+M forces it)")
        if row["sot"]:
            lines.append("Single-object run: MOT metrics do not apply. " + row["note"])
        elif row["raw"]:
            lines.append(f"(delta) against “{row['raw']}”, the run this one was copied from"
                         + (" (its metrics are stale too)" if row["raw_stale"] else ""))
        if key == "name" and row["kind"] == "gt":
            lines.append("Ground truth: what the other runs are scored against")
        return "\n".join(lines)


class MetricsPanel(QWidget):
    """The table plus a status line ("Updating …", "3 runs scored")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MetricsModel(self)
        self.view = _table(self.model)
        self.view.setToolTip("TrackEval rules; (delta) against the raw run a corrected copy "
                             "was made from; ⟳ = stale, being recomputed")
        self.status = QLabel(IDLE_TEXT)
        self.status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.status)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        """New rows; columns are refitted (a handful of rows: cheap), so "0.812 (+0.004)"
        is never cut to "0.8…"."""
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()

    def row(self, name: str) -> dict[str, Any] | None:
        return next((r for r in self.model.rows if r["name"] == name), None)


class MetricsUpdater(QObject):
    """Fills the window's metrics table and re-scores the shown run after its edits."""

    def __init__(self, window, panel: MetricsPanel) -> None:
        super().__init__(window)
        self.w = window
        self.panel = panel
        self.worker = Background(self)
        self.worker.finished.connect(self._scored)
        self.worker.failed.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.evaluate_now)
        self.pending: int | None = None  # run id waiting for its evaluation
        self._shown: tuple[str, int] | None = None  # (project, sequence) the table shows
        window.sessionChanged.connect(self.refresh)
        window.modelChanged.connect(self._edited)

    # ---- the table -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Rows for the shown sequence's runs from the project (one SQL for the edit state)."""
        s = self.w.session
        shown = None if s is None or s.sequence is None else (str(s.path), int(s.sequence["id"]))
        if shown != self._shown:  # another project or sequence: old news go
            self._shown = shown
            self.panel.status.setText(IDLE_TEXT)
        if s is None or s.sequence is None:
            self.panel.set_rows([])
            return
        runs = s.runs()
        self.panel.set_rows(pm.table_rows(runs, pm.edit_state(s.project)))

    # ---- after an edit -------------------------------------------------------------------
    def _edited(self, change: Any) -> None:
        s = self.w.session
        if s is None or s.run is None or not change.boxes_changed:
            return
        self.refresh()  # the edited run (or every run, after a gt edit) shows as stale
        self._mark_runs_table()
        if s.run["kind"] == "gt" or pm.is_sot(s.run) or s.gt_run() is None:
            return
        if len(s.index) > AUTO_RESCORE_MAX_BOXES:
            self.panel.status.setText(
                f"Metrics of “{s.run['name']}” are stale (⟳): Run ▸ Evaluate (Ctrl+M) "
                f"recomputes them (runs over {AUTO_RESCORE_MAX_BOXES:,} boxes are not "
                "rescored after every edit)")
            return
        self.pending = int(s.run["id"])
        self.panel.status.setText(f"Metrics of “{s.run['name']}” are stale: recomputing…")
        self.timer.start()

    def _mark_runs_table(self) -> None:
        """The Runs table's MOTA/IDF1 of stale runs get the same mark."""
        s = self.w.session
        rows = getattr(self.w, "_run_rows", None)
        if s is None or not rows:
            return
        stale = {r["id"] for r in self.panel.model.rows if r["stale"]}
        changed = False
        for run_id, row in list(rows.items()):
            flag = run_id in stale
            if bool(row.get("stale")) != flag:
                rows[run_id] = {**row, "stale": flag}
                changed = True
        if changed:
            self.w.runs_panel.set_runs(list(rows.values()))

    def evaluate_now(self) -> None:
        """Score the pending run (and its raw run when that has no current metrics)."""
        s = self.w.session
        if s is None or self.pending is None:
            return
        runs = s.runs()
        by_id = {int(r["id"]): r for r in runs}
        run = by_id.get(self.pending)
        if run is None:
            return
        todo = [int(run["id"])]
        raw = pm.raw_run(runs, run)
        states = pm.edit_state(s.project)
        if raw is not None and raw["kind"] != "gt" and (
                not pm.has_mot_metrics(raw) or pm.is_stale(raw, runs, states)):
            todo.append(int(raw["id"]))
        self.worker.start((str(s.path), tuple(todo)), pm.evaluate_in_worker, str(s.path), todo,
                          self.w.plots.compare.rules())

    def busy(self) -> bool:
        return self.timer.isActive() or self.worker.busy()

    def _scored(self, tag: Any, results: dict[int, dict[str, Any]]) -> None:
        s = self.w.session
        if s is None or str(s.path) != tag[0]:
            return
        states = pm.edit_state(s.project)
        runs = {int(r["id"]): r for r in s.project.runs()}
        again = False
        for run_id, metrics in results.items():
            run = runs.get(run_id)
            if run is None:
                continue
            gt = pm.gt_run(list(runs.values()), int(run["sequence_id"]))
            if gt is None or metrics.get(pm.BASIS_KEY) != pm.basis(states, run_id, int(gt["id"])):
                again = True  # an edit landed while scoring: these describe old boxes
                continue
            s.project.set_run_metrics(run_id, metrics)
        if again and self.pending is not None:
            self.timer.start()
            return
        name = s.run["name"] if s.run is not None else ""
        self.pending = None
        self.w.refresh_runs()  # runs table, comparison bars and this table
        m = results.get(int(s.run["id"])) if s.run is not None else None
        if m:
            self.panel.status.setText(
                f"“{name}” rescored after the edit: IDSW {int(m.get('num_switches', 0))}, "
                f"IDF1 {float(m.get('idf1', float('nan'))):.3f}, "
                f"MOTA {float(m.get('mota', float('nan'))):.3f}")

    def _failed(self, tag: Any, message: str) -> None:
        self.pending = None
        self.panel.status.setText(f"Could not recompute the metrics: {message}")


def runs_table_cells(run: dict[str, Any], runs: list[dict[str, Any]],
                     states: dict[int, str]) -> dict[str, Any]:
    """MOTA/IDF1 cells of the Runs table: numbers, "—" for SOT runs (not ``nan``),
    ``None`` when never evaluated; ``stale`` marks numbers an edit made outdated."""
    m = run.get("metrics") or {}
    if not m:
        return {"MOTA": None, "IDF1": None, "stale": False}
    if pm.is_sot(run):
        return {"MOTA": pm.DASH, "IDF1": pm.DASH, "stale": False}
    out: dict[str, Any] = {}
    for key, col in (("mota", "MOTA"), ("idf1", "IDF1")):
        v = pm.number(m, key)
        out[col] = pm.DASH if v is None else v
    out["stale"] = pm.is_stale(run, runs, states)
    return out
