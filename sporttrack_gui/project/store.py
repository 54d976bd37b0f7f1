"""The ``Project``: one SQLite file holding sequences, runs, boxes and track metadata.

Why these choices: WAL so the GUI reads while a worker thread writes; one connection per
``Project`` object (open one per thread); every write is a single ``BEGIN IMMEDIATE``
transaction so a crash or a bad import never leaves half a change; an OS lock on a
sidecar so a second *process* cannot write at the same time (see :mod:`.lock`).
Box reads and writes go through plain ``sqlite3`` with numpy columns (3.4 M boxes per
match); the small tables use sqlite-utils. A box's ``track`` column holds its raw id; the
id it shows comes through the frame-range segments of :mod:`.mapping` (identity where
there are none), and every read here returns shown ids.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import _media, blocks, boxio, lock, mapping, schema

SQLITE_MAGIC = b"SQLite format 3\x00"
RUN_KINDS = ("gt", "det", "tracker", "manual", "sot")
RUN_STATUSES = ("running", "complete", "incomplete")
TRASH_KEY = "trashed"  # params key of a run deleted undoably (hidden until purged)
SEQUENCE_KINDS = ("video", "images", "mot")
TRACK_FIELDS = ("label", "class", "team", "colour", "note")


def _check_is_sqlite(path: Path) -> None:
    """Refuse a file that is not SQLite *before* SQLite may write to it."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read project file ({exc.strerror})") from None
    if head and head != SQLITE_MAGIC:
        raise ProjectError(f"{path} is not a SportTrack project (not an SQLite file)")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that never writes, also on a read-only medium: ``mode=ro`` first
    (sees the WAL of a live writer); where SQLite cannot create the ``-shm`` file beside a
    WAL-mode database (read-only folder or medium), ``immutable=1``, which reads the main
    file only (the last writer checkpointed it when it closed)."""
    uri = Path(os.path.abspath(path)).as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        text = str(exc).lower()
        if "unable to open" not in text and "readonly" not in text and "read-only" not in text:
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                           timeout=30.0)


def partial_run_note(info: dict[str, Any]) -> str | None:
    """A warning for a run that did not finish (killed, cancelled or failed), or None."""
    if info.get("status") == "complete":
        return None
    why = (info.get("metrics") or {}).get("error")
    status = "was stopped before its end" if info.get("status") != "running" else \
        "is still being written by another process"
    return (f"run {info.get('name')!r} {status}{f' ({why})' if why else ''}: it holds only "
            "the frames stored so far")


def integrity_report(path: str | Path) -> str | None:
    """``PRAGMA integrity_check`` of a project file, read-only ("ok" when sound; None if
    it is not a file); run where damage is suspected (a ``DatabaseError`` on open/read)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = connect_readonly(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(5)").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "; ".join(rows)


def _unusable(path: Path, exc: BaseException) -> str:
    report = integrity_report(path)
    if report and report != "ok":
        return (f"{path} is damaged or not a SportTrack project ({exc}; integrity check: "
                f"{report}); restore it from a backup")
    return f"{path} is not a usable SportTrack project ({exc})"


def quick_check(target: str | Path | sqlite3.Connection) -> list[str]:
    """SQLite's ``quick_check`` of a project: [] when sound, else up to five problems.

    It reads every page once (about 4 s for a 5.4 M-box project on a loaded machine, see
    benchmarks/bench_import_big.py), so the CLI's writers run it when they open a file and
    the window runs it in a worker on a read-only connection of its own.
    """
    conn = target if isinstance(target, sqlite3.Connection) else connect_readonly(Path(target))
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        if conn is not target:
            conn.close()
    return [] if rows == ["ok"] else rows


class Project:
    """An open project file. Use ``Project.open``; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool, locked: bool):
        self.path = path
        self.readonly = readonly
        self._conn = conn
        self._locked = locked
        self._depth = 0
        self.db = sqlite_utils.Database(conn, execute_plugins=False)

    # ---------------------------------------------------------------- open / close
    @classmethod
    def open(cls, path: str | Path, create: bool = False, readonly: bool = False,
             check: bool = True) -> Project:
        """Open (or with ``create=True`` make) a project.

        Raises ``ProjectError`` for a missing, foreign or too-new file and
        ``ProjectLockedError`` when another process holds the write lock. A read-only
        project takes no lock and never writes. ``check=False`` skips the writer's
        ``quick_check`` (seconds on a whole match): the window runs :func:`quick_check`
        in a worker instead and stops editing if it finds damage.
        """
        path = Path(path)
        exists = path.exists()
        if not exists and (readonly or not create):
            raise ProjectError(f"{path}: no such project file")
        if exists:
            if path.is_dir():
                raise ProjectError(f"{path} is a folder, not a project file")
            if not path.is_file():  # reading a FIFO would block every command
                raise ProjectError(f"{path} is not a regular file (a pipe or device), not a "
                                   "SportTrack project")
            _check_is_sqlite(path)
            if path.stat().st_size == 0 and not create:
                raise ProjectError(f"{path} is empty, not a SportTrack project")
        if readonly:
            return cls._open_readonly(path)
        fresh = lock.acquire(path)
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            lock.release(path)
            raise ProjectError(f"{path}: cannot open project ({exc})") from None
        project = cls(path, conn, readonly=False, locked=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # fails if garbled
            if version == 0 and conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                # another program's database: adding our tables to it would damage it
                raise ProjectError(f"{path} is an SQLite file of another program, "
                                   "not a SportTrack project")
            if exists and fresh and check:  # once per process: later threads share it
                project._refuse_damaged()
            project._configure()
            schema.migrate(conn, str(path))
            if fresh:
                project._retire_orphaned_runs()
                project._purge_trashed_runs()
        except sqlite3.DatabaseError as exc:
            project.close()
            raise ProjectError(_unusable(path, exc)) from None
        except BaseException:
            project.close()
            raise
        return project

    def _refuse_damaged(self) -> None:
        """Writers refuse a damaged file: an edit on top of broken pages would bury the
        damage under new work (see :func:`quick_check`)."""
        problems = quick_check(self.conn)
        if problems:
            raise ProjectError(
                f"{self.path} is damaged (integrity check: {'; '.join(problems)}); it was not "
                "changed. Restore it from a backup, or read what is left with read-only "
                "commands (project, export)")

    @classmethod
    def _open_readonly(cls, path: Path) -> Project:
        try:
            conn = connect_readonly(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise ProjectError(_unusable(path, exc)) from None
        if version != schema.LATEST:
            conn.close()
            if version == 0 and tables:
                raise ProjectError(f"{path} is an SQLite file of another program, "
                                   "not a SportTrack project")
            if version > schema.LATEST:
                raise ProjectError(
                    f"{path}: project file version {version} is newer than this SportTrack "
                    f"understands (up to {schema.LATEST}); update SportTrack to open it")
            if version == 0:
                raise ProjectError(f"{path} is an empty SQLite file, not a SportTrack project")
            raise ProjectError(
                f"{path}: project file version {version}, this SportTrack reads version "
                f"{schema.LATEST} (open it once for writing to upgrade)")
        conn.execute("PRAGMA query_only = ON")
        return cls(path, conn, readonly=True, locked=False)

    def _configure(self) -> None:
        c = self._conn
        c.execute("PRAGMA foreign_keys = ON")
        if c.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise ProjectError(f"{self.path}: cannot switch the project to WAL mode")
        c.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across app crashes
        c.execute("PRAGMA cache_size = -65536")
        c.execute("PRAGMA temp_store = MEMORY")

    def _retire_orphaned_runs(self) -> None:
        """Runs left "running" by a process that no longer holds the lock died mid-way."""
        with self.transaction() as c:
            c.execute("UPDATE runs SET status = 'incomplete' WHERE status = 'running' "
                      "AND (owner IS NULL OR owner != ?)", (lock.PROCESS_TOKEN,))

    def _purge_trashed_runs(self) -> None:
        """Runs a GUI deleted undoably (``project.run_admin.trash_run``) whose process
        ended without purging them (a crash): nobody can restore them any more."""
        from sporttrack_gui.project.run_admin import purge_trashed

        purge_trashed(self, exclude_owner=lock.PROCESS_TOKEN)

    def close(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.close()
        finally:
            self._conn = None  # type: ignore[assignment]
            if self._locked:
                lock.release(self.path)
                self._locked = False

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ProjectError(f"{self.path}: project is closed")
        return self._conn

    # ---------------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write; nested calls become savepoints of the outer transaction."""
        if self.readonly:
            raise ProjectError(f"{self.path} is open read-only")
        c = self.conn
        sp = f"sp{self._depth}"
        c.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {sp}")
        self._depth += 1
        try:
            yield c
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                if c.in_transaction:
                    c.execute("ROLLBACK")
            else:
                c.execute(f"ROLLBACK TO {sp}")
                c.execute(f"RELEASE {sp}")
            raise
        self._depth -= 1
        c.execute("COMMIT" if self._depth == 0 else f"RELEASE {sp}")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """Several SELECTs that must see one snapshot (segments + boxes): a deferred read
        transaction unless a transaction is already open on this connection."""
        c = self.conn
        if c.in_transaction:
            yield c
            return
        c.execute("BEGIN")
        try:
            yield c
        finally:
            if c.in_transaction:
                c.execute("COMMIT")

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    # ---------------------------------------------------------------- sequences
    def add_sequence(self, name: str, source: str | Path, *, kind: str = "video",
                     width: int | None = None, height: int | None = None,
                     fps: float | None = None, frame_count: int | None = None,
                     meta: dict[str, Any] | None = None) -> int:
        if kind not in SEQUENCE_KINDS:
            raise ProjectError(f"sequence kind must be one of {SEQUENCE_KINDS}, got {kind!r}")
        stored, absolute = _media.stored_paths(source, self.path)  # relative to the project
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM sequences WHERE name = ?", (name,)).fetchone():
                raise ProjectError(f"{self.path}: a sequence named {name!r} already exists")
            cur = c.execute(
                "INSERT INTO sequences (name, source, source_abs, kind, width, height, fps, "
                "frame_count, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, stored, absolute, kind, width, height, fps, frame_count,
                 json.dumps(_media.relative_meta(meta or {}, absolute))))
            return int(cur.lastrowid)

    def sequences(self) -> list[dict[str, Any]]:
        """Sequences with ``source`` (and ``meta.img_dir``) as usable paths: relative to
        the project file when found there, else the absolute fallback; ``source_found``
        says whether the media exists, ``source_tried`` where it was looked for."""
        out = list(self.db.query("SELECT * FROM sequences ORDER BY id"))
        for row in out:
            stored, absolute = row["source"], row.pop("source_abs", None)
            path, found = _media.resolve_source(stored, absolute, self.path)
            tried = ([str(path)] if stored else []) + ([absolute] if absolute else [])
            row.update(source=str(path) if stored or absolute else "", source_stored=stored,
                       source_found=found, source_tried=tried)
            row["meta"] = _media.resolved_meta(json.loads(row["meta"]), path)
        return out

    def sequence(self, seq: int | str) -> dict[str, Any]:
        seq_id = self.sequence_id(seq)
        return next(s for s in self.sequences() if s["id"] == seq_id)

    def set_sequence_meta(self, seq: int | str, key: str, value: Any) -> None:
        """Set (or with ``None`` remove) one key of a sequence's JSON ``meta``; one transaction."""
        seq_id = self.sequence_id(seq)
        with self.transaction() as c:
            meta = json.loads(c.execute("SELECT meta FROM sequences WHERE id = ?",
                                        (seq_id,)).fetchone()[0] or "{}")
            if value is None:
                meta.pop(key, None)
            else:
                meta[key] = value
            c.execute("UPDATE sequences SET meta = ? WHERE id = ?", (json.dumps(meta), seq_id))

    def sequence_id(self, seq: int | str) -> int:
        col = "id" if isinstance(seq, int) else "name"
        row = self.conn.execute(f"SELECT id FROM sequences WHERE {col} = ?", (seq,)).fetchone()
        if row is None:
            raise ProjectError(f"{self.path}: no sequence {seq!r}")
        return int(row[0])

    # ---------------------------------------------------------------- runs
    def create_run(self, sequence: int | str, name: str, kind: str = "tracker",
                   params: dict[str, Any] | None = None, status: str = "running") -> int:
        """A new, empty run owned by this process (``running`` until told otherwise)."""
        if kind not in RUN_KINDS:
            raise ProjectError(f"run kind must be one of {RUN_KINDS}, got {kind!r}")
        if status not in RUN_STATUSES:
            raise ProjectError(f"run status must be one of {RUN_STATUSES}, got {status!r}")
        seq_id = self.sequence_id(sequence)
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM runs WHERE sequence_id = ? AND name = ?",
                         (seq_id, name)).fetchone():
                raise ProjectError(f"{self.path}: sequence {seq_id} already has a run {name!r}")
            cur = c.execute(
                "INSERT INTO runs (sequence_id, name, kind, status, params, owner) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (seq_id, name, kind, status, json.dumps(params or {}, default=str),
                 lock.PROCESS_TOKEN))
            return int(cur.lastrowid)

    def runs(self, sequence: int | str | None = None, *,
             trashed: bool = False) -> list[dict[str, Any]]:
        """Runs of the project (or one sequence), oldest first. Runs deleted undoably
        (``TRASH_KEY`` in params, see ``project.run_admin.trash_run``) are left out
        unless ``trashed``: for everything else they no longer exist."""
        sql = "SELECT id, sequence_id, name, kind, status, params, metrics, created, updated FROM runs"
        where = [] if trashed else [f"json_extract(params, '$.{TRASH_KEY}') IS NULL"]
        args: tuple = ()
        if sequence is not None:
            where.append("sequence_id = ?")
            args = (self.sequence_id(sequence),)
        if where:
            sql += " WHERE " + " AND ".join(where)
        out = list(self.db.query(sql + " ORDER BY id", args))
        for row in out:
            row["params"] = json.loads(row["params"])
            row["metrics"] = json.loads(row["metrics"])
        if self.readonly and any(r["status"] == "running" for r in out) \
                and not lock.held_by_other(self.path):
            for row in out:  # no writer alive: these runs were killed mid-way
                if row["status"] == "running":
                    row["status"] = "incomplete"
        return out

    def run(self, run: int) -> dict[str, Any]:
        found = [r for r in self.runs() if r["id"] == run]
        if not found:
            raise ProjectError(f"{self.path}: no run with id {run}")
        return found[0]

    def run_id(self, name: str, sequence: int | str | None = None) -> int:
        """Run id by name; ambiguous names (same run name in two sequences) need ``sequence``."""
        sql, args = (f"SELECT id FROM runs WHERE name = ? AND json_extract(params, "
                     f"'$.{TRASH_KEY}') IS NULL"), [name]
        if sequence is not None:
            sql += " AND sequence_id = ?"
            args.append(self.sequence_id(sequence))
        found = [r[0] for r in self.conn.execute(sql, args)]
        if not found:
            raise ProjectError(f"{self.path}: no run named {name!r}")
        if len(found) > 1:
            raise ProjectError(f"{self.path}: run name {name!r} exists in {len(found)} "
                               "sequences; name the sequence")
        return int(found[0])

    def _require_run(self, c: sqlite3.Connection, run: int) -> None:
        if c.execute("SELECT 1 FROM runs WHERE id = ?", (run,)).fetchone() is None:
            raise ProjectError(f"{self.path}: no run with id {run}")

    def _touch(self, c: sqlite3.Connection, run: int, **fields: str) -> None:
        sets = "".join(f", {k} = ?" for k in fields)
        c.execute(f"UPDATE runs SET updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'){sets} "
                  "WHERE id = ?", (*fields.values(), run))

    def set_run_status(self, run: int, status: str) -> None:
        if status not in RUN_STATUSES:
            raise ProjectError(f"run status must be one of {RUN_STATUSES}, got {status!r}")
        with self.transaction() as c:
            self._require_run(c, run)
            self._touch(c, run, status=status)

    def claim_run(self, run: int) -> None:
        """Mark an existing run ``running`` and owned by this process (a continued run): if
        this process dies, the next open retires it to ``incomplete`` like a new run."""
        with self.transaction() as c:
            self._require_run(c, run)
            self._touch(c, run, status="running", owner=lock.PROCESS_TOKEN)

    def run_extent(self, run: int) -> tuple[int, int]:
        """(last frame with a box, largest raw track id) of a run; (0, -1) when empty.
        Two indexed MAX lookups, cheap on a 3.4 M-box run."""
        with self._reading() as c:
            last = c.execute("SELECT MAX(frame) FROM boxes WHERE run_id = ? AND track >= -1",
                             (run,)).fetchone()[0]
            top = c.execute("SELECT MAX(track) FROM boxes WHERE run_id = ?", (run,)).fetchone()[0]
        return int(last or 0), int(-1 if top is None else top)

    def set_run_metrics(self, run: int, metrics: dict[str, Any]) -> None:
        with self.transaction() as c:
            self._require_run(c, run)
            self._touch(c, run, metrics=json.dumps(metrics, default=float))

    def set_run_params(self, run: int, params: dict[str, Any]) -> None:
        with self.transaction() as c:
            self._require_run(c, run)
            self._touch(c, run, params=json.dumps(params, default=str))

    def delete_run(self, run: int) -> None:
        with self.transaction() as c:
            self._require_run(c, run)
            c.execute("DELETE FROM box_blocks WHERE run_id = ?", (run,))
            with blocks.bulk(c):
                c.execute("DELETE FROM boxes WHERE run_id = ?", (run,))
            c.execute("DELETE FROM runs WHERE id = ?", (run,))

    def copy_run(self, run: int, new_name: str, kind: str = "manual") -> int:
        """Copy boxes, their id mapping and track metadata (not the edit history) into a
        new complete run; boxes hidden by undoable deletes are left out."""
        src = self.run(run)
        with self.transaction() as c:
            new = self.create_run(src["sequence_id"], new_name, kind=kind,
                                  params={**src["params"], "copied_from": src["name"]},
                                  status="complete")
            c.execute("INSERT INTO boxes (run_id, frame, track, x, y, w, h, conf, cls, vis) "
                      "SELECT ?, frame, track, x, y, w, h, conf, cls, vis FROM boxes "
                      "WHERE run_id = ? AND track >= -1 ORDER BY track, frame", (new, run))
            c.execute("INSERT INTO box_blocks SELECT ?, raw, block, data FROM box_blocks "
                      "WHERE run_id = ?", (new, run))  # same rows, same blocks
            c.execute("INSERT INTO track_segments SELECT ?, raw, f0, f1, disp "
                      "FROM track_segments WHERE run_id = ?", (new, run))
            mapping.purge_hidden(c, new)
            c.execute("INSERT INTO tracks SELECT ?, track, label, class, team, colour, note "
                      "FROM tracks WHERE run_id = ?", (new, run))
            return new

    def run_stats(self, run: int) -> dict[str, int]:
        """Box and track counts (a covering-index scan: ~0.1 s on a 3.4 M-box run)."""
        with self._reading() as c:
            return self._run_stats(c, run)

    def _run_stats(self, c: sqlite3.Connection, run: int) -> dict[str, int]:
        if not mapping.has_segments(c, run):
            n, t, f0, f1 = c.execute(
                "SELECT COUNT(*), COUNT(DISTINCT track) FILTER (WHERE track >= 0), MIN(frame), "
                "MAX(frame) FROM boxes WHERE run_id = ? AND track >= -1", (run,)).fetchone()
            return {"boxes": n, "tracks": t, "first_frame": f0, "last_frame": f1}
        st = mapping.piece_stats(c, run,
                                 mapping.visible_pieces(c, run, [-1, *self._raw_tracks(c, run)]))
        if not len(st):
            return {"boxes": 0, "tracks": 0, "first_frame": None, "last_frame": None}
        return {"boxes": int(st[:, 3].sum()), "tracks": len(np.unique(st[st[:, 0] >= 0, 0])),
                "first_frame": int(st[:, 1].min()), "last_frame": int(st[:, 2].max())}

    @staticmethod
    def _raw_tracks(c: sqlite3.Connection, run: int) -> list[int]:
        """Raw ids >= 0 of a run: a skip-scan of the track index, one seek per track."""
        return [r[0] for r in c.execute(
            "WITH RECURSIVE t(track) AS (SELECT MIN(track) FROM boxes WHERE run_id = ?1 "
            "AND track >= 0 UNION ALL SELECT (SELECT MIN(track) FROM boxes WHERE run_id = ?1 "
            "AND track > t.track) FROM t WHERE t.track IS NOT NULL) "
            "SELECT track FROM t WHERE track IS NOT NULL", (run,))]

    # ---------------------------------------------------------------- boxes
    def append_boxes(self, run: int, data: Any) -> int:
        """Append boxes (a ``MotTable`` or mapping of its columns) in one transaction.

        Raises ``InputError`` for invalid boxes and ``ProjectError`` when a (frame, track)
        is already in the run; in both cases nothing is written.
        """
        cols = boxio.as_columns(data)
        boxio.validate(cols, str(self.path))
        # rows of a track stored together: an id edit then rewrites contiguous pages
        order = np.lexsort((cols["frame"], cols["track"]))
        rec = None
        if all(cols[k].dtype == np.float32 for k in ("x", "y", "w", "h", "conf", "vis")):
            # float32 input (a MotTable): the sorted columns live in the packed block
            # records, one copy of the boxes instead of two (a 5 M-box import in < 1 GiB)
            rec = np.empty(len(order), dtype=blocks.RECORD)
            for k in blocks.RECORD.names:
                rec[k] = cols[k][order]
            cols = {"track": cols["track"][order], **{k: rec[k] for k in blocks.RECORD.names}}
        else:
            for k in list(cols):  # one column at a time: peak memory ~ one extra column
                cols[k] = cols[k][order]
        del order
        n = len(cols["frame"])
        with self.transaction() as c:
            self._require_run(c, run)
            if n and mapping.has_segments(c, run):
                self._refuse_remapped(c, run, cols)
            was_empty = c.execute("SELECT 1 FROM boxes WHERE run_id = ? LIMIT 1",
                                  (run,)).fetchone() is None
            if n:
                try:
                    c.executemany(
                        "INSERT INTO boxes (run_id, frame, track, x, y, w, h, conf, cls, vis) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", boxio.rows(run, cols))
                except sqlite3.IntegrityError:
                    raise ProjectError(
                        f"{self.path}: run {run} already has a box for one of these "
                        f"(frame, track) pairs; {self._first_clash(c, run, cols)}") from None
                self._store_blocks(c, run, cols, was_empty, rec)
            self._touch(c, run)
        return n

    @staticmethod
    def _store_blocks(c: sqlite3.Connection, run: int, cols: dict[str, np.ndarray],
                      was_empty: bool, rec: np.ndarray | None = None) -> None:
        """Packed track blocks for appended boxes (sorted by track, frame): straight from
        the columns into an empty run, else the touched blocks are dropped (they lack the
        new rows) and, unless there are very many, re-read from the rows."""
        if was_empty:
            blocks.store_sorted(c, run, cols["track"], blocks.pack(cols) if rec is None else rec)
            return
        real = cols["track"] >= 0
        keys = np.unique(np.c_[cols["track"][real], cols["frame"][real] >> blocks.SHIFT],
                         axis=0).tolist()
        c.executemany("DELETE FROM box_blocks WHERE run_id = ? AND raw = ? AND block = ?",
                      [(run, k[0], k[1]) for k in keys])
        if len(keys) <= blocks.REBUILD_LIMIT:
            blocks.rebuild(c, run, map(tuple, keys))

    def _refuse_remapped(self, c: sqlite3.Connection, run: int,
                         cols: dict[str, np.ndarray]) -> None:
        """A plain append is only right where its ids are not remapped: raw id t must
        show t, and no other raw id may show t, over the appended frames."""
        tracks = json.dumps(np.unique(cols["track"][cols["track"] >= 0]).tolist())
        hit = c.execute(
            "SELECT raw, disp FROM track_segments WHERE run_id = ? AND f0 <= ? AND f1 >= ? "
            "AND (raw IN (SELECT value FROM json_each(?)) OR disp IN "
            "(SELECT value FROM json_each(?))) LIMIT 1",
            (run, int(cols["frame"].max()), int(cols["frame"].min()), tracks, tracks)).fetchone()
        if hit:
            raise ProjectError(
                f"{self.path}: run {run} has id edits over these frames (raw id {hit[0]} "
                f"shows as {hit[1]}); add boxes to an edited run with edits.insert_boxes")

    def _first_clash(self, c: sqlite3.Connection, run: int, cols: dict[str, np.ndarray]) -> str:
        """Locate one clashing (frame, track) by a join (error path only)."""
        real = cols["track"] >= 0
        c.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_keys (frame INTEGER, track INTEGER)")
        c.execute("DELETE FROM incoming_keys")
        c.executemany("INSERT INTO incoming_keys VALUES (?, ?)",
                      zip(cols["frame"][real].tolist(), cols["track"][real].tolist(), strict=True))
        row = c.execute("SELECT i.frame, i.track FROM incoming_keys i CROSS JOIN boxes b ON "
                        "b.run_id = ? AND b.track = i.track AND b.frame = i.frame "
                        "LIMIT 1",
                        (run,)).fetchone()
        return f"first: frame {row[0]}, track {row[1]}" if row else "clash not located"

    def boxes(self, run: int, frame: int | None = None,
              frame_range: tuple[int, int] | None = None, track: int | None = None):
        """Boxes of a run as a ``MotTable`` sorted by (frame, track), with shown ids.

        ``frame_range`` is inclusive at both ends. A track query reads one range of the
        (run, track, frame) index per raw stretch that shows the id (one, unless id
        edits mapped other raw tracks to it); frame and whole-run queries read raw rows
        and relabel them in numpy. Hidden and parked rows are skipped.
        """
        if frame is not None:
            frame_range = (frame, frame)
        lo, hi = (int(frame_range[0]), int(frame_range[1])) if frame_range else (1, 2**62)
        if track is not None:
            return self._track_table(run, int(track), lo, hi)
        with self._reading() as c:
            if frame_range is None:  # whole run: read in storage order, sort in numpy
                cols = boxio.fetch(c, "WHERE run_id = ? AND track >= -1", (run,))
            else:
                cols = boxio.fetch(c, "INDEXED BY boxes_run_frame WHERE run_id = ? AND "
                                   "frame BETWEEN ? AND ? AND track >= -1 ORDER BY frame, "
                                   "track", (run, lo, hi))
            segs = mapping.load(c, run)
        if segs is not None:
            shown, keep = mapping.relabel(segs, cols["track"].astype(np.int64), cols["frame"])
            cols = {k: v[keep] for k, v in cols.items()}
            cols["track"] = shown[keep]
        if frame_range is None or segs is not None:
            order = np.lexsort((cols["track"], cols["frame"]))
            cols = {k: v[order] for k, v in cols.items()}
        return boxio.to_table(cols)

    def _track_table(self, run: int, track: int, lo: int, hi: int):
        """A track query: per raw stretch showing ``track``, its packed blocks (rows for
        blocks an edit dropped), joined as bytes into one record array."""
        with self._reading() as c:
            parts = mapping.pieces(c, run, track, lo, hi)
            data = b"".join(blocks.read_bytes(c, run, raw, a, b) for raw, a, b in parts)
        rec = np.frombuffer(data, dtype=blocks.RECORD)
        if any(p[2] >= q[1] for p, q in itertools.pairwise(parts)):  # stretches interleave
            rec = rec[np.argsort(rec["frame"], kind="stable")]
        cols = {k: rec[k] for k in blocks.RECORD.names}
        cols["track"] = np.full(len(rec), track, dtype=np.int64)
        return boxio.to_table(cols)

    def _track_columns(self, run: int, track: int, lo: int, hi: int) -> dict[str, np.ndarray]:
        """float64 columns of the boxes showing ``track`` in frames lo..hi, by frame."""
        with self._reading() as c:
            parts = mapping.pieces(c, run, track, lo, hi)
            cols = boxio.fetch_track(c, run, parts, track)
        if len(parts) > 1:
            order = np.argsort(cols["frame"], kind="stable")
            cols = {k: v[order] for k, v in cols.items()}
        return cols

    _SHOWN = ("LEFT JOIN track_segments s ON s.run_id = b.run_id AND s.raw = b.track "
              "AND s.f0 <= b.frame AND s.f1 >= b.frame")

    def frame_boxes(self, run: int, frame: int) -> dict[str, np.ndarray]:
        """The viewer's fast path: one frame's boxes with their shown ids (for editing).

        One seek of the (run, frame) index; each box looks its raw id up in the segment
        primary key. Parked rows (track <= -2) and hidden ones are skipped.
        """
        rows = self.conn.execute(
            "SELECT b.id, IIF(s.raw IS NULL, b.track, s.disp) AS shown, b.x, b.y, b.w, b.h, "
            "b.conf, b.cls, b.vis FROM boxes b INDEXED BY boxes_run_frame "
            f"{self._SHOWN} WHERE b.run_id = ? AND b.frame = ? AND b.track >= -1 "
            "AND (s.raw IS NULL OR s.disp IS NOT NULL) ORDER BY shown",
            (run, frame)).fetchall()
        arr = np.array(rows, dtype=np.float64) if rows else np.zeros((0, 9))
        return {"id": arr[:, 0].astype(np.int64), "track": arr[:, 1].astype(np.int64),
                "xywh": arr[:, 2:6].astype(np.float32), "conf": arr[:, 6].astype(np.float32),
                "cls": arr[:, 7].astype(np.int32), "vis": arr[:, 8].astype(np.float32)}

    def _box_row(self, box_id: int) -> tuple[int, int, int, int] | None:
        """(run, raw id, frame, shown id) of a visible box, else None."""
        row = self.conn.execute(
            "SELECT b.run_id, b.track, b.frame, IIF(s.raw IS NULL, b.track, s.disp) "
            f"FROM boxes b {self._SHOWN} WHERE b.id = ? AND b.track >= -1 "
            "AND (s.raw IS NULL OR s.disp IS NOT NULL)", (box_id,)).fetchone()
        return None if row is None else tuple(row)  # type: ignore[return-value]

    def box(self, box_id: int) -> dict[str, Any]:
        """One visible box as a dict of its columns; ``track`` is the shown id."""
        with self._reading():
            found = self._box_row(box_id)
            rows = list(self.db.query("SELECT * FROM boxes WHERE id = ?", (box_id,)))
        if found is None or not rows:
            raise ProjectError(f"{self.path}: no box with id {box_id}")
        return {**rows[0], "track": found[3]}

    def track_spans(self, run: int, with_counts: bool = True) -> dict[str, np.ndarray]:
        """Per shown track: first and last frame and box count (the timeline's lanes).

        First/last cost one index seek per track (per raw stretch once ids were edited);
        counting walks each track's index range, so a timeline that only draws lanes may
        skip it (count = -1).
        """
        with self._reading() as c:
            return self._track_spans(c, run, with_counts)

    def _track_spans(self, c: sqlite3.Connection, run: int,
                     with_counts: bool) -> dict[str, np.ndarray]:
        if mapping.has_segments(c, run):
            st = mapping.piece_stats(c, run, mapping.visible_pieces(c, run, self._raw_tracks(c, run)),
                                     counts=with_counts)
            st = st[st[:, 0] >= 0]
            ids, inv = np.unique(st[:, 0], return_inverse=True)
            first = np.full(len(ids), np.iinfo(np.int64).max)
            last = np.full(len(ids), -1, np.int64)
            np.minimum.at(first, inv, st[:, 1])
            np.maximum.at(last, inv, st[:, 2])
            count = np.zeros(len(ids), np.int64)
            np.add.at(count, inv, st[:, 3])
            if not with_counts:
                count[:] = -1
            return {"track": ids, "first": first, "last": last, "count": count}
        count = ("(SELECT COUNT(*) FROM boxes WHERE run_id = ?1 AND track = t.track)"
                 if with_counts else "-1")
        # skip-scan the track index: one seek per track instead of a 3.4 M-row GROUP BY
        rows = c.execute(
            "WITH RECURSIVE t(track) AS (SELECT MIN(track) FROM boxes WHERE run_id = ?1 "
            "AND track >= 0 UNION ALL SELECT (SELECT MIN(track) FROM boxes WHERE run_id = ?1 "
            "AND track > t.track) FROM t WHERE t.track IS NOT NULL) "
            "SELECT track, (SELECT MIN(frame) FROM boxes WHERE run_id = ?1 AND track = t.track),"
            " (SELECT MAX(frame) FROM boxes WHERE run_id = ?1 AND track = t.track),"
            f" {count} "
            "FROM t WHERE track IS NOT NULL", (run,)).fetchall()
        arr = np.array(rows, dtype=np.int64) if rows else np.zeros((0, 4), np.int64)
        return {"track": arr[:, 0], "first": arr[:, 1], "last": arr[:, 2], "count": arr[:, 3]}

    # ---------------------------------------------------------------- track metadata
    def track_meta(self, run: int) -> dict[int, dict[str, str | None]]:
        rows = self.conn.execute(
            f"SELECT track, {', '.join(TRACK_FIELDS)} FROM tracks WHERE run_id = ? ORDER BY track",
            (run,)).fetchall()
        return {r[0]: dict(zip(TRACK_FIELDS, r[1:], strict=True)) for r in rows}

    def set_track_meta(self, run: int, track: int, **fields: str | None) -> None:
        """Set label/class/team/colour/note of one track (not undoable: see edits)."""
        bad = set(fields) - set(TRACK_FIELDS)
        if bad:
            raise ProjectError(f"unknown track field(s) {sorted(bad)}; use {TRACK_FIELDS}")
        with self.transaction() as c:
            self._require_run(c, run)
            c.execute("INSERT OR IGNORE INTO tracks (run_id, track) VALUES (?, ?)", (run, track))
            if fields:
                sets = ", ".join(f'"{k}" = ?' for k in fields)
                c.execute(f"UPDATE tracks SET {sets} WHERE run_id = ? AND track = ?",
                          (*fields.values(), run, track))
