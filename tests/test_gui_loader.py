"""The frame loader thread: newest request wins, scrub proxies first, exact frame after."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui


def test_loader_serves_proxies_while_scrubbing_then_the_exact_frame(qtbot, soccer_video):
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.ui.frame_loader import FrameLoader

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
        assert (30, False, (540, 960, 3)) in got  # the proxy came first
        assert all(f in (5, 9, 30) for f, _e, _s in got)
        exact = loader.last_frame[1]
        src = open_source(str(soccer_video))
        try:
            assert np.array_equal(exact, src.read_frame(30))
        finally:
            src.close()
    finally:
        loader.shutdown()
