"""Export a run as a MOTChallenge sequence folder or a YOLO dataset.

Why here and not in formats/: the formats room writes files from tables; choosing the
run, the sequence metadata for seqinfo.ini and the frames for YOLO images needs the
project. Writers replace files atomically, so a failed export leaves no half file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project.store import Project


def export_mot(project: Project, run: int, out: str | Path, *,
               overwrite: bool = False) -> dict[str, Any]:
    """Write ``OUT/gt/gt.txt`` (``OUT/det/det.txt`` for a det run) and ``OUT/seqinfo.ini``;
    existing files there are replaced only with ``overwrite`` (someone's annotations)."""
    from sporttrack_gui.formats.mot import SeqInfo, write_mot, write_seqinfo

    info = project.run(run)
    seq = project.sequence(info["sequence_id"])
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ProjectError(f"{out} exists and is not a folder")
    table = project.boxes(run)
    kind = "det" if info["kind"] == "det" else "gt"
    if kind == "gt" and len(table) and int(table.track_id.min()) < 0:
        raise ProjectError(f"run {info['name']!r} has boxes without an id (-1); assign ids "
                           "or export it as detections")
    target = out / kind / f"{kind}.txt"
    existing = [p for p in (target, out / "seqinfo.ini") if p.exists()]
    if existing and not overwrite:
        raise ProjectError(f"{existing[0]} already exists and was not replaced (export into "
                           "another folder, or pass --overwrite to replace it)")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_mot(target, table, kind=kind)
    written = {"boxes": len(table), "file": str(target)}
    seqinfo = seq["meta"].get("seqinfo", {})
    if seq["width"] and seq["height"] and seq["fps"] and seq["frame_count"]:
        ini = out / "seqinfo.ini"
        write_seqinfo(ini, SeqInfo(
            name=seqinfo.get("name", seq["name"]), img_dir=seqinfo.get("imDir", "img1"),
            frame_rate=float(seq["fps"]), seq_length=int(seq["frame_count"]),
            width=int(seq["width"]), height=int(seq["height"]),
            img_ext=seqinfo.get("imExt", ".jpg")))
        written["seqinfo"] = str(ini)
    return written


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
    return seq["meta"].get("img_dir") or seq["source"]


def export_yolo(project: Project, runs: list[int], out: str | Path,
                class_names: list[str] | None = None, *, overwrite: bool = False,
                split: tuple[float, float, float] = (0.8, 0.1, 0.1)) -> dict[str, Any]:
    """YOLO dataset of one run per sequence, split by sequence; frames come from media.

    Only frames present on disk are exported (a MOT folder may hold fewer images than
    its annotations cover); the count left out is reported in ``notes``.
    """
    from sporttrack_gui.formats.yolo import YoloSequenceInput, export_yolo_dataset
    from sporttrack_gui.project._media import open_frames

    class_names = class_names or default_class_names(project, runs)
    sources, inputs, notes = [], [], []
    try:
        for run in runs:
            info = project.run(run)
            seq = project.sequence(info["sequence_id"])
            src = open_frames(_frames_dir(seq))
            sources.append(src)
            table = project.boxes(run)
            on_disk = len(src)
            frames = np.unique(table.frame)
            kept = frames[frames <= on_disk]
            if len(kept) < len(frames):
                notes.append(f"{seq['name']}: {len(frames) - len(kept)} annotated frames have "
                             f"no image on disk (only {on_disk})")
            inputs.append(YoloSequenceInput(
                name=seq["name"], width=int(src.width), height=int(src.height), boxes=table,
                class_index=yolo_class_index(project, run, table, class_names),
                frame_image=src.read_frame, frames=kept.tolist()))
        summary = export_yolo_dataset(out, inputs, class_names, split=split,
                                      overwrite=overwrite)
    finally:
        for src in sources:
            src.close()
    result = summary.as_dict()
    result["notes"] = list(result["notes"]) + notes
    result["classes"] = class_names
    return result


def export_demo_video(project: Project, run: int, out: str | Path, *, source: str | Path | None = None,
                      labels: dict[int, str] | None = None, trail: int = 25,
                      frame_range: tuple[int, int] | None = None, minimap=None, progress=None,
                      cancel=None) -> dict[str, Any]:
    """An mp4 of the run's boxes, ids (with track names where set), trails, optional minimap.

    ``source`` defaults to the run's sequence; ``minimap`` is a
    ``pitch.render.minimap_callback``. Used by ``sporttrack export --format video`` and the
    GUI's File ▸ Export, so both write the same video.
    """
    from sporttrack_gui.atomic_io import atomic_path
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.media.writer import write_demo_video

    table = project.boxes(run)
    if source is None:
        source = project.sequence(project.run(run)["sequence_id"])["source"]
    if labels is None:
        labels = {t: f"{t} {m['label']}" for t, m in project.track_meta(run).items()
                  if m.get("label")}
    # all or nothing: a killed or cancelled export leaves no truncated mp4 under its name
    with open_source(source) as src, atomic_path(out) as tmp:
        result = write_demo_video(src, tmp, table.frame, table.track_id, table.xywh,
                                  labels=labels or None, trail=trail, minimap=minimap,
                                  frame_range=frame_range, progress=progress, cancel=cancel)
    return {"file": str(out), "frames": result.frames, "boxes": result.boxes,
            "bad_frames": list(result.bad_frames), "minimap": minimap is not None}
