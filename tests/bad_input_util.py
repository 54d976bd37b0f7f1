"""Helpers of the bad-input catalogue: a project holding real work, a checksum of every
table, and a way to run the CLI in-process or as a child process.

Why a checksum of every table and not a file hash: SQLite may rewrite pages (WAL
checkpoints, ``PRAGMA`` reads) without changing content; what must not change after a
refused command is every row of every table, and the file must still pass
``PRAGMA integrity_check``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project_checksum(path: str | Path) -> str:
    """Hash of every table's rows in a stable order, plus ``PRAGMA integrity_check``."""
    uri = Path(os.path.abspath(path)).as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        check = conn.execute("PRAGMA integrity_check").fetchall()
        digest.update(repr(check).encode())
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            ncol = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
            order = ", ".join(str(i) for i in range(1, ncol + 1))
            digest.update(table.encode())
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'):
                digest.update(repr(row).encode())
        return f"{check[0][0]}:{digest.hexdigest()}"
    finally:
        conn.close()


def write_mot_folder(root: Path, frames: int = 60, ids: int = 5, *, seqinfo: str | None = None,
                     det_lines: str | None = None) -> Path:
    """A small MOTChallenge folder (gt, det, seqinfo, no images): players walking right."""
    (root / "gt").mkdir(parents=True, exist_ok=True)
    (root / "det").mkdir(parents=True, exist_ok=True)
    gt, det = [], []
    for f in range(1, frames + 1):
        for i in range(1, ids + 1):
            x, y = 40.0 * i + 2.0 * f, 100.0 + 60.0 * i
            gt.append(f"{f},{i},{x:.1f},{y:.1f},30,60,1,1,1\n")
            det.append(f"{f},-1,{x + 0.5:.1f},{y - 0.5:.1f},30,60,0.9,-1,-1,-1\n")
    (root / "gt" / "gt.txt").write_text("".join(gt))
    (root / "det" / "det.txt").write_text(det_lines if det_lines is not None else "".join(det))
    (root / "seqinfo.ini").write_text(seqinfo if seqinfo is not None else (
        f"[Sequence]\nname={root.name}\nimDir=img1\nframeRate=25\nseqLength={frames}\n"
        "imWidth=1280\nimHeight=720\nimExt=.jpg\n"))
    return root


def build_project(folder: Path, project: Path) -> Path:
    """Import ``folder``, track its detections into the project, then a few id edits on
    the tracker run: a project holding real work."""
    from sporttrack_gui.cli.main import main

    assert main(["import", str(project), str(folder)]) == 0
    assert main(["track", str(folder), "--tracker", "bytetrack", "--project", str(project),
                 "--run-name", "bt"]) == 0
    for op in (["swap", "1", "2", "--from", "20"], ["split", "3", "--at", "30"],
               ["label", "4", "--label", "keeper", "--team", "A"]):
        assert main(["edit", str(project), "--run", "gt", *op]) == 0, op
    return project


def copy_project(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst


def run_child(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 120,
              **kw) -> subprocess.CompletedProcess:
    """``python -m sporttrack_gui.cli.main ARGS`` in a child process (for process-level
    effects: signals, locks held by another process, stdout closed, plugins at import)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
                **(env or {})}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run([sys.executable, "-m", "sporttrack_gui.cli.main", *args],
                          env=full_env, timeout=timeout, text=True, **{**pipes, **kw})
