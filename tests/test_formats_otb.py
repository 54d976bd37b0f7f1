"""OTB groundtruth_rect.txt reading, validation and writing."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.otb import read_otb_groundtruth, write_otb_groundtruth


def test_bolt_ground_truth(bolt, tmp_path):
    src = bolt / "groundtruth_rect.txt"
    gt = read_otb_groundtruth(src)
    assert gt.shape == (350, 4) and gt.dtype == np.float32
    assert gt[0].tolist() == [336, 165, 26, 61]
    out = tmp_path / "groundtruth_rect.txt"
    write_otb_groundtruth(out, gt)
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("sep", [",", "\t", " ", "  ", ", "])
def test_separators(tmp_path, sep):
    path = tmp_path / "groundtruth_rect.txt"
    path.write_text(f"1{sep}2{sep}3{sep}4\n5.5{sep}6{sep}7{sep}8\n")
    assert read_otb_groundtruth(path).tolist() == [[1, 2, 3, 4], [5.5, 6, 7, 8]]


@pytest.mark.parametrize(("body", "message"), [
    ("1,2,3,4\n1,2,3\n", "line 2: expected 4 values"),
    ("1,2,3,4\n1,2,3,x\n", "line 2: height is not a number: 'x'"),
    ("1,2,3,4\n1,2,-3,4\n", "line 2: width must be > 0, got -3"),
    ("1,2,3,4\n1,nan,3,4\n", "line 2: y must be a finite number"),
    ("1,2,3,4\n1,2,3,x\n1,2\n", "line 2: height is not a number"),
])
def test_bad_lines(tmp_path, body, message):
    path = tmp_path / "groundtruth_rect.txt"
    path.write_text(body)
    with pytest.raises(InputError, match=message) as info:
        read_otb_groundtruth(path)
    assert info.value.path == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_otb_groundtruth(tmp_path / "none.txt")
