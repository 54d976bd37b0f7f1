"""File ▸ Add in a worker: the window keeps ticking while a long video is indexed, and a
cancelled import leaves the project as it was."""

from __future__ import annotations

import time

import pytest
from media_testutil import make_video
from PySide6.QtCore import Qt, QTimer

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def long_video(tmp_path_factory):
    """A 'long' video kept small enough to write in seconds: 6,000 frames of 96x64."""
    path = tmp_path_factory.mktemp("long") / "long_match.mp4"
    make_video(path, 6000, gop=250, width=96, height=64)
    return path


@pytest.fixture
def window(qtbot, tmp_path):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert w.open_project(tmp_path / "match.stp", create=True)
    yield w
    w.close()


class Heartbeat:
    """A 10 ms timer on the GUI thread that records every gap between two ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.gaps: list[tuple[float, float]] = []  # (end time, gap)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now, now - self.last))
        self.last = now

    def worst(self, until: float) -> float:
        """Longest gap that began before ``until``."""
        return max((g for end, g in self.gaps if end - g < until), default=0.0)

    def __enter__(self) -> Heartbeat:
        self.last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()


def _often(monkeypatch) -> None:
    """Progress (and the cancel check) every 100 packets instead of every 2,048."""
    from sporttrack_gui.media import packet_index

    monkeypatch.setattr(packet_index, "PROGRESS_EVERY", 100)


def _importer(window):
    window._importer()  # noqa: SLF001 - created on first use; the tests hook its worker
    return window.imports


def test_import_keeps_the_window_responsive(window, qtbot, long_video, monkeypatch):
    _often(monkeypatch)
    progress = []
    worker_done: list[float] = []

    def watch(worker) -> None:
        worker.progress.connect(progress.append)
        # the moment the worker's work ends, seen in its own thread
        worker.done.connect(lambda: worker_done.append(time.perf_counter()),
                            Qt.ConnectionType.DirectConnection)

    _importer(window).workerStarting.connect(watch)
    # the same heartbeat with nothing to do: on a loaded machine the scheduler alone
    # delays ticks, and that noise is not the import's doing
    with Heartbeat() as idle:
        qtbot.wait(600)
    noise = idle.worst(until=time.perf_counter())
    with Heartbeat() as beat, qtbot.waitSignal(window.frameShown, timeout=60000):
        assert window.import_media(long_video)
        assert window.imports.busy()
    qtbot.waitUntil(lambda: not window.imports.busy(), timeout=10000)
    assert window.session.sequence["name"] == "long_match"
    assert window.session.frame_count() == 6000
    assert progress and progress[-1].stage == "importing"
    indexing = [p for p in progress if p.stage == "indexing"]
    assert indexing and indexing[-1].done == indexing[-1].total == 6000
    # while the worker indexed and imported, the GUI thread never stalled (what follows,
    # loading the new sequence into the views, is the same for a short or a long file)
    worst = beat.worst(until=worker_done[0])
    assert worst < 0.100 + noise, (f"the event loop stalled for {worst * 1000:.0f} ms "
                                   f"(idle: {noise * 1000:.0f} ms)")


def test_cancelled_import_leaves_the_project_unchanged(window, qtbot, long_video, monkeypatch):
    from sporttrack_gui.media import packet_index

    _often(monkeypatch)
    packet_index.index_file(long_video).unlink(missing_ok=True)  # index again: cancellable
    before = window.session.project.sequences()
    ended = []
    importer = _importer(window)
    importer.ended.connect(lambda s, m: ended.append((s, m)))

    def cancel_on_first_progress(worker) -> None:
        # runs in the worker's thread, so the cancel lands while indexing is under way
        worker.progress.connect(lambda p: worker.cancel(), Qt.ConnectionType.DirectConnection)

    importer.workerStarting.connect(cancel_on_first_progress)
    assert window.import_media(long_video)
    qtbot.waitUntil(lambda: bool(ended), timeout=30000)
    importer.workerStarting.disconnect(cancel_on_first_progress)
    assert ended[-1][0] == "cancelled" and "unchanged" in ended[-1][1]
    assert window.session.project.sequences() == before
    assert not packet_index.index_file(long_video).exists()
    assert "cancelled" in window.statusBar().currentMessage()
    # and the same file imports afterwards
    with qtbot.waitSignal(window.frameShown, timeout=60000):
        assert window.import_media(long_video)
    assert window.session.frame_count() == 6000
