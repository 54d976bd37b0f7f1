"""How many real ID switches the assistant finds on real tracker runs, and what applying
its proposals does to IDF1.

    python benchmarks/bench_assist_recall.py [--split heldout|tune|all] [--quick]
                                             [--levels moderate] [--trackers cbiou bytetrack]
                                             [--min-score 0.5] [--seeds 100 101 102 103]

Data: SoccerNet SNMOT-116 and the three SportsMOT validation sequences of
``../shared/data`` (ground truth only), turned into detections by
``sporttrack_gui.track.degrade`` (seeded), tracked by our built-in trackers. Each run is
stored in a throw-away project and measured exactly like ``sporttrack assist RUN
--eval-gt GT --apply-all``: TrackEval-rule switch log, a suspect within +-15 frames
naming one of the two prediction ids finds a switch, IDF1 before/after applying every
proposal whose fix confidence is >= --min-score as undoable edits (rescan after each).

Honest tuning: the scan's thresholds and the fix confidence
(``benchmarks/fit_assist_fixes.py``) may only be chosen on ``--split tune`` (the same
sequence/seed halves as ``bench_track_sports.py``); quote ``--split heldout``. ``--seeds``
replaces the split's seeds (more held-out draws); a tune seed is refused with held-out
sequences.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_track_sports import QUICK_FRAMES, SPLITS, degraded_runs, load_seq  # noqa: E402

from sporttrack_gui.assist import Assistant  # noqa: E402
from sporttrack_gui.assist.evaluate import evaluate_assistant  # noqa: E402
from sporttrack_gui.project import Project  # noqa: E402


def measure(seq, pred: np.ndarray, min_score: float, folder: Path, tag: str) -> dict:
    gt = SimpleNamespace(frame=seq.gt[0], track_id=seq.gt[1], xywh=seq.gt[2])
    path = folder / f"{tag}.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "synthetic", width=seq.width, height=seq.height, fps=seq.fps,
                       frame_count=seq.n_frames)
        run = p.create_run("s", "trk", kind="tracker", status="complete")
        p.append_boxes(run, {"frame": pred[:, 0].astype(np.int64),
                             "track_id": pred[:, 1].astype(np.int64), "xywh": pred[:, 2:6]})
        t0 = time.perf_counter()
        res = evaluate_assistant(Assistant(p, run), gt, apply=True, min_score=min_score)
        res["seconds"] = time.perf_counter() - t0
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    ap.add_argument("--levels", nargs="+", default=["moderate"])
    ap.add_argument("--trackers", nargs="+", default=["cbiou", "bytetrack"])
    ap.add_argument("--min-score", type=float, default=0.5)
    ap.add_argument("--seeds", nargs="+", type=int, help="seeds instead of the split's")
    ap.add_argument("--quick", action="store_true",
                    help=f"one seed, first {QUICK_FRAMES} frames per sequence")
    args = ap.parse_args()
    names, seeds = ([*SPLITS["tune"][0], *SPLITS["heldout"][0]],
                    [*SPLITS["tune"][1], *SPLITS["heldout"][1]]) if args.split == "all" \
        else SPLITS[args.split]
    if args.seeds:
        if args.split != "tune" and set(args.seeds) & set(SPLITS["tune"][1]):
            ap.error(f"seeds {SPLITS['tune'][1]} belong to the tune half")
        seeds = args.seeds
    if args.quick:
        seeds = seeds[:1]
    seqs = [s for s in (load_seq(n, QUICK_FRAMES if args.quick else None) for n in names) if s]
    if not seqs:
        print("no sequences found under ../shared/data (shared data absent)")
        return 1
    head = (f"{'sequence':<22} {'tracker':<10} {'lvl':<8} {'seed':>4} {'switch':>6} "
            f"{'recall':>6} {'susp':>5} {'real':>5} {'IDF1 before':>11} {'after':>7} {'fixes':>5}")
    print(head)
    tot = {"switches": 0, "found": 0, "suspects": 0, "real": 0, "worse": 0, "runs": 0,
           "applied": 0, "gain": 0.0, "better": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for seq, name, lv, seed, pred, tag in degraded_runs(seqs, args.levels, seeds,
                                                            args.trackers):
            r = measure(seq, pred, args.min_score, Path(tmp), tag)
            print(f"{seq.name:<22} {name:<10} {lv:<8} {seed:>4} {r['switches']:>6} "
                  f"{r['recall']:>6.3f} {r['suspects']:>5} {r['real_share']:>5.2f} "
                  f"{r['idf1_before']:>11.4f} {r['idf1_after']:>7.4f} "
                  f"{r['applied']:>5}", flush=True)
            kinds = "  ".join(f"{k}:{n}/{real}" for k, (n, real)
                              in sorted(r["by_kind"].items()))
            print(f"{'':<22} suspects/real by kind: {kinds}")
            for k in ("switches", "found", "suspects", "real"):
                tot[k] += r[k]
            tot["worse"] += int(r["idf1_after"] < r["idf1_before"] - 1e-9)
            tot["better"] += int(r["idf1_after"] > r["idf1_before"] + 1e-9)
            tot["applied"] += r["applied"]
            tot["gain"] += r["idf1_after"] - r["idf1_before"]
            tot["runs"] += 1
    print(f"\nall runs ({args.split}): recall {tot['found'] / max(tot['switches'], 1):.3f} "
          f"({tot['found']}/{tot['switches']}), real share "
          f"{tot['real'] / max(tot['suspects'], 1):.3f} ({tot['real']}/{tot['suspects']}), "
          f"IDF1 lowered on {tot['worse']} of {tot['runs']} runs, raised on {tot['better']}; "
          f"{tot['applied']} fixes applied, IDF1 gain summed over runs {tot['gain']:+.4f} "
          f"(mean {tot['gain'] / max(tot['runs'], 1):+.4f} per run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
