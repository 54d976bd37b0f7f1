"""The one headless multi-camera workflow: group -> pitch observations -> global ids.

``sporttrack multicam`` and the GUI's camera-group view both call :func:`run_multicam`.
It reads each camera's run, maps its boxes to the pitch (exact homography files, or the
camera's calibration chained through its camera motion), fills in unknown frame offsets,
associates, fuses, writes one ``global`` run per camera (track id = global id, so the
project's undoable id edits apply to global ids), optional CSV files, and scores the
result against a truth run with global ids when the cameras have one.
"""

from __future__ import annotations

import contextlib
import logging
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError, ProjectError
from sporttrack_gui.multicam import evaluate as ev
from sporttrack_gui.multicam.associate import Association, AssociationParams, associate
from sporttrack_gui.multicam.fusion import FusedPositions, fuse
from sporttrack_gui.multicam.group import CameraGroup, GroupCamera, load_group
from sporttrack_gui.multicam.observations import (
    Observations,
    camera_observations,
    concat_observations,
)
from sporttrack_gui.multicam.offset import estimate_offsets

log = logging.getLogger(__name__)

GLOBAL_RUN = "global"
TRUTH_RUN = "gt-global"


@dataclass
class CameraData:
    """One camera's input as the workflow and the GUI use it."""

    camera: GroupCamera
    run_id: int
    run_name: str
    table: Any                   # MotTable of the input run (camera frames)
    homographies: np.ndarray     # (T_c, 3, 3) image -> pitch
    width: int
    height: int
    fps: float
    source: str


