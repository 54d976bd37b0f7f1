"""CVAT for video / COCO readers and writers, YOLO track ids, gameinfo.ini, the registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.coco import read_coco, write_coco
from sporttrack_gui.formats.cvat import read_cvat, write_cvat_video
from sporttrack_gui.formats.interchange import Annotations
from sporttrack_gui.formats.mot_table import MotTable
from sporttrack_gui.formats.registry import FormatSpec, get_format, output_path
from sporttrack_gui.formats.soccernet import format_gameinfo, read_gameinfo
from sporttrack_gui.formats.yolo import read_yolo_labels, yolo_label_lines


def _sample() -> Annotations:
    # track 1: frames 1-3 and 6 (a gap), track 2: frames 2-4, decimals and an occluded box
    frame = [1, 2, 3, 6, 2, 3, 4]
    track = [1, 1, 1, 1, 2, 2, 2]
    xywh = [[10, 20, 30, 40], [11, 21, 30, 40], [12.5, 22.25, 30, 40], [15, 25, 31, 41],
            [100, 50, 20.75, 60], [101, 51, 20, 60], [102, 52, 20, 60]]
    vis = [1, 1, 0.2, 1, -1, -1, -1]
    table = MotTable.from_arrays(frame, track, np.array(xywh, float), vis=vis)
    meta = {1: {"class": "player", "team": "left", "label": "player left #4"},
            2: {"class": "referee & co", "note": 'main "ref"'}}
    return Annotations(table, track_meta=meta, width=640, height=360, frame_count=8,
                       name="clip <1>")


def _sorted(t: MotTable) -> MotTable:
    return t.select(np.lexsort((t.track_id, t.frame)))


def test_cvat_round_trip_keeps_boxes_ids_labels_and_names(tmp_path):
    ann = _sample()
    path = tmp_path / "a.xml"
    write_cvat_video(path, ann)
    text = path.read_text()
    # the gap after frame 3 (0-based 2) and the end before the last frame are closed
    assert 'frame="3" keyframe="1" outside="1"' in text
    assert 'frame="6" keyframe="1" outside="1"' in text
    back = read_cvat(path)
    got, want = back.table, _sorted(ann.table)
    assert got.frame.tolist() == want.frame.tolist()
    assert got.track_id.tolist() == want.track_id.tolist()
    np.testing.assert_allclose(got.xywh, want.xywh, atol=1e-4)
    assert sorted(back.labels) == ["player", "referee & co"]
    assert back.track_meta[1] == {"class": "player", "team": "left", "label": "player left #4"}
    assert back.track_meta[2] == {"class": "referee & co", "note": 'main "ref"'}
    assert (back.width, back.height, back.frame_count, back.name) == (640, 360, 8, "clip <1>")
    assert back.occluded.tolist() == (want.vis == np.float32(0.2)).tolist()


def test_cvat_refuses_boxes_without_ids(tmp_path):
    ann = _sample()
    ann.table.track_id[0] = -1
    with pytest.raises(InputError, match="no id"):
        write_cvat_video(tmp_path / "a.xml", ann)
    assert not (tmp_path / "a.xml").exists()


CVAT_HEAD = ('<?xml version="1.0"?>\n<annotations><version>1.1</version><meta><task><size>5'
             '</size><labels><label><name>person</name></label></labels></task></meta>\n')


@pytest.mark.parametrize("body, message", [
    ('<track id="1" label="person">\n<box frame="0" xtl="a" ytl="1" xbr="2" ybr="3"/>'
     "</track>", r"line 4: <box> xtl='a' is not a number"),
    ('<track id="1" label="car">\n<box frame="0" xtl="0" ytl="1" xbr="2" ybr="3"/></track>',
     r"line 3: <track> label 'car' is not declared"),
    ('<track id="1" label="person">\n<box frame="0" xtl="5" ytl="1" xbr="2" ybr="3"/>'
     "</track>", r"line 4: <box> frame 0: xbr/ybr"),
    ('<track id="x" label="person"></track>', r"line 3: <track> id='x' is not a whole number"),
    ('<track id="1" label="person">\n<box frame="0" xtl="0" ytl="1" xbr="2" ybr="3"/>\n'
     '<box frame="0" xtl="0" ytl="1" xbr="2" ybr="3"/></track>',
     "line 5: track 1 has two boxes in frame 0"),
    ('<track id="1" label="person"><box frame="0"', "not well-formed XML"),
])
def test_cvat_reader_names_file_line_and_element(tmp_path, body, message):
    path = tmp_path / "bad.xml"
    path.write_text(CVAT_HEAD + body + ("</annotations>" if body.endswith(">") else ""))
    with pytest.raises(InputError, match=message) as err:
        read_cvat(path)
    assert str(path) in str(err.value)


def test_cvat_reader_refuses_other_xml_and_skips_other_shapes(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<svg></svg>")
    with pytest.raises(InputError, match="line 1: expected a CVAT XML file"):
        read_cvat(other)
    images = tmp_path / "images.xml"  # CVAT for images: frames from <image id>, ids from track_id
    images.write_text(CVAT_HEAD + '<image id="0" name="a.jpg" width="64" height="48">'
                      '<box label="person" xtl="1" ytl="2" xbr="5" ybr="9"><attribute '
                      'name="track_id">7</attribute></box><polygon label="person" '
                      'points="1,1;2,2;3,1"/></image><image id="2" name="c.jpg">'
                      '<box label="person" xtl="1" ytl="2" xbr="5" ybr="9"/></image>'
                      "</annotations>")
    ann = read_cvat(images)
    assert ann.table.frame.tolist() == [1, 3] and ann.table.track_id.tolist() == [7, -1]
    assert ann.notes == ["skipped 1 <polygon> shape(s): only boxes are imported"]


@pytest.mark.parametrize("video", [False, True])
def test_coco_round_trip(tmp_path, video):
    ann = _sample()
    ann.table.conf[:] = 1
    path = tmp_path / "a.json"
    write_coco(path, ann, video=video)
    doc = json.loads(path.read_text())
    assert len(doc["images"]) == 8 and doc["images"][0]["file_name"] == "000001.jpg"
    assert {c["name"] for c in doc["categories"]} == {"player", "referee & co"}
    assert ("videos" in doc) == video and ("track_id" in doc["annotations"][0]) == video
    back = read_coco(path)
    want = _sorted(ann.table)
    assert back.table.frame.tolist() == want.frame.tolist()
    assert back.table.track_id.tolist() == (want.track_id.tolist() if video else [-1] * 7)
    np.testing.assert_allclose(back.table.xywh, want.xywh, atol=1e-4)
    if video:
        assert back.track_meta[1] == {"class": "player", "team": "left",
                                      "label": "player left #4"}


@pytest.mark.parametrize("doc, message", [
    ({"images": []}, "not a COCO file"),
    ({"images": [{"id": 1, "file_name": "1.jpg"}], "categories": [],
      "annotations": [{"id": 5, "image_id": 2, "bbox": [0, 0, 1, 1]}]},
     r"annotations\[0\] \(id 5\): image_id 2 is not in 'images'"),
    ({"images": [{"id": 1, "file_name": "1.jpg"}], "categories": [{"id": 1, "name": "a"}],
      "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1]}]},
     r"annotations\[0\] \(id 5\): bbox must be"),
    ({"images": [{"id": 1, "file_name": "1.jpg"}], "categories": [{"id": 1, "name": "a"}],
      "annotations": [{"id": 5, "image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1]}]},
     r"category_id 3 is not in 'categories'"),
    ({"images": [{"id": 1, "video_id": 1}, {"id": 2, "video_id": 2}], "annotations": [],
      "videos": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}, "holds 2 videos"),
])
def test_coco_reader_names_the_element(tmp_path, doc, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=message):
        read_coco(path)


def test_coco_reader_picks_one_video_and_reports_bad_json(tmp_path):
    doc = {"images": [{"id": 1, "video_id": 1, "frame_id": 1},
                      {"id": 2, "video_id": 2, "frame_id": 1}],
           "videos": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
           "categories": [{"id": 1, "name": "p"}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1],
                            "track_id": 3},
                           {"id": 2, "image_id": 2, "category_id": 1, "bbox": [5, 5, 1, 1],
                            "track_id": 4}]}
    path = tmp_path / "v.json"
    path.write_text(json.dumps(doc))
    ann = read_coco(path, video="b")
    assert ann.table.track_id.tolist() == [4] and ann.name == "b"
    broken = tmp_path / "broken.json"
    broken.write_text('{"images": [\n,]}')
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        read_coco(broken)


def test_yolo_labels_with_track_ids_read_back(tmp_path):
    xyxy = np.array([[10, 10, 30, 50], [0, 0, 1, 1]], float)
    lines, dropped, _ = yolo_label_lines(xyxy, np.array([0, 0]), 100, 100,
                                         track_id=np.array([7, 8]))
    assert lines == ["0 0.200000 0.300000 0.200000 0.400000 7\n"] and dropped == 1
    (tmp_path / "a.txt").write_text("".join(lines))
    assert read_yolo_labels(tmp_path)["a"].tolist() == [[0, 0.2, 0.3, 0.2, 0.4, 7]]
    (tmp_path / "a.txt").write_text(lines[0] + "0 0.2 0.3 0.2 0.4\n")
    with pytest.raises(InputError, match="line 2: expected 6 values"):
        read_yolo_labels(tmp_path)


def test_gameinfo_written_from_track_meta_reads_back(tmp_path):
    path = tmp_path / "gameinfo.ini"
    meta = {4: {"class": "referee", "note": "referee;main"},
            9: {"class": "player", "team": "right", "label": "player right #34"},
            2: {"class": "ball"}}
    path.write_text(format_gameinfo("SNMOT-X", meta))
    info = read_gameinfo(path)
    assert info.name == "SNMOT-X"
    assert (info.tracklets[9].role, info.tracklets[9].team, info.tracklets[9].jersey) == \
        ("player", "right", 34)
    assert info.tracklets[4].label == "main" and info.tracklets[2].role == "ball"


def test_registry_options_and_out_paths(tmp_path):
    coco = get_format("coco", need="export")
    assert coco.parse_options(["video=yes"])["video"] is True
    with pytest.raises(InputError, match="no option 'vidoe'"):
        coco.parse_options(["vidoe=1"])
    with pytest.raises(InputError, match="expected true/false"):
        coco.parse_options(["video=maybe"])
    with pytest.raises(InputError, match="cannot import format 'yolo'"):
        get_format("yolo", need="read")
    assert output_path(coco, tmp_path) == tmp_path / "annotations.json"
    assert output_path(coco, tmp_path / "x.json") == tmp_path / "x.json"
    assert output_path(coco, f"{tmp_path}/new/") == tmp_path / "new" / "annotations.json"
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="not a folder"):
        output_path(get_format("yolo"), tmp_path / "file")
    with pytest.raises(ValueError):
        from sporttrack_gui.formats.registry import register_format

        register_format(FormatSpec("x", "x", layout="zip"))
