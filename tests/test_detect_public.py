"""Public detections (det.txt / gt.txt) answered by frame number, without pixels."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.detect import create_detector
from sporttrack_gui.errors import InputError

DET = """\
1,-1,10,20,30,40,0.9,-1,-1,-1
1,-1,100,50,20,60,0.3,-1,-1,-1
3,-1,12,22,30,40,0.8,-1,-1,-1
"""
GT = """\
1,1,10,20,30,40,1,1,1.0
1,2,100,50,20,60,0,1,1.0
2,1,11,21,30,40,1,1,1.0
"""


def test_det_file_looked_up_by_frame_number(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text(DET)
    det = create_detector(f"det:{path}")
    assert det.needs_pixels is False and det.class_names == ("object",)
    out = det.detect([None, None, None], [3, 2, 1])
    assert [len(d) for d in out] == [1, 0, 2]
    np.testing.assert_allclose(out[0].xyxy, [[12, 22, 42, 62]])
    np.testing.assert_allclose(out[2].conf, [0.9, 0.3], rtol=1e-6)
    assert out[2].cls.tolist() == [0, 0]
    assert det.frame_range == (1, 3)


def test_det_min_conf_drops_weak_rows(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text(DET)
    det = create_detector(f"det:{path}", min_conf=0.5)
    assert len(det.detect([None], [1])[0]) == 1


def test_gt_file_drops_rows_not_to_consider(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text(GT)
    det = create_detector(f"gt:{path}")
    out = det.detect([None, None], [1, 2])
    assert [len(d) for d in out] == [1, 1]
    assert out[0].conf.tolist() == [1.0]


def test_bad_file_names_file_and_line(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text("1,-1,10,20,30,40,0.9,-1,-1,-1\n2,-1,abc,20,30,40,0.9,-1,-1,-1\n")
    with pytest.raises(InputError, match=r"det.txt.*line 2"):
        create_detector(f"det:{path}")
    with pytest.raises(InputError, match="not found"):
        create_detector(f"det:{tmp_path / 'missing.txt'}")


def test_mismatched_frames_and_numbers_rejected(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text(DET)
    with pytest.raises(ValueError, match="2 frames but 1"):
        create_detector(f"det:{path}").detect([None, None], [1])


def test_snmot_public_detections(snmot116):
    det = create_detector(f"det:{snmot116 / 'det' / 'det.txt'}")
    out = det.detect([None] * 3, [1, 375, 750])
    assert all(len(d) > 5 for d in out)
    assert det.frame_range == (1, 750)
