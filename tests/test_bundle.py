"""The PyInstaller bundle runs its own self-test (only with ``SPORTTRACK_BUNDLE_TEST=1``).

Building takes minutes and ~1 GB of disk, so the default test run skips this; CI and
``SPORTTRACK_BUNDLE_TEST=1 make test`` build ``dist/sporttrack`` when it is missing and
then run the bundled executable as a user would: ``--self-test``, ``--help``, ``plugins``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# packaging/build.py is a script, not a package module: load it by path (a bare
# ``import build`` could pick up PyPA's ``build`` package instead)
_spec = importlib.util.spec_from_file_location("sporttrack_bundle_build", REPO / "packaging" / "build.py")
packaging_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(packaging_build)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("SPORTTRACK_BUNDLE_TEST") != "1",
                       reason="bundle test: set SPORTTRACK_BUNDLE_TEST=1 (builds with PyInstaller, "
                              "several minutes)"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    exe = packaging_build.bundle_executable()
    if not exe.exists():
        pytest.importorskip("PyInstaller", reason="pip install -c constraints.txt '.[bundle]'")
        packaging_build.build(clean=True)
    assert exe.exists(), f"PyInstaller did not produce {exe}"
    return exe


def _run(exe: Path, *args: str, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SPORTTRACK_PLUGIN_PATH")}
    env.update(SPORTTRACK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=home)


def test_bundle_self_test_passes(bundle, tmp_path):
    r = _run(bundle, "--self-test", home=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(bundle)" in r.stdout  # really ran frozen, not a Python from PATH
    assert "self-test PASS" in r.stdout
    assert "FAIL" not in r.stdout.replace("self-test PASS", "")


def test_bundle_self_test_on_x11(bundle, tmp_path):
    """The xcb platform plugin (what Linux desktops use) loads from the bundle."""
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY")}
    env.update(SPORTTRACK_HOME=str(tmp_path), QT_QPA_PLATFORM="xcb")
    r = subprocess.run([xvfb, "-a", str(bundle), "--self-test"], capture_output=True, text=True,
                       env=env, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(Qt platform xcb)" in r.stdout


def test_bundle_reads_video(bundle, tmp_path):
    """OpenCV's bundled FFmpeg decodes a video written by the bundle itself."""
    import json

    r = _run(bundle, "demo", "--out", "clip", "--frames", "12", "--video", home=tmp_path)
    assert r.returncode == 0, r.stderr
    video = next((tmp_path / "clip").glob("*.mp4"))
    r = _run(bundle, "info", str(video), "--json", home=tmp_path)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["frame_count"] == 12 and (info["width"], info["height"]) == (1280, 720)


def test_bundle_cli_help_and_plugins(bundle, tmp_path):
    r = _run(bundle, "--help", home=tmp_path, timeout=120)
    assert r.returncode == 0 and "COMMAND" in r.stdout and "plugins" in r.stdout, r.stderr
    r = _run(bundle, "plugins", "--json", home=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert '"name": "centroid_tracker"' in r.stdout and '"ok": true' in r.stdout
    # the shipped plugin folder is found inside the bundle, not in the checkout
    assert str(REPO / "plugins") not in r.stdout


def test_bundle_trains_a_detector(bundle, tmp_path):
    """Training pulls in what inference does not (logger callbacks loaded by importlib,
    polars for results.csv, matplotlib): one tiny epoch proves they are bundled."""
    import json

    for seed in (1, 2):
        r = _run(bundle, "demo", "--out", f"m{seed}", "--frames", "20", "--seed", str(seed),
                 home=tmp_path)
        assert r.returncode == 0, r.stderr
        r = _run(bundle, "track", f"m{seed}", "--tracker", "bytetrack", "--det",
                 f"m{seed}/gt/gt.txt", "--project", "p.stp", "--run-name", f"t{seed}",
                 home=tmp_path)
        assert r.returncode == 0, r.stderr
    r = _run(bundle, "train", "p.stp", "--runs", "t1,t2", "--epochs", "1", "--imgsz", "160",
             "--batch", "4", "--model", "yolov8n.yaml", "--out", "trained", "--json",
             home=tmp_path, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    result = json.loads(r.stdout)
    assert result["status"] == "complete" and result["epochs_done"] == 1
    assert Path(result["best"]).is_file()


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed")
def test_deb_of_the_bundle_unpacks_and_self_tests(bundle, tmp_path):
    """The .deb of the real bundle, unpacked into a scratch root, passes --self-test when
    started through its /usr/bin link (what a user runs after `apt install`)."""
    spec = importlib.util.spec_from_file_location("sporttrack_linux_package",
                                                  REPO / "packaging" / "linux_package.py")
    linux_package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(linux_package)
    deb = linux_package.build_deb(bundle.parent, tmp_path / "out", compress="none")
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    link = root / "usr" / "bin" / "sporttrack"
    assert os.readlink(link) == "/opt/sporttrack/sporttrack"
    exe = root / "opt" / "sporttrack" / "sporttrack"
    assert (root / "opt" / "sporttrack" / "THIRD_PARTY_NOTICES.txt").is_file()
    assert (root / "usr/share/applications/sporttrack.desktop").is_file()
    home = tmp_path / "home"
    home.mkdir()
    r = _run(exe, "--self-test", home=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(bundle)" in r.stdout and "self-test PASS" in r.stdout
    assert str(root / "opt" / "sporttrack") in r.stdout  # resources found in the unpacked tree
