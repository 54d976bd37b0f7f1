"""Drawing the synthetic match: pitch texture, player figures, occluder, sensor noise.

Why it is built this way: the pitch (stripes, grass grain, white lines) is drawn once in
pitch coordinates and warped into each frame with the frame's pitch->image homography,
so lines and grass move exactly with the simulated camera (camera-motion compensation
has real texture to lock on to) and a 1280x720 frame costs one ``warpPerspective``
plus a few dozen cv2 primitives.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.errors import MediaError
from sporttrack_gui.media.sim_camera import PITCH_LENGTH, PITCH_WIDTH

TEXTURE_PX_PER_M = 16
TEXTURE_MARGIN_M = 8.0
STANDS_BGR = (70, 62, 58)
LINE_BGR = (232, 240, 236)
SKIN_BGR = (120, 160, 205)
# (shirt, shorts, socks) per team; referee last
KITS = {0: ((40, 40, 200), (235, 235, 235), (40, 40, 190)),
        1: ((190, 110, 30), (60, 35, 25), (220, 220, 220)),
        -1: ((40, 215, 235), (25, 25, 25), (25, 25, 25))}
_SHIFT = 4                 # cv2 fixed-point bits: sub-pixel positions for smooth motion
_ONE = 1 << _SHIFT


@functools.lru_cache(maxsize=2)
def pitch_texture(px_per_m: int = TEXTURE_PX_PER_M, margin_m: float = TEXTURE_MARGIN_M
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Top-down pitch image and the 3x3 matrix mapping texture pixels -> pitch metres."""
    s = px_per_m
    w = int((PITCH_LENGTH + 2 * margin_m) * s)
    h = int((PITCH_WIDTH + 2 * margin_m) * s)
    to_px = lambda x, y: (int(round((x + margin_m) * s * _ONE)), int(round((y + margin_m) * s * _ONE)))  # noqa: E731
    img = np.empty((h, w, 3), np.uint8)
    img[:] = (48, 118, 52)
    band = PITCH_LENGTH / 20
    cols = ((np.arange(w) / s - margin_m) // band).astype(int)
    light = (cols % 2 == 0) & (np.arange(w) / s > margin_m - 1) & (np.arange(w) / s < PITCH_LENGTH + margin_m + 1)
    img[:, light] = (56, 134, 60)
    grain = np.random.default_rng(12345).normal(0, 9, (h // 2 + 1, w // 2 + 1)).astype(np.float32)
    grain = cv2.resize(cv2.GaussianBlur(grain, (0, 0), 1.2), (w, h))
    img = np.clip(img.astype(np.float32) + grain[..., None], 0, 255).astype(np.uint8)

    t = max(2, int(round(0.12 * s)))
    line = functools.partial(cv2.line, color=LINE_BGR, thickness=t, lineType=cv2.LINE_AA, shift=_SHIFT)
    rect = functools.partial(cv2.rectangle, color=LINE_BGR, thickness=t, lineType=cv2.LINE_AA, shift=_SHIFT)
    rect(img, to_px(0, 0), to_px(PITCH_LENGTH, PITCH_WIDTH))
    line(img, to_px(PITCH_LENGTH / 2, 0), to_px(PITCH_LENGTH / 2, PITCH_WIDTH))
    cx, cy = PITCH_LENGTH / 2, PITCH_WIDTH / 2
    cv2.circle(img, to_px(cx, cy), int(9.15 * s * _ONE), LINE_BGR, t, cv2.LINE_AA, _SHIFT)
    cv2.circle(img, to_px(cx, cy), int(0.3 * s * _ONE), LINE_BGR, -1, cv2.LINE_AA, _SHIFT)
    for x0, sign in ((0.0, 1), (PITCH_LENGTH, -1)):
        rect(img, to_px(x0, cy - 20.16), to_px(x0 + sign * 16.5, cy + 20.16))
        rect(img, to_px(x0, cy - 9.16), to_px(x0 + sign * 5.5, cy + 9.16))
        spot = to_px(x0 + sign * 11.0, cy)
        cv2.circle(img, spot, int(0.3 * s * _ONE), LINE_BGR, -1, cv2.LINE_AA, _SHIFT)
        # penalty arc: the part of the 9.15 m circle outside the box (+-53.1 deg)
        start = -53.13 if sign == 1 else 180 - 53.13
        cv2.ellipse(img, spot, (int(9.15 * s * _ONE),) * 2, 0, start, start + 106.26, LINE_BGR, t,
                    cv2.LINE_AA, _SHIFT)
    for x0, y0, a in ((0, 0, 0), (PITCH_LENGTH, 0, 90), (PITCH_LENGTH, PITCH_WIDTH, 180), (0, PITCH_WIDTH, 270)):
        cv2.ellipse(img, to_px(x0, y0), (s * _ONE,) * 2, 0, a, a + 90, LINE_BGR, t, cv2.LINE_AA, _SHIFT)
    tex_to_pitch = np.array([[1 / s, 0, -margin_m], [0, 1 / s, -margin_m], [0, 0, 1]], np.float64)
    return img, tex_to_pitch


def _pt(x: float, y: float) -> tuple[int, int]:
    return int(x * _ONE), int(y * _ONE)


def draw_figure(img: np.ndarray, xywh: np.ndarray, team: int, phase: float) -> None:
    """A shaded footballer filling the box: head, shirt with arms, shorts, swinging legs."""
    x, y, w, h = (float(v) for v in xywh)
    cx = x + w / 2
    shirt, shorts, socks = KITS[team]
    dark = tuple(int(c * 0.7) for c in shirt)
    aa = cv2.LINE_AA
    swing = 0.22 * w * np.sin(phase)
    leg_t = max(2, int(0.075 * h))
    hip_y, foot_y = y + 0.60 * h, y + h - leg_t / 2
    for side, sw in ((-1, swing), (1, -swing)):
        hip = _pt(cx + side * 0.11 * w, hip_y)
        knee = _pt(cx + side * 0.12 * w + 0.5 * sw, y + 0.78 * h)
        foot = _pt(cx + side * 0.12 * w + sw, foot_y)
        cv2.line(img, hip, knee, SKIN_BGR, leg_t, aa, _SHIFT)
        cv2.line(img, knee, foot, socks, leg_t, aa, _SHIFT)
    arm_t = max(2, int(0.06 * h))
    for side in (-1, 1):
        shoulder = _pt(cx + side * 0.26 * w, y + 0.22 * h)
        hand = _pt(cx + side * (0.5 * w - arm_t / 2) - side * 0.3 * swing, y + 0.50 * h)
        cv2.line(img, shoulder, hand, shirt, arm_t, aa, _SHIFT)
    torso = np.array([_pt(cx - 0.30 * w, y + 0.18 * h), _pt(cx + 0.30 * w, y + 0.18 * h),
                      _pt(cx + 0.22 * w, y + 0.50 * h), _pt(cx - 0.22 * w, y + 0.50 * h)], np.int32)
    cv2.fillConvexPoly(img, torso, shirt, aa, _SHIFT)
    shade = np.array([torso[1], torso[2], _pt(cx + 0.02 * w, y + 0.50 * h), _pt(cx + 0.05 * w, y + 0.18 * h)],
                     np.int32)
    cv2.fillConvexPoly(img, shade, dark, aa, _SHIFT)
    cv2.rectangle(img, _pt(cx - 0.23 * w, y + 0.49 * h), _pt(cx + 0.23 * w, hip_y + 0.02 * h), shorts, -1,
                  aa, _SHIFT)
    r = 0.08 * h
    cv2.circle(img, _pt(cx, y + r), int(r * _ONE), SKIN_BGR, -1, aa, _SHIFT)
    cv2.circle(img, _pt(cx, y + 0.7 * r), int(0.8 * r * _ONE), (30, 40, 60), -1, aa, _SHIFT)  # hair


def draw_ball(img: np.ndarray, xywh: np.ndarray) -> None:
    x, y, w, h = (float(v) for v in xywh)
    r = max(w / 2, 1.5)
    cv2.circle(img, _pt(x + w / 2, y + h / 2), int(r * _ONE), (70, 70, 70), -1, cv2.LINE_AA, _SHIFT)
    cv2.circle(img, _pt(x + w / 2, y + h / 2), int(max(r - 1, 1) * _ONE), (245, 245, 245), -1,
               cv2.LINE_AA, _SHIFT)


def draw_occluder(img: np.ndarray, xyxy: np.ndarray) -> None:
    """An opaque pitch-side camera platform with a sponsor panel."""
    x0, y0, x1, y1 = (int(round(v)) for v in xyxy)
    cv2.rectangle(img, (x0, y0), (x1, y1), (60, 30, 20), -1)
    cv2.rectangle(img, (x0, y0), (x1, y1), (200, 200, 200), 2)
    bw = max(x1 - x0, 1)
    scale = bw / 260.0
    cv2.putText(img, "SPORTTRACK", (x0 + int(0.06 * bw), y0 + int(40 * scale) + 4), cv2.FONT_HERSHEY_SIMPLEX,
                scale, (0, 200, 255), max(1, int(2 * scale)), cv2.LINE_AA)


class _Noise:
    """A few precomputed noise tiles: per-frame Gaussian noise at the cost of two adds."""

    def __init__(self, sigma: float, shape: tuple[int, int, int], seed: int, n: int = 4):
        rng = np.random.default_rng(seed + 99991)
        self.tiles = []
        if sigma <= 0:
            return
        for _ in range(n):
            z = rng.normal(0, sigma, shape)
            self.tiles.append((np.clip(z, 0, 255).astype(np.uint8), np.clip(-z, 0, 255).astype(np.uint8)))

    def apply(self, img: np.ndarray, t: int) -> np.ndarray:
        if not self.tiles:
            return img
        pos, neg = self.tiles[t % len(self.tiles)]
        return cv2.subtract(cv2.add(img, pos), neg)


def render_frame(sim, t: int, noise: _Noise | None = None) -> np.ndarray:
    """BGR image of frame index ``t`` (0-based) of a :class:`SimulatedMatch`."""
    cfg = sim.config
    tex, tex_to_pitch = pitch_texture()
    m = sim.pitch_to_image[t] @ tex_to_pitch
    img = cv2.warpPerspective(tex, m, (cfg.width, cfg.height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=STANDS_BGR)
    boxes = sim.boxes[t]
    x, y, w, h = boxes.T
    on_screen = (x + w > -2) & (x < cfg.width + 2) & (y + h > -2) & (y < cfg.height + 2)
    order = np.argsort(y + h, kind="stable")           # far to near: nearer figures on top
    for k in order:
        if not on_screen[k]:
            continue
        if sim.classes[k] == 2:
            draw_ball(img, boxes[k])
        else:
            draw_figure(img, boxes[k], int(sim.teams[k]), float(sim.stride_phase[t, k]))
    draw_occluder(img, sim.occluder_xyxy[t])
    return noise.apply(img, t) if noise is not None else img


def write_frames(sim, frames_dir: Path, video_path: Path | None = None) -> None:
    """Render every frame to ``frames_dir/%06d.jpg`` (and optionally an mp4v video).

    JPEG encoding and file writes run on two threads while the next frame is drawn.
    """
    cfg = sim.config
    frames_dir.mkdir(parents=True, exist_ok=True)
    noise = _Noise(cfg.noise, (cfg.height, cfg.width, 3), cfg.seed)
    params = [cv2.IMWRITE_JPEG_QUALITY, int(cfg.jpeg_quality)]
    writer = None
    if video_path is not None:
        writer = cv2.VideoWriter(str(video_path), cv2.VideoWriter_fourcc(*"mp4v"), cfg.fps,
                                 (cfg.width, cfg.height))
        if not writer.isOpened():
            raise MediaError(f"cannot write video {video_path} (mp4v codec unavailable)", str(video_path))

    def save(path: Path, img: np.ndarray) -> None:
        if not cv2.imwrite(str(path), img, params):
            raise MediaError(f"cannot write frame image {path}", str(path))

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = []
        for t in range(cfg.n_frames):
            img = render_frame(sim, t, noise)
            pending.append(pool.submit(save, frames_dir / f"{t + 1:06d}.jpg", img))
            if writer is not None:
                writer.write(img)
            if len(pending) > 8:
                pending.pop(0).result()
        for f in pending:
            f.result()
    if writer is not None:
        writer.release()
