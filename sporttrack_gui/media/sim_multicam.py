"""The synthetic match filmed by several cameras: exact per-camera truth plus global ids.

Why: linking cameras (global identities, hand-offs, fused pitch positions) can only be
measured on a match where every player's true pitch position, every camera's exact
image<->pitch homography per frame and the global identity behind every box are known.
The players, referee and ball move exactly as in :func:`synthetic.simulate_match`
(the first camera IS that match's broadcast camera, occluder included); the other
cameras look at the same trajectories from elsewhere:

* ``main``     -- the broadcast camera of the single-camera demo (pans and zooms);
* ``opposite`` -- the opposite stand, tighter, panning on its own (sees the far side);
* ``wide``     -- a fixed, high tactical camera covering the left ~60 % of the pitch;
* ``goal``     -- behind the right-hand goal (4th camera only).

Each camera overlaps the others in parts of the pitch and is blind in others, so
players leave one view and enter another. Cameras are frame-synchronised at the same
fps with an offset: camera frame ``f`` (1-based) shows global frame ``f + offset``.

Per-camera ground truth uses LOCAL ids the way a per-camera annotator or tracker would:
a player gets a new local id each time he comes back into a camera after being out of
it (or hidden) for more than one second, and local ids are shuffled per camera, so
nothing can be matched by id. ``global_id`` gives the true identity of every row.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sporttrack_gui.media import sim_camera as cam
from sporttrack_gui.media.synthetic import (
    CLASS_BALL,
    PLAYER_ASPECT,
    MatchConfig,
    SimulatedMatch,
    _visibility,
    simulate_match,
)

#: image->pitch homography files written next to each camera's frames
HOMOGRAPHY_FILE = "homography.npy"
GLOBAL_GT_FILE = "gt_global.txt"
GROUP_FILE = "group.json"


@dataclass(frozen=True)
class CameraSpec:
    """Where a synthetic camera stands and how it moves (pixel values for 1280x720).

    ``to_local`` maps pitch metres into the camera's own "broadcast" frame (the camera
    behind the local near touchline, local X along it); the rig then draws that frame.
    ``centre_x`` and the pan are in that local X; ``follow`` copies part of the main
    camera's pan, projected on the local X axis.
    """

    name: str
    to_local: tuple[tuple[float, float, float], tuple[float, float, float]]
    rig: cam.CameraRig
    pan_amplitude_m: float = 0.0
    pan_speed: float = 0.0
    centre_x: float = cam.PITCH_LENGTH / 2
    follow: float = 0.0        # how much of the main camera's pan it copies (0 = own path)
    zoom: float = 0.0


_IDENTITY = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
_MIRROR = ((-1.0, 0.0, cam.PITCH_LENGTH), (0.0, -1.0, cam.PITCH_WIDTH))
_BEHIND_RIGHT_GOAL = ((0.0, -1.0, cam.PITCH_LENGTH / 2 + cam.PITCH_WIDTH / 2), (1.0, 0.0, -37.0))

CAMERA_SPECS: tuple[CameraSpec, ...] = (
    CameraSpec("main", _IDENTITY, cam.CameraRig()),
    CameraSpec("opposite", _MIRROR, cam.CameraRig(far_px_per_m=38.0, near_px_per_m=64.0, far_v=40.0,
                                                  near_v=900.0, view_v=470.0),
               pan_amplitude_m=10.0, pan_speed=1.2, centre_x=cam.PITCH_LENGTH / 2 + 4.0, follow=0.7),
    CameraSpec("wide", _IDENTITY, cam.CameraRig(far_px_per_m=15.0, near_px_per_m=21.0, far_v=150.0,
                                                near_v=640.0, view_v=380.0),
               centre_x=33.0),
    CameraSpec("goal", _BEHIND_RIGHT_GOAL, cam.CameraRig(far_px_per_m=20.0, near_px_per_m=40.0,
                                                         far_v=80.0, near_v=900.0, view_v=430.0),
               pan_amplitude_m=6.0, pan_speed=0.8),
)
DEFAULT_OFFSETS = (0, 7, 13, 4)


@dataclass(frozen=True)
class MultiCamConfig:
    """A match (:class:`MatchConfig`) and how many of :data:`CAMERA_SPECS` film it."""

    match: MatchConfig = field(default_factory=MatchConfig)
    cameras: int = 3
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    regap_frames: int | None = None   # new local id after a gap longer than this (default: 1 s)

    def __post_init__(self) -> None:
        if not 1 <= self.cameras <= len(CAMERA_SPECS):
            raise ValueError(f"cameras must be 1..{len(CAMERA_SPECS)}, got {self.cameras}")
        if len(self.offsets) < self.cameras or min(self.offsets[: self.cameras]) < 0:
            raise ValueError("need one offset >= 0 (frames) per camera")
        if max(self.offsets[: self.cameras]) >= self.match.n_frames:
            raise ValueError(f"camera offsets {self.offsets[: self.cameras]} leave no frames "
                             f"of a {self.match.n_frames}-frame match")


@dataclass
class CameraTruth:
    """One camera's view of the match; arrays have one row per CAMERA frame."""

    name: str
    offset: int                 # camera frame f shows global frame f + offset
    n_frames: int
    width: int
    height: int
    pitch_to_image: np.ndarray  # (T_c, 3, 3)
    homography: np.ndarray      # (T_c, 3, 3) image -> pitch metres
    boxes: np.ndarray           # (T_c, K, 4) unclipped xywh of every object
    visibility: np.ndarray      # (T_c, K)
    occluder_xyxy: np.ndarray   # (T_c, 4)
    gt: object                  # MotTable, local ids, camera frames 1..T_c
    global_id: np.ndarray       # (len(gt),) the global identity of each gt row

    def gt_global(self):
        """The camera's gt with global ids instead of local ones (the evaluation truth)."""
        from sporttrack_gui.formats.mot import MotTable

        g = self.gt
        return MotTable(g.frame.copy(), self.global_id.copy(), g.xywh.copy(), g.conf.copy(),
                        g.cls.copy(), g.vis.copy())


