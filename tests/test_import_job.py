"""The import job behind File ▸ Add: progress with ETA, cancel before the transaction."""

from __future__ import annotations

import pytest
from media_testutil import make_video

from sporttrack_gui.errors import Cancelled, MediaError
from sporttrack_gui.media import packet_index
from sporttrack_gui.pipeline.import_job import run_import
from sporttrack_gui.project import Project

pytest.importorskip("av")


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "match.mp4"
    make_video(path, 300, gop=50, width=64, height=48)
    return path


def test_import_reports_progress_then_imports(tmp_path, video, monkeypatch):
    monkeypatch.setattr(packet_index, "PROGRESS_EVERY", 50)
    seen = []
    Project.open(tmp_path / "p.stp", create=True).close()
    summary = run_import(tmp_path / "p.stp", video, progress=seen.append)
    assert summary.frame_count == 300 and summary.sequence == "match"
    stages = [p.stage for p in seen]
    assert stages[0] == "indexing" and stages[-1] == "importing"
    assert seen[-2].done == seen[-2].total == 300 and seen[-2].eta_s == 0
    with Project.open(tmp_path / "p.stp", readonly=True) as p:
        assert [s["name"] for s in p.sequences()] == ["match"]


def test_cancel_leaves_the_project_as_it_was(tmp_path, video, monkeypatch):
    monkeypatch.setattr(packet_index, "PROGRESS_EVERY", 50)
    with Project.open(tmp_path / "p.stp", create=True):
        pass
    calls = iter(range(100))
    with pytest.raises(Cancelled, match="match.mp4 cancelled; the project is unchanged"):
        run_import(tmp_path / "p.stp", video, cancel=lambda: next(calls) >= 2)
    with Project.open(tmp_path / "p.stp", readonly=True) as p:
        assert p.sequences() == []
    assert not packet_index.index_file(video).exists()


def test_a_file_that_is_not_a_video_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video" * 50)
    with pytest.raises(MediaError, match="junk.mp4: cannot open as a video"):
        run_import(tmp_path / "p.stp", junk)
