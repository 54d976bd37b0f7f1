"""All-or-nothing outputs: nothing appears under the final name unless complete."""

from __future__ import annotations

import os

import pytest

from sporttrack_gui.atomic_io import (
    atomic_directory,
    atomic_path,
    atomic_write_text,
    default_file_mode,
)


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "gt.txt"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gt.txt"]


def test_success_renames_with_umask_mode_and_keeps_suffix(tmp_path):
    target = tmp_path / "sub" / "clip.mp4"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".mp4" and tmp.parent == target.parent and not tmp.name.startswith("clip")
        tmp.write_bytes(b"x")
    assert target.read_bytes() == b"x"
    assert (target.stat().st_mode & 0o777) == default_file_mode()
    atomic_write_text(target, "y")
    assert target.read_text() == "y"


def test_directory_appears_only_when_complete(tmp_path):
    target = tmp_path / "dataset"
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("1")
        raise RuntimeError("boom")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("1")
    assert (target / "a.txt").read_text() == "1"
    assert (target.stat().st_mode & 0o777) == (0o777 & ~_mask())
    with pytest.raises(FileExistsError), atomic_directory(target):
        pass


def _mask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m
