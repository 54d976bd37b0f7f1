"""A whole benchmark split in one call: per-sequence and combined MOT metrics.

Layout, as TrackEval's ``MotChallenge2DBox`` expects it (``SKIP_SPLIT_FOL``)::

    <gt_dir>/<seq>/gt/gt.txt      ground truth (+ <gt_dir>/<seq>/seqinfo.ini for the length)
    <pred_dir>/<seq>.txt          the tracker's output for that sequence

Sequences come from a seqmap file (TrackEval's: a header line, then one name per line) or,
without one, from every ``<gt_dir>/<seq>/gt/gt.txt``. The combined row is TrackEval's
``combine_sequences``: CLEAR/Identity counts summed, HOTA's TP/FN/FP summed and its
association/localisation scores TP-weighted per alpha - never a mean of means.

Files are read into float64 straight from the text (the exact values TrackEval parses),
not through ``MotTable``'s float32 columns, so IoUs match TrackEval's bit for bit.
``evaluate_split`` is the one headless function the CLI, the GUI and batch jobs call.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import Cancelled, InputError
from sporttrack_gui.eval import clear, hota
from sporttrack_gui.eval.metrics import columns as metric_columns
from sporttrack_gui.eval.mot import check_rules, evaluate_counts, summarize_counts

#: what to do when a sequence has no prediction file
MISSING = ("error", "empty", "skip")
COMBINED = "COMBINED"
Progress = Callable[[int, int, str], None]


@dataclass
class BoxTable:
    """The columns metrics read (``prepare.columns``), kept in float64 as parsed."""

    frame: np.ndarray
    track_id: np.ndarray
    xywh: np.ndarray
    conf: np.ndarray
    cls: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)


@dataclass
class SplitResult:
    """Per-sequence metric dicts (seqmap order), the combined one, and how they were made."""

    sequences: dict[str, dict[str, Any]]
    combined: dict[str, Any]
    rules: str
    preproc: str | None
    iou_threshold: float
    missing: list[str] = field(default_factory=list)  # sequences without a prediction file

    def rows(self) -> list[dict[str, Any]]:
        """One row per sequence, then the combined row (``sequence`` = ``COMBINED``)."""
        return ([{"sequence": name, **m} for name, m in self.sequences.items()]
                + [{"sequence": COMBINED, **self.combined}])

    def to_json(self) -> dict[str, Any]:
        return {"rules": self.rules, "preproc": self.preproc or "none",
                "iou_threshold": self.iou_threshold, "missing": self.missing,
                "sequences": self.sequences, "combined": self.combined}


def csv_text(result: SplitResult, columns: list[str] | None = None) -> str:
    """The paper table as CSV: one row per sequence plus ``COMBINED``, full precision,
    ratios in 0..1, with the rules and preprocessing in every row (a table never loses
    how it was made)."""
    cols = [*(columns or ["sequence", *metric_columns("table")]), "rules", "preproc",
            "iou_threshold"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    extra = {"preproc": result.preproc or "none", "iou_threshold": result.iou_threshold}
    for row in result.rows():
        row = {**row, **extra}
        w.writerow(["" if row.get(c) is None else row.get(c) for c in cols])
    return buf.getvalue()


def markdown(result: SplitResult, columns: list[str] | None = None) -> str:
    """Terminal/paper table; the first line names the rules (which leaderboard's numbers)."""
    from sporttrack_gui.eval.report import markdown_table

    head = (f"rules: {result.rules}, preprocessing: {result.preproc or 'none'}, "
            f"IoU {result.iou_threshold:g}, {len(result.sequences)} sequence(s)")
    if result.missing:
        head += f"; no prediction file: {', '.join(result.missing)}"
    return head + "\n\n" + markdown_table(result.rows(),
                                        columns or ["sequence", *metric_columns("terminal")])


def read_boxes(path: Path, kind: str) -> BoxTable:
    """A MOT text file through the formats' validation, keeping float64 values."""
    from sporttrack_gui.formats.mot_check import check_rows, gt_has_class, resolve_kind
    from sporttrack_gui.formats.numtext import parse_numeric_text

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read MOT file: {exc.strerror or exc}", str(path)) from None
    text = parse_numeric_text(data)
    ids = text.values[text.offsets[text.ncols >= 2] + 1] if len(text.ncols) else np.zeros(0)
    resolved = resolve_kind(kind, ids, path.name)
    checked = check_rows(text, resolved, first_only=True)
    if checked.problems:
        line, msg = checked.problems[0]
        raise InputError(msg, str(path), line)
    rows, ncol = checked.values, checked.ncol
    n = len(rows)
    has_class = gt_has_class(resolved, ncol)
    return BoxTable(frame=rows[:, 0].astype(np.int64), track_id=rows[:, 1].astype(np.int64),
                    xywh=np.ascontiguousarray(rows[:, 2:6], np.float64),
                    conf=rows[:, 6] if ncol >= 7 else np.ones(n),
                    cls=rows[:, 7] if has_class else np.full(n, -1.0))


def read_seqmap(path: str | Path) -> list[str]:
    """Sequence names of a TrackEval seqmap (first line is a header, blank lines skipped)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read seqmap: {getattr(exc, 'strerror', None) or exc}",
                         str(p)) from None
    names = [row[0].strip() for i, row in enumerate(csv.reader(io.StringIO(text)))
             if i > 0 and row and row[0].strip()]
    if not names:
        raise InputError("seqmap lists no sequences (the first line is a header)", str(p))
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"sequence {dup} is listed twice", str(p))
    return names


def find_sequences(gt_dir: str | Path) -> list[str]:
    """Every ``<gt_dir>/<seq>`` holding ``gt/gt.txt``, sorted by name."""
    root = Path(gt_dir)
    if not root.is_dir():
        raise InputError("ground-truth folder not found", str(root))
    names = sorted(d.name for d in root.iterdir() if (d / "gt" / "gt.txt").is_file())
    if not names:
        raise InputError("no <seq>/gt/gt.txt below this folder", str(root))
    return names


def sequence_length(seq_dir: Path) -> int | None:
    """``seqLength`` of ``seqinfo.ini`` when the folder has one (else the last row decides)."""
    from sporttrack_gui.formats.ini import read_section

    ini = seq_dir / "seqinfo.ini"
    if not ini.is_file():
        return None
    entry = read_section(ini, "Sequence").get("seqlength")
    if entry is None:
        return None
    try:
        n = int(entry.value)
    except ValueError:
        raise InputError(f"seqLength {entry.value!r} is not a whole number", str(ini),
                         entry.line) from None
    if n < 1:
        raise InputError(f"seqLength {n} must be positive", str(ini), entry.line)
    return n


def _empty_table() -> BoxTable:
    z = np.zeros(0)
    return BoxTable(z.astype(np.int64), z.astype(np.int64), np.zeros((0, 4)), z, z)


Loader = Callable[[], tuple[Any, Any, "int | None"]]
Cancel = threading.Event | Callable[[], bool] | None


def _cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


def evaluate_sequences(items: list[tuple[str, Loader]], *, rules: str = "trackeval",
                       preproc: str | None = None, iou_threshold: float = 0.5,
                       missing: list[str] | None = None, progress: Progress | None = None,
                       cancel: Cancel = None) -> SplitResult:
    """The shared core: ``items`` are (name, loader) with ``loader() -> (gt, pred, length)``
    (tables as ``prepare.columns`` reads them; ``length`` None = last frame with a row).
    Loading happens one sequence at a time, so a split never sits in memory at once."""
    check_rules(rules)
    per_seq: dict[str, dict[str, Any]] = {}
    total = clear.MotCounts()
    parts: list[hota.HotaCounts] = []
    for i, (name, load) in enumerate(items):
        if _cancelled(cancel):
            raise Cancelled(f"evaluation cancelled after {i} of {len(items)} sequences")
        if progress:
            progress(i, len(items), name)
        try:
            gt, pred, length = load()
            counts, hc = evaluate_counts(gt, pred, iou_threshold=iou_threshold, rules=rules,
                                         preproc=preproc or "none", num_frames=length)
        except InputError as exc:
            raise InputError(f"sequence {name}: {exc}") from None
        per_seq[name] = summarize_counts(counts, hc, False, rules, sequence=True)
        total = total + counts
        if hc is not None:
            parts.append(hc)
    if progress:
        progress(len(items), len(items), "")
    combined = summarize_counts(total, hota.combine(parts), False, rules)
    return SplitResult(per_seq, combined, rules, preproc if preproc not in (None, "none") else None,
                       float(iou_threshold), list(missing or []))


def evaluate_split(gt_dir: str | Path, pred_dir: str | Path, seqmap: str | Path | None = None, *,
                   rules: str = "trackeval", preproc: str | None = None,
                   iou_threshold: float = 0.5, missing: str = "error",
                   progress: Progress | None = None, cancel: Cancel = None) -> SplitResult:
    """Score every sequence of a split folder and combine them as TrackEval does.

    ``missing``: a sequence without ``<pred_dir>/<seq>.txt`` is an error naming it
    (``"error"``, default), an empty prediction (``"empty"``: all its gt boxes missed), or
    left out of the table and the combined row (``"skip"``; listed in ``missing``).
    ``progress(done, total, sequence)`` is called before each sequence and at the end;
    ``cancel`` (an Event or a callable) is checked between sequences. Raises
    :class:`InputError` naming the sequence and file for bad input, :class:`Cancelled`.
    """
    check_rules(rules)
    if missing not in MISSING:
        raise InputError(f"unknown missing-file policy {missing!r}; use one of {', '.join(MISSING)}")
    gt_root, pred_root = Path(gt_dir), Path(pred_dir)
    names = read_seqmap(seqmap) if seqmap is not None else find_sequences(gt_root)
    if not pred_root.is_dir():
        raise InputError("prediction folder not found", str(pred_root))
    absent = [n for n in names if not (pred_root / f"{n}.txt").is_file()]
    if absent and missing == "error":
        more = f" and {len(absent) - 1} more" if len(absent) > 1 else ""
        raise InputError(f"no prediction file for sequence {absent[0]}{more} "
                         f"(expected {pred_root / (absent[0] + '.txt')}; "
                         "--missing empty scores it as all missed, --missing skip leaves it out)")

    def loader(name: str) -> Loader:
        def load() -> tuple[BoxTable, BoxTable, int | None]:
            seq_dir = gt_root / name
            gt_file = seq_dir / "gt" / "gt.txt"
            if not gt_file.is_file():
                raise InputError("ground truth not found", str(gt_file))
            pred = (read_boxes(pred_root / f"{name}.txt", "results") if name not in absent
                    else _empty_table())
            return read_boxes(gt_file, "auto"), pred, sequence_length(seq_dir)
        return load

    items = [(n, loader(n)) for n in names if missing != "skip" or n not in absent]
    return evaluate_sequences(items, rules=rules, preproc=preproc, iou_threshold=iou_threshold,
                              missing=absent, progress=progress, cancel=cancel)


def evaluate_project(project: str | Path, run: str, *, gt_run: str | None = None,
                     rules: str = "trackeval", preproc: str | None = None,
                     iou_threshold: float = 0.5, progress: Progress | None = None,
                     cancel: Cancel = None) -> SplitResult:
    """Every sequence of a project that has run ``run`` and a ground-truth run, combined.

    The gt run is the one named ``gt_run`` or else the sequence's newest run of kind
    ``gt``. Sequences lacking either are listed in ``missing``. The project is opened
    read-only (a GUI holding the write lock is not disturbed); the sequence's frame count
    is the length, widened to the last box if the stored count is short.
    """
    from sporttrack_gui.project import Project

    with Project.open(project, readonly=True) as p:
        plan: list[tuple[str, int, int, int | None]] = []
        absent: list[str] = []
        for seq in p.sequences():
            runs = p.runs(seq["id"])
            gts = [r for r in runs if (r["name"] == gt_run if gt_run else r["kind"] == "gt")]
            mine = [r for r in runs if r["name"] == run]
            if gts and mine:
                plan.append((seq["name"], gts[-1]["id"], mine[0]["id"], seq.get("frame_count")))
            else:
                absent.append(seq["name"])
        if not plan:
            raise InputError(f"no sequence has both a run named {run!r} and a ground-truth run",
                             str(project))

        def loader(gt_id: int, run_id: int, count: int | None) -> Loader:
            def load() -> tuple[Any, Any, int | None]:
                gt, pred = p.boxes(gt_id), p.boxes(run_id)
                last = max([int(t.frame.max()) for t in (gt, pred) if len(t)], default=0)
                return gt, pred, (max(int(count), last) if count else None)
            return load

        items = [(name, loader(g, r, n)) for name, g, r, n in plan]
        return evaluate_sequences(items, rules=rules, preproc=preproc,
                                  iou_threshold=iou_threshold, missing=absent,
                                  progress=progress, cancel=cancel)
