"""PyAV video backend: packet index, exact seeks (VFR too), damaged files, odd file names,
H.264 exports."""

from __future__ import annotations

import json
import logging
import os
import re

import numpy as np
import pytest
from media_testutil import corrupt_middle, frame_image, make_video, truncate

from sporttrack_gui.errors import Cancelled, MediaError
from sporttrack_gui.media.source import open_source

av = pytest.importorskip("av")


@pytest.fixture(scope="module")
def vfr_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("vfr") / "vfr.mp4"
    times = make_video(path, 300, gop=40, vfr=True)
    return path, times


@pytest.fixture(scope="module")
def clean_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "clip.mp4"
    make_video(path, 167, gop=25)
    return path


def _random_equals_sequential(path, n_expected: int, seed: int) -> None:
    with open_source(path, cache_mb=0) as src:
        assert src.backend == "pyav" and len(src) == n_expected
        sequential = [f for _, f in src.iter_frames()]
        assert len(sequential) == n_expected and not src.bad_frames
    rng = np.random.default_rng(seed)
    with open_source(path, cache_mb=0) as src:  # no cache: every access decodes
        for i in rng.integers(0, n_expected, 200):
            assert np.array_equal(src[int(i)], sequential[i]), f"frame {i + 1} differs"


def test_vfr_random_access_is_exact(vfr_video):
    path, times = vfr_video
    _random_equals_sequential(path, 300, seed=3)
    with open_source(path) as src:
        # presentation times survive: the durations really vary, and each frame is its own
        got = [src.frame_seconds(i) for i in range(len(src))]
        assert np.allclose(got, times, atol=2e-3)
        assert len({round(b - a, 2) for a, b in zip(times, times[1:], strict=False)}) == 3
        assert np.abs(src[150].astype(int) - frame_image(150)).mean() < 6


def test_real_clip_length_and_its_last_frames(soccer_video):
    """630 frames though the container lists 772 packets (142 before its start); the
    last GOP is exact too (tests/test_media_source.py covers 200 random frames)."""
    with open_source(soccer_video, cache_mb=0) as src:
        assert src.claimed_frame_count == 772 and src.backend == "pyav"
        assert src.index.packets == 772 and len(src) == 630
        tail = dict(src.iter_frames(600, 630))
        assert sorted(tail) == list(range(600, 630))
        for i in np.random.default_rng(4).integers(600, 630, 12):
            assert np.array_equal(src[int(i)], tail[int(i)])


def test_index_is_cached_and_invalidated_by_a_change(tmp_path):
    path = tmp_path / "c.mp4"
    make_video(path, 60, gop=10)
    with open_source(path) as src:
        assert not src.index_cached and len(src) == 60
    with open_source(path) as src:
        assert src.index_cached and len(src) == 60
    make_video(path, 50, gop=10)  # same name, new content
    os.utime(path, ns=(1, 1))
    with open_source(path) as src:
        assert not src.index_cached and len(src) == 50


def test_corrupt_stretch_keeps_frame_numbers_and_the_frames_after_it(clean_video, tmp_path, caplog):
    bad = tmp_path / "bad.mp4"
    corrupt_middle(clean_video, bad)
    with open_source(clean_video) as clean:
        reference = [f for _, f in clean.iter_frames()]
    caplog.set_level(logging.WARNING)
    with open_source(bad, cache_mb=0) as src:
        assert len(src) == 167  # not cut at the first undecodable frame
        got = dict(src.iter_frames())
        assert src.bad_frames and max(got) == 166 and len(got) + len(src.bad_frames) == 167
        assert set(got).isdisjoint({f - 1 for f in src.bad_frames})
        # the warning names the frames, as ranges of 1-based numbers
        msg = " ".join(r.getMessage() for r in caplog.records)
        lo, hi = min(src.bad_frames), max(src.bad_frames)
        assert re.search(rf"bad\.mp4: frames {lo}(-\d+)?.* cannot be decoded", msg)
        # from the next keyframe on, the frames are the original ones, at their numbers
        # (frames between the damage and that keyframe may show decoder concealment)
        keys = [src.index.frame_of(int(k)) for k in src.index.key_pts]
        after = min(k for k in keys if k >= hi)
        assert after < 166
        for i in range(after, 167, 7):
            assert np.array_equal(got[i], reference[i])
            assert np.array_equal(src[i], reference[i])
        with pytest.raises(MediaError, match=rf"frame {lo} cannot be decoded") as err:
            src.read_frame(lo)
        assert err.value.frame == lo
        assert np.array_equal(src.read_frame(1), reference[0])  # still usable after the error