@dataclass
class MultiCamMatch:
    """The simulated match (global frames) and its cameras."""

    config: MultiCamConfig
    sim: SimulatedMatch         # world truth; sim.pitch_xy[t, k] = object track_ids[k]
    cameras: list[CameraTruth]

    @property
    def track_ids(self) -> np.ndarray:
        return self.sim.track_ids

    def truth_xy(self, global_frame: np.ndarray, global_id: np.ndarray) -> np.ndarray:
        """True pitch positions (N, 2) of ``global_id`` at 1-based ``global_frame``."""
        k = np.searchsorted(self.sim.track_ids, global_id)
        return self.sim.pitch_xy[np.asarray(global_frame) - 1, k].astype(np.float64)


def _local_affine(spec: CameraSpec) -> np.ndarray:
    m = np.eye(3)
    m[:2] = np.asarray(spec.to_local, np.float64)
    return m


def _pan(spec: CameraSpec, main_centre: np.ndarray, fps: float, rng: np.random.Generator
         ) -> tuple[np.ndarray, np.ndarray]:
    n = len(main_centre)
    t = np.arange(n) / fps
    if spec.pan_amplitude_m > 0:
        omega = spec.pan_speed / spec.pan_amplitude_m
        own = spec.centre_x + spec.pan_amplitude_m * np.sin(rng.uniform(0, 2 * np.pi) + omega * t)
    else:
        own = np.full(n, spec.centre_x)
    # the main camera's pan as seen along this camera's own X axis (mirrored: reversed)
    a = np.asarray(spec.to_local, np.float64)
    centre = own + spec.follow * a[0, 0] * (main_centre - cam.PITCH_LENGTH / 2)
    zoom = 1.0 + spec.zoom * (0.5 - 0.5 * np.cos(rng.uniform(0, 2 * np.pi) + 2 * np.pi * t / 17.0))
    return centre, zoom


