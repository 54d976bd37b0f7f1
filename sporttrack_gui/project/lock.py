"""Cross-process write lock on a ``<project>.lock`` sidecar file.

Why an OS lock (flock / msvcrt.locking) and not a row in the database: the OS drops it
when the holder dies, so a crashed or SIGKILLed run never blocks the project forever,
and checking it needs no write to the project itself. Inside one process, several
``Project`` objects (one per thread) share a single lock through a reference count,
because a second flock on the same file from the same process would conflict.

Why keyed by the real file: a symlink or a hard link to the project is the same file, and
a second writer through it would otherwise take a different sidecar, write concurrently
and retire the first writer's live run as ``incomplete``. The sidecar sits beside the
symlink-resolved path, and a second lock keyed by (device, inode) in the temp folder
catches hard links (which have no single "real" name).
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sporttrack_gui.errors import ProjectError, ProjectLockedError

#: identifies this process as the owner of the runs it creates (pids get reused)
PROCESS_TOKEN = f"{os.getpid()}-{uuid.uuid4().hex}"

_WIN_LOCK_OFFSET = 1 << 20  # lock a byte far from the pid text so readers can see it


@dataclass
class _Held:
    fd: int
    refs: int
    extra: list[int] = field(default_factory=list)  # the (device, inode) lock, if taken


_registry: dict[str, _Held] = {}
_guard = threading.Lock()


def real_path(project_path: Path) -> Path:
    """The project file with symlinks resolved (what two names of one file share)."""
    return Path(os.path.realpath(project_path))


def lock_path(project_path: Path) -> Path:
    real = real_path(project_path)
    return real.with_name(real.name + ".lock")


def _key(project_path: Path) -> str:
    return str(real_path(project_path))


def _inode_lock_path(project_path: Path) -> Path | None:
    """``<tmp>/sporttrack-locks/<dev>-<ino>.lock`` for an existing file (hard links)."""
    try:
        st = os.stat(project_path)
    except OSError:
        return None
    folder = Path(tempfile.gettempdir()) / "sporttrack-locks"
    try:
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            os.chmod(folder, 0o1777)  # shared by every user, like /tmp itself
    except OSError:
        return None
    return folder / f"{st.st_dev}-{st.st_ino}.lock"


def _open_inode_lock(path: Path) -> int | None:
    """The (device, inode) lock is best effort: a temp folder we cannot write must not
    stop anyone from writing projects (the sidecar lock still guards symlinks)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)  # flock needs no write access
        except OSError:
            return None


def _open_lock_file(path: Path, project_path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise ProjectError(
                f"{project_path}: cannot write in {path.parent} ({exc.strerror}); on a "
                "read-only medium the project can only be read (project, info, export, "
                "eval work): copy it somewhere writable to change it") from None
        raise ProjectError(f"{project_path}: cannot create the lock file {path} "
                           f"({exc.strerror})") from None


def held_by_other(project_path: Path) -> bool:
    """Whether some live process (this one included) holds the write lock, without
    taking it: read-only views use it to tell a live ``running`` run from a killed one."""
    lpath = lock_path(project_path)
    try:
        fd = os.open(lpath, os.O_RDONLY)
    except OSError:
        return False
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            return False
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


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
    key = _key(project_path)
    with _guard:
        held = _registry.get(key)
        if held is not None:
            held.refs += 1
            return False
        taken: list[int] = []
        try:
            for i, lpath in enumerate((lock_path(project_path),
                                       _inode_lock_path(project_path))):
                if lpath is None:
                    continue
                fd = _open_lock_file(lpath, project_path) if i == 0 else _open_inode_lock(lpath)
                if fd is None:
                    continue
                if not _try_lock(fd):
                    os.close(fd)
                    raise ProjectLockedError(
                        f"{project_path} is open for writing by another process "
                        f"(pid {_holder_pid(lpath)}); open it read-only or close the other "
                        "program")
                taken.append(fd)
                _write_pid(fd)
        except BaseException:
            for fd in taken:
                os.close(fd)
            raise
        _registry[key] = _Held(taken[0], 1, taken[1:])
        return True


def _write_pid(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except OSError:  # the pid is a courtesy for the message; the lock is what counts
        pass


def release(project_path: Path) -> None:
    key = _key(project_path)
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
        for fd in (held.fd, *held.extra):
            os.close(fd)
