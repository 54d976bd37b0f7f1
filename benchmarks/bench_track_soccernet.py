"""Tracking accuracy on SoccerNet SNMOT-116 with degraded detections, vs ultralytics.

    .venv/bin/python benchmarks/bench_track_soccernet.py [--seeds 0 1 2] [--frames-only]

Detections: the sequence's det.txt (gt boxes without ids) degraded by
``_soccernet_degrade.degrade`` (seeded: 20 % dropped, 5 % jitter, false positives, lower
scores for the worst boxes). Every tracker gets the SAME detections. Prints MOTA, IDF1,
IDSW and tracker ms/frame per tracker (mean over seeds) and ours/ultralytics ratios.
The 150-frame part with images also runs the appearance variants (colour embedder).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _soccernet_degrade import (  # noqa: E402
    degrade,
    evaluate,
    load_mot_arrays,
    run_tracker,
    ultralytics_bytetrack,
)

from sporttrack_gui.track import create_tracker  # noqa: E402

SEQ = Path(__file__).resolve().parents[2] / "shared" / "data" / "soccernet" / "SNMOT-116"
UL_PARAMS = {"track_high_thresh": 0.25, "new_track_thresh": 0.25, "match_thresh": 0.8,
             "fuse_score": True, "lost_velocity_decay": 1.0, "frame_rate": 30}


def run_all(dets, frames, variants, gt) -> dict[str, dict[str, float]]:
    out = {}
    for label, make in variants.items():
        made = make()
        if hasattr(made, "update"):  # one of ours: feed pixels only when it needs them
            counter = iter(range(len(dets)))

            def update(d, trk=made, it=counter):
                i = next(it)
                return trk.update(d, frames[i] if trk.needs_pixels else None)
        else:
            update = made
        t0 = time.perf_counter()
        pred = run_tracker(update, dets)
        ms = 1000 * (time.perf_counter() - t0) / len(dets)
        out[label] = {**evaluate(gt, pred), "ms_per_frame": ms}
    return out


def report(title: str, results: list[dict[str, dict[str, float]]]) -> None:
    print(f"\n{title}")
    print(f"{'tracker':<34}{'MOTA':>8}{'IDF1':>8}{'IDSW':>8}{'ms/frame':>10}")
    mean = {k: {m: float(np.mean([r[k][m] for r in results])) for m in results[0][k]}
            for k in results[0]}
    for k, v in mean.items():
        print(f"{k:<34}{v['mota']:8.3f}{v['idf1']:8.3f}{v['idsw']:8.1f}{v['ms_per_frame']:10.3f}")
    ul, us = mean.get("ultralytics BYTETracker"), mean.get("ours bytetrack")
    if ul and us:
        print(f"ours/ultralytics: MOTA {us['mota'] / ul['mota']:.3f}x  IDF1 {us['idf1'] / ul['idf1']:.3f}x  "
              f"IDSW {us['idsw'] / max(ul['idsw'], 1):.3f}x  speed {ul['ms_per_frame'] / us['ms_per_frame']:.2f}x faster")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--seq", type=Path, default=SEQ)
    args = ap.parse_args()
    if not args.seq.exists():
        print(f"SNMOT-116 not found at {args.seq}")
        return 1
    fr, _, xywh = load_mot_arrays(args.seq / "det" / "det.txt")
    g_frame, g_id, g_xywh = load_mot_arrays(args.seq / "gt" / "gt.txt")
    full_variants = {
        "ultralytics BYTETracker": lambda: ultralytics_bytetrack(),
        "ours bytetrack": lambda: create_tracker("bytetrack", frame_rate=25),
        "ours bytetrack (ultralytics params)": lambda: create_tracker("bytetrack", **UL_PARAMS),
        "ours sort": lambda: create_tracker("sort", frame_rate=25),
        "ours deepsort (no pixels)": lambda: create_tracker("deepsort", frame_rate=25, embedder="none"),
    }
    results = []
    for seed in args.seeds:
        dets = degrade(fr, xywh, 750, 1920, 1080, seed=seed)
        results.append(run_all(dets, [None] * 750, full_variants, (g_frame, g_id, g_xywh)))
    report(f"SNMOT-116, 750 frames, seeds {args.seeds} (mean)", results)

    imgs = sorted((args.seq / "img1").glob("*.jpg"))
    n = len(imgs)
    if n:
        frames = [cv2.imread(str(p)) for p in imgs]
        keep = g_frame <= n
        gt150 = (g_frame[keep], g_id[keep], g_xywh[keep])
        pix_variants = {
            "ultralytics BYTETracker": lambda: ultralytics_bytetrack(),
            "ours bytetrack": lambda: create_tracker("bytetrack", frame_rate=25),
            "ours bytetrack + colour": lambda: create_tracker("bytetrack", frame_rate=25, embedder="color"),
            "ours bytetrack + colour + cmc": lambda: create_tracker(
                "bytetrack", frame_rate=25, embedder="color", cmc="sparse"),
            "ours deepsort + colour": lambda: create_tracker("deepsort", frame_rate=25),
        }
        results = []
        for seed in args.seeds:
            dets = degrade(fr[fr <= n], xywh[fr <= n], n, 1920, 1080, seed=seed)
            results.append(run_all(dets, frames, pix_variants, gt150))
        report(f"SNMOT-116 frames 1-{n} with pixels, seeds {args.seeds} (mean; ms include embedding/CMC)",
               results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
