"""Interchange at match scale: CVAT for video XML and COCO JSON write/read next to MOT,
and the ``boxes_shown`` view next to ``Project.boxes``.

Peers measured in the same run (the machine is shared, so absolute times are inflated;
compare the ratios): ``write_mot``/``read_mot`` for the same table, datumaro's CVAT
import of our XML (``--datumaro``, slow) and ``pycocotools.COCO`` loading our JSON; for
the view, ``Project.boxes(run)`` (numpy relabelling) after the same identity edits.
Default 20,000 frames x 25 boxes = 0.5 M boxes (a full match is 135,000 frames: pass
``--frames 135000``). Nothing is asserted.

    .venv/bin/python benchmarks/bench_interchange.py [--frames 20000] [--datumaro]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_formats_read import match_table  # noqa: E402

from sporttrack_gui.formats.coco import read_coco, write_coco  # noqa: E402
from sporttrack_gui.formats.cvat import read_cvat, write_cvat_video  # noqa: E402
from sporttrack_gui.formats.interchange import Annotations  # noqa: E402
from sporttrack_gui.formats.mot import read_mot, write_mot  # noqa: E402


def _time(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=20_000)
    ap.add_argument("--datumaro", action="store_true", help="also time datumaro's CVAT import")
    args = ap.parse_args()
    table = match_table(args.frames)
    n = len(table)
    ann = Annotations(table, track_meta={t: {"class": "player", "team": "left"}
                                         for t in range(1, 13)},
                      width=1920, height=1080, frame_count=args.frames, name="bench")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        rows = []
        t_mw, _ = _time(lambda: write_mot(d / "gt.txt", table))
        t_mr, _ = _time(lambda: read_mot(d / "gt.txt"))
        t_cw, _ = _time(lambda: write_cvat_video(d / "a.xml", ann))
        t_cr, back = _time(lambda: read_cvat(d / "a.xml"))
        assert len(back.table) == n
        t_jw, _ = _time(lambda: write_coco(d / "a.json", ann, video=True))
        t_jr, back = _time(lambda: read_coco(d / "a.json"))
        assert len(back.table) == n
        rows += [("MOT gt.txt", t_mw, t_mr, (d / "gt.txt").stat().st_size),
                 ("CVAT video XML", t_cw, t_cr, (d / "a.xml").stat().st_size),
                 ("COCO JSON (video)", t_jw, t_jr, (d / "a.json").stat().st_size)]
        print(f"{n:,} boxes ({args.frames:,} frames x 25); times on a shared machine")
        print(f"{'format':<20}{'write s':>9}{'read s':>9}{'MB':>8}{'write/MOT':>11}{'read/MOT':>10}")
        for name, w, r, size in rows:
            print(f"{name:<20}{w:>9.2f}{r:>9.2f}{size / 1e6:>8.1f}{w / t_mw:>11.1f}{r / t_mr:>10.1f}")
        try:
            from pycocotools.coco import COCO

            t_pc, _ = _time(lambda: COCO(str(d / "a.json")))
            print(f"peer: pycocotools COCO() load of the same JSON {t_pc:.2f} s "
                  f"(read_coco / pycocotools = {t_jr / t_pc:.2f})")
        except ImportError:
            pass
        if args.datumaro:
            import datumaro as dm

            t_dm, ds = _time(lambda: dm.Dataset.import_from(str(d / "a.xml"), "cvat"))
            t_it, _ = _time(lambda: sum(len(i.annotations) for i in ds))
            print(f"peer: datumaro CVAT import {t_dm + t_it:.2f} s "
                  f"(read_cvat / datumaro = {t_cr / (t_dm + t_it):.2f})")
        _bench_view(d, table)


def _bench_view(d: Path, table) -> None:
    from sporttrack_gui.project import Project, edits

    with Project.open(d / "p.stp", create=True) as p:
        seq = p.add_sequence("s", d, frame_count=int(table.frame.max()))
        run = p.create_run(seq, "gt", kind="gt", status="complete")
        p.append_boxes(run, table)
        last = int(table.frame.max())
        for k in range(1, 11):  # ten identity edits spread over the match
            edits.swap_tracks(p, run, k, k + 1, k * last // 12)
        edits.delete_track(p, run, 20, last // 3, last // 2)
        t_b, shown = _time(lambda: p.boxes(run))
        t_v, rows = _time(lambda: p.conn.execute(
            "SELECT frame, track, x, y, w, h FROM boxes_shown WHERE run_id = ?",
            (run,)).fetchall())
        assert len(rows) == len(shown)
    print(f"boxes_shown view: {len(rows):,} rows in {t_v:.2f} s via sqlite3 fetchall; "
          f"Project.boxes (numpy) {t_b:.2f} s; view / boxes = {t_v / t_b:.1f}")


if __name__ == "__main__":
    main()
