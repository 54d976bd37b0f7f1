"""``sporttrack season``: the season table of a batch folder (CSV, Parquet, JSON, PNG).

Example::

    sporttrack season season/            # table on stdout, files in season/
    sporttrack season season/ --json --out reports/
"""

from __future__ import annotations

import argparse
import sys

from sporttrack_gui.cli.common import emit

_SHOWN = ("match", "status", "frames", "boxes", "ids", "wall_s", "HOTA", "IDF1", "MOTA",
          "distance_km", "top_speed_kmh")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "season", help="per-match table of a batch folder: status, timings, metrics, pitch figures",
        description="Collect every <name>.stp of a batch folder into season.csv/.parquet, "
                    "players.csv/.parquet, season.json (with the combined evaluation over all "
                    "matches with ground truth) and season.png.")
    p.add_argument("folder", help="batch output folder (the --out-dir of sporttrack batch)")
    p.add_argument("--run", help="run name to report (default: the batch's run)")
    p.add_argument("--out", help="folder for the files (default: the batch folder)")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(func=run)


def _cell(v) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.batch import collect_season, write_season

    season = collect_season(args.folder, args.run)
    written = write_season(season, args.out or args.folder)
    if args.json:
        emit({**season.to_dict(), "files": [str(p) for p in written]}, True)
        return 0
    rows = [[_cell(r.get(c)) for c in _SHOWN] for r in season.matches]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(_SHOWN)]
    out = sys.stdout
    out.write("  ".join(c.ljust(w) for c, w in zip(_SHOWN, widths, strict=True)) + "\n")
    for r in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + "\n")
    if season.combined:
        c = season.combined
        out.write(f"combined over {c['matches']} matches with gt ({c['rules']} rules): "
                  f"HOTA {_cell(c.get('HOTA'))}  IDF1 {_cell(c.get('IDF1'))}  "
                  f"MOTA {_cell(c.get('MOTA'))}  IDSW {_cell(c.get('IDSW'))}\n")
    out.write(f"wrote {', '.join(p.name for p in written)} in {written[0].parent}\n")
    return 0
