"""Versioned schema of the project file: an ordered list of migration functions.

Why a list and ``PRAGMA user_version``: a project written by this release must keep
opening in every later one. Migration *i* brings a file from version *i* to *i + 1*;
a file newer than ``LATEST`` was written by a newer SportTrack and is refused rather
than guessed at. Migrations are frozen once released: add a new one, never edit one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

_V1 = """
CREATE TABLE sequences (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('video', 'images', 'mot')),
    width       INTEGER,
    height      INTEGER,
    fps         REAL,
    frame_count INTEGER,
    meta        TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    sequence_id INTEGER NOT NULL REFERENCES sequences(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('gt', 'det', 'tracker', 'manual', 'sot')),
    status      TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'complete', 'incomplete')),
    params      TEXT NOT NULL DEFAULT '{}',
    metrics     TEXT NOT NULL DEFAULT '{}',
    owner       TEXT,
    created     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (sequence_id, name)
);
-- AUTOINCREMENT: ids of deleted boxes sit in the undo stash and must never be reused.
CREATE TABLE boxes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    frame  INTEGER NOT NULL,
    track  INTEGER NOT NULL,
    x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
    conf REAL NOT NULL DEFAULT 1, cls INTEGER NOT NULL DEFAULT -1, vis REAL NOT NULL DEFAULT -1
);
-- Track-major: uniqueness of (run, frame, track) for real ids (detections repeat -1),
-- "track 7 from frame N on" as one range, and an id edit rewrites one
-- contiguous stretch of it. Rows with track <= -2 are parked by an undoable delete.
-- The CASE column is 0 for real ids and NULL otherwise; NULLs never collide, so
-- uniqueness binds only tracks >= 0 while the planner can use the index for any query.
CREATE UNIQUE INDEX boxes_run_track_frame
    ON boxes (run_id, track, frame, (CASE WHEN track >= 0 THEN 0 END));