@dataclass
class MulticamResult:
    group: str
    cameras: list[CameraData]
    offsets: list[int]
    offset_scores: list[float]
    observations: Observations
    association: Association
    fused: FusedPositions
    global_runs: dict[str, int] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def global_tables(self) -> list:
        """Per camera, the input boxes with global ids (camera frames)."""
        from sporttrack_gui.formats.mot import MotTable

        out = []
        for i, cd in enumerate(self.cameras):
            sel = self.observations.cam == i
            gid = np.zeros(len(cd.table), np.int64)
            gid[self.observations.row[sel]] = self.association.global_id[sel]
            t, keep = cd.table, gid > 0
            out.append(MotTable(t.frame[keep], gid[keep], t.xywh[keep], t.conf[keep], t.cls[keep],
                                t.vis[keep]))
        return out

    def summary(self) -> dict[str, Any]:
        a = self.association
        return {"group": self.group, "cameras": [c.camera.camera for c in self.cameras],
                "runs": [c.run_name for c in self.cameras], "offsets": self.offsets,
                "offset_scores": [round(s, 3) for s in self.offset_scores],
                "boxes": int(len(self.observations)), "global_ids": a.n_ids,
                "merges": len(a.merges), "handoffs": a.handoffs, "released": a.released,
                "split_conflicts": a.split_conflicts, "global_runs": self.global_runs,
                "metrics": self.metrics, "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def _camera_homographies(cam: GroupCamera, seq: dict, table, progress, cancel) -> np.ndarray:
    n = int(seq.get("frame_count") or (table.frame.max(initial=0) if len(table) else 0))
    if cam.homographies:
        try:
            h = np.load(cam.homographies, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # EOF: an empty file
            raise InputError(f"camera {cam.camera!r}: cannot read homographies ({exc})",
                             cam.homographies) from None
        if not isinstance(h, np.ndarray):  # an .npz archive, not one array
            h.close()
            raise InputError(f"camera {cam.camera!r}: expected one .npy array of (frames, 3, 3) "
                             "homographies, got an .npz archive", cam.homographies)
        if h.ndim != 3 or h.shape[1:] != (3, 3) or not np.isfinite(h).all():
            raise InputError(f"camera {cam.camera!r}: expected finite (frames, 3, 3) homographies, "
                             f"got shape {h.shape}", cam.homographies)
        return h.astype(np.float64)
    if not cam.calibration:
        raise InputError(f"camera {cam.camera!r} (sequence {cam.sequence!r}) has no calibration: "
                         "give --calib or a homography file when making the group")
    from sporttrack_gui.core.geometry import chain_homographies
    from sporttrack_gui.pitch.calibration import calibrate

    pairs = cam.calibration.get("pairs", [])
    cal = calibrate([p["image"] for p in pairs], [p["pitch"] for p in pairs],
                    frame=int(cam.calibration.get("frame", 1)))
    if cam.motion == "none":
        return np.repeat(cal.fit.image_to_pitch[None], max(n, 1), axis=0)
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.pitch.analysis import estimate_sequence_motion

    src = open_source(seq["source"])
    try:
        motion = estimate_sequence_motion(src, table.frame, table.xywh, method=cam.motion,
                                          progress=progress, cancel=cancel)
    finally:
        src.close()
    return chain_homographies(cal.fit.image_to_pitch, motion, ref_index=cal.frame - 1)


def load_cameras(project, group: CameraGroup, runs: list[str] | str | None = None, *,
                 progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> list[CameraData]:
    """Each camera's input run (``runs``: one name for all, one per camera, or
    ``camera=run`` items) and its image->pitch homographies."""
    n = len(group.cameras)
    names = _run_names(group, runs)
    out = []
    for cam, run_name in zip(group.cameras, names, strict=True):
        seq = project.sequence(cam.sequence_id)
        try:
            run_id = project.run_id(run_name, cam.sequence_id)
        except ProjectError:
            raise InputError(f"camera {cam.camera!r} (sequence {cam.sequence!r}) has no run "
                             f"{run_name!r}") from None
        table = project.boxes(run_id)
        table = table.select(table.track_id >= 0)
        h = _camera_homographies(cam, seq, table, progress, cancel)
        out.append(CameraData(cam, run_id, run_name, table, h, int(seq.get("width") or 0),
                              int(seq.get("height") or 0), float(seq.get("fps") or 25.0), seq["source"]))
    if n and len({round(c.fps, 3) for c in out}) > 1:
        raise InputError("cameras of a group must share one frame rate; got "
                         + ", ".join(f"{c.camera.camera} {c.fps:g}" for c in out))
    return out


def _run_names(group: CameraGroup, runs: list[str] | str | None) -> list[str]:
    n = len(group.cameras)
    if runs is None or runs == []:
        return ["gt"] * n
    if isinstance(runs, str):
        runs = [runs]
    if all("=" in r for r in runs):
        by_cam = dict(r.split("=", 1) for r in runs)
        unknown = set(by_cam) - {c.camera for c in group.cameras}
        if unknown:
            raise InputError(f"--run names unknown cameras {sorted(unknown)}; cameras: "
                             f"{[c.camera for c in group.cameras]}")
        missing = [c.camera for c in group.cameras if c.camera not in by_cam]
        if missing:
            raise InputError(f"--run gives no run for camera(s) {missing}")
        return [by_cam[c.camera] for c in group.cameras]
    if len(runs) == 1:
        return runs * n
    if len(runs) != n:
        raise InputError(f"--run: {len(runs)} runs for {n} cameras (give one, or one per camera)")
    return list(runs)


def build_observations(cams: list[CameraData], offsets: list[int]) -> Observations:
    parts = [camera_observations(i, c.table.frame, c.table.track_id, c.table.xywh, c.table.cls,
                                 c.homographies, offset=offsets[i], image_height=c.height or None)
             for i, c in enumerate(cams)]
    return concat_observations(parts)


def _team_hints(project, cams: list[CameraData]) -> dict[tuple[int, int], int]:
    """Team of a local track from its track metadata ("A"/"B"/"0"/"1"), when set."""
    names = {"a": 0, "0": 0, "b": 1, "1": 1}
    out = {}
    for i, c in enumerate(cams):
        for track, meta in project.track_meta(c.run_id).items():
            t = str(meta.get("team") or "").strip().lower()
            if t in names:
                out[(i, int(track))] = names[t]
    return out


def run_multicam(project_path: str | Path, group_name: str, runs: list[str] | str | None = None, *,
                 params: AssociationParams | None = None, offsets: list[int | None] | None = None,
                 write_run: str | None = GLOBAL_RUN, replace: bool = False,
                 truth_run: str | None = TRUTH_RUN, out_csv: str | Path | None = None,
                 fused_csv: str | Path | None = None, appearance: str | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> MulticamResult:
    """Global identities for the camera group ``group_name``; see the module docstring.

    ``offsets`` overrides the stored ones (None entries are estimated). ``write_run``
    names the per-camera run of global ids (None: write nothing to the project); an
    existing one is refused unless ``replace``. ``truth_run``: a per-camera run with
    global ids to score against, used where every camera has it. ``appearance``:
    ``colour`` (kit colour, and teams from it) or ``onnx:/reid.onnx`` as tie-breakers
    (decodes a few frames per track).
    """
    from sporttrack_gui.project import Project

    step = (lambda stage: (lambda d, n: progress(stage, d, n))) if progress else (lambda stage: None)
    secs: dict[str, float] = {}
    t0 = time.perf_counter()
    with Project.open(project_path, readonly=write_run is None) as p:
        group = load_group(p, group_name)
        if offsets is not None:
            if len(offsets) != len(group.cameras):
                raise InputError(f"--offsets: {len(offsets)} values for {len(group.cameras)} cameras")
            for c, o in zip(group.cameras, offsets, strict=True):
                c.offset = o
        cams = load_cameras(p, group, runs, progress=step("camera motion"), cancel=cancel)
        if write_run is not None:
            _check_can_write(p, cams, write_run, replace)
        known = [c.camera.offset for c in cams]
        if any(k is None for k in known):
            pts = [(o.frame, o.xy) for o in (camera_observations(
                i, c.table.frame, c.table.track_id, c.table.xywh, c.table.cls, c.homographies)
                for i, c in enumerate(cams))]
            offs, scores = estimate_offsets(pts, known, max_shift=int(5 * cams[0].fps))
        else:
            offs, scores = [int(k) for k in known], [1.0] * len(cams)
        secs["load"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        obs = build_observations(cams, offs)
        fps = cams[0].fps if cams else 25.0
        team, feats = _team_hints(p, cams), None
        if appearance:
            from sporttrack_gui.multicam.appearance import track_appearance

            t2 = time.perf_counter()
            feats, colour_teams = track_appearance(cams, appearance, progress=step("appearance"),
                                                   cancel=cancel)
            team = {**colour_teams, **team}      # teams set by hand win
            secs["appearance"] = time.perf_counter() - t2
        assoc = associate(obs, fps, params, team=team or None, appearance=feats,
                          progress=step("association"), cancel=cancel)
        fused = fuse(obs, assoc.global_id)
        secs["associate"] = time.perf_counter() - t1
        res = MulticamResult(group.name, cams, offs, scores, obs, assoc, fused, seconds=secs)
        res.metrics["conflicts"] = ev.conflicts(obs, assoc.global_id, fps)
        # boxes beyond the frames a camera's homographies cover, or mapping to infinity
        unmapped = {c.camera.camera: int(len(c.table) - np.count_nonzero(obs.cam == i))
                    for i, c in enumerate(cams)}
        if any(unmapped.values()):
            log.warning("boxes not mapped to the pitch (outside the homographies' frames or "
                        "at the horizon): %s", unmapped)
            res.metrics["unmapped_boxes"] = unmapped
        if truth_run:
            res.metrics.update(_score(p, res, truth_run))
        # the files first: one that cannot be written leaves the project unchanged
        if out_csv:
            write_global_csv(res, out_csv)
        if fused_csv:
            write_fused_csv(res, fused_csv)
        if write_run is not None:
            res.global_runs = _write_runs(p, res, write_run, replace, params)
    secs["total"] = time.perf_counter() - t0
    return res


def _check_can_write(p, cams: list[CameraData], name: str, replace: bool) -> None:
    for c in cams:
        existing = [r for r in p.runs(c.camera.sequence_id) if r["name"] == name]
        if existing and not replace:
            raise InputError(f"camera {c.camera.camera!r} already has a run {name!r} (its global-id "
                             "edits would be lost): pass --replace, or another --write-run name")
        if c.run_name == name:
            raise InputError(f"the input run of camera {c.camera.camera!r} is {name!r}: cannot "
                             "replace the run being read")


def _write_runs(p, res: MulticamResult, name: str, replace: bool,
                params: AssociationParams | None) -> dict[str, int]:
    """One ``name`` run per camera, all in one transaction."""
    from sporttrack_gui.multicam.edits import forget_runs

    out = {}
    tables = res.global_tables()
    with p.transaction():
        replaced = {int(r["id"]) for cd in res.cameras for r in p.runs(cd.camera.sequence_id)
                    if r["name"] == name and replace}
        forget_runs(p, res.group, replaced)  # their global edits can no longer be undone
        for cd, table in zip(res.cameras, tables, strict=True):
            for r in p.runs(cd.camera.sequence_id):
                if r["name"] == name and replace:
                    p.delete_run(r["id"])
            run = p.create_run(cd.camera.sequence_id, name, kind="manual", params={
                "multicam_group": res.group, "source_run": cd.run_name,
                "offset": res.offsets[res.cameras.index(cd)],
                "association": (params or AssociationParams()).to_dict()})
            p.append_boxes(run, table)
            p.set_run_status(run, "complete")
            out[cd.camera.camera] = run
    return out


def _score(p, res: MulticamResult, truth_run: str) -> dict[str, Any]:
    truth = []
    for cd in res.cameras:
        try:
            rid = p.run_id(truth_run, cd.camera.sequence_id)
        except ProjectError:
            return {}
        truth.append(p.boxes(rid))
    pred = res.global_tables()
    out: dict[str, Any] = {"truth_run": truth_run}
    out["global"] = ev.global_idf1(truth, pred)
    out["per_camera_idf1"] = ev.per_camera_idf1(truth, [c.table for c in res.cameras])
    out["mean_per_camera_idf1"] = float(np.mean(out["per_camera_idf1"]))
    h = ev.handoff_accuracy(truth, pred, res.offsets)
    out["handoffs"] = {"cross_camera": h.cross_camera, "accuracy": _num(h.accuracy),
                       "reentries": h.reentries, "reentry_accuracy": _num(h.reentry_accuracy)}
    # truth positions: the truth boxes' feet through the same homographies, fused per id
    tobs = build_observations([CameraData(cd.camera, 0, truth_run, t, cd.homographies, cd.width,
                                          cd.height, cd.fps, cd.source)
                               for cd, t in zip(res.cameras, truth, strict=True)], res.offsets)
    tf = fuse(tobs, tobs.local_id)
    key = tf.frame.astype(np.int64) * (1 << 32) + tf.global_id

    def truth_xy(frame, tid):
        k = np.asarray(frame, np.int64) * (1 << 32) + np.asarray(tid, np.int64)
        i = np.clip(np.searchsorted(key, k), 0, max(len(key) - 1, 0))
        xy = tf.xy[i].copy()
        xy[key[i] != k] = np.nan
        return xy

    obs_truth = np.full(len(res.observations), -1, np.int64)
    for i, (cd, t) in enumerate(zip(res.cameras, truth, strict=True)):
        m = ev.match_rows(cd.table, t)
        sel = np.flatnonzero(res.observations.cam == i)
        r = m[res.observations.row[sel]]
        obs_truth[sel] = np.where(r >= 0, t.track_id[np.maximum(r, 0)], -1)
    pe = ev.position_errors(res.observations, res.fused, obs_truth, truth_xy, res.association.global_id)
    out["positions"] = pe
    return out


def _num(v: float) -> float | None:
    """NaN (nothing to score) as None, so --json stays valid JSON."""
    return None if v != v else float(v)


def write_global_csv(res: MulticamResult, path: str | Path) -> None:
    """``camera,frame,global_frame,local_id,global_id,x_m,y_m`` per box (atomic)."""
    from sporttrack_gui.atomic_io import atomic_path

    o = res.observations
    names = np.array([_csv_field(c.camera.camera) for c in res.cameras])
    with _writing(path), atomic_path(path) as tmp, open(tmp, "w") as fh:
        fh.write("camera,frame,global_frame,local_id,global_id,x_m,y_m\n")
        cam_frame = o.frame - np.asarray(res.offsets)[o.cam]
        for c, f, g, lid, gid, x, y in zip(names[o.cam].tolist(), cam_frame.tolist(), o.frame.tolist(),
                                           o.local_id.tolist(), res.association.global_id.tolist(),
                                           o.xy[:, 0].tolist(), o.xy[:, 1].tolist(), strict=True):
            fh.write(f"{c},{f},{g},{lid},{gid},{x:.3f},{y:.3f}\n")


def _csv_field(text: str) -> str:
    """``text`` quoted as RFC 4180 wants when it holds a comma, quote or line break (camera
    names are sequence names, free text); plain names are written as they are."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@contextlib.contextmanager
def _writing(path: str | Path):
    """An output file that cannot be written (a folder, no permission, disk full) is bad
    input naming the file, not a crash."""
    try:
        yield
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc})", str(path)) from None


def write_fused_csv(res: MulticamResult, path: str | Path) -> None:
    """``global_frame,global_id,x_m,y_m,sigma_m,cameras`` per id and frame (atomic)."""
    from sporttrack_gui.atomic_io import atomic_path

    f = res.fused
    data = np.column_stack([f.frame, f.global_id, f.xy, f.sigma, f.n_cams])
    with _writing(path), atomic_path(path) as tmp:
        np.savetxt(tmp, data, delimiter=",", header="global_frame,global_id,x_m,y_m,sigma_m,cameras",
                   comments="", fmt=["%d", "%d", "%.3f", "%.3f", "%.3f", "%d"])
