"""``run_pipeline``: decode -> detect (batched, every k-th frame) -> track -> write.

Why one loop: the CLI and the GUI worker call this same function, so a result seen in
the GUI is the result the CLI gives. It touches no Qt, reports plain values through
``progress``, stops cooperatively on ``cancel`` keeping what it wrote (run marked
``incomplete``), and commits boxes in batches so a killed process loses at most one batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack

import numpy as np

from sporttrack_gui.core.boxes import Detections, Tracks
from sporttrack_gui.detect import create_detector, split_spec
from sporttrack_gui.errors import InputError, SportTrackError, TrackerError
from sporttrack_gui.pipeline.config import PipelineConfig, PipelineResult
from sporttrack_gui.pipeline.prefetch import Prefetcher
from sporttrack_gui.pipeline.progress import Progress, ProgressCallback
from sporttrack_gui.pipeline.project_run import (
    ensure_sequence,
    run_params,
    sequence_name,
)
from sporttrack_gui.pipeline.sinks import ProjectSink, ResultsFileSink, TrackBuffer
from sporttrack_gui.pipeline.source import FrameSource, SourceInfo
from sporttrack_gui.pipeline.timing import StageClock
from sporttrack_gui.project.naming import free_run_name

log = logging.getLogger(__name__)


def build_tracker(name: str, params: dict, fps: float | None):
    """Tracker with the source's frame rate unless the caller set one."""
    from sporttrack_gui.track import create_tracker, tracker_specs

    spec = tracker_specs().get(name.lower())
    params = dict(params)
    if spec is not None and "frame_rate" in spec.defaults and "frame_rate" not in params and fps:
        default = spec.defaults["frame_rate"]  # an int default refuses 29.97: round to it
        params["frame_rate"] = int(round(fps)) if isinstance(default, int) else float(fps)
    return create_tracker(name, **params), params


def predict_step(tracker, frame) -> Tracks:
    """A frame skipped by the detection stride: trackers with ``predict`` (the built-ins)
    move their tracks without counting a miss; others get an empty detection set."""
    predict = getattr(tracker, "predict", None)
    if callable(predict):
        return predict(frame)
    return tracker.update(Detections.empty(), frame)


def _frame_range(config: PipelineConfig, info: SourceInfo | None, detector,
                 needs_pixels: bool) -> tuple[int, int]:
    total = info.frame_count if info is not None else None
    if not needs_pixels:
        # nothing is decoded, so frames without images on disk (a MOT folder shipping part
        # of its images, seqinfo's length) still count: use the longest known length
        known = getattr(detector, "frame_range", None)
        lengths = [total or 0, (info.seq_length or 0) if info is not None else 0,
                   known[1] if known else 0]
        total = max(lengths) or None
    if config.frame_range is not None:
        first, last = config.frame_range
        if total is not None and first > total:
            raise InputError(f"frame range starts at {first} but the source has {total} frames")
        return first, (min(last, total) if total is not None else last)
    if total:
        return 1, total
    known = getattr(detector, "frame_range", None)
    if known:
        return 1, known[1]
    raise InputError("cannot tell how many frames to process: give a frame range")


