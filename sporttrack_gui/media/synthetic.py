"""Seeded synthetic football match with exact ground truth: the built-in demo and test data.

Why: trackers, metrics, the pitch view and the GUI all need a match whose every box,
crossing, occlusion and camera move is known exactly, that is generated in seconds
without any download, and that is identical for a given seed.

Two entry points:

* :func:`simulate_match` -- pure numbers, no pixels: true positions in pitch metres,
  per-frame camera motion and image->pitch homographies, and the MOT ground truth.
  Vectorised: a 90-minute match (135,000 frames x 25 objects) takes seconds.
* :func:`render_match` -- the same simulation drawn to a MOTChallenge-style folder
  (``img1/000001.jpg ...``, ``gt/gt.txt``, ``seqinfo.ini``) and optionally ``match.mp4``.

Ground truth conventions (``gt.txt``: ``frame,id,x,y,w,h,1,class,visibility``):

* classes: ``1`` = player, ``2`` = ball, ``3`` = referee (:data:`CLASS_PLAYER`, ...);
* ids: players ``1..n_players`` (first half team 0 in red, second half team 1 in blue),
  then the referee, then the ball;
* in the rendered gt (``visible_only=True``) a box is clipped to the image and only
  present while the object is at least partly visible: frames in which a player is
  fully hidden behind the occluder, or out of view, are ABSENT from ``gt.txt``;
  ``visibility`` is a box-based estimate (in-image fraction times the part not covered
  by the largest nearer box or the occluder);
* in the full table (``simulate_match(..., visible_only=False)``) every object has an
  unclipped box in every frame and hidden/out-of-view objects have visibility 0.

Guaranteed events (placed by script; they need ``n_frames >= 125``, see
:attr:`SimulatedMatch.events`): a same-team crossing at ~30 % of the clip, a
different-team crossing at ~70 %, and one player walking behind the pitch-side occluder
(a camera-operator platform) and fully hidden for at least 1 s around the middle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sporttrack_gui.media import sim_camera as cam
from sporttrack_gui.media import sim_motion as motion

CLASS_PLAYER = 1
CLASS_BALL = 2
CLASS_REFEREE = 3

OCCLUDER_DEPTH_M = 69.5      # pitch-side platform, 1.5 m beyond the near touchline
OCCLUDER_WIDTH_M = 3.0
OCCLUDED_PLAYER_DEPTH_M = 62.0
BALL_DIAMETER_M = 0.22
PLAYER_ASPECT = 0.45         # box width / height of a standing figure with arms


@dataclass(frozen=True)
class MatchConfig:
    """Everything that defines a synthetic match; equal configs give identical matches."""

    n_frames: int = 150
    seed: int = 0
    width: int = 1280
    height: int = 720
    fps: float = 25.0
    n_players: int = 10
    referee: bool = True
    ball: bool = True
    pan_speed: float = 1.0     # peak camera pan speed, pitch metres per second
    zoom: float = 0.08         # camera zooms between 1x and (1 + zoom)x
    noise: float = 3.0         # sensor noise sigma in grey levels (rendering only)
    jpeg_quality: int = 92

    def __post_init__(self) -> None:
        if self.n_frames < 1:
            raise ValueError(f"n_frames must be >= 1, got {self.n_frames}")
        if self.n_players < 5:
            raise ValueError(f"n_players must be >= 5 (the scripted events use 5), got {self.n_players}")
        if self.fps <= 0 or self.width < 64 or self.height < 64:
            raise ValueError("fps must be > 0 and the frame at least 64x64")


@dataclass(frozen=True)
class Crossing:
    """Two players whose boxes overlap at ``frame`` (1-based) while passing each other."""

    frame: int
    id_a: int
    id_b: int
    same_team: bool


@dataclass(frozen=True)
class Occlusion:
    """``track_id`` is fully hidden (absent from the rendered gt) in frames first..last."""

    track_id: int
    first_frame: int
    last_frame: int

    @property
    def n_frames(self) -> int:
        return self.last_frame - self.first_frame + 1


@dataclass
class MatchEvents:
    crossings: list[Crossing] = field(default_factory=list)
    occlusions: list[Occlusion] = field(default_factory=list)


@dataclass
class SimulatedMatch:
    """The numbers behind a match. Per-object arrays are indexed like ``track_ids``.

    ``camera[t]`` maps image points of frame t-1 to frame t (2x3, identity at t=0);
    ``homography[t]`` maps image pixels of frame t to pitch metres; ``pitch_xy[t, k]`` is
    the true ground position (feet, or the ball's contact point) of object k in metres.
    """

    config: MatchConfig
    gt: object                 # MotTable
    track_ids: np.ndarray      # (K,) int64
    classes: np.ndarray        # (K,) int32
    teams: np.ndarray          # (K,) int8: 0/1 for players, -1 referee/ball
    pitch_xy: np.ndarray       # (T,K,2) float32 metres
    boxes: np.ndarray          # (T,K,4) float32 unclipped image xywh
    visibility: np.ndarray     # (T,K) float32
    camera: np.ndarray         # (T,2,3) float64
    homography: np.ndarray     # (T,3,3) float64 image -> pitch
    pitch_to_image: np.ndarray  # (T,3,3) float64
    occluder_xyxy: np.ndarray  # (T,4) float32 image rectangle of the occluder
    stride_phase: np.ndarray   # (T,K) float32 running-cycle phase (radians) for drawing
    events: MatchEvents


@dataclass
class SyntheticMatch:
    """A rendered match on disk plus its simulation (``sim``)."""

    img_dir: Path              # the MOT sequence folder (holds img1/, gt/, seqinfo.ini)
    frames_dir: Path           # img_dir / "img1"
    gt_path: Path
    seqinfo_path: Path
    video_path: Path | None
    sim: SimulatedMatch

    @property
    def config(self) -> MatchConfig:
        return self.sim.config

    @property
    def gt(self):
        return self.sim.gt

    @property
    def pitch_xy(self) -> np.ndarray:
        return self.sim.pitch_xy

    @property
    def camera(self) -> np.ndarray:
        return self.sim.camera

    @property
    def homography(self) -> np.ndarray:
        return self.sim.homography

    @property
    def events(self) -> MatchEvents:
        return self.sim.events

    @property
    def track_ids(self) -> np.ndarray:
        return self.sim.track_ids


# --------------------------------------------------------------------------- simulation

def _roster(cfg: MatchConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = cfg.n_players
    team = np.where(np.arange(n) < (n + 1) // 2, 0, 1).astype(np.int8)
    classes = [CLASS_PLAYER] * n
    teams = list(team)
    if cfg.referee:
        classes.append(CLASS_REFEREE)
        teams.append(-1)
    if cfg.ball:
        classes.append(CLASS_BALL)
        teams.append(-1)
    ids = np.arange(1, len(classes) + 1, dtype=np.int64)
    return ids, np.asarray(classes, np.int32), np.asarray(teams, np.int8)


def _crossing_script(centre_x: float, y: float, t_c: float, speed: float, direction: float,
                     dy: float) -> motion.Keyframes:
    half = 1.2
    x0 = centre_x - direction * speed * half
    x1 = centre_x + direction * speed * half
    return motion.Keyframes(np.array([t_c - half, t_c, t_c + half]),
                            np.array([[x0, y + dy], [centre_x, y + dy], [x1, y + dy]]))


def _occlusion_script(k: np.ndarray, occ_x: float, t_mid: float, direction: float) -> motion.Keyframes:
    """Walk at 1.4 m/s along the occluded depth, through the occluder's shadow and out."""
    s_occ = cam.px_per_metre(k, np.array(OCCLUDER_DEPTH_M))
    s_pl = cam.px_per_metre(k, np.array(OCCLUDED_PLAYER_DEPTH_M))
    hidden_span = OCCLUDER_WIDTH_M * float(s_occ / s_pl)  # occluder width seen at player depth
    # the trapezoid is symmetric about the pitch centre: parallax shifts the shadow
    shadow_c = cam.PITCH_LENGTH / 2 + (occ_x - cam.PITCH_LENGTH / 2) * float(s_occ / s_pl)
    half = hidden_span / 2 + 1.5
    speed = 1.4
    dur = 2 * half / speed
    xs = shadow_c + direction * np.array([-half, 0.0, half])
    y = OCCLUDED_PLAYER_DEPTH_M
    return motion.Keyframes(np.array([t_mid - dur / 2, t_mid, t_mid + dur / 2]),
                            np.column_stack([xs, [y, y, y]]))


def _trajectories(cfg: MatchConfig, rng: np.random.Generator, k: np.ndarray, centre_x: np.ndarray,
                  teams: np.ndarray) -> tuple[np.ndarray, dict, float]:
    """Player positions (T,P,2) in metres, the scripted roles and the occluder's X."""
    n_t, fps = cfg.n_frames, cfg.fps
    times = np.arange(n_t) / fps
    end_t = (n_t - 1) / fps
    team0 = np.flatnonzero(teams[: cfg.n_players] == 0)
    team1 = np.flatnonzero(teams[: cfg.n_players] == 1)
    pick0 = rng.permutation(team0)
    pick1 = rng.permutation(team1)
    roles = {"same": (int(pick0[0]), int(pick0[1])), "diff": (int(pick0[2]), int(pick1[0])),
             "hidden": int(pick1[1])}
    frames = {"same": int(round(0.3 * (n_t - 1))), "diff": int(round(0.7 * (n_t - 1))),
              "hidden": int(round(0.5 * (n_t - 1)))}
    occ_x = float(centre_x[frames["hidden"]])
    scripts: dict[int, motion.Keyframes] = {}
    for role in ("same", "diff"):
        f = frames[role]
        a, b = roles[role]
        y = rng.uniform(22.0, 45.0)
        d = rng.choice([-1.0, 1.0])
        scripts[a] = _crossing_script(centre_x[f], y, f / fps, rng.uniform(2.5, 3.5), d, 0.0)
        scripts[b] = _crossing_script(centre_x[f], y, f / fps, rng.uniform(2.5, 3.5), -d, 0.5)
    scripts[roles["hidden"]] = _occlusion_script(k, occ_x, frames["hidden"] / fps, rng.choice([-1.0, 1.0]))
    xy = np.empty((n_t, cfg.n_players, 2))
    for p in range(cfg.n_players):
        if p in scripts:
            s = scripts[p]
            back = motion.random_walk(rng, s.t[0], 0.0, s.xy[0], centre_x, fps, backwards=True)
            fwd = motion.random_walk(rng, s.t[-1], end_t, s.xy[-1], centre_x, fps)
            kf = motion.join(back, s, fwd)
        else:
            start = np.array([centre_x[0] + rng.uniform(-motion.ZONE_HALF_WIDTH, motion.ZONE_HALF_WIDTH),
                              rng.uniform(*motion.ZONE_Y)])
            kf = motion.random_walk(rng, 0.0, end_t, start, centre_x, fps)
        xy[:, p] = motion.sample(kf, times)
    return xy, {"roles": roles, "frames": frames}, occ_x


def _box_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of xyxy boxes, broadcasting over leading axes."""
    w = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0])
    h = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _visibility(xyxy: np.ndarray, foot_v: np.ndarray, occ: np.ndarray, width: int, height: int,
                chunk: int = 4096) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Box-based visibility (T,K), the in-image fraction and the fully-hidden mask."""
    area = np.maximum((xyxy[..., 2] - xyxy[..., 0]) * (xyxy[..., 3] - xyxy[..., 1]), 1e-6)
    frame = np.array([0, 0, width, height], np.float64)
    inside = _box_overlap(xyxy, frame) / area
    occ_frac = _box_overlap(xyxy, occ[:, None, :]) / area
    cover = np.zeros_like(area)
    for s in range(0, len(xyxy), chunk):
        b = xyxy[s:s + chunk]
        inter = _box_overlap(b[:, :, None, :], b[:, None, :, :])      # (C,K,K) i covered by j
        nearer = foot_v[s:s + chunk, None, :] > foot_v[s:s + chunk, :, None]
        cover[s:s + chunk] = np.where(nearer, inter, 0).max(axis=2) / area[s:s + chunk]
    hidden = occ_frac >= 0.999
    vis = inside * (1.0 - np.maximum(cover, occ_frac))
    vis = np.where(hidden, 0.0, np.clip(vis, 0.0, 1.0))
    return vis, inside, hidden


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    """(first, last) 0-based indices of the longest run of True; (-1, -2) if none."""
    if not mask.any():
        return -1, -2
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, stops = edges[::2], edges[1::2]
    i = int(np.argmax(stops - starts))
    return int(starts[i]), int(stops[i]) - 1


def simulate_match(config: MatchConfig, *, visible_only: bool = False) -> SimulatedMatch:
    """Simulate positions, camera and ground truth (no pixels). See the module docstring."""
    from sporttrack_gui.formats.mot import MotTable

    cfg = config
    rng = np.random.default_rng(cfg.seed)
    rig = cam.CameraRig(width=cfg.width, height=cfg.height)
    k = rig.calibration()
    centre_x, zoom = cam.pan_zoom_path(cfg.n_frames, cfg.fps, cfg.pan_speed, cfg.zoom, rng)
    affines = cam.view_affines(rig, k, centre_x, zoom)
    p2i = cam.to_homographies(affines) @ k
    ids, classes, teams = _roster(cfg)
    players, script, occ_x = _trajectories(cfg, rng, k, centre_x, teams)
    objs = [players]
    if cfg.referee:
        ref = motion.random_walk(rng, 0.0, (cfg.n_frames - 1) / cfg.fps,
                                 np.array([centre_x[0], 30.0]), centre_x, cfg.fps)
        objs.append(motion.sample(ref, np.arange(cfg.n_frames) / cfg.fps)[:, None])
    if cfg.ball:
        objs.append(motion.ball_track(rng, players, cfg.fps)[:, None])
    xy = np.concatenate(objs, axis=1)                                     # (T,K,2)

    foot = cam.project(p2i, xy)                                           # (T,K,2) pixels
    scale = cam.px_per_metre(k, xy[..., 1]) * zoom[:, None]
    heights = np.where(classes == CLASS_BALL, BALL_DIAMETER_M, rng.uniform(1.72, 1.92, len(ids)))
    h_px = scale * heights[None, :]
    w_px = np.where(classes == CLASS_BALL, h_px, PLAYER_ASPECT * h_px)
    xyxy = np.stack([foot[..., 0] - w_px / 2, foot[..., 1] - h_px, foot[..., 0] + w_px / 2, foot[..., 1]], -1)

    occ_base = cam.project(p2i, np.array([[occ_x - OCCLUDER_WIDTH_M / 2, OCCLUDER_DEPTH_M],
                                          [occ_x + OCCLUDER_WIDTH_M / 2, OCCLUDER_DEPTH_M]])[None]
                           .repeat(cfg.n_frames, 0))
    occ_scale = cam.px_per_metre(k, np.array(OCCLUDER_DEPTH_M)) * zoom
    occ_h = _occluder_height_m(k)
    occ = np.stack([occ_base[:, 0, 0], occ_base[:, 0, 1] - occ_h * occ_scale,
                    occ_base[:, 1, 0], occ_base[:, 0, 1]], -1)

    vis, inside, hidden = _visibility(xyxy, foot[..., 1], occ, cfg.width, cfg.height)
    events = _events(cfg, ids, teams, script, xyxy, hidden, inside)

    step = np.hypot(*np.diff(xy, axis=0, prepend=xy[:1]).transpose(2, 0, 1))
    phase = (np.cumsum(step, axis=0) / 1.6 * 2 * np.pi).astype(np.float32)

    t_idx, k_idx = np.meshgrid(np.arange(cfg.n_frames), np.arange(len(ids)), indexing="ij")
    boxes = xyxy
    if visible_only:
        keep = (vis > 0) & (inside >= 0.2)
        boxes = np.stack([np.clip(xyxy[..., 0], 0, cfg.width), np.clip(xyxy[..., 1], 0, cfg.height),
                          np.clip(xyxy[..., 2], 0, cfg.width), np.clip(xyxy[..., 3], 0, cfg.height)], -1)
    else:
        keep = np.ones(vis.shape, bool)
    sel = boxes[keep]
    xywh = np.column_stack([sel[:, :2], sel[:, 2:] - sel[:, :2]]).astype(np.float32)
    gt = MotTable.from_arrays(
        frame=(t_idx[keep] + 1).astype(np.int32), track_id=ids[k_idx[keep]], xywh=xywh,
        conf=np.ones(len(xywh), np.float32), cls=classes[k_idx[keep]], vis=vis[keep].astype(np.float32))

    return SimulatedMatch(
        config=cfg, gt=gt, track_ids=ids, classes=classes, teams=teams,
        pitch_xy=xy.astype(np.float32),
        boxes=np.concatenate([xyxy[..., :2], xyxy[..., 2:] - xyxy[..., :2]], -1).astype(np.float32),
        visibility=vis.astype(np.float32), camera=cam.frame_motion(affines),
        homography=np.linalg.inv(p2i), pitch_to_image=p2i, occluder_xyxy=occ.astype(np.float32),
        stride_phase=phase, events=events)


def _occluder_height_m(k: np.ndarray) -> float:
    """Tall enough to hide the tallest player (1.92 m + margin) at the occluded depth."""
    v = lambda y: cam.project(k, np.array([cam.PITCH_LENGTH / 2, y]))[1]  # noqa: E731
    s_pl = float(cam.px_per_metre(k, np.array(OCCLUDED_PLAYER_DEPTH_M)))
    s_occ = float(cam.px_per_metre(k, np.array(OCCLUDER_DEPTH_M)))
    head_v = v(OCCLUDED_PLAYER_DEPTH_M) - (1.92 + 0.3) * s_pl
    return float((v(OCCLUDER_DEPTH_M) - head_v) / s_occ)


def _events(cfg: MatchConfig, ids: np.ndarray, teams: np.ndarray, script: dict, xyxy: np.ndarray,
            hidden: np.ndarray, inside: np.ndarray) -> MatchEvents:
    """The scripted events as they actually came out of the geometry."""
    ev = MatchEvents()
    roles, frames = script["roles"], script["frames"]
    for role in ("same", "diff"):
        a, b = roles[role]
        f = frames[role]
        overlap = _box_overlap(xyxy[f, a], xyxy[f, b]) > 0
        if overlap and inside[f, a] > 0 and inside[f, b] > 0:
            ev.crossings.append(Crossing(f + 1, int(ids[a]), int(ids[b]), bool(teams[a] == teams[b])))
    p = roles["hidden"]
    first, last = _longest_run(hidden[:, p])
    if last >= first:
        ev.occlusions.append(Occlusion(int(ids[p]), first + 1, last + 1))
    return ev


# --------------------------------------------------------------------------- rendering

def render_match(out_dir: str | Path, config: MatchConfig | None = None,
                 write_video: bool = False) -> SyntheticMatch:
    """Simulate and draw the match into ``out_dir`` as a MOT sequence folder.

    Writes ``img1/%06d.jpg``, ``gt/gt.txt``, ``seqinfo.ini`` and, with ``write_video``,
    ``match.mp4`` (mp4v). Existing files of the same names are overwritten.
    """
    from sporttrack_gui.formats.mot import SeqInfo, write_mot, write_seqinfo
    from sporttrack_gui.media.sim_render import write_frames

    cfg = config or MatchConfig()
    out = Path(out_dir)
    sim = simulate_match(cfg, visible_only=True)
    frames_dir = out / "img1"
    gt_path = out / "gt" / "gt.txt"
    gt_path.parent.mkdir(parents=True, exist_ok=True)
    video_path = out / "match.mp4" if write_video else None
    write_frames(sim, frames_dir, video_path)
    write_mot(gt_path, sim.gt, kind="gt")
    seqinfo_path = out / "seqinfo.ini"
    write_seqinfo(seqinfo_path, SeqInfo(name=out.name, img_dir="img1", frame_rate=cfg.fps,
                                        seq_length=cfg.n_frames, width=cfg.width,
                                        height=cfg.height, img_ext=".jpg"))
    return SyntheticMatch(img_dir=out, frames_dir=frames_dir, gt_path=gt_path,
                          seqinfo_path=seqinfo_path, video_path=video_path, sim=sim)
