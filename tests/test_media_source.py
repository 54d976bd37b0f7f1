"""Video sources: true frame count, frame-exact random access, corrupt/unreadable input."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from sporttrack_gui.cli.main import main as cli
from sporttrack_gui.errors import MediaError
from sporttrack_gui.media.source import open_source


def test_info_reports_decoded_not_claimed_length(soccer_video, capsys):
    assert cli(["info", str(soccer_video), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["frame_count"] == 630 and data["claimed_frame_count"] == 772
    assert (data["width"], data["height"]) == (1280, 720)


def test_random_access_equals_sequential_decode_on_real_clip(soccer_video):
    with open_source(soccer_video, cache_mb=0) as seq_src:
        sequential = [f for _, f in seq_src.iter_frames(0, 240)]
    rng = np.random.default_rng(5)
    with open_source(soccer_video, cache_mb=64) as src:
        for i in rng.integers(0, 240, 200):
            assert np.array_equal(src[int(i)], sequential[i]), f"frame {i + 1} differs"
        assert np.array_equal(src.read_frame(1), sequential[0])
        with pytest.raises(MediaError, match="outside 1..630"):
            src[630]


def test_random_access_on_image_folder(synthetic_match):
    with open_source(synthetic_match.img_dir) as src:
        assert src.kind == "mot" and len(src) == 150 and src.fps == 25.0
        sequential = [f for _, f in src.iter_frames(prefetch=False)]
    rng = np.random.default_rng(2)
    with open_source(synthetic_match.frames_dir, cache_mb=0) as src:
        for i in rng.integers(0, 150, 200):
            assert np.array_equal(src[int(i)], sequential[i])


def test_corrupt_frame_is_reported_by_number_and_skipped(synthetic_match, tmp_path):
    folder = tmp_path / "img1"
    folder.mkdir()
    for f in sorted(synthetic_match.frames_dir.iterdir())[:6]:
        shutil.copy(f, folder / f.name)
    (folder / "000004.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    with open_source(folder) as src:
        assert len(src) == 6
        with pytest.raises(MediaError, match="000004.jpg: frame 4 cannot be decoded") as err:
            src.read_frame(4)
        assert err.value.frame == 4
        got = [i for i, _ in src]
    assert got == [0, 1, 2, 4, 5] and src.bad_frames == {4}


def test_unreadable_inputs_are_clear_errors(tmp_path):
    junk = tmp_path / "clip.mp4"
    junk.write_bytes(b"definitely not a video" * 100)
    with pytest.raises(MediaError, match="clip.mp4"):
        open_source(junk)
    with pytest.raises(MediaError, match="no such file"):
        open_source(tmp_path / "missing.mp4")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MediaError, match="no images"):
        open_source(tmp_path / "empty")


def test_prefetch_fills_the_cache(synthetic_match):
    with open_source(synthetic_match.img_dir) as src:
        src.prefetch(10, 20)
        src._prefetcher.join(timeout=30)  # noqa: SLF001 - observing the background fill
        assert all(i in src._cache for i in range(10, 30))  # noqa: SLF001


def test_frame_count_index_is_cached(soccer_video):
    import time

    open_source(soccer_video).close()  # builds or reuses the index
    t0 = time.perf_counter()
    with open_source(soccer_video) as src:
        assert len(src) == 630
    assert time.perf_counter() - t0 < 1.0  # no second counting pass


def test_demo_video_writer_draws_tracks(synthetic_match, tmp_path):
    from sporttrack_gui.media.writer import write_demo_video

    gt = synthetic_match.gt
    sel = gt.frame <= 20
    with open_source(synthetic_match.img_dir) as src:
        res = write_demo_video(src, tmp_path / "demo.mp4", gt.frame[sel], gt.track_id[sel],
                               gt.xywh[sel], frame_range=(1, 20),
                               minimap=lambda f, ids, b: np.full((68, 105, 3), 200, np.uint8))
    assert res.frames == 20 and res.boxes == int(sel.sum())
    cap = cv2.VideoCapture(str(res.path))
    ok, first = cap.read()
    cap.release()
    assert ok and first.shape == (720, 1280, 3)
    # the minimap (a light grey patch) sits bottom-right
    assert first[-30:-20, -60:-40].mean() > 150
