"""Built-in trackers vs public peers on degraded sports ground truth, scored by TrackEval.

    python benchmarks/bench_track_sports.py [--split heldout|tune|all] [--quick]
                                            [--levels moderate hard] [--only ours|peers]

Data: the SportsMOT validation ground truth (3 sequences) and SoccerNet SNMOT-116 from
``../shared/data``, turned into detections by ``sporttrack_gui.track.degrade`` (misses
rising with occlusion and small size, bursts of misses, size-relative box noise,
visibility-driven scores, false positives near players) at two levels and several seeds.
Every tracker gets the SAME detections, fed every frame.

Honest tuning: the sequences and seeds are split in two halves. Parameters of our
trackers (``resources/trackers/*.yaml``) were chosen on ``--split tune`` only; the figures
to quote are ``--split heldout`` (the default), whose sequences and seeds were never used
for tuning. Peers run with their own shipped defaults (frame rate set to the source's).

Scorer: TrackEval 1.3.0 (HOTA, CLEAR, Identity), called directly on the in-memory
sequences with its preprocessing off (sports gt has no distractor classes; every gt box
with conf != 0 counts). Per level and overall, prints HOTA / IDF1 / MOTA / IDSW and the
tracker's own ms per frame (only its ``update`` calls are timed, inputs are pre-built),
then the ranking and same-process speed ratios against every peer.

Peers are benchmark-only (never runtime dependencies). Create their venv once:

    python3.11 -m venv /work/venv-bench
    /work/venv-bench/bin/pip install torch==2.13.0          # FIRST: the local CPU build
    /work/venv-bench/bin/pip install -c constraints.txt ultralytics trackeval trackers \
        supervision lap pyyaml platformdirs av             # = the "bench" extra + what we import
    PYTHONPATH=. /work/venv-bench/bin/python benchmarks/bench_track_sports.py

(roboflow ``trackers``: SORT, ByteTrack, OC-SORT, BoT-SORT, C-BIoU; ultralytics
BYTETracker and BOT-SORT; ``trackeval``.) Missing peers are skipped with a message.
Absolute times depend on the machine's load: compare the same-run ratios.
"""

from __future__ import annotations

import argparse
import configparser
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sporttrack_gui.core.boxes import Detections  # noqa: E402
from sporttrack_gui.track import create_tracker, tracker_specs  # noqa: E402
from sporttrack_gui.track.degrade import degrade, load_gt  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SPORTSMOT = DATA / "sportsmot-gt" / "sportsmot-val"
SNMOT = DATA / "soccernet" / "SNMOT-116"

#: the two halves: tuning may only ever look at "tune"
SPLITS = {
    "tune": (["v_00HRwkvvjtQ_c011", "v_i2_L4qquVg0_c006"], [0, 1]),
    "heldout": (["v_0kUtTtmLaJA_c004", "SNMOT-116"], [100, 101]),
}
QUICK_FRAMES = 400


@dataclass
class Seq:
    name: str
    fps: float
    width: int
    height: int
    n_frames: int
    gt: tuple[np.ndarray, np.ndarray, np.ndarray]


def load_seq(name: str, max_frames: int | None = None) -> Seq | None:
    folder = SNMOT if name == "SNMOT-116" else SPORTSMOT / name
    if not (folder / "gt" / "gt.txt").exists():
        return None
    ini = configparser.ConfigParser()
    ini.read(folder / "seqinfo.ini")
    sec = ini["Sequence"]
    n = int(sec["seqLength"])
    f, i, b = load_gt(folder / "gt" / "gt.txt")
    if max_frames:
        n = min(n, max_frames)
        keep = f <= n
        f, i, b = f[keep], i[keep], b[keep]
    return Seq(name, float(sec["frameRate"]), int(sec["imWidth"]), int(sec["imHeight"]), n,
               (f, i, b))


# ------------------------------------------------------------------------------ trackers
#: a runner takes (detections per frame, seq) and returns (rows frame,id,x,y,w,h ; seconds)
Runner = Callable[[list[Detections], Seq], tuple[np.ndarray, float]]


def _rows(out: list[tuple[int, np.ndarray, np.ndarray]]) -> np.ndarray:
    parts = [np.column_stack([np.full(len(ids), f), ids, xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]])
             for f, ids, xyxy in out if len(ids)]
    return np.concatenate(parts) if parts else np.zeros((0, 6))


