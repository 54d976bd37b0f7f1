"""Where a sequence's media lives (paths relative to the project file) and how to open it.

``open_frames`` is the media room's ``open_source``, named for the importer/exporter.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import MediaError


def open_frames(path: str | Path) -> Any:
    """A source with ``len()``, ``fps``, ``width``, ``height``, ``read_frame(n)``, ``close()``
    (imported on use: opening a project must not load the decoders)."""
    from sporttrack_gui.media.source import open_source

    return open_source(path)


# ------------------------------------------------------------------ where media lives
# Why relative paths: a project folder (match.stp + its video or MOT folder) copied to
# another disk or machine must keep opening. ``sequences.source`` holds the path
# relative to the project file's folder and ``source_abs`` the absolute one at import or
# relink: the relative reading wins when it exists, the absolute one is the fallback for
# a project moved without its media. ``meta.img_dir`` is kept relative to the source.

_PATH_META = ("img_dir",)


def database_path(conn: Any) -> Path | None:
    """The file behind an sqlite3 connection's main database (None for :memory:)."""
    for _, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def _project_dir(project_path: str | Path | None) -> Path:
    return Path(os.path.abspath(project_path)).parent if project_path else Path.cwd()


def stored_paths(path: str | Path, project_path: str | Path | None) -> tuple[str, str]:
    """(path relative to the project's folder, absolute path) for the sequences table.

    The relative form uses ``/`` so a project made on Linux opens on Windows; where no
    relative path exists (another drive) both are the absolute path. An empty source (a
    run tracked from a detections file alone has no media) stays empty: made absolute it
    would name the working folder.
    """
    if isinstance(path, str) and not path:
        return "", ""
    absolute = os.path.abspath(path)
    try:
        rel = Path(os.path.relpath(absolute, _project_dir(project_path))).as_posix()
    except ValueError:
        rel = absolute
    return rel, absolute


def relative_meta(meta: dict[str, Any], source: str | Path) -> dict[str, Any]:
    """``meta`` with ``img_dir`` relative to the source when it lies inside it."""
    out = dict(meta)
    for key in _PATH_META:
        value = out.get(key)
        if value and os.path.isabs(value):
            try:
                rel = Path(os.path.relpath(value, os.path.abspath(source)))
            except ValueError:
                continue
            if not rel.as_posix().startswith(".."):
                out[key] = rel.as_posix()
    return out


def resolve_source(stored: str, absolute: str | None,
                   project_path: str | Path | None) -> tuple[Path, bool]:
    """(path to use, whether it exists): relative to the project first, then absolute.
    An empty ``stored`` (no media) is never found."""
    if not stored:
        return Path(absolute or ""), bool(absolute) and Path(absolute).exists()
    p = Path(stored)
    first = p if p.is_absolute() else Path(os.path.normpath(_project_dir(project_path) / p))
    if first.exists():
        return first, True
    if absolute and Path(absolute).exists():
        return Path(absolute), True
    return first, False


def resolved_meta(meta: dict[str, Any], source: Path) -> dict[str, Any]:
    """``meta`` with ``img_dir`` made absolute again under the resolved source."""
    for key in _PATH_META:
        value = meta.get(key)
        if value and not os.path.isabs(value):
            meta[key] = str(source / value)
            meta[f"{key}_rel"] = value
    return meta


def migrate_paths(source: str, meta_json: str, project_path: Path | None
                  ) -> tuple[str, str, str]:
    """Schema v4: (stored, absolute, meta JSON) for a pre-v4 row (paths as typed, relative
    to an unknown working folder): the current folder's reading, else the project
    folder's, whichever exists (else the current folder's)."""
    import json

    if not source:  # no media (a run from a detections file): nothing to resolve
        return "", "", meta_json
    candidates = [Path(source)] if os.path.isabs(source) else \
        [Path.cwd() / source, _project_dir(project_path) / source]
    chosen = next((c for c in candidates if c.exists()), candidates[0])
    rel, absolute = stored_paths(chosen, project_path)
    try:
        meta = json.loads(meta_json or "{}")
    except ValueError:
        meta = {}
    for key in _PATH_META:
        value = meta.get(key)
        if value and not os.path.isabs(value):
            here = [Path.cwd() / value, _project_dir(project_path) / value]
            meta[key] = os.path.abspath(next((c for c in here if c.exists()), here[0]))
    meta = relative_meta(meta, absolute)
    return rel, absolute, json.dumps(meta)


def missing_media(project: Any) -> list[dict[str, Any]]:
    """Sequences whose media is found neither beside the project nor at the absolute
    path: ``[{"id", "name", "source", "tried": [paths]}]``."""
    out = []
    for seq in project.sequences():
        if not seq.get("source_found", True):
            out.append({"id": seq["id"], "name": seq["name"], "source": seq["source"],
                        "tried": seq.get("source_tried", [seq["source"]])})
    return out


def missing_message(item: dict[str, Any]) -> str:
    """One line naming what is missing and how to fix it (CLI and GUI)."""
    tried = " or ".join(dict.fromkeys(str(t) for t in item["tried"] if str(t)))
    if not tried:
        return (f"sequence {item['name']!r} has no media; link a video or image folder with "
                f"`sporttrack project relink PROJECT --sequence {item['name']} NEWPATH` "
                "(GUI: File ▸ Relink media…)")
    return (f"media of sequence {item['name']!r} not found: {tried}; relink it with "
            f"`sporttrack project relink PROJECT --sequence {item['name']} NEWPATH` "
            "(GUI: File ▸ Relink media…)")


def relink_sequence(project: Any, sequence: int | str, new_path: str | Path) -> dict[str, Any]:
    """Point a sequence at its media's new place; the boxes are untouched.

    Refuses a path that does not exist or cannot be opened as frames (the project is
    unchanged); a different frame count is accepted and reported in ``notes`` (a
    re-encoded video may differ by a frame or two).
    """
    import json

    from sporttrack_gui.errors import InputError

    seq = project.sequence(sequence)
    new = Path(new_path)
    if not new.exists():
        raise InputError("no such file or folder", str(new))
    frames_dir = new
    img_rel = seq["meta"].get("img_dir_rel")
    if seq["kind"] == "mot" and img_rel and (new / img_rel).is_dir():
        frames_dir = new / img_rel
    notes: list[str] = []
    try:
        src = open_frames(frames_dir)
    except MediaError as exc:
        if seq["kind"] != "mot":
            raise MediaError(f"{new}: cannot be opened as the media of {seq['name']!r} "
                             f"({exc})", str(new)) from None
        notes.append(f"no frames under {new} ({exc})")
    else:
        try:
            n = len(src)
        finally:
            src.close()
        expected = seq["meta"].get("frames_on_disk") or seq.get("frame_count")
        if expected and n != int(expected):
            notes.append(f"{new} has {n} frames, the sequence had {expected}")
    rel, absolute = stored_paths(new, project.path)
    with project.transaction() as c:
        c.execute("UPDATE sequences SET source = ?, source_abs = ? WHERE id = ?",
                  (rel, absolute, seq["id"]))
        raw = c.execute("SELECT meta FROM sequences WHERE id = ?", (seq["id"],)).fetchone()[0]
        meta = json.loads(raw or "{}")
        meta.pop("images_error", None)
        c.execute("UPDATE sequences SET meta = ? WHERE id = ?", (json.dumps(meta), seq["id"]))
    return {"sequence": seq["name"], "source": absolute, "stored": rel, "notes": notes}