class _Loop:
    """State of one run; ``run_pipeline`` builds it, drives it and tears it down."""

    def __init__(self, config: PipelineConfig, detector, tracker, sinks: list, first: int,
                 last: int, clock: StageClock, progress: ProgressCallback | None,
                 cancel: threading.Event) -> None:
        self.c, self.detector, self.tracker, self.sinks = config, detector, tracker, sinks
        self.first, self.last, self.clock = first, last, clock
        self.progress, self.cancel = progress, cancel
        self.buffer = TrackBuffer(config.tracker)
        self.pending: list[tuple[int, Tracks]] = []
        self.done = self.detected = self.boxes = 0
        self.last_frame = first - 1
        self.committed = first - 1
        self.ids: set[int] = set()
        self.t0 = time.perf_counter()
        self._last_report = 0.0
        self.error: str | None = None  # why the run stopped early, stored in its metrics

    @property
    def total(self) -> int:
        return self.last - self.first + 1

    def process(self, batch: list[tuple[int, np.ndarray | None]]) -> None:
        k = self.c.stride
        det_pos = [i for i, (fn, _) in enumerate(batch) if (fn - self.first) % k == 0]
        dets: dict[int, Detections] = {}
        if det_pos:
            with self.clock.time_embedding("detect", self.detector):
                found = self.detector.detect([batch[i][1] for i in det_pos],
                                             [batch[i][0] for i in det_pos])
            dets = dict(zip(det_pos, found, strict=True))
            self.detected += len(det_pos)
        for i, (fn, image) in enumerate(batch):
            with self.clock.time_embedding("track", self.tracker):
                tracks = self._track(fn, dets.get(i), image)
            tracks = self.buffer.add(fn, tracks)
            self.pending.append((fn, tracks))
            self.done += 1
            self.last_frame = fn
            self.boxes += len(tracks)
            self.ids.update(int(t) for t in np.unique(tracks.track_id))
            if self.buffer.frames >= self.c.commit_every:
                self.flush()
            if self.cancel.is_set():
                return

    def _track(self, fn: int, dets: Detections | None, image) -> Tracks:
        """One tracker step; a tracker raising (a plugin's bug) becomes an error naming
        the tracker and the frame instead of a traceback."""
        try:
            return (self.tracker.update(dets, image) if dets is not None
                    else predict_step(self.tracker, image))
        except SportTrackError:
            raise
        except Exception as exc:
            log.debug("tracker %s failed at frame %d", self.c.tracker, fn, exc_info=True)
            raise TrackerError(f"tracker {self.c.tracker!r} failed at frame {fn}: "
                               f"{type(exc).__name__}: {exc}") from exc

    def flush(self) -> None:
        if not self.buffer.frames:
            return
        with self.clock.time("write"):
            table, items = self.buffer.take()
            for sink in self.sinks:
                sink.write(table)
        self.committed = items[-1][0]

    def report(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.progress is None or (not force and now - self._last_report < self.c.progress_interval_s):
            return
        self._last_report = now
        elapsed = max(now - self.t0, 1e-9)
        fps = self.done / elapsed
        eta = (self.total - self.done) / fps if self.done else None
        items, self.pending = self.pending, []
        self.progress(Progress(frame=self.last_frame, done=self.done, total=self.total, fps=fps,
                               eta_s=eta, stage_ms=self.clock.ms_per_frame(self.done),
                               committed=self.committed, tracks=items))

    def metrics(self) -> dict:
        ms = self.clock.ms_per_frame(self.done)
        wall = time.perf_counter() - self.t0
        out = {"frames": self.done, "detected_frames": self.detected, "boxes": self.boxes,
               "ids": len(self.ids), "wall_s": round(wall, 3),
               "fps": round(self.done / wall, 3) if wall > 0 else 0.0,
               **{f"{k}_ms_per_frame": round(v, 3) for k, v in ms.items()}}
        if self.error:
            out["error"] = self.error
        return out


def run_pipeline(config: PipelineConfig, progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None, sinks: Sequence = ()) -> PipelineResult:
    """Run ``config`` to the end or until ``cancel`` is set; see the module docstring.

    ``sinks``: extra receivers of the tracked boxes (``write(MotTable)`` per commit,
    ``finish(status, metrics)`` at the end), e.g. in memory or a continued run.

    Raises ``InputError`` / ``MediaError`` / ``ModelError`` / ``ProjectError`` for bad
    input (a run already created is then marked ``incomplete`` with what it wrote).
    """
    config.validate(has_sinks=bool(sinks))
    cancel = cancel or threading.Event()
    clock = StageClock()
    if config.source is None and split_spec(config.detector)[0].needs_pixels:
        raise InputError(f"detector {config.detector!r} needs the video frames: give a source")
    if progress is not None:  # building a YOLO model takes seconds: say so first
        loading = "loading model" if split_spec(config.detector)[0].needs_pixels \
            else "reading detections"
        progress(Progress(frame=0, done=0, total=0, fps=0.0, eta_s=None, stage_ms={},
                          phase=loading))
    with ExitStack() as stack:
        detector = create_detector(config.detector, **config.detector_options)
        stack.callback(detector.close)
        source = FrameSource(config.source) if config.source is not None else None
        if source is not None:
            stack.callback(source.close)
        info = source.info if source is not None else None
        tracker, tracker_params = build_tracker(config.tracker, config.tracker_params,
                                                info.fps if info else None)
        needs_pixels = bool(detector.needs_pixels or getattr(tracker, "needs_pixels", False))
        first, last = _frame_range(config, info, detector, needs_pixels)
        if needs_pixels and source is None:
            raise InputError("this detector/tracker needs the video frames: give a source")
        sinks = list(sinks)
        run_id = run_name = None
        if config.project is not None:
            from sporttrack_gui.project import Project

            project = stack.enter_context(Project.open(config.project, create=True))
            seq = ensure_sequence(project, sequence_name(config), info,
                                  None if config.source is None else str(config.source))
            run_name = free_run_name(project, seq, config.run_name or config.tracker)
            run_id = project.create_run(seq, run_name, kind="tracker",
                                        params=run_params(config, tracker_params, (first, last)))
            sinks.append(ProjectSink(project, run_id))
        if config.out is not None:
            sinks.append(ResultsFileSink(config.out))
        loop = _Loop(config, detector, tracker, sinks, first, last, clock, progress, cancel)
        loop.report(force=True)  # the frames phase starts with its real total
        frames = Prefetcher(source.read if needs_pixels and source else None, first, last,
                            clock, maxsize=config.prefetch)
        stack.callback(frames.close)
        status = "failed"
        try:
            batch: list = []
            per_call = config.batch_size * config.stride  # batch_size detector frames per call
            for item in frames:
                batch.append(item)
                if len(batch) >= per_call:
                    loop.process(batch)
                    batch = []
                    loop.report()
                if cancel.is_set():
                    break
            if batch and not cancel.is_set():
                loop.process(batch)
            loop.flush()
            if not cancel.is_set() and loop.done < loop.total:
                # the source ended early (a header that over-counts): that is its real end
                log.warning("%s: expected %d frames, decoded %d", config.source, loop.total,
                            loop.done)
                loop.last = loop.first + loop.done - 1
            status = "incomplete" if cancel.is_set() else "complete"
        except BaseException as exc:  # recorded with the run, then raised as it was
            loop.error = ("interrupted" if isinstance(exc, KeyboardInterrupt) else
                          str(exc) if isinstance(exc, SportTrackError) else
                          f"{type(exc).__name__}: {exc}")
            raise
        finally:
            if status == "failed":
                _salvage(loop)
            m = _finish(loop, sinks, status)
        loop.report(force=True)
        return PipelineResult(
            status=status, frames=loop.done, frames_total=loop.total,
            detected_frames=loop.detected, boxes=loop.boxes, ids=len(loop.ids),
            wall_s=m["wall_s"], fps=m["fps"], timings=clock.summary(loop.done),
            decoded=needs_pixels, run_id=run_id, run_name=run_name,
            project=None if config.project is None else str(config.project),
            out=_written(sinks, config))


def _written(sinks: list, config: PipelineConfig) -> str | None:
    """The results file really written (``*.incomplete.txt`` for a cut-short run)."""
    for sink in sinks:
        if isinstance(sink, ResultsFileSink) and sink.written is not None:
            return str(sink.written)
    return None if config.out is None else str(config.out)


def _salvage(loop: _Loop) -> None:
    """After an error, commit the frames already tracked (they are valid) if possible."""
    try:
        loop.flush()
    except Exception:  # the sink itself may be what failed: keep the first error
        log.exception("could not write the last tracked frames after a failure")


def _finish(loop: _Loop, sinks: list, status: str) -> dict:
    """Record the outcome (returns the run's metrics); on failure keep committed batches
    and mark them incomplete."""
    final = "complete" if status == "complete" else "incomplete"
    metrics = loop.metrics()
    for sink in sinks:
        try:
            sink.finish(final, metrics)
        except Exception:  # a second error must not hide the first one
            if status != "failed":
                raise
            log.exception("could not finish %s after a failed run", type(sink).__name__)
    return metrics
