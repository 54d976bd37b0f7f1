"""The metrics table of a project's runs: which numbers, against which raw run, and
whether they still describe the boxes.

Why here (Qt-free): the GUI's metrics table, its background re-evaluation after an
edit and Run ▸ Evaluate all store and read metrics the same way. Every stored result
carries a *basis*: the applied edits of the run and of the ground truth it was scored
against (count, newest and sum of applied edit-op ids, one ``GROUP BY`` over the edit
log). A run whose basis differs from the project's now is *stale*: its numbers describe
boxes that no longer exist, and the table says so instead of showing them as current.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sporttrack_gui.eval.mot import evaluate_mot
from sporttrack_gui.project.store import Project

#: the table's MOT columns: (metric key, header, is a count)
MOT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("mota", "MOTA", False), ("idf1", "IDF1", False), ("precision", "Prec", False),
    ("recall", "Rec", False), ("num_switches", "IDSW", True),
    ("num_false_positives", "FP", True), ("num_misses", "FN", True),
    ("mostly_tracked", "MT", True), ("mostly_lost", "ML", True),
    ("num_fragmentations", "Frag", True))
#: counts where fewer is better (their delta is good when negative)
LOWER_IS_BETTER = frozenset({"num_switches", "num_false_positives", "num_misses",
                             "mostly_lost", "num_fragmentations"})
DASH = "—"
BASIS_KEY = "basis"


def edit_state(project: Project) -> dict[int, str]:
    """Run id -> signature of its applied edits (runs never edited are absent: "0")."""
    rows = project.conn.execute(
        "SELECT run_id, COUNT(*), MAX(id), SUM(id) FROM edit_ops WHERE state = 'done' "
        "GROUP BY run_id").fetchall()
    return {int(r): f"{n}:{mx}:{sm}" for r, n, mx, sm in rows}


def basis(states: dict[int, str], run: int, gt: int) -> str:
    return f"run{run}={states.get(run, '0')}|gt{gt}={states.get(gt, '0')}"


def gt_run(runs: list[dict[str, Any]], sequence_id: int) -> dict[str, Any] | None:
    """The ground truth runs of ``sequence_id`` are scored against (the newest gt run)."""
    gts = [r for r in runs if r["kind"] == "gt" and int(r["sequence_id"]) == int(sequence_id)]
    return gts[-1] if gts else None


def is_sot(run: dict[str, Any]) -> bool:
    m = run.get("metrics") or {}
    return run.get("kind") == "sot" or ("auc" in m and "mota" not in m)


def has_mot_metrics(run: dict[str, Any]) -> bool:
    m = run.get("metrics") or {}
    return not is_sot(run) and any(k in m for k, _, _ in MOT_COLUMNS)


def raw_run(runs: list[dict[str, Any]], run: dict[str, Any]) -> dict[str, Any] | None:
    """The run ``run`` was copied from ("Save corrected copy as…"), when still there."""
    name = (run.get("params") or {}).get("copied_from")
    if not name:
        return None
    return next((r for r in runs if r["name"] == name and r["id"] != run["id"]
                 and int(r["sequence_id"]) == int(run["sequence_id"])), None)


def is_stale(run: dict[str, Any], runs: list[dict[str, Any]], states: dict[int, str]) -> bool:
    """Whether ``run``'s stored MOT metrics predate an edit of it or of its gt. Metrics
    stored without a basis (older versions) are trusted unless the run was edited."""
    if not has_mot_metrics(run):
        return False
    gt = gt_run(runs, int(run["sequence_id"]))
    stored = (run.get("metrics") or {}).get(BASIS_KEY)
    if gt is None:
        return False
    if stored is None:
        return int(run["id"]) in states
    return stored != basis(states, int(run["id"]), int(gt["id"]))


def evaluate_run(project: Project, run: int, rules: str = "trackeval") -> dict[str, Any] | None:
    """CLEAR/ID/HOTA of ``run`` against its sequence's ground truth with the basis it
    was computed on (None without gt). Boxes and edit state are read in one read
    transaction, so the basis names exactly the boxes scored. Does not store."""
    conn = project.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        row = project.run(run)
        runs = project.runs(int(row["sequence_id"]))
        gt = gt_run(runs, int(row["sequence_id"]))
        if gt is None:  # (gt against itself is allowed: a sanity check, MOTA 1)
            return None
        states = edit_state(project)
        gt_boxes, boxes = project.boxes(int(gt["id"])), project.boxes(run)
    finally:
        if began and conn.in_transaction:
            conn.execute("COMMIT")
    metrics = evaluate_mot(gt_boxes, boxes, rules=rules)
    keep = {k: v for k, v in metrics.items() if isinstance(v, int | float) or k == "rules"}
    keep[BASIS_KEY] = basis(states, run, int(gt["id"]))
    keep["gt_run"] = gt["name"]
    return keep


def evaluate_and_store(project: Project, run: int, rules: str = "trackeval"
                       ) -> dict[str, Any] | None:
    """``evaluate_run`` then store the result as the run's metrics (Run ▸ Evaluate)."""
    metrics = evaluate_run(project, run, rules)
    if metrics is not None:
        project.set_run_metrics(run, metrics)
    return metrics


