"""Cross-process write lock on a ``<project>.lock`` sidecar file.

Why an OS lock (flock / msvcrt.locking) and not a row in the database: the OS drops it
when the holder dies, so a crashed or SIGKILLed run never blocks the project forever,
and checking it needs no write to the project itself. Inside one process, several
``Project`` objects (one per thread) share a single lock through a reference count,
because a second flock on the same file from the same process would conflict.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from sporttrack_gui.errors import ProjectLockedError

#: identifies this process as the owner of the runs it creates (pids get reused)
PROCESS_TOKEN = f"{os.getpid()}-{uuid.uuid4().hex}"

_WIN_LOCK_OFFSET = 1 << 20  # lock a byte far from the pid text so readers can see it


@dataclass
class _Held:
    fd: int
    refs: int


_registry: dict[str, _Held] = {}
_guard = threading.Lock()


def lock_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.name + ".lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _holder_pid(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return "unknown"
    return text.split()[0] if text else "unknown"


def acquire(project_path: Path) -> bool:
    """Take (or share, within this process) the write lock.

    Returns True when this call took the OS lock fresh, i.e. no other ``Project`` of this
    process is writing: the caller may then treat runs left "running" by others as dead.
    """
    key = str(project_path.resolve())
    with _guard:
        held = _registry.get(key)
        if held is not None:
            held.refs += 1
            return False
        lpath = lock_path(project_path)
        fd = os.open(lpath, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise ProjectLockedError(
                f"{project_path} is open for writing by another process "
                f"(pid {_holder_pid(lpath)}); open it read-only or close the other program")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        _registry[key] = _Held(fd, 1)
        return True


def release(project_path: Path) -> None:
    key = str(project_path.resolve())
    with _guard:
        held = _registry.get(key)
        if held is None:
            return
        held.refs -= 1
        if held.refs > 0:
            return
        del _registry[key]
        # closing the descriptor releases flock; the sidecar stays (removing it would race
        # with another process that has opened it and is about to lock it)
        os.close(held.fd)
