"""Fit the assistant's fix confidence (``ScanConfig.fix_weights``) on the TUNE split.

    python benchmarks/fit_assist_fixes.py [--levels moderate hard] [--floor 0.3]
                                          [--data fixes.npz] [--reuse]

For every tune run (the sequences/seeds of ``bench_track_sports.SPLITS["tune"]``, our
trackers on degraded detections) the assistant applies every proposal whose current fix
confidence is >= ``--floor``, best first with a rescan after each (as ``--apply-all``
does), and each applied fix is recorded with its cues
(:func:`sporttrack_gui.assist.fix_confidence.fix_features`, taken before the edit) and
the IDF1 change it caused; a fix that lowered IDF1 is undone again, so every fix is
judged from a state that earlier harmful fixes did not spoil (no swap back and forth).
Then per fix group a logistic model is fitted (IRLS, small
ridge), each fix weighted by the size of its IDF1 change, so a confidence >= 0.5 means
"more IDF1 expected to be gained than lost". Prints the weights to paste into
``ScanConfig.fix_weights`` and, per group, how many fixes (and how much IDF1) the fitted
model would keep.

Refuses the held-out split: nothing here may ever look at it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_track_sports import SPLITS, degraded_runs, load_seq  # noqa: E402

from sporttrack_gui.assist import Assistant, ScanConfig  # noqa: E402
from sporttrack_gui.assist.evaluate import _key  # noqa: E402
from sporttrack_gui.assist.fix_confidence import (  # noqa: E402
    FIX_FEATURES,
    fix_features,
    fix_group,
)
from sporttrack_gui.assist.scan import TrackArrays  # noqa: E402
from sporttrack_gui.errors import SportTrackError  # noqa: E402
from sporttrack_gui.eval.mot import evaluate_mot  # noqa: E402
from sporttrack_gui.project import Project  # noqa: E402


def collect_run(seq, pred: np.ndarray, floor: float, folder: Path, tag: str) -> list[dict]:
    """Apply every fix >= floor (best first, rescan after each); one record per fix."""
    gt = SimpleNamespace(frame=seq.gt[0], track_id=seq.gt[1], xywh=seq.gt[2])
    cfg = ScanConfig(fix_weights=())  # the raw scores: what is being calibrated
    out: list[dict] = []
    with Project.open(folder / f"{tag}.stp", create=True) as p:
        p.add_sequence("s", "synthetic", width=seq.width, height=seq.height, fps=seq.fps,
                       frame_count=seq.n_frames)
        run = p.create_run("s", "trk", kind="tracker", status="complete")
        p.append_boxes(run, {"frame": pred[:, 0].astype(np.int64),
                             "track_id": pred[:, 1].astype(np.int64), "xywh": pred[:, 2:6]})
        asst = Assistant(p, run, cfg)
        idf1 = evaluate_mot(gt, asst.table, with_hota=False)["idf1"]
        seen: set = set()
        while True:
            todo = [s for s in asst.suspects if s.fix_confidence >= floor and _key(s) not in seen]
            if not todo:
                break
            s = max(todo, key=lambda s: (s.fix_confidence, -s.frame))
            seen.add(_key(s))
            x = fix_features(TrackArrays.from_table(asst.table, cfg.min_scale_frac), [s], cfg)[0]
            try:
                asst.apply(s)
            except SportTrackError:
                continue
            new = evaluate_mot(gt, asst.table, with_hota=False)["idf1"]
            out.append({"group": fix_group(s), "x": x, "delta": new - idf1, "run": tag,
                        "conf": s.fix_confidence})
            if new < idf1 - 1e-9:
                asst.undo()  # stay on the helpful path: later fixes are judged from there
            else:
                idf1 = new
    return out


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float = 1.0,
                 iters: int = 50) -> np.ndarray:
    """Weighted logistic regression (IRLS) with a ridge on all but the intercept."""
    A = np.column_stack([np.ones(len(X)), X])
    beta = np.zeros(A.shape[1])
    R = np.eye(A.shape[1]) * ridge
    R[0, 0] = 1e-6
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(A @ beta)))
        g = A.T @ (w * (y - p)) - R @ beta
        H = A.T @ (A * (w * p * (1 - p))[:, None]) + R
        step = np.linalg.solve(H, g)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", nargs="+", default=["moderate", "hard"])
    ap.add_argument("--trackers", nargs="+", default=["cbiou", "bytetrack"])
    ap.add_argument("--floor", type=float, default=0.15)
    ap.add_argument("--data", default="/tmp/assist_fixes.npz")
    ap.add_argument("--reuse", action="store_true", help="fit on --data collected before")
    args = ap.parse_args()
    names, seeds = SPLITS["tune"]
    if not args.reuse:
        seqs = [s for s in (load_seq(n) for n in names) if s]
        if not seqs:
            print("no tune sequences under ../shared/data (shared data absent)")
            return 1
        recs: list[dict] = []
        with tempfile.TemporaryDirectory() as tmp:
            for seq, *_, pred, tag in degraded_runs(seqs, args.levels, seeds, args.trackers):
                r = collect_run(seq, pred, args.floor, Path(tmp), tag)
                print(f"{tag}: {len(r)} fixes, IDF1 change "
                      f"{sum(q['delta'] for q in r):+.4f}", flush=True)
                recs += r
        np.savez(args.data, group=np.array([r["group"] for r in recs]),
                 x=np.array([r["x"] for r in recs]).reshape(-1, len(FIX_FEATURES)),
                 delta=np.array([r["delta"] for r in recs]),
                 run=np.array([r["run"] for r in recs]),
                 conf=np.array([r["conf"] for r in recs]))
    d = np.load(args.data)
    groups, X, delta, conf = d["group"], d["x"], d["delta"], d["conf"]
    print(f"\n{len(delta)} fixes; per group: n, helped, hurt, sum IDF1 change (all | kept by "
          f"the old score >= 0.5 | kept by the fit >= 0.5)")
    lines = []
    for g in sorted(set(groups.tolist())):
        m = groups == g
        nz = m & (np.abs(delta) > 1e-9)
        cols = [0] if g != "jump_pair" and g != "crossing" else list(range(len(FIX_FEATURES)))
        if nz.sum() < 5:
            print(f"{g:<10} {int(m.sum()):>5}: too few changing fixes to fit")
            continue
        beta_c = fit_logistic(X[nz][:, cols], (delta[nz] > 0).astype(float),
                              np.abs(delta[nz]) / np.abs(delta[nz]).mean())
        beta = np.zeros(1 + len(FIX_FEATURES))
        beta[0] = beta_c[0]
        beta[[1 + c for c in cols]] = beta_c[1:]
        p = 1.0 / (1.0 + np.exp(-(beta[0] + X[m] @ beta[1:])))
        dm = delta[m]
        print(f"{g:<10} {int(m.sum()):>5} {int((dm > 1e-9).sum()):>5} {int((dm < -1e-9).sum()):>5}"
              f"  {dm.sum():+.4f} | {dm[conf[m] >= 0.5].sum():+.4f} ({int((conf[m] >= 0.5).sum())})"
              f" | {dm[p >= 0.5].sum():+.4f} ({int((p >= 0.5).sum())})")
        lines.append(f'        ("{g}", ({", ".join(f"{v:.3g}" for v in beta)})),')
    print("\nfix_weights = (\n" + "\n".join(lines) + "\n)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
