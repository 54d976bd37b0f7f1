"""Shared fixtures. Qt runs offscreen; the app's home is a temp folder; real data in
``../shared/data`` is optional and tests needing it skip with a reason."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SPORTTRACK_HOME", tempfile.mkdtemp(prefix="sporttrack-home-"))

import pytest  # noqa: E402
from hypothesis import settings as _hypothesis_settings  # noqa: E402

# CI runs the same property-test examples every time (a red build must be reproducible);
# locally hypothesis keeps exploring new examples on every run.
_hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SPORTTRACK_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _raw_runs_are_edited_without_asking(request):
    """GUI tests edit tracker runs in place unless they test the copy-on-first-edit
    question (they use ``ask_raw``, which runs after this and clears the choice): a modal
    question nobody answers would block the test forever."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from sporttrack_gui.ui import copy_on_edit

    copy_on_edit.remember("raw")
    yield
    copy_on_edit.remember(None)


def shared_path(*parts: str) -> Path:
    """Path inside ../shared/data, or skip the calling test when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared test data not available: {p}")
    return p


@pytest.fixture
def snmot116() -> Path:
    """SoccerNet SNMOT-116: 750-frame gt/det, 150 frames of images, gameinfo.ini."""
    return shared_path("soccernet", "SNMOT-116")


@pytest.fixture
def soccer_video() -> Path:
    """720p broadcast clip whose header claims 772 frames; 630 decode."""
    return shared_path("videos", "soccer_broadcast_1280x720.mp4")


@pytest.fixture
def bolt() -> Path:
    return shared_path("otb", "Bolt")


@pytest.fixture
def metrics_reference() -> Path:
    return shared_path("metrics-reference")


@pytest.fixture(scope="session")
def synthetic_match(tmp_path_factory):
    """A small seeded synthetic match (frames on disk + exact MOT gt), shared by tests.

    Generated once per session: 1280x720 @ 25 fps, 150 frames, 10 players + ball.
    """
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    out = tmp_path_factory.mktemp("synthetic_match")
    return render_match(out, MatchConfig(n_frames=150, seed=7), write_video=False)


@pytest.fixture
def window(qtbot, tmp_path, snmot116):
    """The main window with SNMOT-116 imported into a new project, its first frame shown
    (GUI test modules needing another set-up define their own ``window``)."""
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    assert w.open_project(tmp_path / "match.stp", create=True)
    with qtbot.waitSignal(w.frameShown, timeout=15000):
        assert w.import_media(snmot116)
    yield w
    if w.jobs.busy():
        w.jobs.shutdown()
    w.close()
