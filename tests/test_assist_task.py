"""Task test: a new user fixes a ByteTrack run on SoccerNet SNMOT-116 to IDF1 >= 0.99.

Scenario (issue #8, "Done when"): import the sequence, degrade its detections with the
tracker benchmark's seeded perturbation (20 % dropped, jitter, false positives), run
ByteTrack without pixels, store the result, copy it to a "corrected" run, then work as an
annotator whose eye is the gt run:

1. step through the assistant's proposals, keeping each one the picture confirms (IDF1
   does not drop) and undoing the others through the history;
2. by hand, one GUI action per edit: delete clutter (a box, a track or a frame range of
   it), drag boxes that sit off their player onto it (IoU < 0.5 counts as a miss plus a
   false box), split tracks where the player changes and merge the pieces of a player;
3. let the assistant rescan (with identities right, its gap interpolations now hold),
   drag the interpolated boxes that slipped off the player;
4. draw what nobody tracked: per missed stretch, keyframes every ``KEYFRAME_EVERY``
   frames (more where the interpolated box would slip) and one interpolation.

Every edit goes through ``project/edits.py`` as one undoable entry of the edit log and is
counted by type, assistant-proposed vs manual; IDF1 is measured once per phase (the
per-edit decisions come from the oracle's own per-box bookkeeping).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from conftest import REPO

from sporttrack_gui.assist import Assistant, apply_fix
from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.iou import iou_matrix
from sporttrack_gui.errors import SportTrackError
from sporttrack_gui.eval.mot import evaluate_mot
from sporttrack_gui.formats.mot import MotTable
from sporttrack_gui.project import Project, edits, history
from sporttrack_gui.project.importer import import_source
from sporttrack_gui.track import create_tracker

sys.path.insert(0, str(REPO / "benchmarks"))
from _soccernet_degrade import degrade, run_tracker  # noqa: E402

TARGET = 0.99
#: the assistant's kinds in the order a user settles them: identities first, then gaps
PRIORITY = {"crossing": 0, "jump": 1, "end_begin": 2, "duplicate": 3, "short": 4, "gap": 5}


# ----------------------------------------------------------------------- the oracle
def gt_labels(gt: MotTable, table: MotTable) -> np.ndarray:
    """What the user sees: per box of ``table``, the gt id it covers (IoU >= 0.5, one to
    one per frame) or -1."""
    lab = np.full(len(table), -1, np.int64)
    g_by = gt.by_frame()
    gx, tx = gt.xyxy, table.xyxy
    for f, rows in table.by_frame().items():
        g = g_by.get(f)
        if g is None:
            continue
        iou = iou_matrix(tx[rows], gx[g])
        matches, _, _ = linear_assignment(1.0 - iou, 0.5)
        if len(matches):
            lab[rows[matches[:, 0]]] = gt.track_id[g[matches[:, 1]]]
    return lab


def oracle_ceiling(gt: MotTable, table: MotTable, max_gap: int = 10) -> dict[str, float]:
    """Upper bound for identity edits + interpolation: every box that covers a player
    gets that player's id (perfect ids, no false tracks), then every gap of at most
    ``max_gap`` frames is filled linearly. What is still missing was never detected
    near enough in time; only drawing boxes by hand could add it."""
    lab = gt_labels(gt, table)
    keep = lab >= 0
    t = MotTable.from_arrays(table.frame[keep], lab[keep], table.xywh[keep])
    parts = [t]
    for x in np.unique(t.track_id):
        m = t.track_id == x
        f, b = t.frame[m].astype(np.int64), t.xywh[m].astype(np.float64)
        o = np.argsort(f)
        f, b = f[o], b[o]
        full = np.arange(f[0], f[-1] + 1)
        nxt = f[np.minimum(np.searchsorted(f, full), len(f) - 1)]
        prv = f[np.maximum(np.searchsorted(f, full, side="right") - 1, 0)]
        fill = ~np.isin(full, f) & (nxt - prv - 1 <= max_gap)
        if fill.any():
            xywh = np.column_stack([np.interp(full[fill], f, b[:, k]) for k in range(4)])
            parts.append(MotTable.from_arrays(full[fill].astype(np.int32),
                                              np.full(fill.sum(), x), xywh))
    r = evaluate_mot(gt, MotTable.concat(parts), with_hota=False)
    return {k: float(r[k]) for k in ("idf1", "idtp", "idfn", "idfp")}


@dataclass
class Tally:
    """Operations kept, by origin and op; proposals tried and undone."""

    kept: Counter = field(default_factory=Counter)
    undone: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)

    def total(self, origin: str) -> int:
        return sum(v for (o, _), v in self.kept.items() if o == origin)


class Session:
    """The annotator: a project, the corrected run, the gt oracle and the counters."""

    def __init__(self, project: Project, run: int, gt: MotTable):
        self.project, self.run, self.gt = project, run, gt
        self.assistant = Assistant(project, run)
        self.tally = Tally()
        self.idf1 = self.score()
        self.rejected: set[tuple] = set()
        self.applied: set[tuple] = set()

    def score(self) -> float:
        return float(evaluate_mot(self.gt, self.assistant.table, with_hota=False)["idf1"])

    def try_ops(self, fixes: list[dict[str, Any]], origin: str) -> bool:
        """Apply ``fixes`` as one user action; keep it if IDF1 does not drop (a manual fix
        must raise it: the user only makes one to repair what they see), else undo every
        edit of it. Returns whether it was kept."""
        done = 0
        try:
            for fx in fixes:
                self.assistant.apply(fx)
                done += 1
        except SportTrackError:
            for _ in range(done):
                self.assistant.undo()
            for fx in fixes:
                self.tally.refused[(origin, fx["op"])] += 1
            return False
        new = self.score()
        need = self.idf1 + (1e-12 if origin == "manual" else -1e-12)
        if new < need:
            for _ in range(done):
                self.assistant.undo()
            for fx in fixes:
                self.tally.undone[(origin, fx["op"])] += 1
            return False
        self.idf1 = new
        for fx in fixes:
            self.tally.kept[(origin, fx["op"])] += 1
        return True

    def assistant_pass(self) -> int:
        """Step through the proposals (identities first, then gaps) until none is left
        that the user has not already looked at."""
        kept = 0
        while True:
            todo = [s for s in self.assistant.suspects
                    if (s.kind, s.tracks, tuple(sorted(s.fix.items()))) not in self.rejected]
            todo = [s for s in todo if tuple(sorted(s.fix.items())) not in self.applied]
            if not todo:
                return kept
            s = min(todo, key=lambda s: (PRIORITY.get(s.kind, 9), -s.score, s.frame))
            if self.try_ops([s.fix], "assistant"):
                kept += 1
                self.applied.add(tuple(sorted(s.fix.items())))  # never go round in circles
            else:
                self.rejected.add((s.kind, s.tracks, tuple(sorted(s.fix.items()))))


# ------------------------------------------------------------------ finishing by hand
#: frames between the keyframes a user draws for a stretch the tracker missed
KEYFRAME_EVERY = 10
#: an interpolated box the user accepts without drawing another keyframe (margin on 0.5)
ACCEPT_IOU = 0.6
#: a box overlapping an uncovered player at least this much is dragged onto it; less
#: (or no uncovered player near) and it is a false positive to delete
NEAR_IOU = 0.1


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise IoU of two (N, 4) xywh arrays."""
    x0, y0 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    x1 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y1 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def _runs(sorted_frames: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index pairs of runs of consecutive frame numbers."""
    if not len(sorted_frames):
        return []
    cut = np.flatnonzero(np.diff(sorted_frames) != 1) + 1
    return list(zip(np.r_[0, cut].tolist(), (np.r_[cut, len(sorted_frames)] - 1).tolist(),
                    strict=True))


class Annotator:
    """The manual finish after the assistant: what a user does frame by frame, each
    action one GUI edit of ``project/edits.py`` (one box moved/deleted, one track range
    deleted, one split, one merge, one keyframe drawn, one interpolation).

    The gt is the user's eye: it says which player a box shows and where a player
    stands, never an id to paste - every decision is taken from per-box bookkeeping
    (no evaluation per edit), the score is measured once per phase.
    """

    def __init__(self, session: Session):
        self.s = session
        self.p, self.run, self.gt = session.project, session.run, session.gt
        self.keyframes = 0
        self.g_by = self.gt.by_frame()

    def _do(self, op: str, fn, *args, **kw) -> edits.EditResult:
        res = fn(*args, **kw)
        self.s.tally.kept[("manual", op)] += 1
        return res

    def _box_id(self, frame: int, track: int) -> int:
        """The box the user clicks: ``track``'s box in ``frame``."""
        fb = self.p.frame_boxes(self.run, frame)
        return int(fb["id"][np.flatnonzero(fb["track"] == track)[0]])

    def measure(self) -> float:
        self.s.assistant.refresh(None)
        self.s.idf1 = self.s.score()
        return self.s.idf1

    # -- 1. boxes off their player: drag them on, or delete clutter
    def fix_boxes(self) -> None:
        t = self.p.boxes(self.run)
        lab = gt_labels(self.gt, t)
        move_to = np.full(len(t), -1, np.int64)  # gt row to drag an off box onto
        gx, tx = self.gt.xyxy, t.xyxy
        for f, rows in t.by_frame().items():
            off = rows[lab[rows] < 0]
            g = self.g_by.get(f)
            if not len(off) or g is None:
                continue
            free = g[~np.isin(self.gt.track_id[g], lab[rows])]  # players nobody covers
            if not len(free):
                continue
            iou = iou_matrix(tx[off], gx[free])
            matches, _, _ = linear_assignment(1.0 - iou, 1.0 - NEAR_IOU)
            if len(matches):
                move_to[off[matches[:, 0]]] = free[matches[:, 1]]
        clutter = (lab < 0) & (move_to < 0)
        order = np.lexsort((t.frame, t.track_id))
        tid, fr = t.track_id[order], t.frame[order].astype(np.int64)
        for track in np.unique(tid):
            rows = np.flatnonzero(tid == track)
            bad = clutter[order[rows]]
            if bad.all():
                self._do("delete_track", edits.delete_track, self.p, self.run, int(track))
                continue
            # consecutive clutter boxes of a track: one range delete (or one box)
            idx = rows[bad]
            if not len(idx):
                continue
            cut = np.flatnonzero(np.diff(idx) != 1) + 1
            for i0, i1 in zip(np.r_[0, cut], np.r_[cut, len(idx)] - 1, strict=True):
                f0, f1 = int(fr[idx[i0]]), int(fr[idx[i1]])
                if i0 == i1:
                    self._do("delete_box", edits.delete_box, self.p,
                             self._box_id(f0, int(track)))
                else:
                    self._do("delete_track", edits.delete_track, self.p, self.run,
                             int(track), f0, f1)
        for r in np.flatnonzero(move_to >= 0):
            self._do("set_box_xywh", edits.set_box_xywh, self.p,
                     self._box_id(int(t.frame[r]), int(t.track_id[r])),
                     self.gt.xywh[move_to[r]].tolist())

    # -- 2. wrong-id stretches: split each track where the player changes, join pieces
    def fix_ids(self) -> None:
        t = self.p.boxes(self.run)
        lab = gt_labels(self.gt, t)
        order = np.lexsort((t.frame, t.track_id))
        tid, fr, lb = t.track_id[order], t.frame[order].astype(np.int64), lab[order]
        assert (lb >= 0).all(), "every box left shows a player after fix_boxes"
        pieces: list[tuple[int, int, int]] = []  # (track now, player, boxes)
        for track in np.unique(tid).tolist():
            rows = np.flatnonzero(tid == track)
            lbl = lb[rows]
            cuts = np.flatnonzero(lbl[1:] != lbl[:-1]) + 1
            ends = np.r_[cuts, len(rows)]
            starts = np.r_[0, cuts]
            for k in range(len(starts) - 1, 0, -1):  # from the end: always split `track`
                res = self._do("split", edits.split_track, self.p, self.run, track,
                               int(fr[rows[starts[k]]]))
                pieces.append((int(res.new_track), int(lbl[starts[k]]),
                               int(ends[k] - starts[k])))
            pieces.append((track, int(lbl[0]), int(ends[0])))
        by_player: dict[int, list[tuple[int, int]]] = {}
        for track, y, n in pieces:
            by_player.setdefault(y, []).append((n, track))
        for group in by_player.values():
            group.sort(reverse=True)
            for _, other in group[1:]:  # fragments join the longest piece of the player
                self._do("merge", edits.merge_tracks, self.p, self.run, group[0][1], other)

    # -- 3. stretches nobody tracked: draw keyframes on the player, interpolate between
    def draw_missing(self) -> None:
        t = self.p.boxes(self.run)
        lab = gt_labels(self.gt, t)
        owner = {int(y): int(k) for y, k in zip(lab, t.track_id, strict=True) if y >= 0}
        for y in np.unique(self.gt.track_id).tolist():
            gm = np.flatnonzero(self.gt.track_id == y)
            gm = gm[np.argsort(self.gt.frame[gm])]
            gf = self.gt.frame[gm].astype(np.int64)
            gb = self.gt.xywh[gm].astype(np.float64)
            track = owner.get(y)
            if track is None:
                track = edits.next_track_id(self.p, self.run)
                have = np.zeros(0, np.int64)
            else:
                have = t.frame[(t.track_id == track)].astype(np.int64)
            miss = np.flatnonzero(~np.isin(gf, have))
            for i0, i1 in _runs(gf[miss]):
                self._draw_stretch(track, gf, gb, have, miss[i0], miss[i1])

    def _draw_stretch(self, track: int, gf: np.ndarray, gb: np.ndarray, have: np.ndarray,
                      j0: int, j1: int) -> None:
        """Fill gt rows j0..j1 (consecutive frames the track lacks) of one player."""
        # anchors: the track's own boxes just outside the stretch, if it has them
        left = j0 > 0 and gf[j0 - 1] == gf[j0] - 1 and gf[j0 - 1] in have
        right = j1 + 1 < len(gf) and gf[j1 + 1] == gf[j1] + 1 and gf[j1 + 1] in have
        lo, hi = j0 - int(left), j1 + int(right)
        keys = set(range(lo, hi + 1, KEYFRAME_EVERY)) | {lo, hi}
        while True:  # the user looks at the interpolated boxes and adds a key where one slips
            k = np.array(sorted(keys))
            fill = np.setdiff1d(np.arange(lo, hi + 1), k)
            if not len(fill):
                break
            est = np.column_stack([np.interp(gf[fill], gf[k], gb[k, c]) for c in range(4)])
            iou = _iou(est, gb[fill])
            if iou.min() >= ACCEPT_IOU:
                break
            keys.add(int(fill[np.argmin(iou)]))
        anchors = {lo} if left else set()
        anchors |= {hi} if right else set()
        for j in sorted(keys - anchors):
            self._do("add_box", edits.add_box, self.p, self.run, int(gf[j]), track,
                     gb[j].tolist())
            self.keyframes += 1
        if hi - lo + 1 > len(keys):
            self._do("interpolate", edits.interpolate_track, self.p, self.run, track,
                     int(gf[lo]), int(gf[hi]))


@pytest.mark.slow
def test_assistant_brings_bytetrack_run_to_target_idf1(snmot116, tmp_path):
    t0 = time.perf_counter()
    with Project.open(tmp_path / "task.stp", create=True) as p:
        summary = import_source(p, snmot116)
        gt_run, det_run = summary.runs["gt"][0], summary.runs["det"][0]
        gt, det = p.boxes(gt_run), p.boxes(det_run)
        dets = degrade(det.frame.astype(np.int64), det.xywh, summary.frame_count,
                       summary.width, summary.height, seed=0)
        tracker = create_tracker("bytetrack", frame_rate=summary.fps)
        rows = run_tracker(lambda d: tracker.update(d, None), dets)
        run = p.create_run(summary.sequence_id, "bytetrack", kind="tracker")
        p.append_boxes(run, MotTable.from_arrays(rows[:, 0].astype(np.int32),
                                                 rows[:, 1].astype(np.int64), rows[:, 2:6]))
        p.set_run_status(run, "complete")
        corrected = p.copy_run(run, "corrected")

        session = Session(p, corrected, gt)
        before = session.idf1
        first_scan = len(session.assistant.suspects)
        ceiling = oracle_ceiling(gt, p.boxes(run))
        # the assistant first: every proposal the picture confirms, the rest undone
        session.assistant_pass()
        t_asst = time.perf_counter() - t0
        after_asst = session.idf1
        # then by hand, phase by phase, measured once per phase
        user = Annotator(session)
        milestones = [("assistant", after_asst)]
        for name, phase in (
                ("boxes", user.fix_boxes),  # clutter deleted, boxes dragged onto players
                ("ids", user.fix_ids),  # split where the player changes, join fragments
                ("assistant again", session.assistant_pass),  # its gap list is right now
                ("slipped boxes", user.fix_boxes),  # interpolations that left the player
                ("drawn", user.draw_missing)):  # what nobody tracked: keyframes + interp.
            phase()
            milestones.append((name, user.measure()))
        after = session.idf1
        final = evaluate_mot(gt, p.boxes(corrected), with_hota=False)
        n_hist = sum(1 for h in history.history(p, corrected) if h["state"] == "done")
        tally = session.tally
        n_asst, n_man = tally.total("assistant"), tally.total("manual")
        by_op = {o: {op: v for (oo, op), v in sorted(tally.kept.items()) if oo == o}
                 for o in ("assistant", "manual")}
        print(f"\nIDF1 {before:.4f} -> {after:.4f} (stored run {final['idf1']:.4f}); "
              + ", ".join(f"after {n} {v:.4f}" for n, v in milestones))
        print(f"first scan {first_scan} suspects; {n_asst + n_man} operations: "
              f"assistant-proposed {n_asst} {by_op['assistant']}, manual {n_man} "
              f"{by_op['manual']}; keyframes drawn {user.keyframes} (every "
              f"{KEYFRAME_EVERY} frames or where an interpolated box slips below IoU "
              f"{ACCEPT_IOU}); assistant phase {t_asst:.1f} s, total "
              f"{time.perf_counter() - t0:.1f} s")
        print("proposals checked and undone:", dict(tally.undone))
        print("refused by the project:", dict(tally.refused))
        print(f"IDTP {final['idtp']} IDFN {final['idfn']} IDFP {final['idfp']} "
              f"IDSW {final['num_switches']}; ceiling for id edits + interpolation alone "
              f"(perfect ids, gaps <= 10 filled): IDF1 {ceiling['idf1']:.4f}")
        assert abs(final["idf1"] - after) < 1e-9  # the stored run is what was measured
        assert n_hist == n_asst + n_man  # every operation is one undoable edit in the log
        assert before < 0.6, "the degraded run must start far below the target"
        assert after_asst > before + 0.1, "the assistant's proposals do a large part"
        assert ceiling["idf1"] < TARGET  # id edits alone cannot finish: boxes were drawn
        assert after >= TARGET, f"IDF1 {after:.4f} < {TARGET}"


def test_apply_fix_goes_through_history(snmot116, tmp_path):
    """A proposal applied on the real run is one undoable edit that restores exactly."""
    with Project.open(tmp_path / "h.stp", create=True) as p:
        summary = import_source(p, snmot116)
        det = p.boxes(summary.runs["det"][0])
        dets = degrade(det.frame.astype(np.int64), det.xywh, summary.frame_count,
                       summary.width, summary.height, seed=1)
        tracker = create_tracker("bytetrack", frame_rate=summary.fps)
        rows = run_tracker(lambda d: tracker.update(d, None), dets)
        run = p.create_run(summary.sequence_id, "bt", kind="tracker")
        p.append_boxes(run, MotTable.from_arrays(rows[:, 0].astype(np.int32),
                                                 rows[:, 1].astype(np.int64), rows[:, 2:6]))
        before = p.boxes(run)
        asst = Assistant(p, run)
        merges = [s for s in asst.suspects if s.fix["op"] == "merge"]
        assert merges, "a degraded ByteTrack run has fragmented tracks to merge"
        res = apply_fix(p, run, merges[0])
        assert res.rows > 0
        a, b = merges[0].fix["a"], merges[0].fix["b"]
        assert len(p.boxes(run, track=b)) == 0
        assert history.undo(p, run) is not None
        assert p.boxes(run).equals(before)
        with pytest.raises(SportTrackError):
            apply_fix(p, run, {"op": "teleport", "a": a})
        assert edits.next_track_id(p, run) > max(a, b)
