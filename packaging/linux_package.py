"""Linux packages of the one-folder bundle: a ``.deb`` and a ``.tar.gz`` (``make package``).

Why a script: the layout, the control fields and the desktop integration are the same on
every build, and a test builds the package from a tiny fake bundle in a second, so what
users install is checked without the 5-minute PyInstaller build.

The ``.deb`` installs the bundle under ``/opt/sporttrack``, links ``/usr/bin/sporttrack``
to its launcher and adds a desktop entry and the icon (scalable SVG + 256 px PNG) to the
hicolor theme. It has no maintainer scripts and no configuration files: the desktop and
icon caches are refreshed by the ``desktop-file-utils`` / ``hicolor-icon-theme`` triggers,
and everything the app writes at run time lives in the user's folders, so ``apt remove``
leaves nothing behind. Built with ``dpkg-deb --root-owner-group`` (no fakeroot needed).

    python packaging/linux_package.py [--bundle dist/sporttrack] [--out dist]
        [--compress gzip|xz|zstd|none] [--no-deb] [--no-tar]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sporttrack"
INSTALL_DIR = "opt/sporttrack"
#: what the bundled Qt xcb plugin needs from the system (see packaging/README.md)
DEPENDS = ["libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0",
           "libgl1", "libegl1", "libfontconfig1"]
MAINTAINER = os.environ.get("DEB_MAINTAINER", "SportTrack maintainers <maintainers@sporttrack.invalid>")
DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=SportTrack
GenericName=Sports video tracking
Comment=Annotate, track, correct and evaluate players in sports video
Exec=sporttrack %f
Icon=sporttrack
Terminal=false
Categories=AudioVideo;Video;Science;
Keywords=tracking;annotation;video;sports;MOT;
StartupWMClass=sporttrack
"""


