"""Project file basics: create/open, refusal of foreign or newer files, box I/O, runs."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from sporttrack_gui.errors import InputError, ProjectError
from sporttrack_gui.project import Project
from sporttrack_gui.project.schema import LATEST


def _boxes(frames: int, tracks: int, offset: float = 0.0) -> dict:
    f = np.repeat(np.arange(1, frames + 1), tracks)
    t = np.tile(np.arange(1, tracks + 1), frames)
    xywh = np.c_[f * 2.0 + offset, t * 3.0, np.full(len(f), 10.0), np.full(len(f), 20.5)]
    return {"frame": f, "track_id": t, "xywh": xywh, "conf": np.full(len(f), 0.5)}


def _dump(path) -> list:
    con = sqlite3.connect(path)
    try:
        return [con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("sequences", "runs", "boxes", "tracks", "edit_ops")]
    finally:
        con.close()


@pytest.fixture
def project(tmp_path):
    with Project.open(tmp_path / "p.stp", create=True) as p:
        yield p


def test_create_reopen_and_schema(tmp_path):
    path = tmp_path / "m.stp"
    with Project.open(path, create=True) as p:
        seq = p.add_sequence("match", "/videos/m.mp4", width=1280, height=720, fps=25.0,
                             frame_count=100, meta={"k": 1})
        run = p.create_run(seq, "bytetrack-1", kind="tracker", params={"thresh": 0.6})
        assert p.append_boxes(run, _boxes(4, 3)) == 12
        p.set_run_status(run, "complete")
        p.set_run_metrics(run, {"IDF1": 0.9})
    with Project.open(path) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        [r] = p.runs()
        assert (r["name"], r["kind"], r["status"]) == ("bytetrack-1", "tracker", "complete")
        assert r["params"] == {"thresh": 0.6} and r["metrics"] == {"IDF1": 0.9}
        assert p.sequences()[0]["meta"] == {"k": 1}
        assert p.run_id("bytetrack-1") == r["id"]
        t = p.boxes(r["id"])
        assert len(t) == 12 and t.xywh.dtype == np.float32 and t.track_id.dtype == np.int64
        np.testing.assert_array_equal(t.frame, np.repeat(np.arange(1, 5), 3))
        np.testing.assert_allclose(t.conf, 0.5)


def test_box_queries(project):
    seq = project.add_sequence("s", "/s")
    run = project.create_run(seq, "r")
    project.append_boxes(run, _boxes(50, 5))
    det = project.create_run(seq, "det", kind="det")
    project.append_boxes(det, {"frame": [3, 3, 3], "track_id": [-1, -1, -1],
                               "xywh": np.ones((3, 4))})
    t = project.boxes(run, track=2, frame_range=(10, 20))
    np.testing.assert_array_equal(t.frame, np.arange(10, 21))
    assert (t.track_id == 2).all()
    assert len(project.boxes(run, frame=7)) == 5
    fb = project.frame_boxes(run, 7)
    assert sorted(fb["track"].tolist()) == [1, 2, 3, 4, 5] and fb["xywh"].shape == (5, 4)
    assert len(project.frame_boxes(det, 3)["id"]) == 3
    assert len(project.frame_boxes(det, 4)["id"]) == 0
    spans = project.track_spans(run)
    assert spans["first"].tolist() == [1] * 5 and spans["count"].tolist() == [50] * 5
    assert project.run_stats(run) == {"boxes": 250, "tracks": 5, "first_frame": 1,
                                      "last_frame": 50}


def test_copy_and_delete_run(project):
    seq = project.add_sequence("s", "/s")
    run = project.create_run(seq, "trk")
    project.append_boxes(run, _boxes(10, 2))
    project.set_track_meta(run, 1, label="Messi", team="home")
    copy = project.copy_run(run, "trk-fixed")
    assert project.boxes(copy).equals(project.boxes(run))
    assert project.track_meta(copy)[1]["label"] == "Messi"
    assert project.run(copy)["status"] == "complete"
    project.delete_run(run)
    assert [r["name"] for r in project.runs()] == ["trk-fixed"]
    assert project.conn.execute("SELECT COUNT(*) FROM boxes").fetchone()[0] == 20
    with pytest.raises(ProjectError, match="already has a run"):
        project.copy_run(copy, "trk-fixed")


@pytest.mark.parametrize("bad, match", [
    ({"xywh": [[0, 0, -3, 5]]}, "width must be > 0, got -3"),
    ({"xywh": [[np.nan, 0, 3, 5]]}, "non-finite"),
    ({"frame": [0]}, "1-based"),
    ({"frame": [2, 2], "track_id": [4, 4], "xywh": np.ones((2, 4))}, "duplicate box for frame 2, track 4"),
])
def test_bad_boxes_refused_and_nothing_written(tmp_path, bad, match):
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "r")
        p.append_boxes(run, _boxes(3, 2))
        before = _dump(path)
        data = {"frame": [1], "track_id": [9], "xywh": [[0, 0, 1, 1]], **bad}
        with pytest.raises(InputError, match=match):
            p.append_boxes(run, data)
        assert _dump(path) == before


def test_clash_with_existing_box_is_atomic(tmp_path):
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        run = p.create_run(p.add_sequence("s", "/s"), "r")
        p.append_boxes(run, _boxes(3, 2))
        before = _dump(path)
        with pytest.raises(ProjectError, match="frame 2, track 1"):
            p.append_boxes(run, {"frame": [9, 2], "track_id": [1, 1], "xywh": np.ones((2, 4))})
        assert _dump(path) == before


def test_not_sqlite_file_untouched(tmp_path):
    path = tmp_path / "notes.stp"
    payload = b"these are my notes, not a project\n" * 50
    path.write_bytes(payload)
    for kwargs in ({}, {"create": True}, {"readonly": True}):
        with pytest.raises(ProjectError, match="notes.stp"):
            Project.open(path, **kwargs)
    assert path.read_bytes() == payload
    assert not path.with_name("notes.stp-wal").exists()


def test_foreign_sqlite_database_untouched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (t TEXT)")
    con.execute("INSERT INTO notes VALUES ('keep me')")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="other.db is an SQLite file of another program"):
        Project.open(path)
    assert path.read_bytes() == before


def test_garbled_sqlite_file_refused(tmp_path):
    path = tmp_path / "broken.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "/s")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the magic, wreck the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="broken.stp"):
        Project.open(path)


def test_newer_version_refused(tmp_path):
    path = tmp_path / "future.stp"
    with Project.open(path, create=True):
        pass
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.commit()
    con.close()
    with pytest.raises(ProjectError, match="newer than this SportTrack"):
        Project.open(path)


def test_missing_file_and_readonly(tmp_path):
    with pytest.raises(ProjectError, match="no such project"):
        Project.open(tmp_path / "nope.stp")
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        p.add_sequence("s", "/s")
    with Project.open(path, readonly=True) as ro:
        assert ro.sequences()[0]["name"] == "s"
        with pytest.raises(ProjectError, match="read-only"):
            ro.add_sequence("t", "/t")


def test_reader_thread_while_writer_appends(tmp_path):
    """The GUI thread reads (own Project) while a worker commits batches."""
    path = tmp_path / "p.stp"
    main = Project.open(path, create=True)
    run = main.create_run(main.add_sequence("s", "/s"), "r")
    seen: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Project.open(path) as w:
                for k in range(20):
                    b = _boxes(5, 4)
                    b["frame"] = b["frame"] + 5 * k
                    w.append_boxes(run, b)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    th = threading.Thread(target=worker)
    th.start()
    while th.is_alive():
        seen.append(len(main.boxes(run)))
    th.join()
    assert not errors
    assert all(n % 20 == 0 for n in seen)  # readers only ever see whole batches
    assert len(main.boxes(run)) == 400
    main.close()