def _local_ids(keep: np.ndarray, regap: int, rng: np.random.Generator) -> np.ndarray:
    """(T,K) local id per visible cell: a new id after a gap > ``regap`` frames; shuffled."""
    n_t, n_k = keep.shape
    seg = np.zeros((n_t, n_k), np.int64)
    seg_of_obj = []
    count = 0
    for k in range(n_k):  # a loop over objects (tens), vectorised over frames
        rows = np.flatnonzero(keep[:, k])
        if len(rows) == 0:
            seg_of_obj.append(np.zeros(0, np.int64))
            continue
        starts = np.concatenate([[True], np.diff(rows) > regap + 1])
        s = np.cumsum(starts) - 1 + count
        seg[rows, k] = s
        count = int(s[-1]) + 1
    perm = rng.permutation(count) + 1
    return np.where(keep, perm[seg], 0)


def simulate_multicam(config: MultiCamConfig | None = None) -> MultiCamMatch:
    """Simulate the match once and view it through ``config.cameras`` cameras (no pixels)."""
    from sporttrack_gui.formats.mot import MotTable

    cfg = config or MultiCamConfig()
    mc = cfg.match
    sim = simulate_match(mc, visible_only=False)
    rng = np.random.default_rng(mc.seed + 7919)
    regap = int(round(mc.fps)) if cfg.regap_frames is None else int(cfg.regap_frames)
    xy_world = sim.pitch_xy.astype(np.float64)                       # (T,K,2)
    main_centre = _main_centre(sim)
    # object heights in metres, recovered from the main camera's box heights
    main_scale = cam.px_per_metre(cam.CameraRig(width=mc.width, height=mc.height).calibration(),
                                  xy_world[0, :, 1]) * _main_zoom(sim)
    heights = sim.boxes[0, :, 3] / main_scale
    cams: list[CameraTruth] = []
    for c in range(cfg.cameras):
        spec = CAMERA_SPECS[c]
        off = int(cfg.offsets[c])
        sl = slice(off, mc.n_frames)
        n_c = mc.n_frames - off
        if c == 0:
            p2i = sim.pitch_to_image[sl]
            boxes = sim.boxes[sl].astype(np.float64)
            occ = sim.occluder_xyxy[sl].astype(np.float64)
            xyxy = np.concatenate([boxes[..., :2], boxes[..., :2] + boxes[..., 2:]], -1)
        else:
            rig = dataclasses.replace(spec.rig, width=mc.width, height=mc.height)
            k_cal = rig.calibration() @ _local_affine(spec)
            centre, zoom = _pan(spec, main_centre, mc.fps, rng)
            aff = cam.view_affines(rig, rig.calibration(), centre, zoom)
            p2i = (cam.to_homographies(aff) @ k_cal)[sl]
            xy = xy_world[sl]
            foot = cam.project(p2i, xy)
            local = cam.project(_local_affine(spec), xy.reshape(-1, 2)).reshape(xy.shape)
            scale = cam.px_per_metre(rig.calibration(), local[..., 1]) * zoom[sl, None]
            h_px = scale * heights[None, :]
            w_px = np.where(sim.classes == CLASS_BALL, h_px, PLAYER_ASPECT * h_px)
            xyxy = np.stack([foot[..., 0] - w_px / 2, foot[..., 1] - h_px,
                             foot[..., 0] + w_px / 2, foot[..., 1]], -1)
            # behind the camera (projective sign flip) or absurdly far: never visible
            behind = ~np.isfinite(xyxy).all(-1) | (h_px <= 1.0)
            xyxy = np.where(behind[..., None], -1e4, xyxy)
            boxes = np.concatenate([xyxy[..., :2], xyxy[..., 2:] - xyxy[..., :2]], -1)
            occ = np.tile(np.array([-50.0, -50.0, -40.0, -40.0]), (n_c, 1))
        vis, inside, _ = _visibility(xyxy, xyxy[..., 3], occ, mc.width, mc.height)
        keep = (vis > 0) & (inside >= 0.2)
        local_id = _local_ids(keep, regap, rng)
        t_idx, k_idx = np.nonzero(keep)
        sel = xyxy[t_idx, k_idx]
        clipped = np.stack([np.clip(sel[:, 0], 0, mc.width), np.clip(sel[:, 1], 0, mc.height),
                            np.clip(sel[:, 2], 0, mc.width), np.clip(sel[:, 3], 0, mc.height)], -1)
        xywh = np.column_stack([clipped[:, :2], clipped[:, 2:] - clipped[:, :2]])
        gt = MotTable.from_arrays(frame=t_idx + 1, track_id=local_id[t_idx, k_idx], xywh=xywh,
                                  conf=1.0, cls=sim.classes[k_idx], vis=vis[t_idx, k_idx])
        cams.append(CameraTruth(spec.name, off, n_c, mc.width, mc.height, p2i,
                                np.linalg.inv(p2i), boxes.astype(np.float32), vis.astype(np.float32),
                                occ.astype(np.float32), gt, sim.track_ids[k_idx].astype(np.int64)))
    return MultiCamMatch(cfg, sim, cams)


