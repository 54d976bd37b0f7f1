"""The run loop on public detections: writing, stride, progress, cancel and failure.

These runs need no pixels (file detector + IoU tracker), so nothing is decoded and they
take well under a second each on SNMOT-116.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.detect import DetectorSpec, register_detector
from sporttrack_gui.errors import InputError, MediaError
from sporttrack_gui.formats.mot import read_mot
from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
from sporttrack_gui.project import Project


def _config(snmot116, tmp_path, **kw) -> PipelineConfig:
    base = dict(source=None, detector=f"gt:{snmot116 / 'gt' / 'gt.txt'}", tracker="bytetrack",
                project=tmp_path / "p.sqlite", sequence="SNMOT-116", frame_range=(1, 150),
                commit_every=10)
    base.update(kw)
    return PipelineConfig(**base)


def test_complete_run_writes_project_and_results_file(snmot116, tmp_path):
    out = tmp_path / "res.txt"
    result = run_pipeline(_config(snmot116, tmp_path, out=out))
    assert result.status == "complete" and result.frames == 150 and not result.decoded
    assert result.detected_frames == 150 and result.ids >= 20
    assert set(result.timings) == {"decode", "detect", "embed", "track", "write"}
    assert result.timings["decode"].total_s == 0.0 and result.timings["track"].total_s > 0
    with Project.open(tmp_path / "p.sqlite") as p:
        run = p.run(result.run_id)
        assert run["status"] == "complete" and run["params"]["stride"] == 1
        assert run["metrics"]["frames"] == 150
        stored = p.boxes(result.run_id)
    from_file = read_mot(out, kind="results")
    assert len(stored) == len(from_file) == result.boxes > 0
    assert set(np.unique(stored.frame)) <= set(range(1, 151))
    # a second run on the same sequence gets the next free name
    again = run_pipeline(_config(snmot116, tmp_path, frame_range=(1, 5)))
    assert again.run_name == "bytetrack-2"


def test_stride_three_tracks_between_detections(snmot116, tmp_path):
    result = run_pipeline(_config(snmot116, tmp_path, stride=3, frame_range=(1, 60),
                                  tracker="sort", tracker_params={"min_hits": 1}))
    assert result.detected_frames == math.ceil(60 / 3) and result.frames == 60
    with Project.open(tmp_path / "p.sqlite") as p:
        boxes = p.boxes(result.run_id)
    per_frame = boxes.by_frame()
    # boxes exist on frames where no detector ran ...
    assert all(len(per_frame.get(f, [])) > 0 for f in range(2, 61))
    # ... and they carry the ids of the detection frame before them
    for f in range(5, 60, 3):  # detector ran on 1, 4, 7, ...: f is the frame right after
        det_ids = set(boxes.track_id[per_frame[f - 1]].tolist())
        pred_ids = set(boxes.track_id[per_frame[f]].tolist())
        assert pred_ids and len(pred_ids & det_ids) >= 0.8 * len(pred_ids)
    # one player is followed with one id through the first 60 frames
    counts = np.bincount(boxes.track_id)
    assert counts.max() >= 55


def test_progress_reports_plain_values_covering_every_frame(snmot116, tmp_path):
    reports = []
    run_pipeline(_config(snmot116, tmp_path, progress_interval_s=0.0, batch_size=4),
                 progress=reports.append)
    # phases: first what is being loaded (no frame total yet), then frames with the real
    # total before the first frame is processed
    assert reports[0].phase == "reading detections" and reports[0].total == 0
    assert reports[1].phase == "frames" and (reports[1].done, reports[1].total) == (0, 150)
    reports = reports[1:]
    assert all(r.phase == "frames" for r in reports)
    assert reports[-1].done == reports[-1].total == 150
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    frames = [f for r in reports for f, _ in r.tracks]
    assert frames == list(range(1, 151))
    assert all(isinstance(r.fps, float) and r.fps > 0 for r in reports if r.done)
    assert reports[-1].committed == 150 and set(reports[-1].stage_ms) == {"decode", "detect", "embed",
                                                                         "track", "write"}


def test_cancel_keeps_committed_boxes_and_marks_run_incomplete(snmot116, tmp_path):
    cancel = threading.Event()

    def stop_after_40(p) -> None:
        if p.done >= 40:
            cancel.set()

    out = tmp_path / "res.txt"
    result = run_pipeline(_config(snmot116, tmp_path, out=out, progress_interval_s=0.0,
                                  batch_size=4), progress=stop_after_40, cancel=cancel)
    assert result.status == "incomplete" and 40 <= result.frames < 150
    with Project.open(tmp_path / "p.sqlite") as p:
        assert p.integrity_check() == "ok"
        assert p.run(result.run_id)["status"] == "incomplete"
        stored = p.boxes(result.run_id)
    assert stored.frames_range() == (1, result.frames) and len(stored) == result.boxes
    # a cut-short run never takes the final name: its boxes go beside it, named as partial
    assert not out.exists()
    assert len(read_mot(tmp_path / "res.incomplete.txt", kind="results")) == result.boxes


class _FailingDetector:
    """Public detections that break at one frame, like a corrupt video would."""

    needs_pixels = False
    class_names = ("object",)

    def __init__(self, arg: str) -> None:
        self.fail_at = int(arg)

    def detect(self, frames, frame_numbers):
        if self.fail_at in frame_numbers:
            raise MediaError(f"frame {self.fail_at}: cannot decode", frame=self.fail_at)
        return [Detections.from_xywh([[10 + fn, 10, 20, 40]], [0.9]) for fn in frame_numbers]

    def close(self) -> None:
        pass


def test_failure_keeps_committed_batches_marked_incomplete(tmp_path):
    register_detector(DetectorSpec("failing-test", _FailingDetector, needs_pixels=False))
    cfg = PipelineConfig(source=None, detector="failing-test:45", tracker="sort",
                         tracker_params={"min_hits": 1}, project=tmp_path / "p.sqlite",
                         frame_range=(1, 100), batch_size=5, commit_every=10)
    with pytest.raises(MediaError, match="frame 45"):
        run_pipeline(cfg)
    with Project.open(tmp_path / "p.sqlite") as p:
        run = p.runs()[0]
        assert run["status"] == "incomplete"
        stored = p.boxes(run["id"])
    assert stored.frames_range() == (1, 40)  # batches up to frame 40 were committed


@pytest.mark.parametrize("kw, match", [
    ({"stride": 0}, "stride"),
    ({"project": None}, "nothing would be kept"),
    ({"frame_range": (5, 2)}, "first <= last"),
    ({"detector": "yolo:yolov8n.yaml"}, "needs the video frames"),
    ({"source": "/no/such/video.mp4"}, "source not found"),
])
def test_bad_configs_are_input_errors(snmot116, tmp_path, kw, match):
    with pytest.raises(InputError, match=match):
        run_pipeline(_config(snmot116, tmp_path, **kw))
    assert not (tmp_path / "p.sqlite").exists()  # refused before anything was created


def test_detections_file_alone_runs_over_its_own_frame_range(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text("".join(f"{f},-1,{10 + 2 * f},20,30,60,0.9,-1,-1,-1\n" for f in range(3, 13)))
    result = run_pipeline(PipelineConfig(source=None, detector=f"det:{path}", tracker="sort",
                                         tracker_params={"min_hits": 1}, out=tmp_path / "r.txt"))
    assert result.frames_total == 12 and result.status == "complete" and result.ids == 1
    written = read_mot(tmp_path / "r.txt", kind="results")
    assert written.frames_range()[1] == 12 and len(written) >= 9  # SORT shows a track once hit


def test_crop_embedder_time_is_its_own_stage(synthetic_match, tmp_path):
    """DeepSORT's crop embedder runs inside the tracker; its time is booked as ``embed``
    and taken out of ``track`` (an IoU-only tracker reports no embedding cost)."""
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    runs = {}
    for name, params in (("deepsort", {"embedder": "color"}), ("bytetrack", {})):
        runs[name] = run_pipeline(PipelineConfig(
            source=synthetic_match.img_dir, detector=f"gt:{synthetic_match.gt_path}",
            tracker=name, tracker_params=params, frame_range=(1, 30),
            out=tmp_path / f"{name}.txt")).timings
    assert runs["deepsort"]["embed"].total_s > 0 and runs["deepsort"]["track"].total_s > 0
    assert runs["bytetrack"]["embed"].total_s == 0.0
