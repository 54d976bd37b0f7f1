"""Export a run as MOTChallenge, CVAT for video, COCO, a YOLO dataset or a demo video.

Why here and not in formats/: the formats room writes files from tables; choosing the
run, the sequence metadata for seqinfo.ini and the frames for YOLO images needs the
project. Writers replace files atomically, so a failed export leaves no half file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project.store import Project


def mot_target(project: Project, run: int, out: str | Path) -> Path:
    """The MOT file :func:`export_mot` writes for ``out`` (the GUI asks before replacing
    it: pointed at a dataset folder, it would be that dataset's own gt.txt)."""
    out = Path(out)
    if out.suffix.lower() == ".txt" and not out.is_dir():
        return out
    kind = "det" if project.run(run)["kind"] == "det" else "gt"
    return out / kind / f"{kind}.txt"


def as_mot_gt(table: Any) -> Any:
    """Tracker / manual rows as MOTChallenge ground truth: class 0 or -1 (COCO person,
    unknown) becomes 1 (pedestrian) and the "consider" flag 1. TrackEval's MOT rules
    keep class 1 only, so a corrected tracker run written with class 0 scored as empty;
    other classes (ball, referee, …) are kept."""
    cls = np.where(table.cls <= 0, 1, table.cls).astype(table.cls.dtype)
    return replace(table, cls=cls, conf=np.ones_like(table.conf))


def export_mot(project: Project, run: int, out: str | Path, *,
               overwrite: bool = False) -> dict[str, Any]:
    """A ``.txt`` ``out`` is the MOT file itself; otherwise ``out`` is a sequence folder:
    ``OUT/gt/gt.txt`` (``OUT/det/det.txt`` for a det run), ``OUT/seqinfo.ini`` and, when
    tracks have names/roles, a SoccerNet ``OUT/gameinfo.ini``. Every file is atomic; existing
    files are replaced only with ``overwrite`` (they may be someone's annotations)."""
    from sporttrack_gui.formats.mot import write_mot

    info = project.run(run)
    seq = project.sequence(info["sequence_id"])
    out = Path(out)
    single = out.suffix.lower() == ".txt" and not out.is_dir()
    if not single and out.exists() and not out.is_dir():
        raise ProjectError(f"{out} exists and is not a folder")
    table = project.boxes(run)
    kind = "det" if info["kind"] == "det" else "gt"
    if kind == "gt" and len(table) and int(table.track_id.min()) < 0:
        raise ProjectError(f"run {info['name']!r} has boxes without an id (-1); assign ids "
                           "or export it as detections")
    target = out if single else out / kind / f"{kind}.txt"
    existing = [p for p in (target, out / "seqinfo.ini", out / "gameinfo.ini")
                if p.exists() and (p == target or not single)]
    if existing and not overwrite:
        raise ProjectError(f"{existing[0]} already exists and was not replaced (export into "
                           "another folder, or pass --overwrite to replace it)")
    if kind == "gt" and info["kind"] != "gt":
        table = as_mot_gt(table)
    write_mot(target, table, kind=kind)
    written = {"boxes": len(table), "file": str(target)}
    if single:
        return written
    ini = _write_seqinfo(seq, out)
    if ini is not None:
        written["seqinfo"] = str(ini)
    meta = project.track_meta(run)
    if kind == "gt" and meta:
        from sporttrack_gui.formats.soccernet import write_gameinfo

        gameinfo = out / "gameinfo.ini"
        write_gameinfo(gameinfo, seq["meta"].get("seqinfo", {}).get("name", seq["name"]), meta)
        written["gameinfo"] = str(gameinfo)
    return written


def _write_seqinfo(seq: dict[str, Any], out: Path) -> Path | None:
    from sporttrack_gui.formats.mot import SeqInfo, write_seqinfo

    seqinfo = seq["meta"].get("seqinfo", {})
    if not (seq["width"] and seq["height"] and seq["fps"] and seq["frame_count"]):
        return None
    ini = out / "seqinfo.ini"
    write_seqinfo(ini, SeqInfo(
        name=seqinfo.get("name", seq["name"]), img_dir=seqinfo.get("imDir", "img1"),
        frame_rate=float(seq["fps"]), seq_length=int(seq["frame_count"]),
        width=int(seq["width"]), height=int(seq["height"]),
        img_ext=seqinfo.get("imExt", ".jpg")))
    return ini


def run_annotations(project: Project, run: int) -> Any:
    """A run as :class:`~sporttrack_gui.formats.interchange.Annotations`: the shown boxes,
    track metadata, frame size and count of its sequence (what CVAT/COCO writers take)."""
    from sporttrack_gui.formats.interchange import Annotations

    seq = project.sequence(project.run(run)["sequence_id"])
    return Annotations(table=project.boxes(run), track_meta=project.track_meta(run),
                       width=seq["width"], height=seq["height"],
                       frame_count=seq["frame_count"], name=seq["name"])


def export_cvat(project: Project, run: int, out: str | Path) -> dict[str, Any]:
    """CVAT for video 1.1 XML of a run (one file)."""
    from sporttrack_gui.formats.cvat import write_cvat_video

    ann = run_annotations(project, run)
    write_cvat_video(out, ann)
    return {"boxes": len(ann.table), "tracks": int(len(np.unique(ann.table.track_id))),
            "file": str(out)}


def export_coco(project: Project, run: int, out: str | Path, *, video: bool = False,
                file_name: str = "{frame:06d}.jpg") -> dict[str, Any]:
    """COCO JSON of a run (one file); ``video`` adds video/frame/track ids."""
    from sporttrack_gui.formats.coco import write_coco

    ann = run_annotations(project, run)
    write_coco(out, ann, video=video, file_name=file_name)
    return {"boxes": len(ann.table), "file": str(out), "video": video}


# ---- registry adapters: (project, run ids, out, options) -> summary -------------------
def _one(runs: list[int]) -> int:
    if len(runs) != 1:
        raise ProjectError(f"this format exports one run, got {len(runs)}")
    return runs[0]


def refuse_existing(out: Path, overwrite: bool) -> None:
    """A single-file export never replaces a file silently (it may be someone's work)."""
    if not overwrite and Path(out).is_file():
        raise ProjectError(f"{out} already exists and was not replaced (choose another name, "
                           "or pass --overwrite to replace it)")


def export_mot_format(project: Project, runs: list[int], out: Path,
                      options: dict[str, Any]) -> dict[str, Any]:
    return export_mot(project, _one(runs), out, overwrite=bool(options.get("overwrite")))


def export_cvat_format(project: Project, runs: list[int], out: Path,
                       options: dict[str, Any]) -> dict[str, Any]:
    refuse_existing(out, bool(options.get("overwrite")))
    return export_cvat(project, _one(runs), out)


def export_coco_format(project: Project, runs: list[int], out: Path,
                       options: dict[str, Any]) -> dict[str, Any]:
    refuse_existing(out, bool(options.get("overwrite")))
    return export_coco(project, _one(runs), out, video=bool(options.get("video")),
                       file_name=options.get("file_name") or "{frame:06d}.jpg")


def export_yolo_format(project: Project, runs: list[int], out: Path,
                       options: dict[str, Any]) -> dict[str, Any]:
    from sporttrack_gui.errors import InputError

    classes = options.get("classes") or None
    if isinstance(classes, str):
        classes = [c.strip() for c in classes.split(",")]
        if not all(classes):
            raise InputError(f"classes has an empty name: {options['classes']!r}")
    images = str(options.get("images") or "copy")
    if images not in ("copy", "link"):
        raise InputError(f"images must be copy or link, got {images!r}")
    return export_yolo(project, runs, out, class_names=classes,
                       overwrite=bool(options.get("overwrite")),
                       track_ids=bool(options.get("track_ids")), images=images)


def export_video_format(project: Project, runs: list[int], out: Path,
                        options: dict[str, Any]) -> dict[str, Any]:
    refuse_existing(out, bool(options.get("overwrite")))
    return export_demo_video(project, _one(runs), out, trail=int(options.get("trail", 25)))


def yolo_class_index(project: Project, run: int, table: Any,
                     class_names: list[str]) -> np.ndarray:
    """Class index per box: the track's ``class`` metadata named in ``class_names`` wins,
    else the box's own cls column when it is a valid index, else -1 (box skipped)."""
    meta = project.track_meta(run)
    named = {t: class_names.index(m["class"]) for t, m in meta.items()
             if m.get("class") in class_names}
    idx = np.where((table.cls >= 0) & (table.cls < len(class_names)), table.cls, -1)
    if named:
        tracks = np.fromiter(named, dtype=np.int64, count=len(named))
        values = np.fromiter(named.values(), dtype=np.int64, count=len(named))
        order = np.argsort(tracks)
        pos = np.clip(np.searchsorted(tracks[order], table.track_id), 0, len(tracks) - 1)
        hit = tracks[order][pos] == table.track_id
        idx = np.where(hit, values[order][pos], idx)
    if len(class_names) == 1 and not named:
        idx = np.zeros(len(table), dtype=np.int64)  # one class: every box is it
    return idx.astype(np.int64)


def default_class_names(project: Project, runs: list[int]) -> list[str]:
    """Class names found in track metadata (e.g. SoccerNet roles), else ``["object"]``."""
    names = sorted({m["class"] for r in runs for m in project.track_meta(r).values()
                    if m.get("class")})
    return names or ["object"]


def _frames_dir(seq: dict[str, Any]) -> str:
    require_media(seq)
    return seq["meta"].get("img_dir") or seq["source"]


def require_media(seq: dict[str, Any]) -> None:
    """Exports that read pixels name the missing media and the relink command."""
    from sporttrack_gui.errors import MediaError
    from sporttrack_gui.project._media import missing_message

    if not seq.get("source_found", True):
        raise MediaError(missing_message({**seq, "tried": seq.get("source_tried", [])}),
                         seq["source"])


def export_yolo(project: Project, runs: list[int], out: str | Path,
                class_names: list[str] | None = None, *, overwrite: bool = False,
                split: tuple[float, float, float] = (0.8, 0.1, 0.1),
                track_ids: bool = False, images: str = "copy", progress=None,
                cancel=None) -> dict[str, Any]:
    """YOLO dataset of one run per sequence, split by sequence; frames come from media.

    ``track_ids`` appends each box's track id to its label line (``cls cx cy w h id``).
    Image folders' original files are copied (``images="link"``: hard-linked), video
    frames encoded once as JPEG quality 95 (see ``formats.yolo.export_yolo_dataset``).

    Only frames present on disk are exported (a MOT folder may hold fewer images than
    its annotations cover); the count left out is reported in ``notes``, as are runs
    that did not finish (the CLI's warnings, so the GUI can show every one).
    """
    from sporttrack_gui.formats.yolo import YoloSequenceInput, export_yolo_dataset
    from sporttrack_gui.project._media import open_frames
    from sporttrack_gui.project.store import partial_run_note

    class_names = class_names or default_class_names(project, runs)
    sources, inputs, notes = [], [], []
    try:
        for run in runs:
            info = project.run(run)
            partial = partial_run_note(info)
            if partial:
                notes.append(partial)
            seq = project.sequence(info["sequence_id"])
            table = project.boxes(run)
            if track_ids and len(table) and int(table.track_id.min()) < 0:
                # the id column would read -1, which read_yolo_labels (ids >= 0) refuses
                from sporttrack_gui.errors import InputError

                frame = int(table.frame[np.flatnonzero(table.track_id < 0)[0]])
                raise InputError(f"run {info['name']!r} of {seq['name']!r}: a box in frame "
                                 f"{frame} has no id (-1); track_ids=true writes one per box: "
                                 "assign ids or export without track_ids")
            src = open_frames(_frames_dir(seq))
            sources.append(src)
            on_disk = len(src)
            frames = np.unique(table.frame)
            kept = frames[frames <= on_disk]
            if len(kept) < len(frames):
                notes.append(f"{seq['name']}: {len(frames) - len(kept)} annotated frames have "
                             f"no image on disk (only {on_disk})")
            inputs.append(YoloSequenceInput(
                name=seq["name"], width=int(src.width), height=int(src.height), boxes=table,
                class_index=yolo_class_index(project, run, table, class_names),
                frame_image=src.read_frame, frames=kept.tolist(),
                frame_file=_original_files(src)))
        summary = export_yolo_dataset(out, inputs, class_names, split=split,
                                      overwrite=overwrite, track_ids=track_ids, images=images,
                                      progress=progress, cancel=cancel)
    finally:
        for src in sources:
            src.close()
    result = summary.as_dict()
    result["notes"] = list(result["notes"]) + notes
    result["classes"] = class_names
    return result


def _original_files(src: Any) -> Any:
    """``frame -> image file`` for an image-folder source (its files are the frames, in
    order), None for a video (frames must be decoded)."""
    files = getattr(src, "files", None)
    if not files:
        return None
    return lambda frame: files[frame - 1]


def export_demo_video(project: Project, run: int, out: str | Path, *, source: str | Path | None = None,
                      labels: dict[int, str] | None = None, trail: int = 25,
                      frame_range: tuple[int, int] | None = None, minimap=None, progress=None,
                      cancel=None, world=None) -> dict[str, Any]:
    """An mp4 of the run's boxes, ids (with track names where set), trails, optional minimap.

    ``source`` defaults to the run's sequence; ``minimap`` is a
    ``pitch.render.minimap_callback`` and ``world`` the image->pitch homographies that
    keep trails on the ground (both from ``pitch.workflow.export_pitch_video``, which
    ``sporttrack export --format video`` and the GUI's File ▸ Export call).
    """
    from sporttrack_gui.atomic_io import atomic_path
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.media.writer import write_demo_video

    table = project.boxes(run)
    if source is None:
        seq = project.sequence(project.run(run)["sequence_id"])
        require_media(seq)
        source = seq["source"]
    if labels is None:
        labels = {t: f"{t} {m['label']}" for t, m in project.track_meta(run).items()
                  if m.get("label")}
    # all or nothing: a killed or cancelled export leaves no truncated mp4 under its name
    with open_source(source) as src, atomic_path(out) as tmp:
        result = write_demo_video(src, tmp, table.frame, table.track_id, table.xywh,
                                  labels=labels or None, trail=trail, minimap=minimap,
                                  frame_range=frame_range, progress=progress, cancel=cancel,
                                  world=world)
    trails = ("pitch (camera motion known: trails stay on the ground)"
              if result.trail_space == "pitch" else
              "image (no calibration or camera motion: trails drift on a panning camera)")
    return {"file": str(out), "frames": result.frames, "boxes": result.boxes,
            "bad_frames": list(result.bad_frames), "minimap": minimap is not None,
            "trails": trails if trail > 0 else "none"}


def export_format_job(project_path: str, run: int, fmt: str, out: str,
                      options: dict[str, Any] | None = None, *, status=None) -> dict[str, Any]:
    """One run in a registry format, opening the project read-only in the calling
    thread (the GUI runs this in a worker; ``status`` is its message callback)."""
    from sporttrack_gui.formats.registry import get_format, output_path

    spec = get_format(fmt, need="export")
    target = output_path(spec, out)
    if status is not None:
        status(f"Exporting {spec.name} to {target}…")
    with Project.open(project_path, readonly=True) as project:
        result = spec.export(project, [run], target, spec.parse_options(options))
    return {**result, "format": spec.name}
