"""Where per-file media caches live (packet indexes, scrub proxies) and how they are keyed.

Why a key of path + size + modification time: a video replaced under the same name
(re-exported, re-downloaded) must never reuse the old file's index or proxies, and a
moved project must still find the caches of files that did not change. The key is made
from the file name's bytes, so names that are not valid UTF-8 work too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sporttrack_gui.runtime import cache_dir as app_cache_dir


def cache_dir(kind: str) -> Path:
    """``<app cache folder>/<kind>`` (created by the writers, not here)."""
    return app_cache_dir() / kind


def file_key(path: str | os.PathLike[str], version: int) -> str:
    """A hex key that changes when the file's content (size, mtime) or the format changes."""
    p = Path(path)
    st = p.stat()
    raw = os.fsencode(p.resolve()) + f"|{st.st_size}|{st.st_mtime_ns}|{version}".encode()
    return hashlib.sha1(raw).hexdigest()


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as printable text: bytes that are not UTF-8 shown as ``\\xff`` escapes.

    Why: a file name from another system's encoding (``os.fsdecode`` keeps such bytes as
    surrogates) cannot be printed or written as UTF-8; every message that names a file
    goes through here.
    """
    return os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")


def is_utf8_name(path: str | os.PathLike[str]) -> bool:
    """False for names holding bytes that are not valid UTF-8 (surrogate escapes)."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
