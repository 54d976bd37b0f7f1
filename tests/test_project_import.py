"""Import/export: SNMOT-116 round trip, all-or-nothing imports, CLI import/export/edit."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.cli.main import main
from sporttrack_gui.errors import InputError, ProjectError
from sporttrack_gui.formats.mot import MotTable, SeqInfo, read_mot, write_mot, write_seqinfo
from sporttrack_gui.project import Project
from sporttrack_gui.project.exporter import export_mot
from sporttrack_gui.project.importer import import_source


def _dump(path: Path) -> list:
    con = sqlite3.connect(path)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("sequences", "runs", "boxes", "tracks", "edit_ops")]
    finally:
        con.close()


def _sorted(t: MotTable) -> MotTable:
    order = np.lexsort((t.track_id, t.frame))
    return t.select(order)


def _mot_folder(root: Path, name: str = "SEQ-01", frames: int = 40, tracks: int = 6,
                det: bool = True) -> Path:
    """A gt/det-only MOT folder (no images): enough for the project side of imports."""
    folder = root / name
    (folder / "gt").mkdir(parents=True)
    f = np.repeat(np.arange(1, frames + 1), tracks)
    t = np.tile(np.arange(1, tracks + 1), frames)
    xywh = np.c_[f * 3.5 + t * 40, t * 25.0, np.full(len(f), 30.0), np.full(len(f), 70.25)]
    gt = MotTable.from_arrays(f, t, xywh, np.ones(len(f)), np.ones(len(f)), np.full(len(f), 0.75))
    write_mot(folder / "gt" / "gt.txt", gt, kind="gt")
    if det:
        (folder / "det").mkdir()
        d = MotTable.from_arrays(f, np.full(len(f), -1), xywh + 1, np.full(len(f), 0.9))
        write_mot(folder / "det" / "det.txt", d, kind="det")
    write_seqinfo(folder / "seqinfo.ini", SeqInfo(name=name, frame_rate=25, seq_length=frames,
                                                  width=1280, height=720))
    return folder


def test_snmot116_round_trip(snmot116, tmp_path):
    path = tmp_path / "sn.stp"
    with Project.open(path, create=True) as p:
        s = import_source(p, snmot116)
        assert (s.sequence, s.kind, s.frame_count, s.frames_on_disk) == ("SNMOT-116", "mot", 750, 150)
        assert (s.width, s.height, s.fps) == (1920, 1080, 25.0)
        assert s.runs["gt"][1] == 11460 and s.named_tracks == 27
        gt_run = s.runs["gt"][0]
        assert p.run(gt_run)["status"] == "complete"
        assert p.track_meta(gt_run)[4]["class"] == "referee"
        out = export_mot(p, gt_run, tmp_path / "out")
    original = read_mot(snmot116 / "gt" / "gt.txt", kind="gt")
    exported = read_mot(out["file"], kind="gt")
    assert len(exported) == 11460 and exported.frames_range() == (1, 750)
    assert _sorted(exported).equals(_sorted(original))
    ini = (tmp_path / "out" / "seqinfo.ini").read_text()
    assert "seqLength=750" in ini and "imWidth=1920" in ini


def test_gt_only_folder_and_explicit_files(tmp_path):
    folder = _mot_folder(tmp_path)
    with Project.open(tmp_path / "p.stp", create=True) as p:
        s = import_source(p, folder)
        assert set(s.runs) == {"gt", "det"} and s.runs["det"][1] == 240
        assert s.frame_count == 40 and s.frames_on_disk == 0
        det = p.boxes(s.runs["det"][0])
        assert (det.track_id == -1).all()
        sub = read_mot(folder / "gt" / "gt.txt", kind="gt")
        write_mot(tmp_path / "gt2.txt", sub.select(sub.frame <= 10), kind="gt")
        s2 = import_source(p, folder, gt=tmp_path / "gt2.txt", name="again")
        assert s2.runs["gt"][1] == 60 and s2.runs["det"][1] == 240
        with pytest.raises(InputError, match="boxes reach frame 99"):
            far = MotTable.from_arrays([99], [1], [[1, 1, 5, 5]])
            write_mot(tmp_path / "far.txt", far, kind="gt")
            import_source(p, folder, gt=tmp_path / "far.txt", name="far")


def test_garbled_gt_leaves_project_unchanged(tmp_path):
    path = tmp_path / "p.stp"
    good = _mot_folder(tmp_path / "a", "GOOD")
    bad = _mot_folder(tmp_path / "b", "BAD")
    lines = (bad / "gt" / "gt.txt").read_text().splitlines()
    lines[150] = "77,3,12.5,oops,30,70"
    (bad / "gt" / "gt.txt").write_text("\n".join(lines[:200]) + "\n12,4,1,")
    with Project.open(path, create=True) as p:
        import_source(p, good)
        before = _dump(path)
        with pytest.raises(InputError, match=r"gt\.txt line 151"):
            import_source(p, bad)
        assert _dump(path) == before
        with pytest.raises(ProjectError, match="already in the project"):
            import_source(p, good)
        assert _dump(path) == before


def test_failure_mid_import_rolls_everything_back(tmp_path, monkeypatch):
    path = tmp_path / "p.stp"
    folder = _mot_folder(tmp_path)
    calls = {"n": 0}
    real = Project.append_boxes

    def failing(self, run, data):
        calls["n"] += 1
        if calls["n"] == 2:  # gt already written, det half-way
            raise OSError("disk full (injected)")
        return real(self, run, data)

    with Project.open(path, create=True) as p:
        p.add_sequence("existing", "/x")
        before = _dump(path)
        monkeypatch.setattr(Project, "append_boxes", failing)
        with pytest.raises(OSError, match="injected"):
            import_source(p, folder)
        assert calls["n"] == 2
        assert _dump(path) == before
        monkeypatch.setattr(Project, "append_boxes", real)
        import_source(p, folder)  # and the same import then succeeds
        assert len(p.runs()) == 2


def test_cli_import_project_edit_export_reimport(tmp_path, capsys):
    folder = _mot_folder(tmp_path, frames=30, tracks=4, det=False)
    proj = tmp_path / "cli.stp"
    assert main(["import", str(proj), str(folder), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["runs"]["gt"]["boxes"] == 120
    assert main(["project", str(proj), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing["runs"][0]["boxes"] == 120 and listing["runs"][0]["tracks"] == 4
    with Project.open(proj, readonly=True) as p:
        orig = p.boxes(p.run_id("gt"))
    assert main(["edit", str(proj), "--run", "gt", "swap", "1", "2", "--from", "11"]) == 0
    assert re.search(r"rows +40\n", capsys.readouterr().out)
    assert main(["edit", str(proj), "--run", "gt", "merge", "1", "3"]) == 2  # conflict
    assert "frame(s) 1, 2, 3" in capsys.readouterr().err
    assert main(["export", str(proj), "--run", "gt", "--format", "mot",
                 "--out", str(tmp_path / "exp")]) == 0
    exported = read_mot(tmp_path / "exp" / "gt" / "gt.txt", kind="gt")
    expected = orig.track_id.copy()
    late = orig.frame >= 11
    expected[late & (orig.track_id == 1)] = 2
    expected[late & (orig.track_id == 2)] = 1
    want = _sorted(MotTable.from_arrays(orig.frame, expected, orig.xywh, orig.conf, orig.cls,
                                        orig.vis))
    assert _sorted(exported).equals(want)
    # the exported folder re-imports to the same boxes
    with Project.open(tmp_path / "re.stp", create=True) as p:
        s = import_source(p, tmp_path / "exp", name="re")
        assert _sorted(p.boxes(s.runs["gt"][0])).equals(want)
    assert main(["edit", str(proj), "--run", "gt", "undo"]) == 0
    with Project.open(proj, readonly=True) as p:
        assert _sorted(p.boxes(p.run_id("gt"))).equals(_sorted(orig))
    assert main(["edit", str(proj), "--run", "gt", "undo"]) == 1  # nothing left


def test_cli_errors_are_clean(tmp_path, capsys):
    notes = tmp_path / "notes.stp"
    notes.write_text("not a project")
    assert main(["project", str(notes)]) == 2
    assert "notes.stp is not a SportTrack project" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "n.stp"), str(tmp_path / "missing")]) == 2
    assert "missing" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_export_yolo_uses_frames_on_disk(snmot116, tmp_path, capsys):
    proj = tmp_path / "y.stp"
    assert main(["import", str(proj), str(snmot116)]) == 0
    capsys.readouterr()
    out = tmp_path / "yolo"
    assert main(["export", str(proj), "--run", "gt", "--format", "yolo", "--out", str(out),
                 "--classes", "player,goalkeeper,referee,ball", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sum(result["images"].values()) == 150  # img1/ holds frames 1-150 of 750
    assert any("600 annotated frames have no image" in n for n in result["notes"])
    gt = read_mot(snmot116 / "gt" / "gt.txt", kind="gt")
    on_disk = int((gt.frame <= 150).sum())
    written = sum(result["boxes"].values())
    assert written + result["dropped_invalid"] + result["skipped_class"] == on_disk
    labels = list(out.glob("labels/*/*.txt"))
    assert len(labels) == 150
    classes = {int(line.split()[0]) for p in labels for line in p.read_text().splitlines()}
    assert classes <= {0, 1, 2, 3} and {0, 2} <= classes
    assert "names" in (out / "data.yaml").read_text()