def project_version() -> str:
    """The version in ``pyproject.toml`` (the single source of it)."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def debian_version(version: str) -> str:
    """PEP 440 -> Debian ordering: pre-releases sort before the release (``1.0rc1`` ->
    ``1.0~rc1``), local versions become ``+`` suffixes."""
    v = version.replace("-", ".")
    v = re.sub(r"(\d)(a|b|rc|alpha|beta|dev)(\d*)", r"\1~\2\3", v)
    v = v.replace(".dev", "~dev")
    if not re.fullmatch(r"[0-9][A-Za-z0-9.+~]*", v):
        raise ValueError(f"cannot map version {version!r} to a Debian version")
    return v


def debian_arch() -> str:
    if shutil.which("dpkg"):
        r = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "armhf"}.get(platform.machine(),
                                                                         platform.machine())


def _glibc() -> str | None:
    lib, ver = platform.libc_ver()
    return ver if lib == "glibc" and ver else None


def _launcher(bundle: Path) -> Path:
    exe = bundle / PACKAGE
    if not exe.is_file():
        raise FileNotFoundError(f"{bundle}: no '{PACKAGE}' launcher (build the bundle first: "
                                "make bundle)")
    return exe


def _place_tree(src: Path, dst: Path) -> None:
    """Hard-link the bundle into the staging tree when possible (1 GB, same disk), else copy."""
    def link_or_copy(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    shutil.copytree(src, dst, symlinks=True, copy_function=link_or_copy)


def _tree_size_kib(path: Path) -> int:
    total = 0
    for f in path.rglob("*"):
        if f.is_symlink():
            total += 1
        elif f.is_file():
            total += f.stat().st_size
    return (total + 1023) // 1024


def _md5sums(root: Path) -> str:
    lines = []
    for f in sorted(root.rglob("*")):
        if f.is_file() and not f.is_symlink() and "DEBIAN" not in f.relative_to(root).parts:
            h = hashlib.md5()
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            lines.append(f"{h.hexdigest()}  {f.relative_to(root).as_posix()}")
    return "\n".join(lines) + "\n"


def control_fields(version: str, arch: str, installed_kib: int) -> dict[str, str]:
    depends = list(DEPENDS)
    glibc = _glibc()
    if glibc:  # PyInstaller bundles need at least the glibc they were built with
        depends.insert(0, f"libc6 (>= {glibc})")
    return {
        "Package": PACKAGE,
        "Version": debian_version(version),
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(depends),
        "Section": "video",
        "Priority": "optional",
        "Description": "sports video annotation and multi-object tracking\n"
                       " SportTrack tracks players and the ball in sports video (SORT, ByteTrack,\n"
                       " DeepSORT, YOLO detectors), lets you correct identities, evaluates runs\n"
                       " (MOTA, IDF1, HOTA) and exports MOTChallenge and YOLO datasets.\n"
                       " .\n"
                       " This package ships a self-contained build (Python, PyTorch CPU, Qt)\n"
                       " under /opt/sporttrack; run 'sporttrack --self-test' to check it.",
    }


def stage(bundle: Path, staging: Path, version: str, arch: str) -> Path:
    """Lay out the package tree (``staging/DEBIAN/control`` + the files) and return it."""
    _launcher(bundle)
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / INSTALL_DIR
    opt.parent.mkdir(parents=True)
    _place_tree(bundle, opt)
    for name in ("LICENSE",):
        if not (opt / name).exists() and (ROOT / name).is_file():
            shutil.copyfile(ROOT / name, opt / name)
    usr_bin = staging / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / PACKAGE).symlink_to(f"/{INSTALL_DIR}/{PACKAGE}")
    share = staging / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    (share / "applications" / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = ROOT / "resources" / "icons"
    for sub, name in (("scalable", "sporttrack.svg"), ("256x256", "sporttrack.png")):
        target = share / "icons" / "hicolor" / sub / "apps" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icons / name, target)
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: SportTrack\n\n"
        "Files: *\nLicense: AGPL-3.0-or-later\n"
        f" The full text is in /{INSTALL_DIR}/LICENSE; the licences of the bundled\n"
        f" third-party software are in /{INSTALL_DIR}/THIRD_PARTY_NOTICES.txt.\n",
        encoding="utf-8")
    for d in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
        d.chmod(0o755)
    debian = staging / "DEBIAN"
    debian.mkdir(mode=0o755)
    fields = control_fields(version, arch, _tree_size_kib(staging))
    (debian / "control").write_text("".join(f"{k}: {v}\n" for k, v in fields.items()),
                                    encoding="utf-8")
    (debian / "md5sums").write_text(_md5sums(staging), encoding="utf-8")
    for f in debian.iterdir():
        f.chmod(0o644)
    return staging


def build_deb(bundle: Path, out_dir: Path, version: str | None = None, compress: str = "gzip",
              work: Path | None = None) -> Path:
    """``<out_dir>/sporttrack_<version>_<arch>.deb`` from ``bundle``; returns its path."""
    if shutil.which("dpkg-deb") is None:
        raise RuntimeError("dpkg-deb not found (install dpkg)")
    version = version or project_version()
    arch = debian_arch()
    own_work = work is None
    work = work or out_dir / "deb-staging"
    staging = stage(bundle, work / f"{PACKAGE}_{arch}", version, arch)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{debian_version(version)}_{arch}.deb"
    part = target.with_name(target.name + ".part")
    cmd = ["dpkg-deb", "--root-owner-group", f"-Z{compress}", "--build", str(staging), str(part)]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        part.replace(target)
    except subprocess.CalledProcessError as exc:
        part.unlink(missing_ok=True)
        raise RuntimeError(f"dpkg-deb failed: {exc.stderr.strip()}") from None
    finally:
        shutil.rmtree(work if own_work else staging, ignore_errors=True)
    return target


def build_tarball(bundle: Path, out_dir: Path, version: str | None = None) -> Path:
    """``sporttrack-<version>-linux-<machine>.tar.gz`` with one top folder; returns its path."""
    _launcher(bundle)
    version = version or project_version()
    top = f"{PACKAGE}-{version}"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{top}-linux-{platform.machine()}.tar.gz"
    part = target.with_name(target.name + ".part")
    tar = shutil.which("tar")
    try:
        if tar and sys.platform.startswith("linux"):
            # GNU tar (with pigz when installed) is several times faster than tarfile on 1 GB
            gz = ["-I", "pigz"] if shutil.which("pigz") else ["-z"]
            subprocess.run([tar, *gz, "-cf", str(part), "--owner=0", "--group=0",
                            "--transform", f"s,^{re.escape(bundle.name)},{top},",
                            "-C", str(bundle.parent), bundle.name], check=True)
        else:
            with tarfile.open(part, "w:gz") as tf:
                tf.add(bundle, arcname=top)
        part.replace(target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", default=str(ROOT / "dist" / PACKAGE))
    ap.add_argument("--out", default=str(ROOT / "dist"))
    ap.add_argument("--compress", default="gzip", choices=["gzip", "xz", "zstd", "none"],
                    help="dpkg-deb compressor (gzip: installs on every dpkg; xz: smaller, slower)")
    ap.add_argument("--no-deb", action="store_true")
    ap.add_argument("--no-tar", action="store_true")
    args = ap.parse_args(argv)
    bundle, out = Path(args.bundle), Path(args.out)
    try:
        if not args.no_deb:
            deb = build_deb(bundle, out, compress=args.compress)
            print(f"deb: {deb} ({deb.stat().st_size / 2**20:.1f} MiB)")
        if not args.no_tar:
            tgz = build_tarball(bundle, out)
            print(f"tar.gz: {tgz} ({tgz.stat().st_size / 2**20:.1f} MiB)")
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