def evaluate_in_worker(path: str | Path, runs: list[int], rules: str) -> dict[int, dict[str, Any]]:
    """Metrics of ``runs`` on a connection of the worker's own (the GUI stores them)."""
    out: dict[int, dict[str, Any]] = {}
    with Project.open(path) as project:
        for run in runs:
            m = evaluate_run(project, run, rules)
            if m is not None:
                out[run] = m
    return out


def number(metrics: dict[str, Any], key: str) -> float | None:
    v = metrics.get(key)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def format_value(value: float | None, count: bool) -> str:
    if value is None:
        return DASH
    return f"{int(round(value)):,}" if count else f"{value:.3f}"


def format_delta(delta: float | None, count: bool) -> str:
    if delta is None:
        return ""
    if count:
        d = int(round(delta))
        return "±0" if d == 0 else f"{d:+,}".replace("-", "−")
    return "±0" if abs(delta) < 5e-4 else f"{delta:+.3f}".replace("-", "−")


def sot_summary(metrics: dict[str, Any]) -> str:
    auc, p20 = number(metrics, "auc"), number(metrics, "precision_20")
    parts = [f"AUC {auc:.3f}" if auc is not None else "", f"P@20 {p20:.3f}" if p20 is not None else ""]
    return "SOT: " + ", ".join(p for p in parts if p) if any(parts) else "SOT"


def table_rows(runs: list[dict[str, Any]], states: dict[int, str]) -> list[dict[str, Any]]:
    """One row per run for the metrics table: ``cells`` (key -> text "12 (−3)"),
    ``values``/``deltas`` (numbers, None where absent), ``raw`` (the raw run's name or
    None), ``stale``, ``sot`` (a SOT summary instead of MOT columns), ``note``."""
    by_id = {int(r["id"]): r for r in runs}
    rows = []
    for r in runs:
        m = r.get("metrics") or {}
        sot = is_sot(r)
        raw = None if sot else raw_run(runs, r)
        raw_m = (raw.get("metrics") or {}) if raw is not None and has_mot_metrics(raw) else {}
        values, deltas, cells = {}, {}, {}
        for key, _, count in MOT_COLUMNS:
            v = None if sot else number(m, key)
            base = number(raw_m, key) if raw_m else None
            d = v - base if v is not None and base is not None else None
            values[key], deltas[key] = v, d
            text = format_value(v, count)
            cells[key] = f"{text} ({format_delta(d, count)})" if d is not None else text
        stale = is_stale(r, runs, states)
        note = ""
        if sot and m:
            note = sot_summary(m)
        elif stale:
            note = "stale: the boxes changed since these were computed"
        elif not has_mot_metrics(r) and r["kind"] != "gt":
            note = "not evaluated"
        rows.append({"id": int(r["id"]), "name": r["name"], "kind": r["kind"], "cells": cells,
                     "values": values, "deltas": deltas, "stale": stale, "sot": sot,
                     "raw": raw["name"] if raw is not None else None, "note": note,
                     "raw_stale": bool(raw is not None and is_stale(by_id[int(raw["id"])],
                                                                   runs, states))})
    return rows