def _main_zoom(sim: SimulatedMatch) -> float:
    """Zoom of the broadcast camera in frame 1 (the view affine's scale)."""
    rig = cam.CameraRig(width=sim.config.width, height=sim.config.height)
    view = sim.pitch_to_image[0] @ np.linalg.inv(rig.calibration())
    return float(view[0, 0] / view[2, 2])


def _main_centre(sim: SimulatedMatch) -> np.ndarray:
    """Pitch X the broadcast camera centres on, per frame (from its homographies)."""
    cfg = sim.config
    centre_px = np.tile(np.array([cfg.width / 2, cfg.height / 2]), (len(sim.homography), 1))
    return cam.project(sim.homography, centre_px[:, None, :])[:, 0, 0]


def _camera_sim(m: MultiCamMatch, c: CameraTruth) -> SimulatedMatch:
    """A :class:`SimulatedMatch` view of one camera, for the single-camera renderer."""
    off = c.offset
    sim = m.sim
    return dataclasses.replace(
        sim, config=dataclasses.replace(sim.config, n_frames=c.n_frames), gt=c.gt,
        pitch_xy=sim.pitch_xy[off:], boxes=c.boxes, visibility=c.visibility,
        homography=c.homography, pitch_to_image=c.pitch_to_image, occluder_xyxy=c.occluder_xyxy,
        stride_phase=sim.stride_phase[off:], camera=sim.camera[off:])


def render_multicam(out_dir: str | Path, config: MultiCamConfig | None = None,
                    write_video: bool = False) -> tuple[MultiCamMatch, list[Path]]:
    """Write one MOT sequence folder per camera plus ``group.json``.

    Each folder ``out_dir/<camera>/`` holds ``img1/``, ``gt/gt.txt`` (local ids),
    ``gt/gt_global.txt`` (global ids, same rows), ``seqinfo.ini`` and ``homography.npy``
    (exact image->pitch homography per camera frame); ``group.json`` lists the cameras
    with their frame offsets.
    """
    from sporttrack_gui.atomic_io import atomic_path, atomic_write_text
    from sporttrack_gui.formats.mot import SeqInfo, write_mot, write_seqinfo
    from sporttrack_gui.media.sim_render import write_frames

    m = simulate_multicam(config)
    out = Path(out_dir)
    folders = []
    for c in m.cameras:
        folder = out / c.name
        (folder / "gt").mkdir(parents=True, exist_ok=True)
        write_frames(_camera_sim(m, c), folder / "img1",
                     folder / "match.mp4" if write_video else None)
        write_mot(folder / "gt" / "gt.txt", c.gt, kind="gt")
        write_mot(folder / "gt" / GLOBAL_GT_FILE, c.gt_global(), kind="gt")
        write_seqinfo(folder / "seqinfo.ini", SeqInfo(
            name=c.name, img_dir="img1", frame_rate=m.config.match.fps, seq_length=c.n_frames,
            width=c.width, height=c.height, img_ext=".jpg"))
        with atomic_path(folder / HOMOGRAPHY_FILE) as tmp:  # suffix kept: np.save adds none
            np.save(tmp, c.homography)
        folders.append(folder)
    group = {"name": out.name or "match", "fps": m.config.match.fps,
             "cameras": [{"name": c.name, "folder": c.name, "offset": c.offset,
                          "homographies": f"{c.name}/{HOMOGRAPHY_FILE}"} for c in m.cameras]}
    atomic_write_text(out / GROUP_FILE, json.dumps(group, indent=2))
    return m, folders
