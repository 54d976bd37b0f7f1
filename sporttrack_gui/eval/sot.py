"""Single-object tracking: OTB / LaSOT one-pass evaluation (OPE).

Conventions (those of the OTB toolkit and pysot's ``OPEBenchmark``, stated because papers
differ on them):

* success curve: fraction of frames with IoU **strictly greater** than each threshold of
  the grid 0, 0.05, ..., 1.0 (21 points); its AUC is the **mean of the 21 values**;
* precision curve: fraction of frames whose centre error is **<= t** pixels for
  t = 0, 1, ..., 50; the headline number is the value at 20 px;
* normalised precision (LaSOT): centre error measured in units of the gt box size
  (dx / w_gt, dy / h_gt), thresholds 0, 0.01, ..., 0.5; we report its value at 0.2 (pysot)
  and its mean over the grid (the LaSOT toolkit's AUC);
* IoU is computed in float64 (``core.iou`` is float32, whose rounding moves an IoU of
  exactly 0.6 above the 0.6 threshold and changes the curve at the grid points);
* gt rows that are absent (NaN, or width/height <= 0, LaSOT's "out of view") are excluded
  from every denominator; a NaN prediction means "tracker lost": IoU 0, infinite error.

``realtime_schedule`` implements the real-time protocol: frames arrive at the video's fps,
a busy tracker skips to the newest frame, and a frame whose result is late shows the
last box the tracker delivered (nothing before the first delivery).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError
from sporttrack_gui.eval._pairs import iou_block, xywh_to_xyxy64
from sporttrack_gui.eval.metrics import MetricFamily, field

#: the fields of single-object tracking (OTB/LaSOT protocol)
FAMILY = MetricFamily("sot", (
    field("auc", "Success AUC", ratio=True),
    field("precision_20", "Precision@20px", ratio=True),
    field("norm_precision", "Norm. precision", ratio=True),
), "single-object tracking: success and precision curves")

SUCCESS_THRESHOLDS = np.arange(0, 1.05, 0.05)  # pysot's exact grid (0.6 is 0.6000000000000001)
PRECISION_THRESHOLDS = np.arange(0, 51, dtype=np.float64)
NORM_PRECISION_THRESHOLDS = np.arange(0, 51, dtype=np.float64) / 100.0


@dataclass
class SotResult:
    """Curves, their headline values and the per-frame numbers behind them."""

    success_curve: np.ndarray
    auc: float
    precision_curve: np.ndarray
    precision_20: float
    norm_precision_curve: np.ndarray
    norm_precision: float
    norm_precision_auc: float
    iou: np.ndarray  # per frame, NaN where gt is absent
    center_error: np.ndarray  # px, inf where the tracker is lost, NaN where gt is absent
    num_frames: int
    num_valid: int
    fps: float | None = None
    shown: np.ndarray | None = None  # real-time protocol: prediction index shown per frame

    def summary(self) -> dict[str, Any]:
        """Scalars only (for the CLI and the project's run metrics)."""
        d = asdict(self)
        return {k: v for k, v in d.items() if not isinstance(v, np.ndarray) and v is not None}


def _as_boxes(a: Any, what: str) -> np.ndarray:
    arr = np.asarray(a, np.float64)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise InputError(f"{what} must be an (N, 4) array of x, y, w, h; got shape {arr.shape}")
    return arr


def realtime_schedule(times: np.ndarray, fps: float) -> np.ndarray:
    """Index of the prediction shown at each frame under the real-time protocol (-1: none).

    Frame ``k`` arrives at ``k / fps`` and must be answered before frame ``k + 1`` arrives.
    The tracker starts on frame 0; after finishing a frame it takes the newest frame that
    has arrived (waiting if none is new). ``times[j]`` is its processing time on frame j.
    """
    times = np.asarray(times, np.float64).reshape(-1)
    if fps <= 0 or not np.isfinite(fps):
        raise InputError(f"real-time protocol needs a positive fps, got {fps}")
    if (times < 0).any() or not np.isfinite(times).all():
        raise InputError("processing times must be finite and >= 0")
    n = len(times)
    done_frame, done_at = [], []
    j, clock = 0, 0.0
    while j < n:
        clock = max(clock, j / fps) + times[j]
        done_frame.append(j)
        done_at.append(clock)
        # newest frame arrived by now (allow for float rounding on exact arrivals)
        newest = int(np.floor(clock * fps + 1e-9))
        j = max(j + 1, newest)
    finish = np.asarray(done_at)
    frames = np.asarray(done_frame)
    deadline = (np.arange(n) + 1) / fps
    # results finished strictly before frame k + 1 arrives count for frame k
    idx = np.searchsorted(finish, deadline, side="left") - 1
    return np.where(idx >= 0, frames[np.maximum(idx, 0)], -1)


def evaluate_sot(pred_xywh: Any, gt_xywh: Any, *, times: Any = None, fps: float | None = None,
                 realtime: bool = False) -> SotResult:
    """One-pass evaluation of a single-object track against its gt (both (N, 4) x, y, w, h).

    ``times``: per-frame processing seconds -> ``fps`` of the tracker (frames / total time).
    ``realtime=True`` with ``times`` and the video ``fps`` applies the real-time protocol
    before scoring (see :func:`realtime_schedule`).
    """
    pred = _as_boxes(pred_xywh, "prediction")
    gt = _as_boxes(gt_xywh, "ground truth")
    if len(pred) != len(gt):
        raise InputError(f"prediction has {len(pred)} frames but ground truth has {len(gt)}")
    tracker_fps = None
    shown = None
    if times is not None:
        t = np.asarray(times, np.float64).reshape(-1)
        if len(t) != len(gt):
            raise InputError(f"{len(t)} processing times for {len(gt)} frames")
        total = float(t.sum())
        tracker_fps = len(t) / total if total > 0 else float("inf")
        if realtime:
            if fps is None:
                raise InputError("the real-time protocol needs the video fps")
            shown = realtime_schedule(t, fps)
            pred = np.where((shown >= 0)[:, None], pred[np.maximum(shown, 0)], np.nan)
    elif realtime:
        raise InputError("the real-time protocol needs per-frame processing times")
    valid = np.isfinite(gt).all(axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
    lost = ~np.isfinite(pred).all(axis=1)
    iou = np.full(len(gt), np.nan)
    err = np.full(len(gt), np.nan)
    norm_err = np.full(len(gt), np.nan)
    ok = valid & ~lost
    iou[valid & lost] = 0.0
    err[valid & lost] = np.inf
    norm_err[valid & lost] = np.inf
    if ok.any():
        g, p = gt[ok], pred[ok]
        iou[ok] = iou_block(xywh_to_xyxy64(g), xywh_to_xyxy64(p))
        delta = (p[:, :2] + p[:, 2:] / 2) - (g[:, :2] + g[:, 2:] / 2)
        err[ok] = np.hypot(delta[:, 0], delta[:, 1])
        nd = delta / g[:, 2:]
        norm_err[ok] = np.hypot(nd[:, 0], nd[:, 1])
    n = int(valid.sum())
    denom = max(n, 1)
    v_iou, v_err, v_norm = iou[valid], err[valid], norm_err[valid]
    success = (v_iou[None, :] > SUCCESS_THRESHOLDS[:, None]).sum(axis=1) / denom
    precision = (v_err[None, :] <= PRECISION_THRESHOLDS[:, None]).sum(axis=1) / denom
    norm_prec = (v_norm[None, :] <= NORM_PRECISION_THRESHOLDS[:, None]).sum(axis=1) / denom
    return SotResult(
        success_curve=success, auc=float(success.mean()),
        precision_curve=precision, precision_20=float(precision[20]),
        norm_precision_curve=norm_prec, norm_precision=float(norm_prec[20]),
        norm_precision_auc=float(norm_prec.mean()),
        iou=iou, center_error=err, num_frames=len(gt), num_valid=n,
        fps=tracker_fps, shown=shown,
    )
