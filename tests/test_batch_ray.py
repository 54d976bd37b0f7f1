"""A season on a local Ray (2 CPUs): failures isolated, a killed worker resumed, re-runs skip.

The batch runs as a real ``sporttrack batch`` process; the test SIGKILLs the worker that
holds one match's project (its pid is in the project's lock file) while it is mid-run.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray", reason="the batch engine needs Ray (pip install 'sporttrack[batch]')")

from sporttrack_gui.batch.synthetic import write_synthetic_match  # noqa: E402
from sporttrack_gui.cli.main import main  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LONG = "long"


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(tmp / "home"), SPORTTRACK_HOME=str(tmp / "app"),
               PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]))
    (tmp / "home").mkdir(exist_ok=True)
    return env


def _batch(manifest: Path, out: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sporttrack_gui.cli.main", "batch", str(manifest), "--out-dir",
         str(out), "--jobs", "2", "--json"], env=env, cwd=str(manifest.parent),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _committed(db: Path) -> int:
    """Last committed frame of the match's tracker run, read like any other reader."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = con.execute("SELECT MAX(b.frame) FROM boxes b JOIN runs r ON r.id = b.run_id "
                              "WHERE r.name = 'bytetrack'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0)


def _rows(db: Path, upto: int) -> np.ndarray:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return np.array(con.execute(
            "SELECT b.frame, b.track, b.x, b.y, b.w, b.h FROM boxes b JOIN runs r ON "
            "r.id = b.run_id WHERE r.name = 'bytetrack' AND b.frame <= ? ORDER BY b.frame, "
            "b.track", (upto,)).fetchall())
    finally:
        con.close()


def _write_video(path: Path, frames: int) -> None:
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (64, 64))
    for i in range(frames):
        w.write(np.full((64, 64, 3), i * 5 % 255, np.uint8))
    w.release()


@pytest.mark.slow
def test_season_with_a_broken_match_and_a_killed_worker(tmp_path):
    data = tmp_path / "data"
    write_synthetic_match(data / LONG, frames=8000, players=12, seed=11)
    for i in range(4):
        write_synthetic_match(data / f"m{i}", frames=300, players=12, seed=i)
    video_det = write_synthetic_match(data / "clipdet", frames=30, players=3, seed=9)
    broken = data / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000))
    manifest = data / "season.csv"
    with manifest.open("w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["source", "name", "det"])
        wr.writerow([LONG, "", ""])  # first, so it starts at once
        for i in range(4):
            wr.writerow([f"m{i}", "", ""])
        wr.writerow(["broken.mp4", "clip", str(video_det / "det" / "det.txt")])
    out = tmp_path / "season"
    env = _env(tmp_path)

    proc = _batch(manifest, out, env)
    db = out / f"{LONG}.stp"
    killed_at = 0
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        if not killed_at and _committed(db) >= 1500:
            pid = int((db.with_name(db.name + ".lock")).read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.3)
            killed_at = _committed(db)
            before = _rows(db, killed_at)
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=60)
    assert killed_at, f"the long match was not caught mid-run; stderr: {stderr[-2000:]}"
    assert proc.returncode == 1, stderr[-2000:]  # one match failed
    result = json.loads(stdout)
    by_name = {m["name"]: m for m in result["matches"]}
    assert result["counts"] == {"complete": 5, "failed": 1}, result["counts"]
    assert "broken.mp4" in by_name["clip"]["message"]
    assert by_name[LONG]["resumed_after"] == killed_at  # resumed, not restarted
    assert by_name[LONG]["frames"] == 8000
    np.testing.assert_array_equal(_rows(db, killed_at), before)  # committed rows untouched
    assert not any((tmp_path / "home").iterdir()), "Ray or the app wrote into ~"

    # the broken file is replaced by a good one: the re-run skips the five complete matches
    broken.unlink()
    _write_video(broken, 30)
    proc = _batch(manifest, out, env)
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr[-2000:]
    again = json.loads(stdout)
    assert again["counts"] == {"skipped": 5, "complete": 1}, again["counts"]

    # the season table: every match, the combined evaluation over the five with gt
    assert main(["season", str(out), "--json", "--out", str(tmp_path / "report")]) == 0
    season = json.loads((tmp_path / "report" / "season.json").read_text())
    assert sorted(r["match"] for r in season["matches"]) == sorted([LONG, "clip", "m0", "m1",
                                                                    "m2", "m3"])
    assert all(r["status"] == "complete" for r in season["matches"])
    assert season["combined"]["matches"] == 5  # the clip has no gt
    assert 0.5 < season["combined"]["IDF1"] <= 1.0
    for name in ("season.csv", "season.parquet", "players.csv", "season.png"):
        assert (tmp_path / "report" / name).is_file()
