"""One calibration + camera motion + a run's boxes -> pitch positions and per-player figures.

Used by ``sporttrack pitch`` and by the GUI's pitch panel; nothing here knows about Qt.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.atomic_io import atomic_path
from sporttrack_gui.core.boxes import xywh_to_xyxy
from sporttrack_gui.core.geometry import chain_homographies
from sporttrack_gui.errors import Cancelled, InputError
from sporttrack_gui.pitch.calibration import Calibration
from sporttrack_gui.pitch.kinematics import TrackKinematics, track_kinematics
from sporttrack_gui.pitch.mapping import PitchPositions, map_to_pitch
from sporttrack_gui.runtime import cache_dir

log = logging.getLogger(__name__)


@dataclass
class PitchAnalysis:
    positions: PitchPositions
    kinematics: TrackKinematics
    homographies: np.ndarray  # (T, 3, 3) image->pitch for frames first_frame..
    first_frame: int
    unmapped: int  # boxes outside the frames camera motion could be estimated for


def _motion_cache_path(source_path: str, method: str, n_frames: int) -> Path:
    p = Path(source_path)
    try:
        stat = p.stat()
        key = f"{p.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{method}|{n_frames}"
    except OSError:
        key = f"{source_path}|{method}|{n_frames}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return cache_dir() / f"motion-{digest}.npy"


def estimate_sequence_motion(source, boxes_frame: np.ndarray, boxes_xywh: np.ndarray, *,
                             method: str = "sparse", n_frames: int | None = None,
                             progress: Callable[[int, int], None] | None = None,
                             cancel: Callable[[], bool] | None = None,
                             cache: bool = True) -> np.ndarray:
    """Per-frame image motion (frame t-1 -> t) as (T, 2, 3), players masked out.

    ``source`` is a media VideoSource (index 0 = frame 1). Results are cached per source
    file and method because a 90-minute match takes minutes to estimate.
    """
    from sporttrack_gui.track.cmc import CameraMotion

    total = len(source) if n_frames is None else min(n_frames, len(source))
    path = getattr(source, "path", None)
    cache_file = _motion_cache_path(str(path), method, total) if (cache and path) else None
    if cache_file is not None and cache_file.exists():
        try:
            cached = np.load(cache_file)
        except (OSError, ValueError, EOFError):  # a damaged cache is recomputed
            cached = None
        if cached is not None and cached.shape == (total, 2, 3):
            return cached
    frame_arr = np.asarray(boxes_frame)
    order = np.argsort(frame_arr, kind="stable")
    sorted_frames = frame_arr[order]
    xyxy = xywh_to_xyxy(np.asarray(boxes_xywh))[order]
    estimator = CameraMotion(method)
    out = np.repeat(np.eye(2, 3)[None], total, axis=0)
    for i in range(total):
        if cancel is not None and cancel():
            raise Cancelled("camera-motion estimation cancelled")
        lo, hi = np.searchsorted(sorted_frames, [i + 1, i + 2])
        out[i] = estimator(source[i], xyxy[lo:hi])
        if progress is not None and (i % 25 == 0 or i == total - 1):
            progress(i + 1, total)
    if cache_file is not None:
        try:  # a cache: a failure to write it must not fail the analysis
            with atomic_path(cache_file) as tmp, open(tmp, "wb") as fh:
                np.save(fh, out)
        except OSError as exc:
            log.warning("cannot write the motion cache %s: %s", cache_file, exc.strerror or exc)
    return out


def analyse_boxes(frame: np.ndarray, track_id: np.ndarray, xywh: np.ndarray, calibration: Calibration,
                  fps: float, *, motion: np.ndarray | None = None, **kin_options) -> PitchAnalysis:
    """Pitch positions and kinematics from boxes, a calibration and (optionally) camera motion.

    ``motion[k]`` is the image motion into frame ``k + 1``; without it the camera is
    assumed fixed and the calibration's homography serves every frame.
    """
    if calibration.fit is None:
        raise InputError("calibration has not been fitted")
    frame = np.asarray(frame, np.int64)
    h0 = calibration.fit.image_to_pitch
    if motion is None:
        hs = h0[None]
        positions = map_to_pitch(frame, track_id, xywh, h0)
        unmapped = 0
    else:
        ref = calibration.frame - 1
        if not 0 <= ref < len(motion):
            raise InputError(f"calibration frame {calibration.frame} is outside the "
                             f"{len(motion)} frames with camera motion")
        hs = chain_homographies(h0, motion, ref_index=ref)
        inside = frame <= len(motion)
        unmapped = int((~inside).sum())
        positions = map_to_pitch(frame[inside], np.asarray(track_id)[inside],
                                 np.asarray(xywh)[inside], hs, first_frame=1)
        if unmapped:
            log.warning("%d boxes lie beyond the %d frames that could be decoded; not mapped",
                        unmapped, len(motion))
    kin = track_kinematics(positions, fps, **kin_options)
    return PitchAnalysis(positions, kin, hs, 1, unmapped)
