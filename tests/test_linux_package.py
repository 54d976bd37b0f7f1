"""The .deb / .tar.gz packaging script on a tiny fake bundle (runs whenever dpkg-deb exists).

The real bundle is packaged and its ``--self-test`` run from the unpacked .deb in
tests/test_bundle.py (opt-in: SPORTTRACK_BUNDLE_TEST=1, the build takes minutes).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sporttrack_linux_package",
                                               REPO / "packaging" / "linux_package.py")
linux_package = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(linux_package)

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb not installed")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux packages")


def fake_bundle(root: Path) -> Path:
    """A folder shaped like PyInstaller's output whose launcher is a shell script."""
    bundle = root / "sporttrack"
    (bundle / "_internal" / "resources").mkdir(parents=True)
    exe = bundle / "sporttrack"
    exe.write_text('#!/bin/sh\nhere=$(dirname "$(readlink -f "$0")")\n'
                   'test -f "$here/_internal/resources/marker.txt" || exit 3\n'
                   'echo "fake sporttrack $*"\n', encoding="utf-8")
    exe.chmod(0o755)
    (bundle / "_internal" / "resources" / "marker.txt").write_text("x", encoding="utf-8")
    (bundle / "_internal" / "libfake.so.1").write_bytes(b"\0" * 1000)
    (bundle / "_internal" / "libfake.so").symlink_to("libfake.so.1")
    (bundle / "THIRD_PARTY_NOTICES.txt").write_text("notices", encoding="utf-8")
    return bundle


def resolve_in(root: Path, path: Path) -> Path:
    """Follow absolute symlinks as if ``root`` were ``/``."""
    for _ in range(10):
        if not path.is_symlink():
            return path
        target = os.readlink(path)
        path = root / target.lstrip("/") if target.startswith("/") else path.parent / target
    raise AssertionError("symlink loop")


@pytest.mark.parametrize(("pep440", "deb"), [("0.1.0", "0.1.0"), ("1.2rc1", "1.2~rc1"),
                                             ("2.0.0.dev3", "2.0.0~dev3"), ("1.0+cpu", "1.0+cpu")])
def test_debian_version_orders_pre_releases_first(pep440, deb):
    assert linux_package.debian_version(pep440) == deb


def test_missing_bundle_is_a_clear_error(tmp_path, capsys):
    code = linux_package.main(["--bundle", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert code == 2 and "make bundle" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@needs_dpkg
def test_deb_layout_control_and_unpacked_launcher(tmp_path):
    bundle = fake_bundle(tmp_path)
    deb = linux_package.build_deb(bundle, tmp_path / "out", version="1.2.3")
    assert deb.name == f"sporttrack_1.2.3_{linux_package.debian_arch()}.deb"
    assert [p.name for p in (tmp_path / "out").iterdir()] == [deb.name]  # no staging left over
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line
                  and not line.startswith(" "))
    assert fields["Package"] == "sporttrack" and fields["Version"] == "1.2.3"
    assert "libxcb-icccm4" in fields["Depends"] and int(fields["Installed-Size"]) >= 1
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True,
                             text=True, check=True).stdout
    assert "root/root" in listing and all(
        "root/root" in line for line in listing.splitlines() if line.strip())
    for path in ("./opt/sporttrack/sporttrack", "./opt/sporttrack/LICENSE",
                 "./opt/sporttrack/THIRD_PARTY_NOTICES.txt",
                 "./usr/bin/sporttrack -> /opt/sporttrack/sporttrack",
                 "./usr/share/applications/sporttrack.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/sporttrack.svg",
                 "./usr/share/icons/hicolor/256x256/apps/sporttrack.png",
                 "./usr/share/doc/sporttrack/copyright",
                 "./opt/sporttrack/_internal/libfake.so -> libfake.so.1"):
        assert path in listing, path
    # everything lives under /opt/sporttrack or in the desktop/doc/bin places: nothing else
    roots = {line.split()[5].split("/")[1] for line in listing.splitlines()
             if len(line.split()) >= 6 and line.split()[5].count("/") > 1}
    assert roots <= {"opt", "usr"}

    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    launcher = resolve_in(root, root / "usr" / "bin" / "sporttrack")
    assert launcher == root / "opt" / "sporttrack" / "sporttrack"
    r = subprocess.run([str(launcher), "--self-test"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "fake sporttrack --self-test", r.stderr
    desktop = (root / "usr/share/applications/sporttrack.desktop").read_text(encoding="utf-8")
    assert "Exec=sporttrack %f" in desktop and "Icon=sporttrack" in desktop
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate",
                        str(root / "usr/share/applications/sporttrack.desktop")], check=True)


@needs_dpkg
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("dpkg") is None,
                    reason="installing into a scratch dpkg root needs root and dpkg")
def test_deb_installs_and_purges_cleanly_in_a_scratch_root(tmp_path):
    deb = linux_package.build_deb(fake_bundle(tmp_path), tmp_path / "out", version="1.2.3")
    root = tmp_path / "root"
    admin = root / "var" / "lib" / "dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True)
    (admin / "status").touch()
    dpkg = ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
            "--force-not-root", "--log=/dev/null"]
    r = subprocess.run([*dpkg, "--install", str(deb)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (root / "opt/sporttrack/_internal/resources/marker.txt").is_file()
    files = subprocess.run([*dpkg, "--listfiles", "sporttrack"], capture_output=True,
                           text=True, check=True).stdout
    assert "/usr/bin/sporttrack" in files and "/opt/sporttrack/sporttrack" in files
    r = subprocess.run([*dpkg, "--purge", "sporttrack"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    left = [p.relative_to(root).as_posix() for p in root.rglob("*")
            if not p.relative_to(root).as_posix().startswith("var/lib/dpkg")]
    assert not [p for p in left if p.startswith(("opt/sporttrack", "usr/bin/sporttrack",
                                                 "usr/share/applications/sporttrack",
                                                 "usr/share/doc/sporttrack"))], left
    assert not [p for p in left if p.endswith(("sporttrack.svg", "sporttrack.png"))], left


def test_tarball_has_one_top_folder_and_keeps_modes(tmp_path):
    bundle = fake_bundle(tmp_path)
    tgz = linux_package.build_tarball(bundle, tmp_path / "out", version="1.2.3")
    assert tgz.name.startswith("sporttrack-1.2.3-linux-") and tgz.name.endswith(".tar.gz")
    with tarfile.open(tgz) as tf:
        members = {m.name: m for m in tf.getmembers()}
    assert {n.split("/")[0] for n in members} == {"sporttrack-1.2.3"}
    exe = members["sporttrack-1.2.3/sporttrack"]
    assert exe.mode & 0o111 and exe.uid == 0
    assert members["sporttrack-1.2.3/_internal/libfake.so"].issym()
    assert not list((tmp_path / "out").glob("*.part"))
