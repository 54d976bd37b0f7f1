"""``sporttrack batch``: track every match of a manifest or glob, one project file each.

Example::

    sporttrack batch season.csv --out-dir season/ --tracker bytetrack --jobs 2
    sporttrack batch 'sportsmot/val/*' --out-dir val/ --json
    sporttrack batch season.csv --out-dir season/ --address ray://head:10001

Re-running the same command skips complete matches and resumes interrupted ones from their
last committed frame. Exit code 0 when every match is complete, 1 when some failed (the
summary says which and why), 2 for bad input (manifest, options).
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from sporttrack_gui.cli.common import emit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "batch", help="track many matches (manifest CSV or glob) in parallel on Ray, resumable",
        description="One task per match, each writing <out-dir>/<name>.stp. Manifest CSV "
                    "columns: source (required), name, det, gt, calib (paths relative to the "
                    "manifest). A glob takes each matching video or MOT folder (its det/gt "
                    "files are used). Re-running skips complete matches and resumes "
                    "interrupted ones. Exit 0: all complete; 1: some matches failed; 2: bad "
                    "input.")
    p.add_argument("sources", help="manifest .csv, or a glob of videos / MOT folders (quote it)")
    p.add_argument("--out-dir", required=True, help="folder for the per-match project files")
    p.add_argument("--tracker", default="bytetrack", help="tracker name (default bytetrack)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="tracker parameter override (repeatable)")
    p.add_argument("--detector", metavar="SPEC",
                   help="e.g. yolo:model.pt (default: each match's det file, det:<det.txt>)")
    p.add_argument("--stride", type=int, default=1, metavar="K",
                   help="detect every K-th frame; the tracker predicts in between")
    p.add_argument("--run-name", help="run name in every project (default: the tracker name)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="matches processed at once on the local Ray (CPUs it may use)")
    p.add_argument("--address", metavar="ray://HOST:PORT",
                   help="use a running Ray cluster instead of starting a local one")
    p.add_argument("--engine", choices=["ray", "local"], default="ray",
                   help="ray (default) or local: one match after another in this process")
    p.add_argument("--retries", type=int, default=2,
                   help="times a match is retried when its worker process dies (default 2)")
    p.add_argument("--warmup", type=int, default=60,
                   help="frames re-tracked before the last committed frame when resuming")
    p.add_argument("--pitch-cmc", choices=["none", "sparse", "ecc"], default="none",
                   help="camera motion for the pitch figures of calibrated matches")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def _fmt_eta(s: float | None) -> str:
    if s is None:
        return "?"
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def _printer(quiet: bool):
    """A ``\\r`` line on a terminal; one line per finished match when stderr is a pipe."""
    if quiet:
        return None
    tty = sys.stderr.isatty()
    seen: list = []

    def show(p) -> None:
        line = (f"done {p.done}/{p.total}  running {p.running}  failed {p.failed}  "
                f"eta {_fmt_eta(p.eta_s)}")
        if tty:
            sys.stderr.write("\r" + line.ljust(60))
            if p.done + p.failed >= p.total:
                sys.stderr.write("\n")
        elif p.last is not None and (not seen or seen[-1] is not p.last):
            seen.append(p.last)
            sys.stderr.write(f"{p.last.name}: {p.last.status}"
                             f"{' (' + p.last.message + ')' if p.last.message else ''}  [{line}]\n")
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sporttrack_gui.batch import BatchSettings, load_jobs, run_batch
    from sporttrack_gui.batch.engine import batch_record
    from sporttrack_gui.errors import InputError
    from sporttrack_gui.track.config import parse_param_args

    if args.stride < 1:
        raise InputError(f"--stride must be >= 1, got {args.stride}")
    if args.warmup < 0:
        raise InputError(f"--warmup must be >= 0, got {args.warmup}")
    jobs = load_jobs(args.sources)
    settings = BatchSettings(out_dir=str(Path(args.out_dir).resolve()), tracker=args.tracker,
                             tracker_params=parse_param_args(args.param), detector=args.detector,
                             stride=args.stride, run_name=args.run_name, warmup=args.warmup,
                             pitch_cmc=args.pitch_cmc)
    _check_tracker(settings)
    # Ray prints worker deaths and its own notices from the driver: they go to stderr so
    # that stdout holds only this command's table or JSON.
    with contextlib.redirect_stdout(sys.stderr):
        summary = run_batch(jobs, settings, engine=args.engine, workers=args.jobs,
                            address=args.address, retries=args.retries,
                            progress=_printer(args.quiet or args.json))
    if args.json:
        emit(batch_record(settings, summary), True)
    else:
        counts = summary.counts()
        sys.stdout.write(f"{len(jobs)} matches in {summary.wall_s:.1f} s ({summary.engine}, "
                         f"{summary.workers} at once): "
                         + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + "\n")
        for o in summary.outcomes:
            if o.status == "failed" or o.resumed_after is not None:
                sys.stdout.write(f"  {o.name}: {o.status}: {o.message}\n")
    return 1 if summary.failed else 0


def _check_tracker(settings) -> None:
    """Unknown tracker names or parameters are refused before any worker starts."""
    from sporttrack_gui.track import create_tracker

    create_tracker(settings.tracker, **settings.tracker_params)
