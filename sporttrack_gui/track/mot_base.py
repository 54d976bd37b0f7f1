"""What every Kalman-based multi-object tracker shares: input cleaning, prediction,
camera-motion compensation, appearance features, the predict-only path and the output.

Subclasses implement only ``_associate`` (their matching policy) and ``_visible`` (which
tracks they report). Parameters have ONE source, ``resources/trackers/<name>.yaml``: a
constructor takes overrides only, validated and merged onto those defaults, so code, CLI
``--param`` and the GUI cannot disagree on a default.

Reported boxes: a track matched on this frame reports the detection it matched
(``report_detection``, default on), because the detector localises the object on that
frame better than a constant-velocity prediction does; the filter's box is reported only
for frames the track was predicted through (detection stride). Association always uses
the filter state. The clock ``frame_id`` counts frames on which a detector ran;
predict-only frames advance the motion model but not that clock, so detection stride
never ages tracks toward deletion.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from sporttrack_gui.core.boxes import Detections, Tracks
from sporttrack_gui.core.kalman import KalmanBoxFilter, xyxy_to_xyah
from sporttrack_gui.errors import InputError
from sporttrack_gui.track.cmc import CameraMotion
from sporttrack_gui.track.config import builtin_defaults, merge_params
from sporttrack_gui.track.embed import Embedder, make_embedder
from sporttrack_gui.track.state import LOST, TRACKED, TrackStore

log = logging.getLogger(__name__)


class KalmanMotTracker:
    """Base class; see the module docstring. Not registered itself."""

    name = "kalman"

    def __init__(self, **overrides: Any):
        p = merge_params(self.name, builtin_defaults(self.name), overrides)
        frame_rate = p["frame_rate"]
        if frame_rate is None or not np.isfinite(frame_rate) or frame_rate <= 0:
            raise InputError(f"{self.name}: frame_rate must be positive, got {frame_rate!r}")
        self.params: dict[str, Any] = p
        self.frame_rate = float(frame_rate)
        self.report_detection = bool(p["report_detection"])
        self.kf = KalmanBoxFilter()
        self.cmc = CameraMotion(p["cmc"], p["cmc_downscale"])
        self.embedder: Embedder | None = make_embedder(p.get("embedder", "none"))
        self.embed_seconds = 0.0  # cumulative time in the crop embedder
        self.store = TrackStore(feat_dim=self.embedder.dim if self.embedder else 0,
                                gallery=self._gallery_size(p), extra=self._extra_columns())
        self.needs_pixels = self.embedder is not None or p["cmc"] != "none"
        self.reset()

    def _gallery_size(self, params: dict[str, Any]) -> int:
        """Hook: appearance features kept per track (DeepSORT's ``nn_budget``); 0 = EMA only."""
        return 0

    def _extra_columns(self) -> dict[str, tuple[type, tuple[int, ...]]]:
        """Hook: tracker-specific per-track columns for the store."""
        return {}

    def scaled(self, frames: float) -> int:
        """A duration given in frames at 30 fps, converted to this source's frame rate."""
        return max(1, int(round(frames * self.frame_rate / 30.0)))

    def reset(self) -> None:
        """Forget every track and restart ids at 1 (a new sequence)."""
        self.store.clear()
        self.store.reset_ids()
        self.cmc.reset()
        self.frame_id = 0
        self.stats = {"frames": 0, "predicted_frames": 0, "dropped_invalid": 0}

    # ----------------------------------------------------------------- public API
    def update(self, dets: Detections | None, frame: np.ndarray | None = None, *,
               predict_only: bool = False) -> Tracks:
        """Advance one frame. ``predict_only=True`` means no detector ran on this frame."""
        if predict_only:
            return self.predict(frame)
        dets = self._clean(dets)
        self.frame_id += 1
        self.stats["frames"] += 1
        self._predict_all()
        self._compensate(frame, dets.xyxy)
        feats = self._features(dets, frame)
        self._associate(dets, feats)
        return self._output(self._visible(), matched=True)

    def predict(self, frame: np.ndarray | None = None) -> Tracks:
        """Frame without detections *by design* (detection stride): move tracks, keep them.

        Tracks are predicted one frame ahead (and camera-compensated when a frame is given),
        nothing is counted as missed, and the currently visible tracks are returned with
        their predicted boxes and unchanged ids.
        """
        self.stats["predicted_frames"] += 1
        self._predict_all()
        self._compensate(frame, self.store.xyxy())
        return self._output(self._visible())

    # ----------------------------------------------------------------- shared steps
    def _clean(self, dets: Detections | None) -> Detections:
        if dets is None:
            return Detections.empty()
        if not isinstance(dets, Detections):
            raise InputError(f"{self.name}: update() expects Detections, got {type(dets).__name__}")
        kept, mask = dets.valid()
        dropped = int(len(mask) - mask.sum())
        if dropped:
            self.stats["dropped_invalid"] += dropped
            log.debug("%s frame %d: dropped %d NaN/zero-area boxes", self.name, self.frame_id + 1, dropped)
        return kept

    def _predict_all(self) -> None:
        s = self.store
        if len(s) == 0:
            return
        lost = s.state == LOST
        if lost.any():
            s.mean[lost, 7] = 0.0  # a lost box's height must not keep growing/shrinking
            self._damp_lost(lost)
        s.cols["mean"], s.cols["cov"] = self.kf.predict(s.mean, s.cov)

    def _damp_lost(self, lost: np.ndarray) -> None:
        """Hook: trackers may slow down lost tracks (ByteTrack does)."""

    def _compensate(self, frame: np.ndarray | None, xyxy: np.ndarray) -> None:
        if self.cmc.method == "none" or frame is None:
            return
        affine = self.cmc(frame, xyxy)
        if len(self.store) and not np.allclose(affine, np.eye(2, 3)):
            s = self.store
            s.cols["mean"], s.cols["cov"] = self.kf.warp(s.mean, s.cov, affine)

    def _features(self, dets: Detections, frame: np.ndarray | None) -> np.ndarray | None:
        if dets.feat is not None:
            return dets.feat
        if self.embedder is None or len(dets) == 0:
            return None if self.embedder is None else np.zeros((0, self.embedder.dim), np.float32)
        if frame is None:
            raise InputError(f"{self.name}: embedder {self.params['embedder']!r} needs the frame "
                             f"(frame {self.frame_id} came without pixels and without dets.feat)")
        t0 = time.perf_counter()
        try:
            return self.embedder(frame, dets.xyxy)
        finally:  # reported so the pipeline shows the crop network's cost as its own stage
            self.embed_seconds += time.perf_counter() - t0

    def _apply_matches(self, rows: np.ndarray, dets: Detections, cols: np.ndarray,
                       feats: np.ndarray | None, momentum: float = 0.9) -> None:
        """Kalman-correct tracks ``rows`` with detections ``cols`` (all at once)."""
        if len(rows) == 0:
            return
        s = self.store
        m, c = self.kf.update(s.mean[rows], s.cov[rows], xyxy_to_xyah(dets.xyxy[cols]))
        s.mean[rows], s.cov[rows] = m, c
        s.state[rows] = TRACKED
        s.score[rows] = dets.conf[cols]
        s.det[rows] = dets.xyxy[cols]
        s.cls[rows] = dets.cls[cols]
        s.last[rows] = self.frame_id
        s.hits[rows] += 1
        s.streak[rows] += 1
        s.misses[rows] = 0
        if feats is not None and len(feats):
            s.set_features(rows, feats[cols], momentum)

    def _spawn(self, dets: Detections, cols: np.ndarray, feats: np.ndarray | None,
               confirmed: bool) -> None:
        if len(cols) == 0:
            return
        mean, cov = self.kf.initiate(xyxy_to_xyah(dets.xyxy[cols]))
        self.store.add(mean, cov, dets.conf[cols], dets.cls[cols], self.frame_id, confirmed,
                       None if feats is None or not len(feats) else feats[cols])

    def _output(self, rows: np.ndarray, matched: bool = False) -> Tracks:
        """Visible tracks; ``matched``: a detector frame, where matched tracks report their
        detection (when ``report_detection``) and the others their prediction."""
        s = self.store
        if matched and self.report_detection and len(rows):
            now = s.last[rows] == self.frame_id
            if now.all():  # the usual case: no filter box needed at all
                boxes = s.det[rows]
            else:
                boxes = s.xyxy(rows)
                boxes[now] = s.det[rows[now]]
        else:
            boxes = s.xyxy(rows)
        return Tracks(boxes, s.track_id[rows], s.score[rows], s.cls[rows])

    # ----------------------------------------------------------------- subclass hooks
    def _associate(self, dets: Detections, feats: np.ndarray | None) -> None:
        raise NotImplementedError

    def _visible(self) -> np.ndarray:
        raise NotImplementedError
