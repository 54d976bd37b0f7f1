"""Build the one-folder bundle and report build time and size (``make bundle``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    dist = ROOT / "dist"
    work = ROOT / "build" / "pyinstaller"
    shutil.rmtree(dist / "sporttrack", ignore_errors=True)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "sporttrack.spec")]
    r = subprocess.run(cmd, cwd=ROOT)
    if r.returncode:
        return r.returncode
    seconds = time.perf_counter() - t0
    bundle = dist / "sporttrack"
    size = folder_size(bundle)
    print(f"bundle: {bundle}")
    print(f"build time: {seconds:.1f} s")
    print(f"bundle size: {size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
