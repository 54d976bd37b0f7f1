"""Bad CVAT / COCO input is an InputError naming file and line or element, never a
traceback and never a silently wrapped number (review of #20)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.coco import read_coco, write_coco
from sporttrack_gui.formats.cvat import read_cvat
from sporttrack_gui.formats.interchange import Annotations
from sporttrack_gui.formats.mot_table import MotTable

CVAT_HEAD = '<?xml version="1.0"?>\n<annotations><version>1.1</version>\n'
BOX = 'outside="0" occluded="0" keyframe="1" xtl="1" ytl="1" xbr="5" ybr="5"'


@pytest.mark.parametrize("body, message", [
    (f'<track id="1" label="p">\n<box frame="99999999999999999999" {BOX}/></track>',
     r"line 4: <box> frame=99999999999999999999 must be <="),
    # 3e9 fits no int32 frame column: it must not wrap to a negative frame
    (f'<track id="1" label="p">\n<box frame="3000000000" {BOX}/></track>',
     r"line 4: <box> frame=3000000000 must be <="),
    (f'<track id="99999999999999999999" label="p">\n<box frame="0" {BOX}/></track>',
     r"line 3: <track> id=99999999999999999999 must be <="),
    ('<image id="0" name="a">\n<box label="p" xtl="1" ytl="1" xbr="5" ybr="5"><attribute '
     'name="track_id">inf</attribute></box></image>',
     r"line 4: <box> track_id attribute 'inf' is not a whole number"),
    ('<image id="0" name="a">\n<box label="p" xtl="1" ytl="1" xbr="5" ybr="5"><attribute '
     'name="track_id">-7</attribute></box></image>',
     r"line 4: <box> track_id attribute '-7'"),
])
def test_cvat_reader_refuses_out_of_range_numbers(tmp_path, body, message):
    path = tmp_path / "bad.xml"
    path.write_text(CVAT_HEAD + body + "</annotations>")
    with pytest.raises(InputError, match=message) as err:
        read_cvat(path)
    assert str(path) in str(err.value)


def _coco() -> dict:
    return {"images": [{"id": 1, "file_name": "000001.jpg"}],
            "categories": [{"id": 1, "name": "p"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4]}]}


def _set(path: tuple, value):
    def edit(doc):
        *parents, last = path
        node = doc
        for p in parents:
            node = node[p]
        node[last] = value
        return doc
    return edit


@pytest.mark.parametrize("edit, message", [
    (_set(("annotations", 0, "image_id"), [1]), r"annotations\[0\] \(id 1\): image_id \[1\]"),
    (_set(("annotations", 0, "category_id"), {"a": 1}), r"annotations\[0\] \(id 1\): category_id"),
    (_set(("images", 0, "id"), [1]), r"images\[0\]: id \[1\]"),
    (_set(("categories", 0, "id"), [1]), r"categories\[0\]: id \[1\]"),
    (_set(("images", 0, "video_id"), [1]), r"images\[0\]: video_id \[1\]"),
    (_set(("annotations", 0, "track_id"), float("inf")), r"annotations\[0\] \(id 1\): track_id"),
    (_set(("annotations", 0, "track_id"), float("nan")), r"annotations\[0\] \(id 1\): track_id"),
    (_set(("annotations", 0, "track_id"), 10**20), r"annotations\[0\] \(id 1\): track_id"),
    (_set(("annotations", 0, "bbox"), [1, 1, 10**400, 4]), r"annotations\[0\] \(id 1\): bbox"),
    (_set(("annotations", 0, "score"), float("nan")), r"annotations\[0\] \(id 1\): score"),
    (_set(("images", 0, "frame_id"), 10**20), r"images\[0\]: frame_id must be"),
    (_set(("images", 0, "frame_id"), 3 * 10**9), r"images\[0\]: frame_id must be"),
    (_set(("images", 0, "file_name"), "f_" + "9" * 5000 + ".jpg"),
     r"images\[0\]: the frame number in file_name"),
])
def test_coco_reader_refuses_odd_values_naming_the_element(tmp_path, edit, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(edit(_coco())))
    with pytest.raises(InputError, match=message) as err:
        read_coco(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("pattern", ["{x}.jpg", "{frame:s}.jpg", "{", "{0}.jpg"])
def test_coco_writer_refuses_a_bad_file_name_pattern_before_writing(tmp_path, pattern):
    ann = Annotations(table=MotTable.from_arrays([1], [1], np.array([[1, 1, 4, 4]], float)))
    out = tmp_path / "o.json"
    with pytest.raises(InputError, match="file_name pattern"):
        write_coco(out, ann, file_name=pattern)
    assert list(tmp_path.iterdir()) == []


GT = "1,1,1,1,4,4,1,1,1\n2,1,2,1,4,4,1,1,1\n"


def _gt_project(tmp_path):
    """A project with one MOT sequence 's' and its gt run; returns its path."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    folder = tmp_path / "seq"
    (folder / "gt").mkdir(parents=True)
    (folder / "gt" / "gt.txt").write_text(GT)
    project = tmp_path / "p.stp"
    with Project.open(project, create=True) as p:
        import_source(p, folder, name="s")
    return project