def test_truncated_file_ends_at_the_last_whole_frame(clean_video, tmp_path, caplog):
    cut = tmp_path / "cut.mp4"
    truncate(clean_video, cut, 0.6)
    caplog.set_level(logging.WARNING)
    with open_source(cut, cache_mb=0) as src:
        n = len(src)
        assert 60 < n < 167
        frames = dict(src.iter_frames())
        assert len(frames) == n and not src.bad_frames
        assert np.array_equal(src[n - 1], frames[n - 1])
    msg = " ".join(r.getMessage() for r in caplog.records)
    assert "lists 167 frames" in msg and f"ends at frame {n}" in msg


def test_file_name_that_is_not_utf8(clean_video, tmp_path, capsys):
    from sporttrack_gui.cli.main import main as cli

    raw = os.fsencode(tmp_path) + b"/clip-\xff\xfe.mp4"
    os.link(clean_video, raw)
    name = os.fsdecode(raw)
    with open_source(name) as src:
        assert len(src) == 167
        assert np.array_equal(src[100], dict(src.iter_frames(100, 101))[100])
        assert "clip-\\xff\\xfe.mp4" in src.info()["path"]
    # the OpenCV reader refuses it with a message instead of crashing in cv2.VideoCapture
    with pytest.raises(MediaError, match="not valid UTF-8"):
        open_source(name, backend="opencv")
    assert cli(["info", name, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["frame_count"] == 167


def test_image_folder_with_names_that_are_not_utf8(tmp_path):
    import cv2

    folder = tmp_path / "img"
    folder.mkdir()
    for i in range(3):
        ok, buf = cv2.imencode(".png", frame_image(i))
        (folder / os.fsdecode(f"{i:03d}-".encode() + b"\xe9.png")).write_bytes(buf.tobytes())
    with open_source(folder) as src:
        assert len(src) == 3 and np.array_equal(src[2], frame_image(2))


def test_open_reports_progress_and_can_be_cancelled(tmp_path, monkeypatch):
    from sporttrack_gui.media import packet_index

    path = tmp_path / "long.mp4"
    make_video(path, 400, gop=50, width=64, height=48)
    monkeypatch.setattr(packet_index, "PROGRESS_EVERY", 50)
    seen: list[tuple[int, int]] = []
    with open_source(path, progress=lambda d, t: seen.append((d, t))) as src:
        assert len(src) == 400
    assert seen[0] == (50, 400) and seen[-1] == (400, 400)
    path2 = tmp_path / "long2.mp4"
    make_video(path2, 400, gop=50, width=64, height=48, seed=1)
    with pytest.raises(Cancelled, match="long2.mp4"):
        open_source(path2, cancel=lambda: True)
    assert not packet_index.index_file(path2).exists()  # nothing half-built is cached


def test_demo_video_is_h264_faststart_and_atomic(synthetic_match, tmp_path):
    from sporttrack_gui.media.encode import probe_codec
    from sporttrack_gui.media.writer import write_demo_video

    gt = synthetic_match.gt
    sel = gt.frame <= 12
    out = tmp_path / "demo.mp4"
    with open_source(synthetic_match.img_dir) as src:
        res = write_demo_video(src, out, gt.frame[sel], gt.track_id[sel], gt.xywh[sel],
                               frame_range=(1, 12))
        assert res.codec == "libx264" and res.frames == 12
        info = probe_codec(out)
        assert (info["codec"], info["pix_fmt"], info["frames"]) == ("h264", "yuv420p", 12)
        head = out.read_bytes()
        assert head.index(b"moov") < head.index(b"mdat")  # +faststart: playable while loading
        with open_source(out) as back:
            assert len(back) == 12 and back[0].shape == (720, 1280, 3)
        # cancelled half-way: no file under the final name, no temporary left behind
        with pytest.raises(Cancelled):
            write_demo_video(src, tmp_path / "cut.mp4", gt.frame[sel], gt.track_id[sel],
                             gt.xywh[sel], frame_range=(1, 12), cancel=iter([False] * 5 + [True]).__next__)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.mp4"]


def test_encoder_pads_odd_sizes_and_falls_back(tmp_path):
    from sporttrack_gui.media.encode import VideoEncoder, probe_codec

    with VideoEncoder(tmp_path / "odd.mp4", 25) as enc:
        for i in range(5):
            enc.write(frame_image(i, 101, 51))
    assert probe_codec(tmp_path / "odd.mp4")[("width")] == 102
    with VideoEncoder(tmp_path / "old.mp4", 25, codec="mp4v") as enc:
        enc.write(frame_image(0))
    assert enc.codec == "mp4v" and probe_codec(tmp_path / "old.mp4")["codec"] == "mpeg4"


def test_proxy_file_is_built_once_reused_and_all_or_nothing(clean_video, tmp_path):
    from sporttrack_gui.media.proxy_store import ProxyReader, build_proxies, proxy_file, proxy_step

    target = proxy_file(clean_video)
    target.unlink(missing_ok=True)
    # cancelled half-way: no proxy file, no temporary left in the cache folder
    calls = iter(range(10_000))
    with pytest.raises(Cancelled, match="proxy build cancelled"):
        build_proxies(clean_video, cancel=lambda: next(calls) >= 80)
    assert not target.exists() and not list(target.parent.glob(".*part*"))
    seen: list[int] = []
    assert build_proxies(clean_video, on_proxy=lambda f, b: seen.append(f)) == target
    stamp = target.stat().st_mtime_ns
    assert build_proxies(clean_video) == target and target.stat().st_mtime_ns == stamp  # reused
    reader = ProxyReader.for_video(clean_video)
    assert len(reader) == 167 and seen == list(range(1, 168))
    shown, img = reader.get(120)
    assert shown == 120 and img.shape == (240, 320, 3)  # narrower than 480: kept as is
    assert np.abs(img.astype(int) - frame_image(119)).mean() < 8  # that frame's picture
    # a long match keeps every n-th frame (and the last); the nearest thumbnail is shown
    assert proxy_step(135_000) == 7 and proxy_step(630) == 1
    sparse = tmp_path / "sparse.mp4"
    make_video(sparse, 100, gop=25, width=64, height=48)
    build_proxies(sparse, max_proxies=30)
    r = ProxyReader.for_video(sparse)
    assert list(r.frames[:3]) == [1, 5, 9] and r.frames[-1] == 100
    assert r.nearest(6) == 5 and r.nearest(8) == 9 and r.get(99)[0] == 100


def test_containers_without_reliable_timestamps_use_the_verified_reader(tmp_path):
    """AVI with B-frames has packets without pts; MPEG-PS seeks mislabel frames: both are
    read by the OpenCV reader (verified seeks), still frame-exact."""
    for name, codec, fmt in (("b.avi", "mpeg4", "avi"), ("b.mpg", "mpeg2video", "mpeg")):
        path = tmp_path / name
        c = av.open(str(path), "w", format=fmt)
        s = c.add_stream(codec, rate=25)
        s.width, s.height, s.pix_fmt = 160, 120, "yuv420p"
        s.codec_context.max_b_frames, s.codec_context.gop_size = 2, 12
        for i in range(60):
            for p in s.encode(av.VideoFrame.from_ndarray(frame_image(i, 160, 120), format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
        c.close()
        with open_source(path, cache_mb=0) as src:
            assert src.backend == "opencv" and len(src) == 60
            seq = dict(src.iter_frames())
            for i in np.random.default_rng(1).integers(0, 60, 15):
                assert np.array_equal(src[int(i)], seq[int(i)]), (name, i)
            errors = [np.abs(seq[k].astype(int) - frame_image(k, 160, 120)).mean() for k in (1, 30, 59)]
            assert max(errors) < 10, (name, errors)  # each index shows its own picture
