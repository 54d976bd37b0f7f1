"""Whole pipeline on a real 720p broadcast clip with an architecture-only YOLOv8n."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.cli.main import main
from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
from sporttrack_gui.project import Project

# random weights score ~1e-5..2e-4: detector and tracker thresholds low enough to get boxes
YOLO_OPTS = {"conf": 5e-5}
TRACK_OPTS = {"track_high_thresh": 1e-4, "track_low_thresh": 1e-5, "new_track_thresh": 1e-4}


@pytest.mark.slow
def test_yaml_model_through_the_whole_pipeline(soccer_video, tmp_path):
    reports = []
    cfg = PipelineConfig(source=soccer_video, detector="yolo:yolov8n.yaml",
                         detector_options=YOLO_OPTS, tracker="bytetrack",
                         tracker_params=TRACK_OPTS, project=tmp_path / "p.sqlite",
                         out=tmp_path / "res.txt", frame_range=(1, 20), batch_size=4,
                         commit_every=8, progress_interval_s=0.0)
    result = run_pipeline(cfg, progress=reports.append)
    assert result.status == "complete" and result.frames == 20 and result.decoded
    assert result.detected_frames == 20 and result.boxes > 0 and result.ids > 0
    for stage in ("decode", "detect", "track", "write"):
        assert result.timings[stage].total_s > 0, stage
    assert result.timings["detect"].ms_per_frame > result.timings["write"].ms_per_frame
    with Project.open(tmp_path / "p.sqlite") as p:
        seq = p.sequences()[0]
        assert (seq["width"], seq["height"]) == (1280, 720) and seq["fps"] > 20
        stored = p.boxes(result.run_id)
        assert p.run(result.run_id)["status"] == "complete"
    assert len(stored) == result.boxes
    x2 = stored.xywh[:, 0] + stored.xywh[:, 2]
    y2 = stored.xywh[:, 1] + stored.xywh[:, 3]
    assert x2.max() <= 1280 + 64 and y2.max() <= 720 + 64 and (stored.xywh[:, 2:] > 0).all()
    # progress carried the boxes frame by frame, as a viewer would draw them
    assert [f for r in reports for f, _ in r.tracks] == list(range(1, 21))
    assert np.isfinite(reports[-1].fps) and reports[-1].eta_s == 0


@pytest.mark.slow
def test_stride_three_on_video_decodes_all_detects_a_third(soccer_video, tmp_path):
    cfg = PipelineConfig(source=soccer_video, detector="yolo:yolov8n.yaml",
                         detector_options=YOLO_OPTS, tracker="bytetrack",
                         tracker_params=TRACK_OPTS, out=tmp_path / "res.txt",
                         frame_range=(11, 22), stride=3, batch_size=2)
    result = run_pipeline(cfg)
    assert result.frames == 12 and result.detected_frames == 4
    from sporttrack_gui.formats.mot import read_mot

    table = read_mot(tmp_path / "res.txt", kind="results")
    frames = set(np.unique(table.frame).tolist())
    assert frames <= set(range(11, 23))
    assert frames & {12, 13, 15, 16}  # boxes on frames where the detector did not run


def test_cli_run_json(soccer_video, tmp_path, capsys):
    out = tmp_path / "res.txt"
    code = main(["run", str(soccer_video), "--detector", "yolo:yolov8n.yaml", "--conf", "5e-5",
                 "--frames", "1-4", "--out", str(out), "--json", "--param",
                 "track_high_thresh=0.0001", "--param", "new_track_thresh=0.0001",
                 "--param", "track_low_thresh=0.00001"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "complete" and data["frames"] == 4
    assert set(data["timings"]) == {"decode", "detect", "embed", "track", "write"}
    assert out.is_file() and data["boxes"] > 0


def test_cli_missing_weights_is_a_clear_error(soccer_video, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(soccer_video), "--detector", "yolo:yolov8n.pt",
                 "--out", str(tmp_path / "r.txt")])
    assert code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "yolov8n.pt" in err and "never downloads" in err
    assert not (tmp_path / "r.txt").exists()


def test_cli_bad_frames_and_params(soccer_video, tmp_path, capsys):
    assert main(["run", str(soccer_video), "--detector", "yolo:yolov8n.yaml", "--frames",
                 "a-b", "--out", str(tmp_path / "r.txt")]) == 2
    assert "--frames expects" in capsys.readouterr().err
    assert main(["run", str(soccer_video), "--detector", "yolo:yolov8n.yaml", "--param",
                 "nonsense", "--out", str(tmp_path / "r.txt")]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
