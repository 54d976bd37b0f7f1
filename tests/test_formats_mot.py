"""MOTChallenge reading/writing on the shared real data and on constructed tables."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import shared_path

from sporttrack_gui.formats.mot import (
    MotTable,
    format_mot,
    parse_mot,
    read_mot,
    write_mot,
)


def test_snmot116_gt_round_trip_is_exact(snmot116, tmp_path):
    src = snmot116 / "gt" / "gt.txt"
    gt = read_mot(src)
    assert len(gt) == 11460
    assert gt.frames_range() == (1, 750)
    assert len(np.unique(gt.track_id)) == 27
    out = tmp_path / "gt.txt"
    write_mot(out, gt, kind="gt", columns=10)
    # SoccerNet's file is canonical (integers, 10 columns): the text comes back byte for byte
    assert out.read_bytes() == src.read_bytes()
    assert read_mot(out).equals(gt)


def test_snmot116_det_has_no_ids_and_repeats(snmot116, tmp_path):
    det = read_mot(snmot116 / "det" / "det.txt")
    assert len(det) == 11460
    assert np.all(det.track_id == -1)
    out = tmp_path / "det.txt"
    write_mot(out, det, kind="det")
    assert out.read_bytes() == (snmot116 / "det" / "det.txt").read_bytes()


def test_sportsmot_comma_space_and_zero_ids():
    root = shared_path("sportsmot-gt", "sportsmot-val")
    files = sorted(root.glob("*/gt/gt.txt"))
    assert len(files) == 3
    for f in files:
        gt = read_mot(f)
        n_lines = sum(1 for line in f.read_text().splitlines() if line.strip())
        assert len(gt) == n_lines
        assert gt.track_id.min() == 0
        assert np.all(gt.cls == 1) and np.all(gt.vis == 1)
        assert format_mot(gt, kind="gt", sep=", ") == f.read_text().rstrip("\n") + "\n"


def test_mot17_mini_classes_visibility_and_float_frames():
    seq = shared_path("mot17-mini", "train", "MOT17-04-FRCNN")
    gt = read_mot(seq / "gt" / "gt.txt")
    assert len(gt) == 792 and gt.frames_range() == (1, 8)
    first = gt.select(np.arange(1))
    assert first.xywh.tolist() == [[1363, 569, 103, 241]]
    assert first.vis[0] == np.float32(0.86014) and first.cls[0] == 1 and first.conf[0] == 1
    # BoxMOT's copy writes every number as "1.000000": same table
    assert read_mot(seq / "gt" / "gt_temp.txt", kind="gt").equals(gt)
    det = read_mot(seq / "det" / "det.txt")  # 7 columns, decimals
    assert len(det) == 28406 and np.all(det.track_id == -1)
    assert det.xywh[0].tolist() == pytest.approx([1222, 31.4, 61, 118.8])


def test_tud_campus_tracker_output_is_results(metrics_reference):
    res = read_mot(metrics_reference / "TUD-Campus" / "test.txt")
    assert len(res) == 222
    assert res.xywh[0].tolist() == pytest.approx([113.84, 274.5, 57.307, 130.05])
    assert np.all(res.conf == -1)


def test_write_keeps_decimals_of_full_hd_coordinates(tmp_path):
    xywh = np.array([[1919.375, 1079.5, 0.25, 7.125],
                     [1234.5677, 3.1, 912.8, 1e-3],
                     [1, 2, 3, 4]], np.float32)
    t = MotTable.from_arrays([1, 1, 2], [0, 1, 0], xywh, conf=[1, 0.5, 0.123456],
                             cls=[1, 2, 3], vis=[0.86014, 1, 0])
    path = tmp_path / "gt.txt"
    write_mot(path, t, kind="gt")
    lines = path.read_text().splitlines()
    assert lines[0] == "1,0,1919.375,1079.5,0.25,7.125,1,1,0.86014"
    assert lines[1] == "1,1,1234.5677,3.1,912.8,0.001,0.5,2,1"
    assert lines[2] == "2,0,1,2,3,4,0.123456,3,0"
    assert read_mot(path).equals(t)


def test_random_float32_tables_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    n = 5000
    xywh = np.concatenate([rng.uniform(0, 1920, (n, 2)), rng.uniform(0.5, 400, (n, 2))], axis=1)
    t = MotTable.from_arrays(np.repeat(np.arange(1, 1001), 5), np.tile(np.arange(5), 1000),
                             xywh.astype(np.float32), conf=rng.random(n), vis=rng.random(n),
                             cls=rng.integers(0, 5, n))
    for kind, cols in (("gt", 9), ("gt", 10), ("results", 10), ("results", 7)):
        path = tmp_path / f"{kind}{cols}.txt"
        write_mot(path, t, kind=kind, columns=cols)
        back = read_mot(path, kind=kind)
        assert np.array_equal(back.xywh, t.xywh) and np.array_equal(back.conf, t.conf)
        if kind == "gt" and cols == 9:
            assert back.equals(t)
        elif kind == "gt":  # MOT15/16 10-column layout: cols 8-10 are world x/y/z
            assert (back.cls == -1).all()


@pytest.mark.parametrize("sep", [b",", b", ", b" ", b"\t", b"  "])
def test_separators_and_crlf(sep):
    rows = [[1, 0, 10.5, 20, 30, 40, 1, 1, 0.5], [2, 7, 11, 21, 31, 41, 0, 2, 1]]
    data = b"\r\n".join(sep.join(str(v).encode() for v in r) for r in rows) + b"\r\n"
    t, problems = parse_mot(data, kind="gt")
    assert problems == []
    assert t.frame.tolist() == [1, 2] and t.track_id.tolist() == [0, 7]
    assert t.xywh.tolist() == [[10.5, 20, 30, 40], [11, 21, 31, 41]]
    assert t.conf.tolist() == [1, 0] and t.cls.tolist() == [1, 2] and t.vis.tolist() == [0.5, 1]


def test_six_column_file_gets_defaults():
    t, _ = parse_mot(b"3,5,1,2,3,4\n", kind="gt")
    assert t.conf.tolist() == [1.0] and t.cls.tolist() == [-1] and t.vis.tolist() == [-1.0]


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \r\n"])
def test_empty_file_gives_empty_table(tmp_path, data):
    path = tmp_path / "gt.txt"
    path.write_bytes(data)
    t = read_mot(path)
    assert len(t) == 0 and t.xywh.shape == (0, 4) and t.frames_range() is None


def test_auto_kind_from_name_and_content():
    row = b"1,-1,1,2,3,4,0.9,-1,-1,-1\n1,-1,1,2,3,4,0.8,-1,-1,-1\n"
    t, _ = parse_mot(row, name="anything.txt")  # all ids -1: detections, repeats allowed
    assert len(t) == 2
    with pytest.raises(Exception, match="track id must be >= 0"):
        parse_mot(row, name="gt.txt")
    t, _ = parse_mot(b"1,3,1,2,3,4,1,2,0.5\n", name="seq_gt.txt")
    assert t.cls.tolist() == [2]  # gt: col 8 is the class
    t, _ = parse_mot(b"1,3,1,2,3,4,1,2,0.5\n", name="tracker.txt")
    assert t.cls.tolist() == [-1]  # results: cols 8-10 are world coordinates


def test_table_helpers():
    t = MotTable.from_arrays([3, 1, 3, 2], [2, 1, 1, 5], [[0, 0, 2, 2]] * 4, conf=0.5)
    assert t.conf.dtype == np.float32 and t.conf.tolist() == [0.5] * 4
    s = t.sorted()
    assert s.frame.tolist() == [1, 2, 3, 3] and s.track_id.tolist() == [1, 5, 1, 2]
    groups = t.by_frame()
    assert {k: v.tolist() for k, v in groups.items()} == {1: [1], 2: [3], 3: [0, 2]}
    assert t.xyxy.tolist()[0] == [0, 0, 2, 2]
    both = MotTable.concat([t, t.select(t.frame == 3)])
    assert len(both) == 6 and both.frames_range() == (1, 3)
    assert len(MotTable.concat([])) == 0
    with pytest.raises(ValueError, match="differ in length"):
        MotTable(frame=[1, 2], track_id=[1], xywh=np.zeros((2, 4)), conf=[1, 1], cls=[0, 0],
                 vis=[1, 1])


def test_write_refuses_rows_it_could_not_read_back(tmp_path):
    t = MotTable.from_arrays([1, 2], [1, 1], [[0, 0, 5, 5], [0, 0, -1, 5]])
    with pytest.raises(Exception, match="row 1"):
        write_mot(tmp_path / "gt.txt", t, kind="gt")
    assert not (tmp_path / "gt.txt").exists()


def test_mot15_ten_column_gt_with_world_coordinates(metrics_reference):
    """TUD-Stadtmitte's gt has real world x/y/z in columns 8-10: not a class column."""
    from sporttrack_gui.formats.mot import read_mot

    t = read_mot(metrics_reference / "TUD-Stadtmitte" / "gt.txt", kind="gt")
    assert len(t) > 0 and (t.cls == -1).all()
