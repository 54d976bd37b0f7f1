"""Manifests and globs become match jobs; bad ones are refused naming the file and line;
the local engine runs a small season and the season table is rebuilt from the files."""

from __future__ import annotations

import json

import pytest

from sporttrack_gui.batch import BatchSettings, collect_season, load_jobs, run_batch
from sporttrack_gui.batch.synthetic import write_synthetic_match
from sporttrack_gui.cli.main import main
from sporttrack_gui.errors import InputError


def test_manifest_paths_are_relative_to_it_and_sidecars_found(tmp_path):
    write_synthetic_match(tmp_path / "data" / "a", frames=20, players=2)
    (tmp_path / "calib.json").write_text("{}")
    m = tmp_path / "season.csv"
    m.write_text("source,name,calib\ndata/a,Arsenal v Liverpool,calib.json\n\n")
    (job,) = load_jobs(m)
    assert job.name == "Arsenal_v_Liverpool"
    assert job.source == str(tmp_path / "data" / "a")
    assert job.det.endswith("a/det/det.txt") and job.gt.endswith("a/gt/gt.txt")
    assert job.calib == str(tmp_path / "calib.json")


@pytest.mark.parametrize("text, line, needle", [
    ("", 1, "empty manifest"),
    ("video,name\nx.mp4,a\n", 1, "include 'source'"),
    ("source,name\nx.mp4,a,extra\n", 2, "3 fields"),
    ("source,name\n,a\n", 2, "empty 'source'"),
    ("source,gt\nx.mp4,missing.txt\n", 2, "gt file not found"),
    # a field beyond the csv module's limit is a message, not a csv.Error traceback
    ('source,name\na.mp4,a\n"' + "x" * 200_000 + '",b\n', 3, "field larger"),
    # a quoted field over two lines: the line numbers still follow the file
    ('source,name\n"a\nb.mp4",a\nc.mp4,a,extra\n', 4, "3 fields"),
])
def test_bad_manifests_name_the_line(tmp_path, text, line, needle):
    m = tmp_path / "m.csv"
    m.write_text(text)
    with pytest.raises(InputError, match=needle) as exc:
        load_jobs(m)
    assert exc.value.line == line and exc.value.path == str(m)


def test_quoted_newline_is_kept_in_the_field(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text('source,name\n"two\nlines.mp4",a\n')
    (job,) = load_jobs(m)
    assert job.source == str(tmp_path / "two\nlines.mp4")


def test_two_sources_with_one_name_are_refused(tmp_path):
    for d in ("x/clip", "y/clip"):
        write_synthetic_match(tmp_path / d, frames=5, players=1)
    with pytest.raises(InputError, match="share the project clip.stp"):
        load_jobs(str(tmp_path / "*" / "clip"))


def test_glob_without_match_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no source matches"):
        load_jobs(str(tmp_path / "*.mp4"))


def test_local_engine_and_season_table(tmp_path, capsys):
    for i in range(3):
        write_synthetic_match(tmp_path / "data" / f"m{i}", frames=120, players=6, seed=i)
    (tmp_path / "data" / "notes.txt").write_text("not a match")
    out = tmp_path / "out"
    code = main(["batch", str(tmp_path / "data" / "*"), "--out-dir", str(out), "--engine",
                 "local", "--json"])
    assert code == 1  # notes.txt has no detections: one clear failure, the others done
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"complete": 3, "failed": 1}
    failed = [m for m in result["matches"] if m["status"] == "failed"]
    assert "notes.txt" in failed[0]["message"] and "no detector" in failed[0]["message"]
    assert not (out / "notes.stp").exists()  # a failed import leaves no empty project
    season = collect_season(out)
    rows = {r["match"]: r for r in season.matches}
    assert rows["notes"]["status"] == "failed" and rows["m0"]["status"] == "complete"
    assert rows["m0"]["frames"] == 120 and rows["m0"]["IDF1"] > 0.5
    assert season.combined["matches"] == 3
    # summed counts, not a mean of the three IDF1s
    fields = season.combined["fields"]
    assert season.combined["IDF1"] == pytest.approx(
        2 * fields["idtp"] / (2 * fields["idtp"] + fields["idfp"] + fields["idfn"]))


def test_engine_options_are_checked(tmp_path):
    settings = BatchSettings(out_dir=str(tmp_path))
    with pytest.raises(Exception, match="--jobs must be >= 1"):
        run_batch([], settings, workers=0)
    with pytest.raises(Exception, match="unknown engine"):
        run_batch([], settings, engine="spark")
    assert main(["batch", str(tmp_path / "*.none"), "--out-dir", str(tmp_path)]) == 2


@pytest.mark.parametrize("record", ["[1, 2]", '{"matches": [1]}', '{"matches": 3}',
                                    '{"settings": [], "matches": []}'])
def test_a_damaged_batch_record_is_named_not_a_traceback(tmp_path, record):
    (tmp_path / "batch.json").write_text(record)
    with pytest.raises(InputError, match="batch record") as exc:
        collect_season(tmp_path)
    assert exc.value.path == str(tmp_path / "batch.json")


def test_a_failed_record_without_a_name_is_skipped(tmp_path):
    (tmp_path / "batch.json").write_text('{"matches": [{"status": "failed"}]}')
    assert collect_season(tmp_path).matches == []


def test_jobs_name_absolute_paths_whatever_the_working_folder(tmp_path, monkeypatch):
    """Tasks run in Ray workers (on a cluster: other machines, other working folders), so
    a manifest or glob given relative to this shell's folder must yield absolute paths."""
    write_synthetic_match(tmp_path / "data" / "a", frames=5, players=1)
    (tmp_path / "season.csv").write_text("source\ndata/a\n")
    monkeypatch.chdir(tmp_path)
    for spec in ("season.csv", "data/*"):
        (job,) = load_jobs(spec)
        assert job.source == str(tmp_path / "data" / "a")
        assert job.det == str(tmp_path / "data" / "a" / "det" / "det.txt")


def test_a_token_made_by_a_concurrent_batch_is_used_not_a_traceback(tmp_path, monkeypatch):
    """Two batches started at once: the second finds the token file created between its
    check and its O_EXCL create; it must use that file, not raise FileExistsError."""
    import os
    import pathlib

    from sporttrack_gui.batch import engine

    for var in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN_PATH"):
        monkeypatch.setenv(var, "x")  # restored (to unset) after the test
        monkeypatch.delenv(var)
    (tmp_path / "auth_token").write_text("made by the other batch")
    monkeypatch.setattr(pathlib.Path, "is_file", lambda self: False)  # lost the race
    engine._local_token(tmp_path)
    assert os.environ["RAY_AUTH_TOKEN_PATH"] == str(tmp_path / "auth_token")
    assert (tmp_path / "auth_token").read_text() == "made by the other batch"
