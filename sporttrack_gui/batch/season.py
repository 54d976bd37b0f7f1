"""The season table: one row per match of a batch folder, rebuilt from its project files.

Why from the files: every worker stored what it measured in its own project (run status,
timings, metrics against gt, pitch figures), so the table needs no database of its own, is
the same whichever machine ran a match, and can be rebuilt at any time (also while a batch
is still running: unfinished matches show as such). ``batch.json`` (written by the batch
command) adds the matches that failed before they had a project.

Outputs: ``season.csv`` / ``season.parquet`` (matches), ``players.csv`` /
``players.parquet`` (per player and match, where a calibration was given), ``season.json``
(the rows plus the combined evaluation over every match with ground truth: counts summed
over matches, as TrackEval and motmetrics combine sequences, not a mean of means) and
``season.png`` (a plot per metric).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.atomic_io import atomic_path, atomic_write_text
from sporttrack_gui.errors import InputError, SportTrackError

log = logging.getLogger(__name__)

BATCH_FILE = "batch.json"
MATCH_COLUMNS = ("match", "status", "frames", "boxes", "ids", "wall_s", "fps",
                 "detect_ms_per_frame", "track_ms_per_frame", "resumes", "HOTA", "IDF1", "MOTA",
                 "IDSW", "rules", "players", "distance_km", "top_speed_kmh", "sprints", "message")
PLAYER_COLUMNS = ("match", "track_id", "distance_m", "top_speed_kmh", "mean_speed_kmh",
                  "sprints", "sprint_distance_m", "frames")
METRICS = ("HOTA", "IDF1", "MOTA")
#: season column -> field of the evaluation summary (``eval.mot``)
EVAL_FIELDS = {"HOTA": "hota", "IDF1": "idf1", "MOTA": "mota", "IDSW": "num_switches"}


@dataclass
class Season:
    matches: list[dict[str, Any]] = field(default_factory=list)
    players: list[dict[str, Any]] = field(default_factory=list)
    combined: dict[str, Any] | None = None  # evaluation over all matches with gt

    def to_dict(self) -> dict[str, Any]:
        return {"matches": self.matches, "players": self.players, "combined": self.combined}


def read_batch_file(folder: Path) -> dict[str, Any]:
    path = folder / BATCH_FILE
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable batch record: {exc}", str(path)) from None
    # written by the batch command; a hand-edited or damaged one is named, not a traceback
    if not isinstance(record, dict) or not isinstance(record.get("settings", {}), dict) \
            or not isinstance(record.get("matches", []), list) \
            or not all(isinstance(m, dict) for m in record.get("matches", [])):
        raise InputError("not a batch record: expected an object with a 'settings' object "
                         "and a 'matches' list of objects", str(path))
    return record


def write_batch_file(folder: Path, record: dict[str, Any]) -> None:
    atomic_write_text(folder / BATCH_FILE, json.dumps(record, indent=2, default=str))


def _pick_run(runs: list[dict], name: str | None) -> dict | None:
    if name:
        return next((r for r in runs if r["name"] == name), None)
    trackers = [r for r in runs if r["kind"] == "tracker"]
    return trackers[-1] if trackers else None


def _match_row(name: str, run: dict | None, message: str = "") -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(MATCH_COLUMNS)
    row["match"] = name
    row["message"] = message
    if run is None:
        row["status"] = "failed" if message else "no run"
        return row
    m = run["metrics"] or {}
    row["status"] = run["status"]
    for key in ("frames", "boxes", "ids", "wall_s", "fps", "detect_ms_per_frame",
                "track_ms_per_frame"):
        row[key] = m.get(key)
    row["resumes"] = int(m.get("resumes", 0))
    ev = m.get("eval") or {}
    for key, name in EVAL_FIELDS.items():
        row[key] = ev.get(name)
    row["rules"] = ev.get("rules", "motmetrics" if ev else None)  # older runs: motmetrics
    players = (m.get("pitch") or {}).get("players") or []
    if players:
        row["players"] = len(players)
        row["distance_km"] = round(sum(p["distance_m"] for p in players) / 1000.0, 3)
        row["top_speed_kmh"] = max(p["top_speed_kmh"] for p in players)
        row["sprints"] = sum(p["sprints"] for p in players)
    return row


def collect_season(folder: str | Path, run: str | None = None, *,
                   combined: bool = True) -> Season:
    """Rows for every match project in ``folder`` (read-only; a damaged file is a row too)."""
    from sporttrack_gui.project import Project

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder", str(folder))
    record = read_batch_file(folder)
    run = run or (record.get("settings") or {}).get("run")
    failures = {o["name"]: o.get("message", "") for o in record.get("matches", [])
                if o.get("status") == "failed" and isinstance(o.get("name"), str)}
    season = Season()
    pairs: list[tuple[str, Path, int, int]] = []  # (match, project, gt run, run): loaded later
    seen: set[str] = set()
    for path in sorted(folder.glob("*.stp")):
        name = path.stem
        seen.add(name)
        try:
            with Project.open(path, readonly=True) as project:
                runs = project.runs()
                chosen = _pick_run(runs, run)
                season.matches.append(_match_row(name, chosen, failures.get(name, "")))
                players = ((chosen or {}).get("metrics") or {}).get("pitch", {}).get("players")
                for p in players or []:
                    season.players.append({"match": name, **{k: p.get(k) for k in
                                                             PLAYER_COLUMNS[1:]}})
                gt = next((r for r in runs if r["kind"] == "gt"
                           and r["sequence_id"] == (chosen or {}).get("sequence_id")), None)
                if combined and gt is not None and chosen is not None \
                        and chosen["status"] == "complete":
                    pairs.append((name, path, gt["id"], chosen["id"]))
        except SportTrackError as exc:
            season.matches.append(_match_row(name, None, f"cannot read the project: {exc}"))
    for name, message in failures.items():
        if name not in seen:
            season.matches.append(_match_row(name, None, message))
    if pairs:
        season.combined = _combined(pairs)
    return season


def _combined(pairs: list[tuple[str, Path, int, int]]) -> dict[str, Any]:
    """One evaluation over every match with gt, counts summed as TrackEval combines
    sequences. Each match's boxes are read only while it is scored (a season of full
    matches never sits in memory at once)."""
    from sporttrack_gui.eval.split import evaluate_sequences
    from sporttrack_gui.project import Project

    def loader(path: Path, gt_id: int, run_id: int):
        def load():
            with Project.open(path, readonly=True) as project:
                return project.boxes(gt_id), project.boxes(run_id), None
        return load

    result = evaluate_sequences([(name, loader(path, g, r)) for name, path, g, r in pairs])
    overall = result.combined
    return {"matches": len(pairs), "rules": result.rules,
            **{k: overall.get(name) for k, name in EVAL_FIELDS.items()},
            "fields": {k: v for k, v in overall.items() if isinstance(v, int | float)}}


def _write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    import csv

    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _write_parquet(path: Path, rows: list[dict], columns: tuple[str, ...]) -> bool:
    """Parquet through pyarrow (the ``batch`` extra); False when it is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return False
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows],
                                 schema=None) if rows else pa.table({c: [] for c in columns})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return True