def ours(name: str, **params) -> Runner:
    def run(dets: list[Detections], seq: Seq) -> tuple[np.ndarray, float]:
        kw = {**params, "frame_rate": seq.fps}
        if "embedder" in tracker_specs()[name].defaults:
            kw.setdefault("embedder", "none")  # detections only: no pixels for anybody
        trk = create_tracker(name, **kw)
        out = []
        t0 = time.perf_counter()
        for f, d in enumerate(dets, start=1):
            t = trk.update(d, None)
            out.append((f, t.track_id, t.xyxy))
        return _rows(out), time.perf_counter() - t0
    return run


def degraded_runs(seqs: list[Seq], levels: list[str], seeds: list[int], trackers: list[str]):
    """Yield (seq, tracker, level, seed, predicted rows, tag) for every degraded-detection
    run of the grid: the loop the assistant's benchmark and its fix fitting share."""
    for lv in levels:
        for seq in seqs:
            for seed in seeds:
                f, i, b = seq.gt
                dets = degrade(f, i, b, seq.n_frames, seq.width, seq.height, lv, seed)
                for name in trackers:
                    pred, _ = ours(name)(dets, seq)
                    yield seq, name, lv, seed, pred, f"{seq.name}-{name}-{lv}-{seed}"


def roboflow(cls_name: str, **extra) -> Runner | None:
    try:
        import supervision as sv
        import trackers
    except ImportError:
        return None
    cls = getattr(trackers, cls_name)

    def run(dets: list[Detections], seq: Seq) -> tuple[np.ndarray, float]:
        trk = cls(frame_rate=seq.fps, **extra)
        inputs = [sv.Detections(xyxy=d.xyxy.astype(np.float32), confidence=d.conf.astype(np.float32),
                                class_id=d.cls.astype(int)) for d in dets]
        res = []
        t0 = time.perf_counter()
        for d in inputs:
            res.append(trk.update(d))
        dt = time.perf_counter() - t0
        out = []
        for f, r in enumerate(res, start=1):
            tid = np.asarray(r.tracker_id if r.tracker_id is not None else [], np.int64)
            ok = tid >= 0
            out.append((f, tid[ok], np.asarray(r.xyxy)[ok]))
        return _rows(out), dt
    return run


def ultralytics(kind: str) -> Runner | None:
    try:
        import yaml

        from sporttrack_gui.runtime import import_ultralytics
        ul = import_ultralytics()
        from ultralytics.engine.results import Boxes
        from ultralytics.trackers.bot_sort import BOTSORT
        from ultralytics.trackers.byte_tracker import BYTETracker
    except ImportError:
        return None
    cfg = yaml.safe_load((Path(ul.__file__).parent / "cfg" / "trackers" / f"{kind}.yaml").read_text())
    if kind == "botsort":
        cfg["gmc_method"] = "none"  # no pixels for anybody
        cfg["with_reid"] = False

    def run(dets: list[Detections], seq: Seq) -> tuple[np.ndarray, float]:
        args = SimpleNamespace(**cfg)
        args.track_buffer = int(round(cfg["track_buffer"] * seq.fps / 30))
        trk = BOTSORT(args) if kind == "botsort" else BYTETracker(args)
        inputs = [Boxes(np.column_stack([d.xyxy, d.conf, d.cls]).astype(np.float32).reshape(-1, 6),
                        (seq.height, seq.width)) for d in dets]
        res = []
        t0 = time.perf_counter()
        for b in inputs:
            res.append(trk.update(b, None))
        dt = time.perf_counter() - t0
        out = [(f, r[:, 4].astype(np.int64), r[:, :4]) if len(r) else (f, np.zeros(0), np.zeros((0, 4)))
               for f, r in enumerate(res, start=1)]
        return _rows(out), dt
    return run


