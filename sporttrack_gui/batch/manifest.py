"""What a batch is asked to process: one ``MatchJob`` per source, from a CSV manifest or a glob.

Why a manifest: a season is a list of matches with their own extras (public detections,
ground truth, a pitch calibration). A CSV is what an analyst can write in a spreadsheet;
a glob (``matches/*.mp4``) is the quick way when there are no extras. Names must be unique
because each match gets its own project file ``<out-dir>/<name>.stp``.

Manifest columns (header required, only ``source`` mandatory; relative paths are relative
to the manifest's folder)::

    source,name,det,gt,calib
    matches/2025-08-16-ars-liv.mp4,ars-liv,,,calib/ars.json
    sportsmot/v_00HRwkvvjtQ_c001,,det/det.txt,gt/gt.txt,
"""

from __future__ import annotations

import csv
import glob
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sporttrack_gui.errors import InputError

COLUMNS = ("source", "name", "det", "gt", "calib")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class MatchJob:
    """One match of a batch: plain strings so that it pickles to any worker."""

    name: str
    source: str
    det: str | None = None
    gt: str | None = None
    calib: str | None = None

    def project_path(self, out_dir: str | Path) -> Path:
        return Path(out_dir) / f"{self.name}.stp"


def safe_name(text: str) -> str:
    """A file-name-safe match name (letters, digits, ``._-``)."""
    name = _SAFE.sub("_", text).strip("._")
    return name or "match"


def _default_name(source: Path) -> str:
    return safe_name(source.stem if source.suffix else source.name)


def _resolve(base: Path, text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    p = Path(text.strip()).expanduser()
    # absolute: the task may run in a Ray worker with another working folder
    return os.path.abspath(p if p.is_absolute() else (base / p))


def _sidecar(source: Path, rel: str) -> str | None:
    """A MOT folder's own det/gt file, used when the manifest gives none."""
    p = source / rel
    return str(p) if source.is_dir() and p.is_file() else None


def read_manifest(path: str | Path) -> list[MatchJob]:
    """Jobs of a CSV manifest; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the manifest: {exc}", str(path)) from None
    rows = _csv_rows(text, str(path))
    if not rows or not any(c.strip() for c in rows[0][1]):
        raise InputError("empty manifest: the first line must name the columns "
                         f"({', '.join(COLUMNS)})", str(path), 1)
    header = [c.strip().lower() for c in rows[0][1]]
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or "source" not in header:
        raise InputError(f"manifest columns must be among {', '.join(COLUMNS)} and include "
                         f"'source'; got {', '.join(header)}", str(path), 1)
    base = path.parent
    jobs: list[MatchJob] = []
    for lineno, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{len(row)} fields, the header has {len(header)}", str(path), lineno)
        cells = dict(zip(header, [c.strip() for c in row], strict=False))
        src_text = cells.get("source", "")
        if not src_text:
            raise InputError("empty 'source'", str(path), lineno)
        source = Path(_resolve(base, src_text))
        jobs.append(MatchJob(
            name=safe_name(cells["name"]) if cells.get("name") else _default_name(source),
            source=str(source),
            det=_resolve(base, cells.get("det")) or _sidecar(source, "det/det.txt"),
            gt=_resolve(base, cells.get("gt")) or _sidecar(source, "gt/gt.txt"),
            calib=_resolve(base, cells.get("calib")),
        ))
        jobs[-1] = _checked(jobs[-1], str(path), lineno)
    return _unique(jobs, str(path))


def _csv_rows(text: str, where: str) -> list[tuple[int, list[str]]]:
    """(line where the row starts, fields) per CSV row; a quoted field may span lines
    (so rows are not split on newlines first) and a malformed one names its line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"not a valid CSV row: {exc}", where, start) from None
    return rows


def _checked(job: MatchJob, where: str, line: int) -> MatchJob:
    for field in ("det", "gt", "calib"):
        value = getattr(job, field)
        if value is not None and not Path(value).is_file():
            raise InputError(f"{field} file not found: {value}", where, line)
    return job


def _unique(jobs: list[MatchJob], where: str) -> list[MatchJob]:
    seen: dict[str, str] = {}
    for job in jobs:
        if job.name in seen:
            raise InputError(f"two matches would share the project {job.name}.stp: "
                             f"{seen[job.name]} and {job.source}; give them names", where)
        seen[job.name] = job.source
    return jobs


def jobs_from_glob(pattern: str) -> list[MatchJob]:
    """Jobs for every file or folder matching ``pattern`` (sorted, deterministic)."""
    paths = sorted(Path(os.path.abspath(p))  # workers may have another working folder
                   for p in glob.glob(str(Path(pattern).expanduser()), recursive=True))
    paths = [p for p in paths if not p.name.startswith(".")]
    if not paths:
        raise InputError(f"no source matches {pattern!r}")
    jobs = [MatchJob(name=_default_name(p), source=str(p), det=_sidecar(p, "det/det.txt"),
                     gt=_sidecar(p, "gt/gt.txt")) for p in paths]
    return _unique(jobs, pattern)


def load_jobs(spec: str | Path) -> list[MatchJob]:
    """A ``.csv`` manifest, else a glob pattern (a single path is a glob of one)."""
    text = str(spec)
    if text.lower().endswith(".csv") and Path(text).is_file():
        return read_manifest(text)
    return jobs_from_glob(text)
