"""Plain CSRT vs CSRT + lost state vs CSRT + recovery, on OTB Bolt and on the synthetic
match's occluded player, in one run: success AUC, precision@20px, normalised precision,
tracker fps, lost frames and recoveries, with recovery/plain ratios.

    .venv/bin/python benchmarks/bench_sot_recovery.py [--seeds 7,1,3] [--tracker csrt]

Bolt: 150 frames with images (of 350 gt boxes). Synthetic match (media room's generator,
1280x720): the scripted player that walks behind the pitch-side platform (hidden >= 1 s);
metrics over the frames where he is at least partly visible, start = his first frame.
Timings are tracker time only (decoding excluded), so they move with machine load; the
ratios within one run are the comparable figures. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sporttrack_gui.eval.sot import evaluate_sot  # noqa: E402
from sporttrack_gui.track.sot_session import SotSession  # noqa: E402

VARIANTS = {
    "plain": {"monitor": False, "recover": False},
    "lost-state": {"recover": False},
    "recovery": {"recover": True},
}


def bolt_case(shared: Path) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, int] | None:
    folder = shared / "otb" / "Bolt"
    if not folder.is_dir():
        return None
    from sporttrack_gui.formats.otb import read_otb_groundtruth

    frames = [cv2.imread(str(p)) for p in sorted((folder / "img").glob("*.jpg"))]
    gt = read_otb_groundtruth(folder / "groundtruth_rect.txt")[:len(frames)].astype(np.float64)
    return frames, gt, np.ones(len(frames), bool), 1


def match_case(seed: int, workdir: Path) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, int]:
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    m = render_match(workdir / f"match{seed}", MatchConfig(n_frames=150, seed=seed))
    occ = m.events.occlusions[0]
    k = list(m.track_ids).index(occ.track_id)
    frames = [cv2.imread(str(p)) for p in sorted(m.frames_dir.glob("*.jpg"))]
    boxes = m.sim.boxes[:, k].astype(np.float64)
    visible = m.sim.visibility[:, k] > 0
    return frames, boxes, visible, int(np.argmax(visible)) + 1


def run_case(frames, gt, visible, start: int, tracker: str) -> dict[str, dict[str, float]]:
    rows = {}
    for name, kw in VARIANTS.items():
        t = SotSession(frames, tracker, start, tuple(gt[start - 1]), **kw).run()
        m = visible[start - 1:start - 1 + len(t.ok)]
        r = evaluate_sot(t.xywh[m], gt[start - 1:][m])
        rows[name] = {"auc": r.auc, "p20": r.precision_20, "nprec": r.norm_precision,
                      "fps": t.fps, "lost": float(t.lost_frames), "recoveries": float(t.recoveries)}
    return rows


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'variant':<11} {'AUC':>6} {'P@20':>6} {'nPrec':>6} {'fps':>7} {'lost':>5} {'rec':>4}")
    for name, r in rows.items():
        print(f"  {name:<11} {r['auc']:6.3f} {r['p20']:6.3f} {r['nprec']:6.3f} {r['fps']:7.1f} "
              f"{int(r['lost']):5d} {int(r['recoveries']):4d}")
    base, rec = rows["plain"], rows["recovery"]

    def ratio(k: str) -> str:
        return f"{rec[k] / base[k]:.2f}x" if base[k] > 0 else "n/a (plain = 0)"

    print(f"  recovery / plain: AUC {ratio('auc')}, P@20 {ratio('p20')}, fps {ratio('fps')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracker", default="csrt")
    ap.add_argument("--seeds", default="7,1,3", help="synthetic match seeds (7 = test fixture)")
    ap.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    args = ap.parse_args()
    print(f"SOT recovery benchmark, tracker={args.tracker}, OpenCV {cv2.__version__}, "
          f"{cv2.getNumThreads()} OpenCV threads")
    bolt = bolt_case(Path(args.shared))
    if bolt is None:
        print("\nOTB Bolt: skipped (shared data not found)")
    else:
        print_table("OTB Bolt (150 frames)", run_case(*bolt, args.tracker))
    all_rows = []
    with tempfile.TemporaryDirectory(prefix="bench-sot-") as tmp:
        for seed in (int(s) for s in args.seeds.split(",") if s):
            frames, gt, visible, start = match_case(seed, Path(tmp))
            rows = run_case(frames, gt, visible, start, args.tracker)
            all_rows.append(rows)
            print_table(f"synthetic match seed {seed}: occluded player, {len(frames)} frames "
                        f"1280x720, hidden {int((~visible).sum())} frames", rows)
    if len(all_rows) > 1:
        mean = {v: {k: float(np.mean([r[v][k] for r in all_rows])) for k in all_rows[0][v]}
                for v in VARIANTS}
        print_table(f"synthetic match, mean over {len(all_rows)} seeds", mean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
