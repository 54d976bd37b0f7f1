"""The frame loader thread: newest request wins, scrub proxies first, exact frame after."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_loader_serves_proxies_while_scrubbing_then_the_exact_frame(qtbot, soccer_video):
    from sporttrack_gui.media.proxy_store import proxy_file
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.ui.frame_loader import FrameLoader

    proxy_file(soccer_video).unlink(missing_ok=True)  # watch the background build from scratch
    loader = FrameLoader()
    got: list[tuple[int, bool, tuple]] = []
    loader.frameReady.connect(lambda f, img, exact: got.append((f, exact, img.shape)))
    try:
        with qtbot.waitSignal(loader.opened, timeout=10000) as opened:
            loader.open(str(soccer_video))
        assert opened.args[0] == 630 and opened.args[2:] == [1280, 720]
        with qtbot.waitSignal(loader.frameReady, timeout=10000):
            loader.request(1)
        assert got[-1] == (1, True, (720, 1280, 3))
        proxies = loader._decoder.proxies  # noqa: SLF001 - observing the idle fill
        qtbot.waitUntil(lambda: 40 in proxies, timeout=20000)
        got.clear()
        # a burst of requests (a drag): only the newest is decoded exactly
        for f in (5, 9, 30):
            loader.request(f)
        qtbot.waitUntil(lambda: any(e for _f, e, _s in got), timeout=10000)
        assert [g for g in got if g[1]] == [(30, True, (720, 1280, 3))]
        assert (30, False, (270, 480, 3)) in got  # the proxy came first
        assert all(f in (5, 9, 30) for f, _e, _s in got)
        exact = loader.last_frame[1]
        src = open_source(str(soccer_video))
        try:
            assert np.array_equal(exact, src.read_frame(30))
        finally:
            src.close()
    finally:
        loader.shutdown()


def test_proxies_are_built_once_and_reused_on_reopen(qtbot, soccer_video):
    from sporttrack_gui.media.proxy_store import ProxyReader, proxy_file
    from sporttrack_gui.ui.frame_loader import FrameLoader

    target = proxy_file(soccer_video)
    target.unlink(missing_ok=True)
    loader = FrameLoader()
    progress: list[tuple[int, int]] = []
    loader.proxyProgress.connect(lambda d, t: progress.append((d, t)))
    try:
        with qtbot.waitSignal(loader.proxiesReady, timeout=120000) as ready:
            loader.open(str(soccer_video))
        assert ready.args == [630] and target.exists()
        assert progress and progress[-1] == (630, 630)
    finally:
        loader.shutdown()
    stamp = target.stat().st_mtime_ns
    again = FrameLoader()
    got: list[tuple[int, bool]] = []
    again.frameReady.connect(lambda f, img, exact: got.append((f, exact)))
    try:
        with qtbot.waitSignal(again.proxiesReady, timeout=10000):  # at once: nothing rebuilt
            again.open(str(soccer_video))
        assert target.stat().st_mtime_ns == stamp
        with qtbot.waitSignal(again.frameReady, timeout=10000):
            again.request(1)
        again.request(600)  # a far jump: the stored thumbnail first, then the exact frame
        qtbot.waitUntil(lambda: (600, True) in got, timeout=10000)
        assert got[-2:] == [(600, False), (600, True)]
    finally:
        again.shutdown()
    reader = ProxyReader(target)
    assert len(reader) == 630 and reader.nearest(600) == 600
    assert reader.get(600)[1].shape == (270, 480, 3)
