"""Continue an interrupted tracker run where it stopped, identities carried over.

Why not restart from frame 1: a run killed at frame 80,000 of 135,000 has 80,000 frames
committed (the pipeline commits every ``commit_every`` frames in its own transaction).
Why not start a fresh tracker at the next frame: it would give every player a new id.

How: the tracker restarts ``warmup`` frames *before* the last committed frame, so that by
the time it reaches new frames it tracks the same players again. Over those overlap frames
its boxes are matched to the stored ones (IoU, one-to-one per frame) and each new id takes
the stored id it agreed with most; ids it never agreed with get fresh numbers above the
run's largest id. Only frames after the committed one are written, each commit in its own
transaction, so a resumed run that is killed again can be resumed again. Nothing committed
before is touched.

The same function continues any run (``sporttrack run --continue RUN``), which makes
``--frames A:B`` chunks of one match stitchable into one run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.core.assignment import linear_assignment
from sporttrack_gui.core.iou import iou_matrix_xywh
from sporttrack_gui.errors import ProjectError
from sporttrack_gui.formats.mot_table import MotTable

#: frames re-tracked before the committed end: longer than a lost track is kept (30 frames
#: at 30 fps by default), so players lost just before the stop are known again
DEFAULT_WARMUP = 60
#: IoU above which a re-tracked box is the stored box of the same object
MATCH_IOU = 0.5


@dataclass
class ResumePoint:
    """Where an interrupted run stands: frames up to ``committed`` are final."""

    run_id: int
    committed: int  # last frame with a stored box (0: nothing stored)
    max_id: int  # largest stored track id (-1: none)
    last: int  # last frame the run was asked to process
    first: int = 1  # first frame the run was asked to process


def resume_point(project, run_id: int) -> ResumePoint:
    """Read the committed end of ``run_id`` (one indexed MAX per column)."""
    run = project.run(run_id)
    committed, max_id = project.run_extent(run_id)
    rng = run["params"].get("frame_range") or [1, committed]
    return ResumePoint(run_id, committed, max_id, int(rng[1]), int(rng[0]))


def vote_id_map(new: MotTable, stored: MotTable, *, settle: int = 0,
                min_votes: int = 2) -> dict[int, int]:
    """New id -> stored id, from boxes both runs have on the same frames.

    Per frame, boxes are paired one-to-one by IoU (>= ``MATCH_IOU``); a pair votes for
    (new id, stored id). The first ``settle`` overlap frames do not vote (a restarted
    tracker confirms tracks over a few frames). The final map is the one-to-one assignment
    with the most votes, keeping pairs with at least ``min_votes``.
    """
    if len(new) == 0 or len(stored) == 0:
        return {}
    first = int(new.frame.min()) + settle
    # boxes without an id (-1) have no identity to carry over, nor to take
    new, stored = new.select(new.track_id >= 0), stored.select(stored.track_id >= 0)
    votes: dict[tuple[int, int], int] = {}
    new_rows, old_rows = new.by_frame(), stored.by_frame()
    for frame, ni in new_rows.items():
        oi = old_rows.get(frame)
        if frame < first or oi is None:
            continue
        cost = 1.0 - iou_matrix_xywh(new.xywh[ni], stored.xywh[oi])
        pairs, _, _ = linear_assignment(cost, 1.0 - MATCH_IOU)
        for r, c in pairs:
            key = (int(new.track_id[ni[r]]), int(stored.track_id[oi[c]]))
            votes[key] = votes.get(key, 0) + 1
    if not votes:
        return {}
    new_ids = sorted({k[0] for k in votes})
    old_ids = sorted({k[1] for k in votes})
    row = {t: i for i, t in enumerate(new_ids)}
    col = {t: i for i, t in enumerate(old_ids)}
    score = np.zeros((len(new_ids), len(old_ids)))
    for (a, b), v in votes.items():
        score[row[a], col[b]] = v
    # cost = -votes; pairs below min_votes are infeasible
    pairs, _, _ = linear_assignment(np.where(score >= min_votes, -score, 1.0), -min_votes)
    return {new_ids[r]: old_ids[c] for r, c in pairs}


class StitchSink:
    """A pipeline sink that appends a continuation to an existing run.

    Overlap frames (<= ``point.committed``) are held back until the id map can be made,
    then only later frames are written, with new ids mapped (unknown ones numbered after
    the run's largest id). Each ``write`` is one transaction, like ``ProjectSink``.
    """

    def __init__(self, project, point: ResumePoint, *, restart: int, settle: int) -> None:
        self.project = project
        self.point = point
        self.restart = restart
        self.settle = settle
        self._overlap: list[MotTable] = []
        self._map: dict[int, int] | None = None
        self._next = max(point.max_id + 1, 1)
        self.written = 0
        self.carried: int = 0  # ids carried over from before the stop

    def _ids(self, ids: np.ndarray) -> np.ndarray:
        assert self._map is not None
        out = np.empty_like(ids)
        for i, t in enumerate(ids.tolist()):
            if t < 0:  # no identity (-1): stays a detection, never one shared new id
                out[i] = t
                continue
            if t not in self._map:
                self._map[t] = self._next
                self._next += 1
            out[i] = self._map[t]
        return out

    def _make_map(self) -> None:
        overlap = MotTable.concat(self._overlap)
        self._overlap = []
        rng = overlap.frames_range()
        stored = (self.project.boxes(self.point.run_id, frame_range=rng) if rng
                  else MotTable.empty())
        self._map = vote_id_map(overlap, stored, settle=self.settle)
        self.carried = len(self._map)

    def write(self, table: MotTable) -> None:
        if len(table) == 0:
            return
        old = table.frame <= self.point.committed
        if old.any():
            self._overlap.append(table.select(old))
        if old.all():
            return
        if self._map is None:
            self._make_map()
        tail = table.select(~old)
        uniq, inv = np.unique(tail.track_id, return_inverse=True)
        tail.track_id = self._ids(uniq)[inv].astype(tail.track_id.dtype)
        self.written += self.project.append_boxes(self.point.run_id, tail)

    def finish(self, status: str, metrics: dict) -> None:
        if self._map is None:
            self._make_map()
        run = self.project.run(self.point.run_id)
        stats = self.project.run_stats(self.point.run_id)
        before = run["metrics"] or {}
        # counts of the whole run, not of the continued part alone
        merged = {**metrics, "boxes": stats["boxes"], "ids": stats["tracks"],
                  "frames": self.restart - self.point.first + int(metrics.get("frames", 0)),
                  "resumes": int(before.get("resumes", 0)) + 1,
                  "resumed_after_frame": self.point.committed,
                  "carried_ids": self.carried}
        if "wall_s" in before:  # time of all parts, as the season table reports it
            merged["wall_s"] = round(float(before["wall_s"]) + float(metrics.get("wall_s", 0)), 3)
        self.project.set_run_metrics(self.point.run_id, merged)
        self.project.set_run_status(self.point.run_id, status)


@dataclass
class ContinueResult:
    """What ``continue_run`` did: the pipeline's result plus the stitching figures."""

    status: str
    run_id: int
    run_name: str
    resumed_after: int
    restart_frame: int
    written: int
    carried_ids: int
    skipped: bool = False


def continue_run(project_path: str | Path, run_name: str, *, sequence: str | None = None,
                 warmup: int = DEFAULT_WARMUP, progress=None,
                 cancel: threading.Event | None = None,
                 overrides: dict | None = None) -> ContinueResult:
    """Continue run ``run_name`` of ``project_path`` from its last committed frame.

    The detector, tracker, parameters, stride and source are the run's own (its stored
    parameters); ``overrides`` may change ``frame_range`` (to extend a chunked run) or the
    source path (media moved). A complete run whose range is done is left alone.
    """
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
    from sporttrack_gui.project import Project

    if warmup < 0:
        raise ProjectError(f"warmup must be >= 0 frames, got {warmup}")
    overrides = overrides or {}
    with Project.open(project_path) as project:
        run_id = project.run_id(run_name, sequence)
        run = project.run(run_id)
        if run["kind"] != "tracker":
            raise ProjectError(f"{project_path}: run {run_name!r} is a {run['kind']} run; "
                               "only tracker runs can be continued")
        params = run["params"]
        point = resume_point(project, run_id)
        if "frame_range" in overrides:
            point.last = int(overrides["frame_range"][1])
        # complete = its range was processed to the end, even when its last frames (or all
        # of them) hold no box; only a LAST beyond that range gives it more to do
        done_to = int((params.get("frame_range") or [1, point.committed])[1])
        if run["status"] == "complete" and (point.committed >= point.last
                                            or point.last <= done_to):
            return ContinueResult("complete", run_id, run_name, point.committed,
                                  point.committed + 1, 0, 0, skipped=True)
        # after a stop: ``warmup`` frames before it (never before the run's own first
        # frame; an override's FIRST does not move it back, or "--frames 1-40000" would
        # re-track the whole committed chunk); nothing stored yet: the run's (or the
        # override's) first frame
        if point.committed:
            restart = max(point.first, point.committed - warmup + 1)
        else:
            restart = int(overrides.get("frame_range", [point.first])[0])
        source = overrides.get("source", params.get("source"))
        config = PipelineConfig(
            source=source, detector=params["detector"], tracker=params["tracker"],
            tracker_params=dict(params.get("tracker_params") or {}),
            detector_options=dict(params.get("detector_options") or {}),
            stride=int(params.get("stride", 1)), frame_range=(restart, point.last))
        project.claim_run(run_id)
        sink = StitchSink(project, point, restart=restart,
                          settle=min(warmup // 2, max(point.committed - restart, 0)))
        try:
            result = run_pipeline(config, progress, cancel, sinks=[sink])
        except BaseException:
            project.set_run_status(run_id, "incomplete")
            raise
        new_params = {**params, "frame_range": [int(params.get("frame_range", [1])[0]),
                                                point.last]}
        if source != params.get("source"):
            new_params["source"] = source
        project.set_run_params(run_id, new_params)
        return ContinueResult(result.status, run_id, run_name, point.committed, restart,
                              sink.written, sink.carried)
