"""What the bundle ships, by distribution: third-party notices and size by component.

Why: the bundle redistributes ~100 third-party distributions (ultralytics is AGPL-3.0, Qt
is LGPL-3.0, FFmpeg inside OpenCV and PyAV is LGPL/GPL, ...); each licence asks for its
text to travel with the binaries. The list is derived from what PyInstaller really put in
the folder (files under ``_internal`` and the modules in the PYZ archive), mapped to the
installed distributions' metadata (``RECORD``, ``License-Expression``/``License``,
classifiers, licence files), so it cannot drift from the build.

    python packaging/notices.py [dist/sporttrack] [--pyz build/pyinstaller/sporttrack/PYZ-00.pyz]
        writes dist/sporttrack/THIRD_PARTY_NOTICES.txt and prints the size by component
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from importlib import metadata
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
NOTICES = "THIRD_PARTY_NOTICES.txt"
#: when several distributions install the same top-level name (cv2), the first one wins
PREFERRED = ["opencv-contrib-python-headless", "opencv-contrib-python", "opencv-python-headless",
             "opencv-python"]
LICENCE_FILE_PREFIXES = ("licen", "copying", "notice", "authors", "third_party", "thirdparty")
PYZ_AND_LAUNCHER = "(launcher + Python modules in the PYZ archive)"
UNOWNED = "(Python runtime and libraries copied from the build machine)"
METADATA = "(package metadata)"


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _rank(dist: str) -> int:
    n = _norm(dist)
    return PREFERRED.index(n) if n in PREFERRED else len(PREFERRED)


class DistIndex:
    """Installed distributions indexed by top-level import name, by the first component
    of each installed path and by shared-library file name."""

    def __init__(self) -> None:
        self.dists: dict[str, metadata.Distribution] = {}
        self.by_top: dict[str, set[str]] = defaultdict(set)
        self.by_basename: dict[str, set[str]] = defaultdict(set)
        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            if not name or _norm(name) in self.dists:
                continue
            self.dists[_norm(name)] = dist
            for f in dist.files or []:
                parts = PurePosixPath(str(f)).parts
                if not parts or parts[0] == ".." or parts[0].endswith((".dist-info", ".egg-info")):
                    continue
                top = parts[0].removesuffix(".py")
                if "." in top and not parts[0].endswith((".so", ".pyd", ".dylib")) and len(parts) == 1:
                    top = top.split(".")[0]
                self.by_top[top].add(_norm(name))
                if ".so" in parts[-1] or parts[-1].endswith((".dll", ".dylib", ".pyd")):
                    self.by_basename[parts[-1]].add(_norm(name))

    def pick(self, names: set[str], shipped_meta: set[str]) -> str | None:
        if not names:
            return None
        # a distribution whose metadata the bundle carries is the one that was collected
        return sorted(names, key=lambda n: (n not in shipped_meta, _rank(n), n))[0]

    def owner(self, entry: str, shipped_meta: set[str]) -> str | None:
        """Distribution owning a top-level entry of ``_internal`` (folder or file)."""
        for key in (entry, entry.removesuffix(".py"), entry.split(".")[0]):
            if key in self.by_top:
                return self.pick(self.by_top[key], shipped_meta)
        return self.pick(self.by_basename.get(entry, set()), shipped_meta)


def _internal(bundle: Path) -> Path:
    return bundle / "_internal" if (bundle / "_internal").is_dir() else bundle


def _size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _shipped_metadata(base: Path) -> set[str]:
    out = set()
    for p in base.glob("*.dist-info"):
        out.add(_norm(p.name.split("-")[0]))
    return out


def sizes_by_component(bundle: Path, index: DistIndex | None = None) -> dict[str, int]:
    """Bytes per distribution (symlinks count 0); unowned files and the launcher apart."""
    index = index or DistIndex()
    base = _internal(bundle)
    meta = _shipped_metadata(base)
    out: dict[str, int] = defaultdict(int)
    for entry in base.iterdir():
        if entry.name.endswith(".dist-info"):
            out[METADATA] += _size(entry)
            continue
        owner = index.owner(entry.name, meta)
        out[owner or UNOWNED] += _size(entry)
    for entry in bundle.iterdir():
        if entry != base and entry.name not in (NOTICES, "LICENSE"):
            out[PYZ_AND_LAUNCHER] += _size(entry)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def pyz_modules(pyz: Path | None) -> set[str]:
    """Top-level module names in PyInstaller's PYZ archive (needs PyInstaller)."""
    if pyz is None or not pyz.is_file():
        return set()
    from PyInstaller.archive.readers import ZlibArchiveReader

    return {name.split(".")[0] for name in ZlibArchiveReader(str(pyz)).toc}


