"""Bad MOT input: every problem is an InputError naming the file and the line."""

from __future__ import annotations

import pytest

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.mot import read_mot, read_mot_lenient

GOOD = ["1,1,100,200,50,120,1,1,1", "1,2,300,200,40,110,1,1,0.5", "2,1,101,201,50,120,1,1,1"]


def _file(tmp_path, bad_line: str, at: int = 2, name: str = "gt.txt"):
    lines = GOOD[:at] + [bad_line] + GOOD[at:]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("bad", "message"), [
    ("2,2,300,200,40", "expected 9 values like the rest of the file, got 5 (truncated line?)"),
    ("2,2,300,2O0,40,110,1,1,1", "y is not a number: '2O0'"),
    ("2,2,300,200,4-0,110,1,1,1", "width is not a number: '4-0'"),
    ("2,2,300,200,nan,110,1,1,1", "width must be a finite number, got nan"),
    ("2,2,inf,200,40,110,1,1,1", "x must be a finite number, got inf"),
    ("2,2,300,200,-3,110,1,1,1", "width must be > 0, got -3"),
    ("2,2,300,200,40,0,1,1,1", "height must be > 0, got 0"),
    ("1,2,301,200,40,110,1,1,1", "duplicate box for frame 1, id 2 (first given on line 2)"),
    ("2.5,2,300,200,40,110,1,1,1", "frame must be a whole number, got 2.5"),
    ("0,2,300,200,40,110,1,1,1", "frame must be >= 1, got 0"),
    ("2,2.5,300,200,40,110,1,1,1", "track id must be a whole number, got 2.5"),
    ("2,-1,300,200,40,110,1,1,1", "track id must be >= 0 in a gt file"),
    ("2,2,300,200,40,110,1,1.5,1", "class must be a whole number, got 1.5"),
    ("2,2,300,200,40,110,1,1,1,1,1", "expected 9 values like the rest of the file, got 11"),
])
def test_bad_line_is_named(tmp_path, bad, message):
    path = _file(tmp_path, bad)
    with pytest.raises(InputError) as info:
        read_mot(path)
    err = info.value
    assert err.path == str(path) and err.line == 3
    assert str(err).startswith(f"{path} line 3: ")
    assert message in str(err)


def test_first_problem_wins_and_blank_lines_count(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text("1,1,1,1,5,5\n\n1,2,1,1,5,-1\n1,3,x,1,5,5\n")
    with pytest.raises(InputError, match=r"gt\.txt line 3: height must be > 0, got -1"):
        read_mot(path)


def test_det_file_may_repeat_ids(tmp_path):
    path = tmp_path / "det.txt"
    path.write_text("1,-1,1,1,5,5,0.9\n1,-1,1,1,5,5,0.8\n")
    assert len(read_mot(path)) == 2


def test_unreadable_and_wrong_kind(tmp_path):
    with pytest.raises(InputError, match="cannot read MOT file"):
        read_mot(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="kind must be"):
        read_mot(_file(tmp_path, GOOD[0]), kind="tracks")  # type: ignore[arg-type]


def test_binary_garbage_is_reported_not_crashing(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_bytes(b"1,1,1,1,5,5\n\x00\xff\xfe,1,1,1,5,5\n")
    with pytest.raises(InputError, match="line 2: frame is not a number"):
        read_mot(path)


def test_lenient_keeps_good_rows_and_lists_problems(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text("\n".join([
        "1,1,100,200,50,120,1,1,1",
        "1,2,300,200,-40,110,1,1,1",  # negative width
        "1,1,100,200,50,120,1,1,1",  # duplicate of line 1
        "2,1,abc,200,50,120,1,1,1",  # garbled
        "2,2,300,200",  # truncated
        "2,3,300,200,40,110,1,1,nan",  # NaN visibility
        "3,1,102,202,50,120,1,1,1",
    ]) + "\n")
    table, problems = read_mot_lenient(path)
    assert table.frame.tolist() == [1, 3] and table.track_id.tolist() == [1, 1]
    assert [p.line for p in problems] == [2, 3, 4, 5, 6]
    assert all(p.path == str(path) for p in problems)
    assert "width must be > 0, got -40" in str(problems[0])
    assert "duplicate box for frame 1, id 1" in str(problems[1])
    assert "'abc'" in str(problems[2])
    assert "truncated" in str(problems[3])
    assert "visibility must be a finite number" in str(problems[4])
    # strict=False on read_mot returns the same table (problems go to the log)
    assert read_mot(path, strict=False).equals(table)


def test_lenient_on_large_mostly_good_file(tmp_path):
    n = 50_000
    rows = [f"{i // 10 + 1},{i % 10},{i % 1900},5,20,40,1,1,1" for i in range(n)]
    rows[12_345] = "1235,5,10,5,20"  # truncated
    rows[40_000] = "4001,0,10,5,-20,40,1,1,1"
    path = tmp_path / "gt.txt"
    path.write_text("\n".join(rows) + "\n")
    table, problems = read_mot_lenient(path)
    assert len(table) == n - 2
    assert [p.line for p in problems] == [12_346, 40_001]
    keys = set(zip(table.frame.tolist(), table.track_id.tolist(), strict=True))
    assert (1235, 5) not in keys and (4001, 0) not in keys and (1235, 4) in keys
