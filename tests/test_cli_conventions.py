"""CLI conventions: common options anywhere on the line, JSON errors, exit codes, progress
only on a terminal, the rotating log for CLI runs."""

from __future__ import annotations

import io
import json
import logging
import logging.handlers
from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.cli import common
from sporttrack_gui.cli.main import main

GOOD = ["1,1,100,200,50,120,1,1,1", "1,2,300,200,40,110,1,1,1", "2,1,101,201,50,120,1,1,1",
        "2,2,301,200,40,110,1,1,1"]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """Own app home; the handlers main() adds are removed afterwards."""
    monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / "home"))
    before = list(logging.getLogger().handlers)
    level = logging.getLogger().level
    yield tmp_path / "home"
    root = logging.getLogger()
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def _mot_folder(root: Path, frames: int = 30, tracks: int = 4) -> Path:
    folder = root / "SEQ-01"
    (folder / "gt").mkdir(parents=True)
    f = np.repeat(np.arange(1, frames + 1), tracks)
    t = np.tile(np.arange(1, tracks + 1), frames)
    rows = [f"{a},{b},{100 * b + a},{200},{40},{100},1,1,1" for a, b in zip(f, t, strict=True)]
    (folder / "gt" / "gt.txt").write_text("\n".join(rows) + "\n")
    (folder / "det").mkdir()
    det = [f"{a},-1,{100 * b + a},{200},{40},{100},0.9,-1,-1,-1" for a, b in zip(f, t, strict=True)]
    (folder / "det" / "det.txt").write_text("\n".join(det) + "\n")
    (folder / "seqinfo.ini").write_text(
        f"[Sequence]\nname=SEQ-01\nframeRate=25\nseqLength={frames}\nimWidth=1280\n"
        "imHeight=720\nimExt=.jpg\nimDir=img1\n")
    return folder


@pytest.fixture
def project(tmp_path, home, capsys) -> Path:
    proj = tmp_path / "p.stp"
    assert main(["import", str(proj), str(_mot_folder(tmp_path)), "--json"]) == 0
    capsys.readouterr()
    return proj


def test_split_common_options_anywhere_but_after_double_dash():
    found, rest = common.split_common_options(
        ["edit", "p.stp", "-v", "--run", "bt", "swap", "3", "5", "--json", "--", "--quiet"])
    assert (found.json, found.verbose, found.quiet) == (True, True, False)
    assert rest == ["edit", "p.stp", "--run", "bt", "swap", "3", "5", "--", "--quiet"]
    found, rest = common.split_common_options(["-vv", "-q", "info", "x"])
    assert found.verbose and found.quiet and rest == ["info", "x"]


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_json_flag_after_a_sub_sub_command(project, capsys, where):
    line = ["edit", str(project), "--run", "gt", "swap", "1", "2", "--from", "11"]
    pos = {"first": 0, "middle": 2, "last": len(line)}[where]
    line.insert(pos, "--json")
    assert main(line) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 40 and "swap" in data["changed"].lower()