def all_runners(only: str | None) -> dict[str, Runner]:
    runners: dict[str, Runner] = {}
    if only != "peers":
        for name, spec in sorted(tracker_specs().items()):
            if spec.origin == "built-in":
                runners[f"ours {name}"] = ours(name)
    if only != "ours":
        peers = {
            "roboflow SORT": roboflow("SORTTracker"),
            "roboflow ByteTrack": roboflow("ByteTrackTracker"),
            "roboflow OC-SORT": roboflow("OCSORTTracker"),
            "roboflow BoT-SORT": roboflow("BoTSORTTracker", enable_cmc=False),
            "roboflow C-BIoU": roboflow("CBIoUTracker"),
            "ultralytics BYTETracker": ultralytics("bytetrack"),
            "ultralytics BOT-SORT": ultralytics("botsort"),
        }
        for k, v in peers.items():
            if v is None:
                print(f"skipped {k}: not installed (see the docstring for the bench venv)")
            else:
                runners[k] = v
    return runners


# ------------------------------------------------------------------------------ scoring
def _trackeval():
    for alias, typ in (("float", float), ("int", int), ("bool", bool)):  # numpy 2 removed these
        if alias not in np.__dict__:
            setattr(np, alias, typ)
    from trackeval.datasets._base_dataset import _BaseDataset
    from trackeval.metrics import CLEAR, HOTA, Identity
    return _BaseDataset, [HOTA(), CLEAR({"PRINT_CONFIG": False}), Identity({"PRINT_CONFIG": False})]


def trackeval_data(seq: Seq, pred: np.ndarray) -> dict:
    """TrackEval's per-sequence input (what a dataset's preprocessing would hand to the
    metrics), with ids relabelled to 0..n-1 and IoU similarities (xywh boxes)."""
    base, _ = _trackeval()
    gf, gi, gb = seq.gt
    pf, pi, pb = pred[:, 0].astype(np.int64), pred[:, 1].astype(np.int64), pred[:, 2:6]
    gu, g_lab = np.unique(gi, return_inverse=True)
    pu, p_lab = np.unique(pi, return_inverse=True)
    go, po = np.argsort(gf, kind="stable"), np.argsort(pf, kind="stable")
    gf, g_lab, gb = gf[go], g_lab[go], gb[go]
    pf, p_lab, pb = pf[po], p_lab[po], pb[po]
    g_bounds = np.searchsorted(gf, np.arange(1, seq.n_frames + 2))
    p_bounds = np.searchsorted(pf, np.arange(1, seq.n_frames + 2))
    gt_ids, tr_ids, sims = [], [], []
    for t in range(seq.n_frames):
        g = slice(g_bounds[t], g_bounds[t + 1])
        p = slice(p_bounds[t], p_bounds[t + 1])
        gt_ids.append(g_lab[g].astype(int))
        tr_ids.append(p_lab[p].astype(int))
        sims.append(base._calculate_box_ious(gb[g].astype(float), pb[p].astype(float),
                                             box_format="xywh"))
    return {"num_timesteps": seq.n_frames, "num_gt_ids": len(gu), "num_tracker_ids": len(pu),
            "num_gt_dets": len(gf), "num_tracker_dets": len(pf), "gt_ids": gt_ids,
            "tracker_ids": tr_ids, "similarity_scores": sims, "seq": seq.name}


def score(per_seq: list[dict]) -> dict[str, float]:
    """Combine sequences the TrackEval way (sum counts, then derive)."""
    _, metrics = _trackeval()
    out = {}
    for m in metrics:
        combined = m.combine_sequences({str(i): r[m.get_name()] for i, r in enumerate(per_seq)})
        out.update(combined)
    return {"HOTA": float(np.mean(out["HOTA"])), "IDF1": float(out["IDF1"]),
            "MOTA": float(out["MOTA"]), "IDSW": float(out["IDSW"]),
            "AssA": float(np.mean(out["AssA"])), "DetA": float(np.mean(out["DetA"]))}


def eval_seq(seq: Seq, pred: np.ndarray) -> dict:
    _, metrics = _trackeval()
    data = trackeval_data(seq, pred)
    return {m.get_name(): m.eval_sequence(data) for m in metrics}