def shipped_distributions(bundle: Path, pyz: Path | None = None,
                          index: DistIndex | None = None) -> list[str]:
    """Normalised names of the distributions with files or modules in the bundle."""
    index = index or DistIndex()
    base = _internal(bundle)
    meta = _shipped_metadata(base)
    found = {index.owner(e.name, meta) for e in base.iterdir() if not e.name.endswith(".dist-info")}
    for top in pyz_modules(pyz):
        found.add(index.pick(index.by_top.get(top, set()), meta))
    found.discard(None)
    found.discard("sporttrack")
    found.discard("pyinstaller")  # its bootloader is under GPL with an exception for bundles
    return sorted(found)  # type: ignore[arg-type]


def licence_of(dist: metadata.Distribution) -> str:
    md = dist.metadata
    expr = md.get("License-Expression")
    if expr:
        return expr
    text = (md.get("License") or "").strip()
    classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or []
                   if c.startswith("License ::")]
    if text and len(text) < 120 and "\n" not in text:
        return text + (f" ({', '.join(classifiers)})" if classifiers else "")
    if classifiers:
        return ", ".join(classifiers)
    return "see licence text below" if text else "UNKNOWN (no licence metadata)"


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of the licence files a distribution installs in its metadata."""
    out = []
    for f in dist.files or []:
        p = PurePosixPath(str(f))
        meta_dir = next((i for i, part in enumerate(p.parts) if part.endswith(".dist-info")), None)
        if meta_dir is None or not p.name.lower().startswith(LICENCE_FILE_PREFIXES) \
                or "__pycache__" in p.parts or p.suffix in (".pyc", ".pyo"):
            continue
        try:
            text = Path(dist.locate_file(f)).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "\x00" not in text:  # a text file, not something binary named like one
            out.append((str(PurePosixPath(*p.parts[meta_dir + 1:])), text))
    if not out:
        text = (dist.metadata.get("License") or "").strip()
        if len(text) >= 120 or "\n" in text:
            out.append(("License (from the package metadata)", text))
    return out


def write_notices(bundle: Path, pyz: Path | None = None, out: Path | None = None,
                  index: DistIndex | None = None) -> Path:
    """Write ``THIRD_PARTY_NOTICES.txt`` into the bundle; returns its path."""
    index = index or DistIndex()
    names = shipped_distributions(bundle, pyz, index)
    out = out or bundle / NOTICES
    lines = ["SportTrack - third-party software in this bundle", "",
             "SportTrack itself is licensed under the GNU Affero General Public License v3.0 or "
             "later (see LICENSE).",
             "This folder also contains the following distributions, each under its own licence.",
             f"Python {sys.version.split()[0]} (PSF-2.0) is included as the runtime.", "",
             f"{'distribution':<36} {'version':<16} licence", "-" * 100]
    for name in names:
        d = index.dists[name]
        lines.append(f"{d.metadata['Name']:<36} {d.version:<16} {licence_of(d)}")
    unowned = sorted(e.name for e in _internal(bundle).iterdir()
                     if e.is_file() and index.owner(e.name, set()) is None
                     and (".so" in e.name or e.name.endswith((".dll", ".dylib"))))
    if unowned:
        lines += ["", "Shared libraries copied from the build machine (system packages, under "
                  "their distributions' licences):", "  " + ", ".join(unowned)]
    for name in names:
        d = index.dists[name]
        lines += ["", "=" * 100, f"{d.metadata['Name']} {d.version} - {licence_of(d)}", "=" * 100]
        texts = licence_texts(d)
        if not texts:
            lines.append("(the distribution ships no licence file; licence as declared above)")
        for fname, text in texts:
            lines += [f"--- {fname}", text.rstrip()]
    tmp = out.with_name(out.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", nargs="?", default=str(ROOT / "dist" / "sporttrack"))
    ap.add_argument("--pyz", default=str(ROOT / "build" / "pyinstaller" / "sporttrack" / "PYZ-00.pyz"))
    args = ap.parse_args(argv)
    bundle = Path(args.bundle)
    path = write_notices(bundle, Path(args.pyz))
    print(f"notices: {path}")
    for name, size in sizes_by_component(bundle).items():
        print(f"{size / 2**20:9.1f} MiB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
