"""All-or-nothing outputs: every file or folder the app writes appears under its final name
only when it is complete.

Why one module: a results file cut by Ctrl+C, a truncated JPEG from a killed export or a
half-written video that keeps its final name looks complete to the next program that reads
it. Every writer (MOT/COCO/CVAT/YOLO exports, demo videos, reports, caches) goes through
these helpers: write under a hidden temporary name beside the target (same folder, so the
final rename is atomic on the same file system), rename on success, remove on any failure
or interrupt (``BaseException`` covers ``KeyboardInterrupt`` and ``SystemExit``). A SIGKILL
can leave a hidden ``.name.*.part`` file behind, never a damaged file under the final name.

Files are created with the mode the user's umask gives (``mkstemp`` would make them 0600).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_text", "atomic_write_bytes", "atomic_directory",
           "default_file_mode"]


def default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file under the current umask."""
    return 0o666 & ~_umask()


def _temp_name(target: Path) -> Path:
    # Keep the suffix so that writers choosing a codec/format by extension (cv2.imwrite,
    # cv2.VideoWriter, PyAV, matplotlib) still do the right thing on the temporary file.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                               dir=target.parent)
    os.close(fd)
    return Path(tmp)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, make_parents: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it is renamed to ``target``.

    The body writes the whole file at the yielded path by any means (``open``, cv2, PyAV,
    numpy). Any exception, ``KeyboardInterrupt`` included, removes the temporary file and
    leaves an existing ``target`` untouched.
    """
    target = Path(target)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    try:
        yield tmp
        os.chmod(tmp, default_file_mode())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(target: str | os.PathLike[str], text: str, *, encoding: str = "utf-8",
                      newline: str | None = "\n") -> None:
    """Write ``text`` to ``target`` all-or-nothing."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` all-or-nothing."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``target``; on success it becomes ``target``.

    For layouts (a YOLO dataset, a MOT sequence folder) that must not be seen half-built.
    ``target`` must not exist yet (callers decide about overwriting before they get here);
    on failure the temporary folder and everything in it is removed.
    """
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    """The process umask. Linux tells it in /proc (``os.umask`` can only be read by
    setting it, which for an instant gives files other threads create mode 0666)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # the safe direction for the instant it is set
    os.umask(mask)
    return mask
