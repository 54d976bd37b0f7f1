"""Import a video, an image folder or a MOTChallenge sequence folder into a project.

Why parse everything first and write in one transaction: a garbled line 8,000 of a
gt.txt must leave the project exactly as it was, so all files are read and validated
before the first INSERT, and the inserts (sequence, gt/det runs, track names) commit
together or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.errors import InputError, MediaError, ProjectError
from sporttrack_gui.project.store import Project

log = logging.getLogger(__name__)

VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".m4v", ".webm", ".mpg", ".mpeg", ".wmv"}


@dataclass
class ImportSummary:
    """What an import created; ``runs`` maps run name -> (run id, box count)."""

    sequence_id: int
    sequence: str
    kind: str
    width: int | None
    height: int | None
    fps: float | None
    frame_count: int | None
    frames_on_disk: int
    runs: dict[str, tuple[int, int]] = field(default_factory=dict)
    named_tracks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"sequence_id": self.sequence_id, "sequence": self.sequence, "kind": self.kind,
                "width": self.width, "height": self.height, "fps": self.fps,
                "frame_count": self.frame_count, "frames_on_disk": self.frames_on_disk,
                "runs": {k: {"id": v[0], "boxes": v[1]} for k, v in self.runs.items()},
                "named_tracks": self.named_tracks}


@dataclass
class _Plan:
    """Everything read from disk, ready to be written in one transaction."""

    name: str
    source: Path
    kind: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    frame_count: int | None = None
    frames_on_disk: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)  # run kind -> MotTable
    track_meta: dict[int, dict[str, str]] = field(default_factory=dict)


def _probe_media(path: Path) -> tuple[int, float, int, int]:
    """Decoded frame count, fps, width, height (the media room trusts no container)."""
    from sporttrack_gui.project._media import open_frames

    src = open_frames(path)
    try:
        return len(src), float(src.fps), int(src.width), int(src.height)
    finally:
        src.close()


def _plan_mot(source: Path, plan: _Plan) -> None:
    from sporttrack_gui.formats.mot import find_mot_sequence, read_mot

    seq = find_mot_sequence(source)
    plan.source = seq.root
    plan.name = plan.name or seq.name
    info = seq.info()
    if info is not None:
        plan.width, plan.height, plan.fps = info.width, info.height, info.frame_rate
        plan.frame_count = info.seq_length
        plan.meta["seqinfo"] = {"name": info.name, "imDir": info.img_dir,
                                "seqLength": info.seq_length, "imExt": info.img_ext}
    if seq.img_dir is not None:
        try:
            n, fps, w, h = _probe_media(seq.img_dir)
        except MediaError as exc:  # gt-only folders (SportsMOT) still import
            plan.meta["images_error"] = str(exc)
        else:
            plan.frames_on_disk = n
            plan.meta["img_dir"] = str(seq.img_dir)
            # seqinfo wins where it promises more frames than are on disk (partial downloads)
            plan.frame_count = max(plan.frame_count or 0, n)
            plan.fps = plan.fps or fps
            plan.width, plan.height = plan.width or w, plan.height or h
    if seq.gt is not None and "gt" not in plan.tables:
        plan.tables["gt"] = read_mot(seq.gt, kind="gt")
        plan.meta["gt_file"] = str(seq.gt)
    if seq.det is not None and "det" not in plan.tables:
        plan.tables["det"] = read_mot(seq.det, kind="det")
        plan.meta["det_file"] = str(seq.det)
    if seq.gameinfo is not None and not plan.track_meta:  # an explicit file's names win
        plan.track_meta = _gameinfo_tracks(seq.gameinfo)
        plan.meta["gameinfo"] = str(seq.gameinfo)


def _gameinfo_tracks(path: Path) -> dict[int, dict[str, str]]:
    """SoccerNet ``trackletID_N= player team left;4`` -> label/class/team per track."""
    from sporttrack_gui.formats.soccernet import read_gameinfo

    info = read_gameinfo(path)
    return {int(tid): {"label": t.display_name, "class": t.role, "team": t.team,
                       "note": t.raw}
            for tid, t in info.tracklets.items()}


def _read_boxes(path: Path, kind: str, fmt: str, options: dict[str, Any] | None,
                plan: _Plan) -> None:
    """Read an explicit --gt/--det file with the registry's reader for ``fmt``; formats
    that carry more than boxes (CVAT, COCO) also give track names and the frame size."""
    from sporttrack_gui.formats.mot import read_mot

    if fmt == "mot":
        plan.tables[kind] = read_mot(path, kind=kind)
    else:
        from sporttrack_gui.formats.registry import get_format

        spec = get_format(fmt, need="read")
        ann = spec.read(path, spec.parse_options(options))
        if not hasattr(ann, "table"):  # a plugin reader may return a bare MotTable
            plan.tables[kind] = ann
        else:
            plan.tables[kind] = ann.table
            if kind == "gt":
                plan.track_meta.update(ann.track_meta)
            plan.width, plan.height = plan.width or ann.width, plan.height or ann.height
            plan.meta.setdefault("notes", []).extend(ann.notes)
        plan.meta[f"{kind}_format"] = fmt
    plan.meta[f"{kind}_file"] = str(path)


def _plan(source: Path, gt: Path | None, det: Path | None, name: str | None,
          fmt: str = "mot", options: dict[str, Any] | None = None) -> _Plan:
    if not source.exists():
        raise InputError("no such file or folder", str(source))
    plan = _Plan(name=name or "", source=source, kind="video")
    # explicit files first: they replace what the folder would provide
    if gt is not None:
        _read_boxes(gt, "gt", fmt, options, plan)
    if det is not None:
        _read_boxes(det, "det", fmt, options, plan)
    if source.is_dir() or source.suffix.lower() in (".txt", ".ini"):
        if _looks_like_mot(source):
            plan.kind = "mot"
            _plan_mot(source, plan)
            return plan
        plan.kind = "images"
    elif source.suffix.lower() not in VIDEO_SUFFIXES:
        raise InputError(f"cannot import {source.suffix or 'a file without extension'}: "
                         "expected a video, an image folder or a MOTChallenge folder",
                         str(source))
    plan.name = plan.name or (source.name if source.is_dir() else source.stem)
    n, fps, w, h = _probe_media(source)
    plan.frame_count, plan.frames_on_disk, plan.fps, plan.width, plan.height = n, n, fps, w, h
    return plan


def _looks_like_mot(source: Path) -> bool:
    """A folder with seqinfo.ini, gt/gt.txt or det/det.txt is a MOT folder, whatever the
    state of those files: their errors are reported when they are read, never swallowed
    by importing the folder as plain images without its annotations."""
    from sporttrack_gui.formats.seqinfo import is_mot_folder

    return is_mot_folder(source)


def import_source(project: Project, source: str | Path, gt: str | Path | None = None,
                  det: str | Path | None = None, name: str | None = None, *,
                  fmt: str = "mot", options: dict[str, Any] | None = None) -> ImportSummary:
    """Add a sequence with its ``gt`` / ``det`` runs; all or nothing.

    ``gt``/``det`` override the files found in a MOT folder and are read as ``fmt``
    (a name in :mod:`sporttrack_gui.formats.registry`: mot, cvat, coco, a plugin's;
    ``options`` are its options). Raises ``InputError`` / ``MediaError`` for bad files
    and ``ProjectError`` for a name already in the project; in every failure the project
    is unchanged.
    """
    plan = _plan(Path(source), Path(gt) if gt else None, Path(det) if det else None, name,
                 fmt, options)
    plan.meta["frames_on_disk"] = plan.frames_on_disk
    for kind, table in plan.tables.items():
        _check_in_range(plan, kind, table)
    with project.transaction():
        try:
            seq_id = project.add_sequence(
                plan.name, plan.source, kind=plan.kind, width=plan.width, height=plan.height,
                fps=plan.fps, frame_count=plan.frame_count, meta=plan.meta)
        except ProjectError:
            raise ProjectError(f"{project.path}: a sequence named {plan.name!r} is already "
                               "in the project; pass another name") from None
        summary = ImportSummary(seq_id, plan.name, plan.kind, plan.width, plan.height,
                                plan.fps, plan.frame_count, plan.frames_on_disk)
        for kind, table in plan.tables.items():
            run = project.create_run(seq_id, kind, kind=kind,
                                     params={"file": plan.meta.get(f"{kind}_file")},
                                     status="running")
            n = project.append_boxes(run, table)
            project.set_run_status(run, "complete")
            summary.runs[kind] = (run, n)
        if plan.track_meta and "gt" in summary.runs:
            gt_run = summary.runs["gt"][0]
            for track, fields in plan.track_meta.items():
                project.set_track_meta(gt_run, track, **fields)
            summary.named_tracks = len(plan.track_meta)
    return summary


def _check_in_range(plan: _Plan, kind: str, table: Any) -> None:
    """Boxes past the sequence's end point at the wrong video: refuse, naming the file."""
    if not len(table) or not plan.frame_count:
        return
    last = int(table.frame.max())
    if last > plan.frame_count:
        raise InputError(f"boxes reach frame {last} but the sequence has {plan.frame_count} "
                         "frames", plan.meta.get(f"{kind}_file"))


def ensure_media_project(project_path: str | Path, media: str | Path) -> Path:
    """A project holding ``media``: created and imported on first use; reused once it has
    a sequence. A failed import removes the (empty) project, so the next open tries
    again instead of showing an empty project forever."""
    from sporttrack_gui.project.naming import remove_project_files

    project_path = Path(project_path)
    project_path.parent.mkdir(parents=True, exist_ok=True)
    empty = False
    try:
        with Project.open(project_path, create=True) as project:
            if project.sequences():
                return project_path
            empty = True  # import is all or nothing: on failure it stays empty
            import_source(project, media)
    except BaseException:
        if empty:
            remove_project_files(project_path)
        raise
    return project_path