# ------------------------------------------------------------------------------ main
def run(split: str, levels: list[str], quick: bool, only: str | None) -> dict:
    names, seeds = ([*SPLITS["tune"][0], *SPLITS["heldout"][0]],
                    [*SPLITS["tune"][1], *SPLITS["heldout"][1]]) if split == "all" else SPLITS[split]
    if quick:
        seeds = seeds[:1]
    seqs = [s for s in (load_seq(n, QUICK_FRAMES if quick else None) for n in names) if s]
    if not seqs:
        print(f"no sequences found under {DATA} (shared data absent)")
        return {}
    runners = all_runners(only)
    results: dict[str, dict[str, list]] = {lv: {k: [] for k in runners} for lv in levels}
    timing: dict[str, list[float]] = {k: [0.0, 0] for k in runners}
    for lv in levels:
        for seq in seqs:
            for seed in seeds:
                f, i, b = seq.gt
                dets = degrade(f, i, b, seq.n_frames, seq.width, seq.height, lv, seed)
                for label, runner in runners.items():
                    pred, secs = runner(dets, seq)
                    results[lv][label].append(eval_seq(seq, pred))
                    timing[label][0] += secs
                    timing[label][1] += len(dets)
    return {"results": results, "timing": timing, "seqs": [s.name for s in seqs], "seeds": seeds}


def report(res: dict, levels: list[str]) -> None:
    results, timing = res["results"], res["timing"]
    ms = {k: 1000 * t / max(n, 1) for k, (t, n) in timing.items()}
    blocks = [(lv, {k: score(v) for k, v in results[lv].items()}) for lv in levels]
    if len(levels) > 1:
        blocks.append(("overall", {k: score([r for lv in levels for r in results[lv][k]])
                                   for k in results[levels[0]]}))
    print(f"sequences {', '.join(res['seqs'])}; seeds {res['seeds']}")
    for title, sc in blocks:
        print(f"\n== {title} ==")
        print(f"{'rank':<5}{'tracker':<26}{'HOTA':>7}{'IDF1':>7}{'MOTA':>8}{'IDSW':>7}"
              f"{'AssA':>7}{'DetA':>7}{'ms/frame':>10}")
        for r, (k, v) in enumerate(sorted(sc.items(), key=lambda kv: -kv[1]["HOTA"]), start=1):
            print(f"{r:<5}{k:<26}{v['HOTA']:7.3f}{v['IDF1']:7.3f}{v['MOTA']:8.3f}{v['IDSW']:7.0f}"
                  f"{v['AssA']:7.3f}{v['DetA']:7.3f}{ms[k]:10.3f}")
        ours_k = [k for k in sc if k.startswith("ours ")]
        peers_k = [k for k in sc if not k.startswith("ours ")]
        if ours_k and peers_k:
            for metric in ("HOTA", "IDF1"):
                best_o = max(ours_k, key=lambda k: sc[k][metric])
                best_p = max(peers_k, key=lambda k: sc[k][metric])
                verdict = "first" if sc[best_o][metric] >= sc[best_p][metric] else "NOT first"
                print(f"{metric}: best ours {best_o} {sc[best_o][metric]:.3f} vs best peer "
                      f"{best_p} {sc[best_p][metric]:.3f} -> ours {verdict}")
    ours_k = [k for k in ms if k.startswith("ours ")]
    peers_k = [k for k in ms if not k.startswith("ours ")]
    if ours_k and peers_k:
        print("\nspeed, same process (peer ms/frame / ours ms/frame; > 1: ours faster)")
        for o in ours_k:
            print(f"{o:<20}" + "  ".join(f"{p.split()[0][:2]}-{p.split(' ', 1)[1]} "
                                        f"{ms[p] / max(ms[o], 1e-9):.2f}x" for p in peers_k))
        byte_peers = [p for p in peers_k if "byte" in p.lower()]
        if byte_peers:
            fastest = min(byte_peers, key=ms.get)
            print(f"fastest peer ByteTrack: {fastest} {ms[fastest]:.3f} ms/frame")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["heldout", "tune", "all"], default="heldout")
    ap.add_argument("--levels", nargs="+", default=["moderate", "hard"])
    ap.add_argument("--quick", action="store_true",
                    help=f"one seed, first {QUICK_FRAMES} frames per sequence")
    ap.add_argument("--only", choices=["ours", "peers"], default=None)
    args = ap.parse_args()
    try:
        _trackeval()
    except ImportError:
        print("trackeval is not installed (pip install trackeval==1.3.0; see the docstring)")
        return 1
    res = run(args.split, args.levels, args.quick, args.only)
    if not res:
        return 1
    report(res, args.levels)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
