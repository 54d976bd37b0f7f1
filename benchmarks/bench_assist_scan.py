"""ID-switch assistant: suspect-scan time on a 90-minute synthetic match (3.4 M boxes).

    .venv/bin/python benchmarks/bench_assist_scan.py [--frames 135000] [--swaps 200]
        [--peer-frames 3000] [--project]

The match is ``simulate_match(MatchConfig(n_frames, n_players=22))`` ground truth (22
players + referee + ball = 25 boxes per frame), with planted ID switches: half at
places where two players' boxes overlap (IoU > 0.3: a crossing exchange) and half
between two players far apart (a jump pair), at least 60 frames apart, each exchanging
the two current ids from that frame on. Prints: scan seconds, suspects by kind, recall
(a planted switch counts as found when a swap of the same two ids is proposed within 3
frames of it), the proposals that are not planted switches, and a peer figure: a
plain per-track Python loop doing only the jump test and a per-frame pairwise overlap
test on a prefix, scaled per box, as a ratio. ``--project`` also stores the run in a
project and times ``Assistant`` start (read + scan) and one fix + incremental rescan.
Nothing is asserted: figures are for reading.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sporttrack_gui.assist import overlapping_pairs, scan_table  # noqa: E402
from sporttrack_gui.formats.mot import MotTable  # noqa: E402


def plant_swaps(gt: MotTable, n: int, seed: int = 0) -> tuple[MotTable, list[tuple[int, int, int]]]:
    """Exchange ids of two players from frame F on, ``n`` times; returns (table, planted
    (label_a, label_b, F)) in label space at the time of each switch."""
    rng = np.random.default_rng(seed)
    players = gt.cls != gt.cls.max() if gt.cls.max() > gt.cls.min() else np.ones(len(gt), bool)
    f, a, b, _ = overlapping_pairs(gt.frame[players].astype(np.int64), gt.track_id[players],
                                   gt.xyxy[players].astype(np.float64), 0.3)
    last = int(gt.frame.max())
    ids = np.unique(gt.track_id[players])
    events: list[tuple[int, int, int]] = []
    cross = rng.permutation(len(f))[: 4 * n]
    for q in cross:
        if len([e for e in events]) >= n // 2:
            break
        events.append((int(f[q]) + 1, int(a[q]), int(b[q])))
    while len(events) < n:
        fr = int(rng.integers(100, last - 100))
        x, y = rng.choice(ids, 2, replace=False)
        events.append((fr, int(x), int(y)))
    events.sort()
    kept, prev = [], -10**9
    for e in events:  # keep them apart so each one is a separate event
        if e[0] - prev >= 60 and 10 < e[0] < last - 10:
            kept.append(e)
            prev = e[0]
    label = gt.track_id.copy()
    perm = {int(i): int(i) for i in np.unique(gt.track_id)}
    order = np.argsort(gt.frame, kind="stable")
    frames_sorted = gt.frame[order]
    planted = []
    for fr, oa, ob in kept:
        la, lb = perm[oa], perm[ob]
        late = order[np.searchsorted(frames_sorted, fr):]
        sel_a = late[label[late] == la]
        sel_b = late[label[late] == lb]
        label[sel_a], label[sel_b] = lb, la
        perm[oa], perm[ob] = lb, la
        planted.append((min(la, lb), max(la, lb), fr))
    return MotTable(gt.frame, label, gt.xywh, gt.conf, gt.cls, gt.vis), planted


def recall(suspects, planted) -> tuple[int, int]:
    """(found planted switches, proposals that match no planted switch)."""
    swaps = [(s.tracks, s.fix.get("from_frame", s.frame)) for s in suspects
             if s.fix.get("op") == "swap"]
    hit = 0
    used = set()
    for a, b, fr in planted:
        for k, (tr, f) in enumerate(swaps):
            if k not in used and tr == (a, b) and abs(f - fr) <= 3:
                hit += 1
                used.add(k)
                break
    return hit, len(suspects) - len(used)


def peer_loop(table: MotTable, frames: int, jump: float = 0.8) -> tuple[float, int]:
    """Plain-Python reference: per-track jump test + per-frame pairwise IoU test."""
    sel = table.select(table.frame <= frames)
    t0 = time.perf_counter()
    tracks: dict[int, list[tuple[int, float, float, float, float]]] = {}
    for f, t, (x, y, w, h) in zip(sel.frame.tolist(), sel.track_id.tolist(), sel.xywh.tolist(),
                                  strict=True):
        tracks.setdefault(t, []).append((f, x, y, w, h))
    jumps = 0
    for boxes in tracks.values():
        boxes.sort()
        for (_f0, x0, y0, w0, h0), (_f1, x1, y1, w1, h1) in zip(boxes, boxes[1:], strict=False):
            d = ((x1 + w1 / 2 - x0 - w0 / 2) ** 2 + (y1 + h1 / 2 - y0 - h0 / 2) ** 2) ** 0.5
            jumps += d / max((h0 + h1) / 2, 1.0) > jump
    by_frame: dict[int, list[tuple[float, float, float, float]]] = {}
    for f, (x, y, w, h) in zip(sel.frame.tolist(), sel.xywh.tolist(), strict=True):
        by_frame.setdefault(f, []).append((x, y, x + w, y + h))
    pairs = 0
    for boxes in by_frame.values():
        for i in range(len(boxes)):
            a = boxes[i]
            for b in boxes[i + 1:]:
                iw = min(a[2], b[2]) - max(a[0], b[0])
                ih = min(a[3], b[3]) - max(a[1], b[1])
                if iw > 0 and ih > 0:
                    inter = iw * ih
                    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
                    pairs += inter / union > 0.3
    return time.perf_counter() - t0, len(sel)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=135_000)
    ap.add_argument("--swaps", type=int, default=200)
    ap.add_argument("--peer-frames", type=int, default=3000)
    ap.add_argument("--project", action="store_true")
    args = ap.parse_args()
    from sporttrack_gui.media.synthetic import MatchConfig, simulate_match

    t0 = time.perf_counter()
    gt = simulate_match(MatchConfig(n_frames=args.frames, n_players=22, seed=1)).gt
    table, planted = plant_swaps(gt, args.swaps)
    print(f"match: {len(table):,} boxes, {args.frames:,} frames, {len(planted)} planted "
          f"switches (simulated in {time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    sus = scan_table(table)
    scan_s = time.perf_counter() - t0
    found, other = recall(sus, planted)
    print(f"scan: {scan_s:.2f} s ({len(table) / scan_s / 1e6:.2f} M boxes/s); suspects "
          f"{len(sus)} {dict(Counter(s.kind for s in sus))}")
    print(f"recall: {found}/{len(planted)} planted switches proposed as the right swap "
          f"({100 * found / max(len(planted), 1):.1f} %); {other} other suspect(s)")
    clean_sus = scan_table(gt)
    print(f"clean gt (no planted switch): {len(clean_sus)} suspect(s) "
          f"{dict(Counter(s.kind for s in clean_sus))}")

    peer_s, peer_n = peer_loop(table, args.peer_frames)
    per_box_peer = peer_s / peer_n
    per_box_ours = scan_s / len(table)
    print(f"peer (plain Python, jump + overlap tests only, first {args.peer_frames} frames, "
          f"{peer_n:,} boxes): {peer_s:.2f} s -> {per_box_peer * len(table):.0f} s for the "
          f"match; ours is {per_box_peer / per_box_ours:.0f}x faster per box")

    if args.project:
        from sporttrack_gui.assist import Assistant
        from sporttrack_gui.project import Project

        with tempfile.TemporaryDirectory() as d, \
                Project.open(Path(d) / "m.stp", create=True) as p:
            p.add_sequence("m", "synthetic", kind="mot", width=1280, height=720, fps=25.0,
                           frame_count=args.frames)
            run = p.create_run("m", "planted", kind="manual", status="complete")
            t0 = time.perf_counter()
            p.append_boxes(run, table)
            print(f"project: stored in {time.perf_counter() - t0:.1f} s")
            t0 = time.perf_counter()
            asst = Assistant(p, run)
            print(f"Assistant start (read all boxes + scan): {time.perf_counter() - t0:.2f} s")
            s = next(s for s in asst.suspects if s.fix.get("op") == "swap")
            t0 = time.perf_counter()
            asst.apply(s)
            print(f"apply one swap + re-read its 2 tracks + rescan: "
                  f"{time.perf_counter() - t0:.2f} s; suspects now {len(asst.suspects)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