def test_verbose_and_quiet_after_the_sub_command(project, capsys):
    assert main(["project", str(project), "-v", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["runs"][0]["boxes"] == 120
    assert "INFO sporttrack.cli: sporttrack" in err  # -v after the command reached logging
    assert main(["project", str(project), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_json_error_names_file_and_line(tmp_path, home, capsys):
    good = tmp_path / "good.txt"
    good.write_text("\n".join(GOOD) + "\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join(GOOD[:2] + ["2,1,101,2O1,50,120,1,1,1"] + GOOD[3:]) + "\n")
    assert main(["eval", "--gt", str(bad), "--pred", str(good), "--json"]) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)  # the only thing on stdout: one JSON object
    assert data["kind"] == "input" and data["exit_code"] == 2
    assert data["file"] == str(bad) and data["line"] == 3
    assert "not a number" in data["error"] and "2O1" in data["error"]
    # without --json: the plain message on stderr, nothing on stdout
    assert main(["eval", "--gt", str(bad), "--pred", str(good)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and "line 3" in err


def test_usage_errors_exit_2_with_their_own_kind(home, capsys):
    assert main(["edit", "p.stp", "--run", "gt", "swap", "1", "--json"]) == common.EXIT_USAGE
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "usage" and "required: b" in data["error"]
    assert data["exit_code"] == common.EXIT_USAGE == 2 and data["kind"] == "usage"
    assert main(["track", "--no-such-option"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: sporttrack track") and "required: source" in err
    assert main(["track", "x", "--no-such-option"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "  2    bad input" in out and "usage error" in out
    assert main(["edit", "--help"]) == 0
    assert "anywhere on the line" in capsys.readouterr().out


def test_internal_error_exit_code_and_crash_report(home, capsys, monkeypatch):
    from sporttrack_gui.cli import cmd_project

    def boom(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cmd_project, "run", boom)
    assert main(["project", "x.stp", "--json"]) == common.EXIT_INTERNAL == 3
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["kind"] == "internal" and "ZeroDivisionError" in err
    assert Path(data["report"]).parent == home / "logs" and Path(data["report"]).is_file()



def test_a_path_that_cannot_be_written_is_bad_input_not_a_bug(tmp_path, home, capsys):
    """An OSError on a path the user gave (here: a folder below a file) is exit 2 with the
    file named, as --help documents ("missing file"), not exit 3 with a crash report."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["demo", "--out", str(afile / "sub"), "--frames", "5", "--json"]) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["kind"] == "input" and data["exit_code"] == 2
    assert data["file"].startswith(str(afile)) and "Not a directory" in data["error"]
    assert "Traceback" not in err
    assert not (home / "logs").exists() or not list((home / "logs").glob("crash-*"))
    assert main(["demo", "--out", str(afile / "sub"), "--frames", "5"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {afile}")

class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_only_on_a_terminal():
    from types import SimpleNamespace

    p = SimpleNamespace(frame=5, done=5, total=10, fps=25.0, eta_s=0.2)
    assert common.progress_printer(False, io.StringIO()) is None  # a pipe / file
    assert common.progress_printer(True, _Tty()) is None  # --quiet
    tty = _Tty()
    show = common.progress_printer(False, tty)
    show(p)
    show(SimpleNamespace(frame=10, done=10, total=10, fps=25.0, eta_s=0.0))
    assert tty.getvalue().startswith("\rframe 5 (5/10)") and tty.getvalue().endswith("\n")


def test_run_prints_no_progress_to_a_pipe(tmp_path, home, capsys):
    folder = _mot_folder(tmp_path)
    out = tmp_path / "r.txt"
    assert main(["run", str(folder), "--detector", f"det:{folder / 'det' / 'det.txt'}",
                 "--tracker", "sort", "--out", str(out)]) == 0
    _, err = capsys.readouterr()
    assert "\r" not in err and out.is_file()


def test_cli_runs_write_the_rotating_log(project, home, capsys):
    assert main(["project", str(project), "--json"]) == 0
    log = home / "logs" / "sporttrack.log"
    for h in logging.getLogger().handlers:
        h.flush()
    text = log.read_text(encoding="utf-8")
    assert "sporttrack.cli: sporttrack" in text and f"project {project}" in text
    assert any(isinstance(h, logging.handlers.RotatingFileHandler)
               for h in logging.getLogger().handlers)


def test_file_handlers_do_not_pile_up_across_app_folders(tmp_path, monkeypatch, capsys):
    before = list(logging.getLogger().handlers)
    try:
        for i in range(3):
            monkeypatch.setenv("SPORTTRACK_HOME", str(tmp_path / f"home{i}"))
            assert main(["plugins", "--json"]) == 0
        files = [h for h in logging.getLogger().handlers
                 if isinstance(h, logging.handlers.RotatingFileHandler) and h not in before]
        assert [Path(h.baseFilename) for h in files] == [tmp_path / "home2" / "logs" / "sporttrack.log"]
        assert (tmp_path / "home0" / "logs" / "sporttrack.log").is_file()
    finally:
        root = logging.getLogger()
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()


def test_track_and_run_report_setup_apart_from_per_frame_times(tmp_path, home, capsys):
    folder = _mot_folder(tmp_path)
    assert main(["track", str(folder), "--tracker", "sort", "--out", str(tmp_path / "a.txt"),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["setup_s"] >= 0 and data["tracker_ms_per_frame"] > 0 and data["frames"] == 30
    assert main(["run", str(folder), "--detector", f"det:{folder / 'det' / 'det.txt'}",
                 "--tracker", "sort", "--out", str(tmp_path / "b.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["setup_s"] >= 0 and set(data["timings"]) >= {"track", "write"}


@pytest.mark.parametrize("words", [["project", "metrics"], ["project", "runs"], ["project", "relink"]])
def test_project_subcommands_answer_help(words, capsys):
    """``sporttrack project metrics --help`` shows the project usage (it was an
    "unrecognized arguments" error naming relink, exit 2)."""
    from sporttrack_gui.cli.main import main

    assert main([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert "sporttrack project metrics PROJECT" in out and "sporttrack project runs PROJECT" in out