def write_season(season: Season, dest: str | Path) -> list[Path]:
    """Write the season files into ``dest``; returns what was written."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, rows, cols in (("season", season.matches, MATCH_COLUMNS),
                             ("players", season.players, PLAYER_COLUMNS)):
        _write_csv(dest / f"{stem}.csv", rows, cols)
        written.append(dest / f"{stem}.csv")
        if _write_parquet(dest / f"{stem}.parquet", rows, cols):
            written.append(dest / f"{stem}.parquet")
        else:
            log.warning("Parquet needs pyarrow (pip install 'sporttrack[batch]'); wrote CSV only")
    atomic_write_text(dest / "season.json", json.dumps(season.to_dict(), indent=2, default=str))
    written.append(dest / "season.json")
    written.append(plot_season(season, dest / "season.png"))
    return written


def plot_season(season: Season, path: Path) -> Path:
    """One bar chart per metric across matches (plus wall time), as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = season.matches
    names = [r["match"] for r in rows]
    panels = [m for m in METRICS if any(r.get(m) is not None for r in rows)]
    panels.append("wall_s")
    fig, axes = plt.subplots(len(panels), 1, figsize=(max(6, 0.5 * len(rows) + 3),
                                                     2.2 * len(panels)), squeeze=False)
    colours = {"complete": "#2e7d32", "failed": "#c62828"}
    for ax, metric in zip(axes[:, 0], panels, strict=True):
        values = [float(r.get(metric) or 0.0) for r in rows]
        ax.bar(range(len(rows)), values,
               color=[colours.get(r["status"], "#f9a825") for r in rows])
        ax.set_ylabel(metric)
        if metric in METRICS:
            ax.set_ylim(0, 1)
            if season.combined and metric in season.combined:
                ax.axhline(season.combined[metric], color="k", lw=1, ls="--",
                           label=f"combined {season.combined[metric]:.3f}")
                ax.legend(loc="lower right", fontsize=8)
        ax.set_xticks(range(len(rows)), names if metric == panels[-1] else [""] * len(rows),
                      rotation=45, ha="right", fontsize=8)
    fig.suptitle("Season: green complete, red failed, yellow unfinished")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=90)
    plt.close(fig)
    return path
