"""Files the exports write: original images copied losslessly, the umask's mode for
every file, nothing replaced without consent (issue #17)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.errors import MediaError
from sporttrack_gui.project import Project
from sporttrack_gui.project.exporter import export_yolo
from sporttrack_gui.project.importer import import_source


@pytest.fixture
def match_project(tmp_path, synthetic_match):
    with Project.open(tmp_path / "m.stp", create=True) as p:
        import_source(p, synthetic_match.img_dir)
    return tmp_path / "m.stp", synthetic_match


def _gt(p: Project) -> int:
    return next(r["id"] for r in p.runs() if r["kind"] == "gt")


def test_yolo_copies_or_links_the_original_images_byte_for_byte(match_project, tmp_path):
    path, match = match_project
    originals = sorted(match.frames_dir.iterdir())
    with Project.open(path) as p:
        result = export_yolo(p, [_gt(p)], tmp_path / "copy")
        images = sorted((tmp_path / "copy" / "images" / "train").iterdir())
        assert result["copied_images"] == len(images) == result["images"]["train"] > 0
        by_frame = {int(f.stem.rsplit("_", 1)[1]): f for f in images}
        for frame, f in by_frame.items():
            assert f.suffix == ".jpg"
            assert f.read_bytes() == originals[frame - 1].read_bytes()  # not re-encoded
            assert f.stat().st_ino != originals[frame - 1].stat().st_ino
        linked = export_yolo(p, [_gt(p)], tmp_path / "link", images="link")
        assert linked["copied_images"] == result["copied_images"]
        for f in (tmp_path / "link" / "images" / "train").iterdir():
            frame = int(f.stem.rsplit("_", 1)[1])
            assert f.stat().st_ino == originals[frame - 1].stat().st_ino  # no extra disk


def test_yolo_refuses_an_original_image_of_another_size(synthetic_match, tmp_path):
    import shutil

    import cv2

    folder = tmp_path / "seq"  # a copy: the session's synthetic match stays intact
    shutil.copytree(synthetic_match.img_dir, folder)
    path = tmp_path / "m.stp"
    with Project.open(path, create=True) as p:
        import_source(p, folder)
    cv2.imwrite(str(folder / "img1" / "000005.jpg"), np.zeros((10, 12, 3), np.uint8))
    with Project.open(path) as p, pytest.raises(MediaError, match=r"frame 5 .* is 12x10"):
        export_yolo(p, [_gt(p)], tmp_path / "out")
    assert not (tmp_path / "out").exists()  # all or nothing


def _modes(root: Path) -> dict[str, int]:
    return {str(f.relative_to(root)): f.stat().st_mode & 0o777
            for f in root.rglob("*")}


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_every_exported_file_gets_the_umask_mode(match_project, tmp_path, umask):
    """gt.txt and ``--out`` files were 0600 (mkstemp) while seqinfo.ini was 0644."""
    from sporttrack_gui.cli.main import main

    path, _match = match_project
    out = tmp_path / f"out-{umask:o}"
    out.mkdir()
    old = os.umask(umask)
    try:
        for fmt, target, extra in (("mot", out / "mot", []), ("mot", out / "gt.txt", []),
                                   ("cvat", out / "a.xml", []), ("coco", out / "a.json", []),
                                   ("yolo", out / "yolo", []),
                                   ("yolo", out / "yolo", ["--overwrite"])):
            assert main(["export", str(path), "--run", "gt", "--format", fmt,
                         "--out", str(target), *extra]) == 0, fmt
    finally:
        os.umask(old)
    modes = _modes(out)
    files = {k: v for k, v in modes.items() if not (out / k).is_dir()}
    dirs = {k: v for k, v in modes.items() if (out / k).is_dir()}
    assert {"mot/gt/gt.txt", "mot/seqinfo.ini", "gt.txt", "a.xml", "a.json", "yolo/data.yaml",
            } <= set(files)
    assert set(files.values()) == {0o666 & ~umask}, files
    assert set(dirs.values()) == {0o777 & ~umask}, dirs


def test_mot_export_refuses_to_replace_without_overwrite(match_project, tmp_path, capsys):
    from sporttrack_gui.cli.main import main

    path, match = match_project
    # pointed at the dataset folder itself: its own gt.txt must survive
    before = match.gt_path.read_bytes()
    assert main(["export", str(path), "--run", "gt", "--format", "mot",
                 "--out", str(match.img_dir)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err
    assert match.gt_path.read_bytes() == before