def _export(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sporttrack_gui.cli.main", "export",
                           str(project), "--run", "gt", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_export_bad_file_name_option_exits_2(tmp_path):
    out = tmp_path / "o.json"
    res = _export(_gt_project(tmp_path), "--format", "coco", "--out", str(out),
                  "--option", "file_name={x}.jpg")
    assert res.returncode == 2, res.stderr
    assert "file_name pattern" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


def test_mot_export_to_an_existing_folder_writes_the_sequence_folder(tmp_path):
    """README: ``export --format mot --out out/``; an existing folder is written into
    (out/gt/gt.txt); running it again replaces the files only with --overwrite (#21)."""
    from sporttrack_gui.formats.registry import get_format, output_path

    mot = get_format("mot", need="export")
    assert output_path(mot, tmp_path) == tmp_path
    assert output_path(mot, tmp_path / "gt.txt") == tmp_path / "gt.txt"
    project = _gt_project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    res = _export(project, "--format", "mot", "--out", f"{out}/")
    assert res.returncode == 0, res.stderr
    res = _export(project, "--format", "mot", "--out", f"{out}/")
    assert res.returncode == 2 and "--overwrite" in res.stderr
    res = _export(project, "--format", "mot", "--out", f"{out}/", "--overwrite")
    assert res.returncode == 0, res.stderr
    assert (out / "gt" / "gt.txt").read_text() == GT


@pytest.mark.parametrize("writer", ["cvat", "coco"])
def test_streaming_writers_sync_before_the_rename(tmp_path, monkeypatch, writer):
    """Like atomic_write_text (the MOT writer): the data reaches the disk before the file
    takes its final name, so a power cut cannot leave an empty file under that name."""
    import os

    from sporttrack_gui.formats.cvat import write_cvat_video

    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    ann = Annotations(table=MotTable.from_arrays([1], [1], np.array([[1, 1, 4, 4]], float)))
    (write_cvat_video if writer == "cvat" else write_coco)(tmp_path / "a.out", ann)
    assert synced and (tmp_path / "a.out").stat().st_size > 0


def test_yolo_track_ids_refuse_boxes_without_an_id_before_writing(tmp_path):
    """track_ids=true writes ``cls cx cy w h id``; a box without an id would be written as
    id -1, which read_yolo_labels (ids >= 0) refuses: refuse it up front, like CVAT."""
    import cv2

    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_yolo
    from sporttrack_gui.project.importer import import_source

    folder = tmp_path / "seq"
    (folder / "img1").mkdir(parents=True)
    (folder / "det").mkdir()
    for f in (1, 2):
        cv2.imwrite(str(folder / "img1" / f"{f:06d}.jpg"), np.zeros((32, 48, 3), np.uint8))
    (folder / "det" / "det.txt").write_text("1,-1,1,1,4,4,0.9,-1,-1,-1\n"
                                            "2,-1,2,1,4,4,0.8,-1,-1,-1\n")
    with Project.open(tmp_path / "p.stp", create=True) as p:
        import_source(p, folder, name="s")
        out = tmp_path / "yolo"
        with pytest.raises(InputError, match="frame 1 has no id"):
            export_yolo(p, [p.run_id("det")], out, track_ids=True)
        assert not out.exists()
        assert export_yolo(p, [p.run_id("det")], out)["images"]  # without ids: fine


def test_gameinfo_values_with_line_breaks_stay_on_their_line(tmp_path):
    """A note or name holding a line break (free text from the GUI, a CVAT label) must not
    add lines to gameinfo.ini: they would read back as other keys or sections."""
    from sporttrack_gui.formats.soccernet import format_gameinfo, read_gameinfo

    path = tmp_path / "gameinfo.ini"
    meta = {1: {"class": "player", "note": "player team left\n[Sequence]\nname=evil"},
            2: {"class": "ball\nnum_tracklets=9"}}
    path.write_text(format_gameinfo("SNMOT\nX", meta))
    info = read_gameinfo(path)
    assert info.name == "SNMOT X" and sorted(info.tracklets) == [1, 2]
    assert info.tracklets[1].team == "left"
