"""Demo video export: the source frames with boxes, ids, trails and an optional minimap.

Written as H.264 (``encode.VideoEncoder``: libx264, yuv420p, +faststart; mp4v only as a
fallback) under a temporary name that becomes the final one only when the video is
complete (``atomic_io.atomic_path``): a cancelled or failed export leaves nothing that
looks like a finished clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sporttrack_gui.atomic_io import atomic_path
from sporttrack_gui.core.boxes import foot_points, xywh_to_xyxy
from sporttrack_gui.errors import Cancelled, MediaError
from sporttrack_gui.media.encode import VideoEncoder
from sporttrack_gui.media.media_cache import display_path
from sporttrack_gui.media.overlay import draw_tracks, draw_trails, paste_minimap
from sporttrack_gui.media.source import VideoSource
from sporttrack_gui.media.trails import Trails

#: ``minimap(frame_number, track_ids, xywh) -> BGR image or None``
MinimapFn = Callable[[int, np.ndarray, np.ndarray], np.ndarray | None]


@dataclass
class DemoVideoResult:
    path: Path
    frames: int
    boxes: int
    bad_frames: list[int]
    codec: str = ""
    trail_space: str = "image"  # "pitch": trails kept on the ground (see media.trails)


def write_demo_video(source: VideoSource, out: str | Path, frame: np.ndarray, track_id: np.ndarray,
                     xywh: np.ndarray, *, labels: dict[int, str] | None = None, trail: int = 25,
                     minimap: MinimapFn | None = None, frame_range: tuple[int, int] | None = None,
                     fps: float | None = None, progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None,
                     codec: str = "auto", world: np.ndarray | None = None) -> DemoVideoResult:
    """Render boxes (top-left xywh, 1-based ``frame``) onto the source and write an mp4.

    ``labels`` maps track id to the text shown (e.g. "7 Müller"); ``trail`` is the number
    of past foot points drawn per track; ``minimap`` is called per frame with that frame's
    boxes and its image pasted bottom-right (see ``sporttrack_gui.pitch.render.minimap_callback``);
    ``world`` (image->ground homographies per frame, see ``media.trails.Trails``) keeps the
    trails on the ground when the camera pans; without it they are drawn in image pixels.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    first, last = frame_range or (1, len(source))
    last = min(last, len(source))
    frame = np.asarray(frame, np.int64)
    order = np.argsort(frame, kind="stable")
    fr, tid = frame[order], np.asarray(track_id)[order]
    boxes = xywh_to_xyxy(np.asarray(xywh, np.float32).reshape(-1, 4))[order]
    feet = foot_points(boxes)
    trails = Trails(trail, world)
    xywh_sorted = np.asarray(xywh, np.float32).reshape(-1, 4)[order]
    written = 0
    n_boxes = 0
    with atomic_path(out) as tmp, VideoEncoder(tmp, float(fps or source.fps), codec=codec) as writer:
        for index, img in source.iter_frames(first - 1, last):
            if cancel is not None and cancel():
                raise Cancelled(f"demo video export cancelled at frame {index + 1}")
            fn = index + 1
            lo, hi = np.searchsorted(fr, [fn, fn + 1])
            ids = tid[lo:hi]
            canvas = img.copy()
            if trail > 0:
                draw_trails(canvas, trails.update(fn, ids, feet[lo:hi]))
            text = [labels.get(int(t), str(int(t))) if labels else str(int(t)) for t in ids]
            draw_tracks(canvas, boxes[lo:hi], ids, text)
            if minimap is not None:
                mm = minimap(fn, ids, xywh_sorted[lo:hi])
                if mm is not None:
                    paste_minimap(canvas, mm)
            writer.write(canvas)
            written += 1
            n_boxes += hi - lo
            if progress is not None and written % 25 == 0:
                progress(fn, last)
        if not written:
            raise MediaError(f"{display_path(out)}: no frame of {first}..{last} could be read",
                             path=display_path(out))
        used = writer.codec
    return DemoVideoResult(out, written, n_boxes, sorted(source.bad_frames), used, trails.space)
