"""The bad-input catalogue of issue #21: one case per root cause and per promise of the
README ("errors on bad input name the file, line or frame and exit with code 2; the project
is left as it was").

Each case runs the CLI on a copy of a project holding real work (an imported MOT sequence,
a ByteTrack run, id edits) and asserts the message, the exit code and that every table is
unchanged (:func:`bad_input_util.project_checksum`). The CLI runs in-process through
``main(argv)``; a child process only where the effect is one of processes (locks, plugins
at import, closed stdout). Signal trials of the writers are in
``test_bad_input_signals.py``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest
from bad_input_util import (
    build_project,
    copy_project,
    project_checksum,
    run_child,
    write_mot_folder,
)

from sporttrack_gui.cli.main import main
from sporttrack_gui.formats.limits import MAX_FRAME


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def work(tmp_path_factory) -> tuple[Path, Path]:
    """(MOT folder, project with real work) built once; tests use copies."""
    root = tmp_path_factory.mktemp("work")
    folder = write_mot_folder(root / "SEQ-1")
    return folder, build_project(folder, root / "work.stp")


@pytest.fixture
def proj(work, tmp_path) -> Path:
    return copy_project(work[1], tmp_path / "p.stp")


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout, stderr of ``sporttrack ARGV`` run in this process."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refusing an option value
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, proj: Path, *argv: str, expect: str, code: int = 2) -> str:
    """Run, assert exit ``code``, that stderr holds ``expect`` (no traceback), and that
    the project is unchanged; returns stderr."""
    before = project_checksum(proj)
    got, _out, err = cli(capsys, *argv)
    assert got == code, (got, err)
    assert expect in err, err
    assert "Traceback" not in err
    assert project_checksum(proj) == before
    return err


# ----------------------------------------------------------- 1. damaged seqinfo.ini
@pytest.mark.parametrize("text, expect", [
    ("[Sequence]\nname=S\nimDir=img1\nframeRate=25\nseqLength=60\nimWidth=1280\n"
     "stray line\nimHeight=720\nimExt=.jpg\n", "seqinfo.ini line 7: expected key=value"),
    ("[Sequence]\nname=S\nimDir=img1\nframeRate=25\nimWidth=1280\nimHeight=720\nimExt=.jpg\n",
     "seqinfo.ini: missing key seqLength"),
    ("[Sequence]\nname=S\nimDir=img1\nframeRate=25\nseqLength=abc\nimWidth=1280\n"
     "imHeight=720\nimExt=.jpg\n", "seqinfo.ini line 5: seqLength must be a number"),
    ("", "seqinfo.ini: no [Sequence] section (the file is empty)"),
    ("[Sequence]\nname=S\nimDir=img1\nframeRate=25\nseqLength=3000000000\nimWidth=1280\n"
     "imHeight=720\nimExt=.jpg\n", f"seqinfo.ini line 5: seqLength must be at most {MAX_FRAME}"),
    ("[Sequence]\nname=S\nimDir=img1\nframeRate=25\nseqLength=1e300\nimWidth=1280\n"
     "imHeight=720\nimExt=.jpg\n", "seqLength must be at most"),
])
def test_damaged_seqinfo_is_reported_not_imported_as_images(capsys, proj, tmp_path, text, expect):
    folder = write_mot_folder(tmp_path / "SEQ-2", seqinfo=text)
    refused(capsys, proj, "import", proj, folder, expect=expect)
    # track and info name the same file too (one reader for all)
    assert "seqinfo.ini" in refused(capsys, proj, "track", folder, "--out", tmp_path / "r.txt",
                                    expect="seqinfo.ini")


def test_utf16_seqinfo_is_read(capsys, proj, tmp_path):
    text = ("[Sequence]\r\nname=S\r\nimDir=img1\r\nframeRate=25\r\nseqLength=60\r\n"
            "imWidth=1280\r\nimHeight=720\r\nimExt=.jpg\r\n")
    folder = write_mot_folder(tmp_path / "SEQ-U", seqinfo="")
    (folder / "seqinfo.ini").write_bytes(text.encode("utf-16"))
    code, out, err = cli(capsys, "import", proj, folder, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["frame_count"] == 60 and summary["runs"]["gt"]["boxes"] == 300


# ------------------------------------------------- README promise: bad gt/det lines
@pytest.mark.parametrize("line, expect", [
    ("7,3,10,10,-3,40,1,1,1\n", "gt.txt line 4: width must be > 0, got -3"),
    ("7,3,1e308,10,30,40,1,1,1\n", "gt.txt line 4: box coordinates must be within"),
    ("7,123456789012345678901,10,10,30,40,1,1,1\n", "gt.txt line 4: track id"),
    ("100000000,3,10,10,30,40,1,1,1\n", f"gt.txt line 4: frame must be <= {MAX_FRAME}"),
    ("7,3,10,10,30\n", "gt.txt line 4: expected 9 values"),
])
def test_bad_gt_line_named_by_file_and_line(capsys, proj, tmp_path, line, expect):
    folder = write_mot_folder(tmp_path / "SEQ-3")
    gt = folder / "gt" / "gt.txt"
    lines = gt.read_text().splitlines(keepends=True)
    gt.write_text("".join(lines[:3] + [line] + lines[3:]))
    refused(capsys, proj, "import", proj, folder, expect=expect)


def test_det_line_at_frame_1e8_does_not_make_track_loop(capsys, proj, tmp_path):
    folder = write_mot_folder(tmp_path / "SEQ-4", det_lines="1,-1,10,10,30,60,0.9,-1,-1,-1\n"
                              "100000000,-1,10,10,30,60,0.9,-1,-1,-1\n")
    (folder / "seqinfo.ini").unlink()
    refused(capsys, proj, "track", folder, "--project", proj,
            expect=f"det.txt line 2: frame must be <= {MAX_FRAME}")


# ------------------------------------------------- 4. export never overwrites silently
def test_mot_export_refuses_existing_gt_without_overwrite(capsys, proj, tmp_path):
    out = tmp_path / "out"
    (out / "gt").mkdir(parents=True)
    (out / "gt" / "gt.txt").write_text("someone's annotations\n")
    refused(capsys, proj, "export", proj, "--run", "gt", "--format", "mot", "--out", out,
            expect="gt.txt already exists")
    assert (out / "gt" / "gt.txt").read_text() == "someone's annotations\n"
    code, _, err = cli(capsys, "export", proj, "--run", "gt", "--format", "mot", "--out", out,
                       "--overwrite")
    assert code == 0, err
    assert (out / "gt" / "gt.txt").read_text().startswith("1,")


# ----------------------------------------------- 5. the lock is keyed by the real file
@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_second_writer_through_a_link_is_refused(proj, tmp_path, link):
    from sporttrack_gui.project import Project

    alias = tmp_path / f"alias-{link}.stp"
    (os.symlink if link == "symlink" else os.link)(proj, alias)
    with Project.open(proj) as holder:  # this process is the live first writer
        seq = holder.sequences()[0]["id"]
        live = holder.create_run(seq, "live", kind="manual")
        before = project_checksum(proj)
        res = run_child(["edit", str(alias), "--run", "gt", "merge", "1", "2"])
        assert res.returncode == 2, res.stderr
        assert "open for writing by another process" in res.stderr
        assert f"pid {os.getpid()}" in res.stderr
        assert project_checksum(proj) == before
        assert holder.run(live)["status"] == "running"  # not retired by the second writer


# ----------------------------------------------- 6. gui: one project per full path
def test_media_project_keyed_by_full_path_and_failed_import_leaves_nothing(tmp_path):
    from sporttrack_gui.errors import SportTrackError
    from sporttrack_gui.project.importer import ensure_media_project
    from sporttrack_gui.project.naming import media_project_path

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "clip.mp4", tmp_path / "b" / "clip.mp4"
    a.write_bytes(b"not a video")
    b.write_bytes(b"not a video")
    home = tmp_path / "projects"
    pa, pb = media_project_path(home, a), media_project_path(home, b)
    assert pa != pb and pa.name.startswith("clip-")
    with pytest.raises(SportTrackError):
        ensure_media_project(pa, a)
    assert not pa.exists() and not Path(f"{pa}.lock").exists()  # retried next time
    folder = write_mot_folder(tmp_path / "SEQ-6")
    pf = media_project_path(home, folder)
    assert ensure_media_project(pf, folder) == pf and ensure_media_project(pf, folder) == pf
    from sporttrack_gui.project import Project

    with Project.open(pf, readonly=True) as p:
        assert len(p.sequences()) == 1


def test_headless_gui_says_why(capsys, proj, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    if sys.platform.startswith("linux"):
        refused(capsys, proj, "gui", proj, expect="no display")
    bad = tmp_path / "bad.stp"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    code, _, err = cli(capsys, "gui", bad, "--screenshot", tmp_path / "s.png")
    assert code == 2 and "bad.stp" in err and "not a SportTrack project" in err, err


# -------------------------------------------------------------- 7. guarded plugins
def test_plugins_cannot_break_the_cli(tmp_path, proj):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "loop.py").write_text("print('noise')\nwhile True:\n    pass\n")
    (plugins / "exiter.py").write_text("import sys\nsys.exit(3)\n")
    (plugins / "printer.py").write_text("print('hello from a plugin')\n")
    (plugins / "hijack.py").write_text(
        "from sporttrack_gui.track.base import TrackerSpec, register_tracker\n"
        "register_tracker(TrackerSpec('bytetrack', lambda **k: None))\n")
    env = {"SPORTTRACK_PLUGIN_PATH": str(plugins), "SPORTTRACK_PLUGIN_TIMEOUT": "2"}
    res = run_child(["--version"], env=env, timeout=60)
    assert res.returncode == 0 and res.stdout.startswith("sporttrack ")
    res = run_child(["plugins", "--json"], env=env, timeout=60)
    report = {p["name"]: p for p in json.loads(res.stdout)["plugins"]}  # stdout stays JSON
    assert "within 2 s" in report["loop"]["error"]
    assert "SystemExit: 3" in report["exiter"]["error"]
    assert "replace the built-in tracker 'bytetrack'" in report["hijack"]["error"]
    assert report["printer"]["ok"]
    folder = proj.parent / "SEQ-7"
    write_mot_folder(folder)
    res = run_child(["track", str(folder), "--out", str(tmp_path / "r.txt"), "--json"], env=env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["boxes"] > 0  # the built-in ByteTrack ran


# ------------------------------------------- 9. read-only media, full disk, locks
def test_readonly_medium_lists_and_exports_writers_refused(capsys, proj, tmp_path):
    # SQLite cannot create the -shm file (as on a read-only medium): readers still work
    Path(f"{proj}-shm").mkdir()
    code, out, err = cli(capsys, "project", proj, "--json")
    assert code == 0, err
    assert {r["name"] for r in json.loads(out)["runs"]} >= {"gt", "det", "bt"}
    code, _, err = cli(capsys, "export", proj, "--run", "gt", "--out", tmp_path / "o")
    assert code == 0, err
    Path(f"{proj}-shm").rmdir()
    Path(f"{proj}.lock").mkdir()  # the lock file cannot be created
    refused(capsys, proj, "edit", proj, "--run", "gt", "merge", "1", "2",
            expect="cannot create the lock file")


def test_full_disk_is_one_clear_line(capsys, proj, tmp_path, monkeypatch):
    import sporttrack_gui.formats.mot as mot

    def full(path, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(mot, "atomic_write_text", full)
    err = refused(capsys, proj, "export", proj, "--run", "gt", "--out", tmp_path / "o",
                  expect="No space left on device (the disk is full")
    assert "gt.txt" in err
    code, out, _ = cli(capsys, "export", proj, "--run", "gt", "--out", tmp_path / "o2", "--json")
    assert code == 2 and "No space left" in json.loads(out)["error"]


# ------------------------------------------------- 10. killed runs are shown as such
def test_killed_run_shows_incomplete_and_export_warns(capsys, caplog, proj, tmp_path):
    con = sqlite3.connect(proj)
    con.execute("UPDATE runs SET status = 'running', owner = 'dead' WHERE name = 'bt'")
    con.commit()
    con.close()
    code, out, _ = cli(capsys, "project", proj, "--json")
    assert {r["name"]: r["status"] for r in json.loads(out)["runs"]}["bt"] == "incomplete"
    code, _, err = cli(capsys, "export", proj, "--run", "bt", "--out", tmp_path / "o")
    assert code == 0 and "warning: run 'bt' was stopped before its end" in err
    code, _, err = cli(capsys, "eval", "--gt", f"{proj}:gt", "--pred", f"{proj}:bt")
    assert code == 0 and "run 'bt' was stopped before its end" in caplog.text


# ----------------------------------------- 11. a tracker returning NaN, or raising
class _BadTracker:
    needs_pixels = False

    def __init__(self, mode: str = "nan", **_):
        self.mode, self.n = mode, 0

    def reset(self) -> None:
        self.n = 0

    def update(self, dets, frame):
        from sporttrack_gui.core.boxes import Tracks

        self.n += 1
        if self.n >= 30 and self.mode == "raise":
            raise ZeroDivisionError("division by zero")
        xyxy = dets.xyxy.copy()
        if self.n >= 30:
            xyxy[:, 2] = np.nan
        ids = np.arange(1, len(xyxy) + 1)
        return Tracks(xyxy, ids, dets.conf, np.zeros(len(xyxy), np.int64))


@pytest.mark.parametrize("mode, expect", [
    ("nan", "returned 5 invalid box(es) at frame 30"),
    ("raise", "failed at frame 30: ZeroDivisionError"),
])
def test_faulty_tracker_stops_the_run_naming_the_frame(capsys, proj, tmp_path, mode, expect):
    from sporttrack_gui.project import Project
    from sporttrack_gui.track.base import TrackerSpec, register_tracker

    name = f"faulty-{mode}"
    register_tracker(TrackerSpec(name, lambda m=mode, **kw: _BadTracker(m)))
    folder = write_mot_folder(tmp_path / "SEQ-11")
    out = tmp_path / "r.txt"
    code, _, err = cli(capsys, "track", folder, "--tracker", name, "--project", proj,
                       "--out", out)
    assert code == 2 and expect in err, err
    assert not out.exists()  # no results file that looks complete
    with Project.open(proj, readonly=True) as p:
        run = [r for r in p.runs() if r["name"].startswith(name)][0]
        assert run["status"] == "incomplete" and expect in run["metrics"]["error"]
        assert p.run_stats(run["id"])["last_frame"] == 29


def test_printing_tracker_keeps_json_output_clean(capsys, proj, tmp_path):
    from sporttrack_gui.track.base import TrackerSpec, register_tracker
    from sporttrack_gui.track.sort import SortTracker

    class Chatty(SortTracker):
        def update(self, dets, frame):
            print("chatty tracker says hi")
            return super().update(dets, frame)

    register_tracker(TrackerSpec("chatty", lambda **kw: Chatty()))
    folder = write_mot_folder(tmp_path / "SEQ-12")
    code, out, err = cli(capsys, "track", folder, "--tracker", "chatty", "--out",
                         tmp_path / "r.txt", "--json")
    assert code == 0 and json.loads(out)["boxes"] == 300  # stdout is one JSON object
    assert "chatty tracker says hi" in err


# ------------------------------------------------------ 12. damaged database pages
def test_damaged_pages_are_reported_and_writers_refuse(capsys, proj):
    data = bytearray(proj.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    for i in range(2 * page, len(data) - page, page * 3):  # garble some interior pages
        data[i + 100:i + 600] = os.urandom(500)
    proj.write_bytes(bytes(data))
    raw = proj.read_bytes()
    code, _, err = cli(capsys, "edit", proj, "--run", "gt", "merge", "1", "2")
    assert code == 2 and "Traceback" not in err and "damaged" in err, err
    code, _, err = cli(capsys, "track", proj.parent / "nowhere", "--project", proj)
    assert code == 2
    for argv in (["project", proj], ["export", proj, "--run", "gt", "--out", proj.parent / "o"]):
        code, _, err = cli(capsys, *argv)
        assert code in (0, 2) and "Traceback" not in err, err
        if code == 2:
            assert "p.stp" in err
    assert proj.read_bytes() == raw  # nothing written into the damaged file


# ------------------------------------------ 13. big files stream (same as whole reads)
def test_streamed_read_equals_whole_read_and_names_lines(tmp_path, monkeypatch):
    import sporttrack_gui.formats.mot as mot

    rows = [f"{f},{t},1,2,3,4,1,1,1\n" for f in range(1, 3001) for t in range(1, 11)]
    path = tmp_path / "gt.txt"
    path.write_text("".join(rows))
    whole = mot.read_mot(path, kind="gt")
    monkeypatch.setattr(mot, "STREAM_BYTES", 0)
    monkeypatch.setattr(mot, "_CHUNK", 1000)
    streamed = mot.read_mot(path, kind="gt")
    for a, b in ((whole.frame, streamed.frame), (whole.track_id, streamed.track_id),
                 (whole.xywh, streamed.xywh), (whole.vis, streamed.vis)):
        assert np.array_equal(a, b)
    rows[20000] = "5,3,1,2,3,4,1,1,1\n"  # repeats line 43, in another chunk
    rows[25000] = "7,3,1,2,-3,4,1,1,1\n"
    path.write_text("".join(rows))
    with pytest.raises(mot.InputError, match="line 20001: duplicate box for frame 5, id 3"):
        mot.read_mot(path, kind="gt")
    table, problems = mot.read_mot_lenient(path, kind="gt")
    assert len(table) == 29998 and [p.line for p in problems] == [20001, 25001]


# -------------------------------------------------------------- 14. smaller ones
def test_fifo_named_stp_is_refused_without_blocking(capsys, tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.stp"
    os.mkfifo(fifo)
    for argv in (["project", fifo], ["edit", fifo, "--run", "gt", "undo"]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and "not a regular file" in err


def test_unusable_app_folder_does_not_kill_version(tmp_path):
    res = run_child(["--version"], env={"SPORTTRACK_HOME": "/dev/null/nowhere"}, timeout=60)
    assert res.returncode == 0 and res.stdout.startswith("sporttrack ")


def test_merge_with_unknown_id_is_refused(capsys, proj):
    refused(capsys, proj, "edit", proj, "--run", "gt", "merge", "99999", "3",
            expect="run 'gt' has no track 99999")


@pytest.mark.parametrize("argv, expect", [
    (["edit", "{p}", "--run", "gt", "swap", "1", "2", "--from", "-5"], "frame must be 1.."),
    (["edit", "{p}", "--run", "gt", "split", "1", "--at", "0"], "frame must be 1.."),
    (["edit", "{p}", "--run", "gt", "merge", "1", "99999999999999999999"], "track id must be"),
    (["run", "x.mp4", "--detector", "det:x.txt", "--conf", "5", "--out", "r.txt"],
     "must be <= 1, got 5"),
    (["demo", "--out", "d", "--players", "100000"], "must be <= 50"),
    (["gui", "{p}", "--frame", "-1"], "frame must be 1.."),
])
def test_out_of_range_options_are_refused(capsys, proj, argv, expect):
    argv = [a.replace("{p}", str(proj)) for a in argv]
    refused(capsys, proj, *argv, expect=expect)


def test_nan_tracker_parameter_is_refused(capsys, proj, work):
    from sporttrack_gui.track import tracker_specs

    default = tracker_specs()["bytetrack"].defaults["track_high_thresh"]
    refused(capsys, proj, "track", work[0], "--project", proj, "--tracker", "bytetrack",
            "--param", "track_high_thresh=nan",
            expect=f"must be float like the default {default} (a finite number)")


def test_newer_and_foreign_files_get_honest_messages(capsys, tmp_path, proj):
    newer = copy_project(proj, tmp_path / "newer.stp")
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    for argv in (["project", newer], ["edit", newer, "--run", "gt", "undo"]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and "newer than this SportTrack" in err and "upgrade" not in err
    foreign = tmp_path / "other.stp"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for argv in (["project", foreign], ["edit", foreign, "--run", "gt", "undo"]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and "another program" in err


def test_closed_or_full_stdout_is_no_traceback(work):
    with open(os.devnull, "w") as null:  # sanity: a writable stdout works
        assert run_child(["project", str(work[1])], stdout=null).returncode == 0
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            res = run_child(["project", str(work[1])], stdout=full)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert "No space left on device" in res.stderr
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); "
         "from sporttrack_gui.cli.main import main; sys.exit(main(['project', sys.argv[1]]))",
         str(work[1])], env=env, capture_output=False, stderr=subprocess.PIPE, text=True,
        timeout=120)
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 2)


def test_json_errors_are_one_object(capsys, proj, tmp_path):
    code, out, _ = cli(capsys, "import", proj, tmp_path / "missing", "--json")
    assert code == 2
    data = json.loads(out)
    assert "no such file or folder" in data["error"] and data["file"].endswith("missing")


def test_unwritable_output_folder_is_one_line(capsys, proj, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    err = refused(capsys, proj, "export", proj, "--run", "gt", "--out", blocker / "sub",
                  expect="file")
    assert err.startswith("error: ")
    shutil.rmtree(tmp_path / "o", ignore_errors=True)
