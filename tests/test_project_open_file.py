"""The open project file: ``boxes_shown`` equals the MOT export after identity edits,
the v3 -> v4 migration, media paths relative to the project (moved projects), relink
from the CLI, and export ``--out`` naming a file or a folder."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sporttrack_gui.cli.main import main
from sporttrack_gui.errors import MediaError, ProjectError
from sporttrack_gui.formats.mot import read_mot
from sporttrack_gui.project import Project, edits, history, schema
from sporttrack_gui.project.exporter import export_mot, export_yolo
from sporttrack_gui.project.importer import import_source

N_FRAMES, N_TRACKS = 10, 4
SHOWN_SQL = ("SELECT frame, track, x, y, w, h, conf, cls, vis FROM boxes_shown "
             "WHERE run_id = ? ORDER BY frame, track")

track = st.integers(1, N_TRACKS + 2)
frame = st.integers(1, N_FRAMES)
ops = st.lists(st.one_of(
    st.tuples(st.just("swap"), track, track, frame),
    st.tuples(st.just("reassign"), track, track, frame),
    st.tuples(st.just("merge"), track, track),
    st.tuples(st.just("split"), track, frame),
    st.tuples(st.just("delete"), track, frame, frame),
    st.tuples(st.just("delete_box"), st.integers(0, 10_000)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
), max_size=12)


def _grid(p: Project) -> int:
    run = p.create_run(p.add_sequence("s", "/nowhere/s", width=640, height=480, fps=25.0,
                                      frame_count=N_FRAMES), "trk", status="complete")
    f, t = np.nonzero(np.ones((N_FRAMES, N_TRACKS), bool))
    f, t = f + 1, t + 1
    p.append_boxes(run, {"frame": f, "track_id": t,
                         "xywh": np.c_[f * 10.0 + t, t * 7.0, 5 + t, 9.0 + f],
                         "conf": np.full(len(f), 1.0), "cls": t % 2, "vis": np.full(len(f), 0.5)})
    return run


def _apply(p: Project, run: int, op: tuple) -> None:
    kind = op[0]
    try:
        if kind == "swap":
            edits.swap_tracks(p, run, op[1], op[2], op[3])
        elif kind == "reassign":
            edits.reassign_track(p, run, op[1], op[2], op[3])
        elif kind == "merge":
            edits.merge_tracks(p, run, op[1], op[2])
        elif kind == "split":
            edits.split_track(p, run, op[1], op[2])
        elif kind == "delete":
            edits.delete_track(p, run, op[1], min(op[2:]), max(op[2:]))
        elif kind == "delete_box":
            ids = p.conn.execute(
                "SELECT box_id FROM boxes_shown WHERE run_id = ? ORDER BY box_id", (run,)
            ).fetchall()
            if ids:
                edits.delete_box(p, ids[op[1] % len(ids)][0])
        elif kind == "undo":
            history.undo(p, run)
        else:
            history.redo(p, run)
    except ProjectError:  # refused edits (conflicts, nothing to change) leave no trace
        pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_boxes_shown_equals_the_mot_export_after_identity_edits(sequence):
    with tempfile.TemporaryDirectory() as tmp:
        with Project.open(Path(tmp) / "p.stp", create=True) as p:
            run = _grid(p)
            for op in sequence:
                _apply(p, run, op)
            export_mot(p, run, Path(tmp) / "gt.txt")
            rows = p.conn.execute(SHOWN_SQL, (run,)).fetchall()
        # a fresh plain sqlite3 connection: what any outside tool sees
        with sqlite3.connect(Path(tmp) / "p.stp") as con:
            assert con.execute(SHOWN_SQL, (run,)).fetchall() == rows
        exported = read_mot(Path(tmp) / "gt.txt", kind="gt")
    want = [(int(f), int(t), *map(float, b), float(c), int(k), float(v)) for f, t, b, c, k, v in
            zip(exported.frame, exported.track_id, exported.xywh, exported.conf, exported.cls,
                exported.vis, strict=True)]
    # a tracker run's rows are written as MOT gt: class <= 0 -> 1, consider flag 1 (#17)
    shown = [(*r[:6], 1.0, r[7] if r[7] > 0 else 1, r[8]) for r in rows]
    assert shown == want


def test_boxes_shown_keeps_detections_and_reads_with_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    with Project.open(tmp_path / "p.stp", create=True) as p:
        run = _grid(p)
        p.append_boxes(run, {"frame": [2, 2], "track_id": [-1, -1],
                             "xywh": [[500.0, 1, 2, 3], [600.0, 1, 2, 3]]})
        edits.swap_tracks(p, run, 1, 2, 4)
        table = p.boxes(run)
    with sqlite3.connect(tmp_path / "p.stp") as con:  # the one-liner of PROJECT_FORMAT.md
        df = pd.read_sql("SELECT * FROM boxes_shown WHERE run_id = 1", con)
    assert len(df) == len(table) == N_FRAMES * N_TRACKS + 2
    got = sorted(zip(df.frame, df.track, df.x, strict=True))
    assert got == sorted(zip(table.frame.tolist(), table.track_id.tolist(),
                             table.xywh[:, 0].tolist(), strict=True))


def _v3_project(tmp_path):
    """(path, autocommit connection) of an empty schema-v3 project in tmp_path/proj."""
    path = tmp_path / "proj" / "v3.stp"
    path.parent.mkdir()
    con = sqlite3.connect(path, isolation_level=None)
    for step in schema.MIGRATIONS[:3]:
        step(con)
    return path, con


def test_v3_project_migrates_paths_and_gets_the_view(tmp_path, monkeypatch):
    media = tmp_path / "data" / "clip"
    (media / "img1").mkdir(parents=True)
    path, con = _v3_project(tmp_path)
    # pre-v4: the path as typed in the working folder of the import (here tmp_path)
    con.execute("INSERT INTO sequences (id, name, source, kind, meta) VALUES "
                "(1, 's', 'data/clip', 'mot', ?)", (f'{{"img_dir": "{media / "img1"}"}}',))
    con.close()
    monkeypatch.chdir(tmp_path)
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST == 4
        raw = p.conn.execute("SELECT source, source_abs, meta FROM sequences").fetchone()
        seq = p.sequence(1)
    assert raw[0] == "../data/clip" and raw[1] == str(media) and '"img1"' in raw[2]
    assert seq["source"] == str(media) and seq["source_found"]
    assert seq["meta"]["img_dir"] == str(media / "img1")


def test_a_sequence_without_media_stays_without_media(tmp_path, monkeypatch):
    """``sporttrack run --detector det:det.txt --project P`` (no source) stores source "":
    it must not become the project's folder (which the viewer would open as images and
    which would hide that there is no media), neither when added nor when migrated."""
    from sporttrack_gui.project._media import missing_message

    monkeypatch.chdir(tmp_path)
    path, con = _v3_project(tmp_path)
    con.execute("INSERT INTO sequences (id, name, source, kind, meta) VALUES "
                "(1, 'old', '', 'video', '{}')")
    con.close()
    with Project.open(path) as p:
        p.add_sequence("new", "", kind="video")
        stored = p.conn.execute("SELECT source FROM sequences ORDER BY id").fetchall()
        seqs = p.sequences()
    assert stored == [("",), ("",)]
    for seq in seqs:
        assert seq["source"] == "" and not seq["source_found"]
        assert "has no media" in missing_message({**seq, "tried": seq["source_tried"]})


@pytest.fixture
def match_folder(tmp_path):
    """A project folder holding match.stp and its media (a small synthetic MOT folder)."""
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    root = tmp_path / "work"
    m = render_match(root / "media" / "match", MatchConfig(n_frames=6, seed=3, width=320,
                                                           height=192), write_video=False)
    with Project.open(root / "match.stp", create=True) as p:
        import_source(p, m.img_dir)
    return root


def test_project_moved_with_its_media_opens_and_exports(tmp_path, match_folder, monkeypatch):
    with Project.open(match_folder / "match.stp", readonly=True) as p:
        assert p.conn.execute("SELECT source FROM sequences").fetchone()[0] == "media/match"
    moved = tmp_path / "elsewhere" / "copy"
    shutil.move(str(match_folder), str(moved))
    monkeypatch.chdir(tmp_path)  # another working folder than the import's
    with Project.open(moved / "match.stp") as p:
        seq = p.sequences()[0]
        assert seq["source_found"] and seq["source"] == str(moved / "media" / "match")
        run = p.run_id("gt")
        result = export_yolo(p, [run], tmp_path / "yolo")
    assert sum(result["images"].values()) == 6
    assert main(["export", str(moved / "match.stp"), "--run", "gt", "--out",
                 str(tmp_path / "seq")]) == 0
    assert (tmp_path / "seq" / "gt" / "gt.txt").is_file()


def test_missing_media_is_named_and_relinked_from_the_cli(tmp_path, match_folder, capsys):
    project = match_folder / "match.stp"
    new_home = tmp_path / "archive" / "match"
    shutil.move(str(match_folder / "media" / "match"), str(new_home))
    missing = "media of sequence 'match' not found: .*media/match.*project relink"
    with Project.open(project, readonly=True) as p, pytest.raises(MediaError, match=missing):
        export_yolo(p, [p.run_id("gt")], tmp_path / "yolo")
    assert main(["project", str(project)]) == 0
    assert "MISSING" in capsys.readouterr().out
    before = sqlite3.connect(project).execute("SELECT * FROM sequences").fetchall()
    assert main(["project", "relink", str(project), "--sequence", "match",
                 str(tmp_path / "nope")]) == 2
    assert "nope: no such file or folder" in capsys.readouterr().err
    assert sqlite3.connect(project).execute("SELECT * FROM sequences").fetchall() == before
    assert main(["project", "relink", str(project), "--sequence", "match", str(new_home),
                 "--json"]) == 0
    capsys.readouterr()
    with Project.open(project, readonly=True) as p:
        seq = p.sequences()[0]
        assert seq["source_found"] and seq["source"] == str(new_home)
        assert p.conn.execute("SELECT source FROM sequences").fetchone()[0] == \
            os.path.relpath(new_home, match_folder)
        result = export_yolo(p, [p.run_id("gt")], tmp_path / "yolo")
    assert sum(result["images"].values()) == 6


def test_export_out_names_a_file_or_a_folder(tmp_path, match_folder, capsys):
    project = str(match_folder / "match.stp")
    assert main(["export", project, "--run", "gt", "--out", str(tmp_path / "gt.txt")]) == 0
    assert (tmp_path / "gt.txt").is_file()  # a file, not a folder named gt.txt
    assert len(read_mot(tmp_path / "gt.txt")) > 0
    assert main(["export", project, "--run", "gt", "--format", "cvat", "--out",
                 str(tmp_path / "t.xml")]) == 0
    assert main(["export", project, "--run", "gt", "--format", "coco", "--option", "video=1",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / "t.xml").is_file() and (tmp_path / "annotations.json").is_file()
    assert main(["export", project, "--run", "gt", "--format", "yolo", "--option",
                 "track_ids=true", "--out", str(tmp_path / "y")]) == 0
    labels = next((tmp_path / "y" / "labels").rglob("*.txt")).read_text().splitlines()
    assert labels and all(len(line.split()) == 6 for line in labels)
    assert main(["export", project, "--run", "gt", "--format", "coco", "--option", "nope=1",
                 "--out", str(tmp_path / "x.json")]) == 2
    assert "no option 'nope'" in capsys.readouterr().err
    assert main(["export", project, "--run", "gt", "--format", "pdf", "--out", "x"]) == 2
    assert "cannot export format 'pdf'" in capsys.readouterr().err


def test_a_plugin_registers_a_format_for_the_cli(tmp_path, match_folder, monkeypatch):
    from sporttrack_gui import plugins

    (tmp_path / "plug").mkdir()
    (tmp_path / "plug" / "csv_format.py").write_text(
        "from sporttrack_gui.formats.registry import FormatSpec, register_format\n"
        "def _export(project, runs, out, options):\n"
        "    t = project.boxes(runs[0])\n"
        "    out.write_text('\\n'.join(f'{f},{i}' for f, i in zip(t.frame, t.track_id)))\n"
        "    return {'file': str(out), 'boxes': len(t)}\n"
        "register_format(FormatSpec('csvids', 'frame,id lines', ('.csv',), 'file', None, "
        "_export))\n")
    monkeypatch.setenv("SPORTTRACK_PLUGIN_PATH", str(tmp_path / "plug"))
    records = {r.name: r for r in plugins.load_plugins(force=True)}
    assert records["csv_format"].ok and records["csv_format"].registered == ["format:csvids"]
    assert main(["export", str(match_folder / "match.stp"), "--run", "gt", "--format",
                 "csvids", "--out", str(tmp_path / "ids.csv")]) == 0
    assert (tmp_path / "ids.csv").read_text().startswith("1,")


def test_bad_cvat_import_exits_2_and_leaves_the_project_unchanged(tmp_path, match_folder,
                                                                   capsys):
    project = match_folder / "match.stp"
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<annotations><version>1.1</version>\n'
                   '<track id="1" label="p">\n<box frame="0" xtl="1" ytl="1" xbr="x" ybr="5"/>'
                   "</track></annotations>")
    before = sqlite3.connect(project).execute("SELECT COUNT(*) FROM boxes").fetchone()
    assert main(["import", str(project), str(match_folder / "media" / "match"), "--gt",
                 str(bad), "--format", "cvat", "--name", "again"]) == 2
    assert f"{bad} line 4: <box> xbr='x' is not a number" in capsys.readouterr().err
    con = sqlite3.connect(project)
    assert con.execute("SELECT COUNT(*) FROM boxes").fetchone() == before
    assert con.execute("SELECT name FROM sequences").fetchall() == [("match",)]
