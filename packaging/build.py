"""Build the one-folder bundle and report build time and size (``make bundle``).

Why a script and not a bare ``pyinstaller`` call: the numbers that matter for a desktop
download (wall time of a clean build, folder size, what is biggest) are printed every time
and saved to ``build/bundle-report.json``, and ``--self-test`` checks the result at once.

    python packaging/build.py [--no-clean] [--self-test]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notices  # noqa: E402 - packaging/ is a folder of scripts, not a package

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
SPEC = ROOT / "packaging" / "sporttrack.spec"
REPORT = ROOT / "build" / "bundle-report.json"


def bundle_executable(dist: Path = DIST) -> Path:
    """Where the bundle's launcher ends up on this platform."""
    return dist / "sporttrack" / ("sporttrack.exe" if sys.platform == "win32" else "sporttrack")


def folder_size(path: Path) -> int:
    """Bytes of all regular files below ``path`` (symlinks are not followed or counted)."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def dangling_links(path: Path) -> list[Path]:
    """Symlinks in the bundle whose target is missing (a trimmed library still linked)."""
    return [f for f in path.rglob("*") if f.is_symlink() and not f.exists()]


def largest_parts(bundle: Path, n: int = 12) -> list[tuple[str, int]]:
    """The ``n`` biggest top-level entries of the bundle's ``_internal`` folder."""
    base = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    sizes = [(p.name, folder_size(p) if p.is_dir() else p.lstat().st_size) for p in base.iterdir()]
    return sorted(sizes, key=lambda t: -t[1])[:n]


def build(clean: bool = True) -> dict:
    """Run PyInstaller on the spec; returns the report (raises CalledProcessError)."""
    shutil.rmtree(DIST / "sporttrack", ignore_errors=True)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    if clean:
        cmd.insert(3, "--clean")
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    seconds = time.perf_counter() - t0
    bundle = DIST / "sporttrack"
    broken = dangling_links(bundle)
    if broken:
        raise RuntimeError("bundle has dangling symlinks (fix DROP in the spec): "
                           + ", ".join(str(p.relative_to(bundle)) for p in broken))
    # the licence of the whole and the notices of its parts travel with the binaries
    shutil.copyfile(ROOT / "LICENSE", bundle / "LICENSE")
    notices.write_notices(bundle, WORK / "sporttrack" / "PYZ-00.pyz")
    report = {"bundle": str(bundle), "clean": clean, "build_s": round(seconds, 1),
              "size_mib": round(folder_size(bundle) / 2**20, 1),
              "files": sum(1 for f in bundle.rglob("*") if f.is_file()),
              "largest_mib": {k: round(v / 2**20, 1) for k, v in largest_parts(bundle)},
              "components_mib": {k: round(v / 2**20, 1)
                                 for k, v in notices.sizes_by_component(bundle).items()}}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-clean", action="store_true",
                    help="reuse PyInstaller's analysis cache (faster rebuilds while trimming)")
    ap.add_argument("--self-test", action="store_true", help="run the bundle's --self-test after")
    args = ap.parse_args(argv)
    try:
        report = build(clean=not args.no_clean)
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"bundle: {report['bundle']}")
    print(f"build time: {report['build_s']:.1f} s{'' if report['clean'] else ' (cached analysis)'}")
    print(f"bundle size: {report['size_mib']:.1f} MiB in {report['files']} files")
    print("size by component (distribution):")
    for name, mib in list(report["components_mib"].items())[:16]:
        print(f"  {mib:8.1f} MiB  {name}")
    if args.self_test:
        t0 = time.perf_counter()
        code = subprocess.run([str(bundle_executable()), "--self-test"]).returncode
        print(f"bundle self-test exit {code} in {time.perf_counter() - t0:.1f} s")
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