-- The viewer's per-frame index has no track column, so id edits never touch it.
CREATE INDEX boxes_run_frame ON boxes (run_id, frame);
CREATE TABLE tracks (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    track  INTEGER NOT NULL,
    label  TEXT, class TEXT, team TEXT, colour TEXT, note TEXT,
    PRIMARY KEY (run_id, track)
) WITHOUT ROWID;
-- Edit log: one row per user operation; forward/inverse are JSON op records.
CREATE TABLE edit_ops (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    forward TEXT NOT NULL,
    inverse TEXT NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('done', 'undone')),
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX edit_ops_run ON edit_ops (run_id, state, id);
-- Rows whose id an op changed (old -> new track): the inverse flips the columns.
CREATE TABLE edit_retrack (
    op_id INTEGER NOT NULL REFERENCES edit_ops(id) ON DELETE CASCADE,
    part  INTEGER NOT NULL,
    box_id INTEGER NOT NULL,
    frame INTEGER NOT NULL,
    old_track INTEGER NOT NULL,
    new_track INTEGER NOT NULL
);
CREATE INDEX edit_retrack_op ON edit_retrack (op_id, part);
-- Whole boxes an op removed or added: moved in/out of ``boxes`` by INSERT...SELECT.
CREATE TABLE edit_stash (
    op_id INTEGER NOT NULL REFERENCES edit_ops(id) ON DELETE CASCADE,
    part  INTEGER NOT NULL,
    box_id INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    frame INTEGER NOT NULL, track INTEGER NOT NULL,
    x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
    conf REAL NOT NULL, cls INTEGER NOT NULL, vis REAL NOT NULL
);
CREATE INDEX edit_stash_op ON edit_stash (op_id, part);
"""


def _v0_to_v1(conn: sqlite3.Connection) -> None:
    conn.executescript("BEGIN IMMEDIATE;" + _V1 + "PRAGMA user_version = 1; COMMIT;")


# v2: identity edits become frame-range segments instead of per-box UPDATEs. A box's
# ``track`` column keeps its raw id; ``track_segments`` maps (raw id, frames f0..f1) to the
# displayed id (NULL: hidden by an undoable delete). Frames no segment covers show the raw
# id, so an empty table is the identity and v1 projects need no data rewrite. A swap of
# two 135,000-box tracks rewrites a handful of segment rows, not 270,000 index entries.
_V2 = """
CREATE TABLE track_segments (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    raw    INTEGER NOT NULL,
    f0     INTEGER NOT NULL,
    f1     INTEGER NOT NULL,
    disp   INTEGER,
    PRIMARY KEY (run_id, raw, f0)
) WITHOUT ROWID;
CREATE INDEX track_segments_disp ON track_segments (run_id, disp, f0);
-- Segment lists an op replaced (side -1) and wrote (side 1), per raw track: undo and redo
-- swap one list for the other.
CREATE TABLE edit_remap (
    op_id INTEGER NOT NULL REFERENCES edit_ops(id) ON DELETE CASCADE,
    part  INTEGER NOT NULL,
    side  INTEGER NOT NULL CHECK (side IN (-1, 1)),
    raw   INTEGER NOT NULL,
    f0    INTEGER NOT NULL,
    f1    INTEGER NOT NULL,
    disp  INTEGER
);
CREATE INDEX edit_remap_op ON edit_remap (op_id, part, side);
"""


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    conn.executescript("BEGIN IMMEDIATE;" + _V2 + "PRAGMA user_version = 2; COMMIT;")


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    """v3: packed per-256-frame copies of each track's boxes for fast track reads, kept
    honest by triggers (see :mod:`.blocks`); existing runs get theirs built here."""
    from sporttrack_gui.project import blocks

    conn.executescript("BEGIN IMMEDIATE;" + blocks.SCHEMA)
    for (run,) in conn.execute("SELECT id FROM runs").fetchall():
        blocks.rebuild_run(conn, run)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("COMMIT")


# v4: the open file. ``boxes_shown`` gives every visible box with the id the user sees
# (after identity edits; hidden and parked rows left out), so sqlite3 / pandas / DuckDB
# users need not know about segments (docs/PROJECT_FORMAT.md). ``sequences.source``
# becomes relative to the project file's folder (a project moved with its media keeps
# working) with ``source_abs`` as the fallback for a project moved without its media.
_V4 = """
CREATE VIEW boxes_shown AS
SELECT b.id AS box_id, b.run_id, b.frame,
       IIF(s.raw IS NULL, b.track, s.disp) AS track,
       b.x, b.y, b.w, b.h, b.conf, b.cls, b.vis
FROM boxes b
LEFT JOIN track_segments s
       ON s.run_id = b.run_id AND s.raw = b.track AND s.f0 <= b.frame AND s.f1 >= b.frame
WHERE b.track >= -1 AND (s.raw IS NULL OR s.disp IS NOT NULL);
ALTER TABLE sequences ADD COLUMN source_abs TEXT;
"""


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    """v4: ``boxes_shown`` view; media paths relative to the project file (see _V4).

    Paths stored before v4 were relative to the working folder of the import, which is
    unknown now: each is resolved against the current folder, then the project's
    folder, and the first that exists is kept (else the current-folder reading, which a
    relink can fix).
    """
    from sporttrack_gui.project import _media

    project = _media.database_path(conn)
    conn.executescript("BEGIN IMMEDIATE;" + _V4)
    rows = conn.execute("SELECT id, source, meta FROM sequences").fetchall()
    for seq_id, source, meta in rows:
        stored, absolute, new_meta = _media.migrate_paths(source, meta, project)
        conn.execute("UPDATE sequences SET source = ?, source_abs = ?, meta = ? WHERE id = ?",
                     (stored, absolute, new_meta, seq_id))
    conn.execute("PRAGMA user_version = 4")
    conn.execute("COMMIT")


MIGRATIONS: list[Migration] = [_v0_to_v1, _v1_to_v2, _v2_to_v3, _v3_to_v4]
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring ``conn`` to ``LATEST``; each step is its own transaction (crash-safe)."""
    from sporttrack_gui.errors import ProjectError

    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise ProjectError(
            f"{path}: project file version {version} is newer than this SportTrack "
            f"understands (up to {LATEST}); update SportTrack to open it")
    for step in MIGRATIONS[version:]:
        try:
            step(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
