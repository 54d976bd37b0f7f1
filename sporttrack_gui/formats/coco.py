"""COCO object-detection JSON in and out, optionally with video and track ids.

Why both plain and video COCO: detector tooling (pycocotools, ultralytics converters,
datumaro) reads plain COCO -- ``images``, ``categories``, ``annotations`` with ``bbox``
``[x, y, w, h]`` -- while tracking datasets add ``videos``, ``video_id``/``frame_id`` on
images and ``track_id`` on annotations (the convention of the MOT-to-COCO converters of
ByteTrack and FairMOT, whose ``frame_id`` is 1-based). With ``video=True`` the writer
adds those, and also puts ``track_id`` in the annotation's ``attributes`` (where
datumaro reads and writes it).

Mapping: one image per frame (``id`` = frame number, ``file_name`` from a pattern,
``000001.jpg`` like a MOT ``img1/``); category ids are 1-based (0 is "background" to
most COCO tools); a track's ``class`` names its category; ``score`` is written for
boxes whose confidence is not 1. The reader takes a frame from ``frame_id``, else
``frame_index`` + 1 (0-based, TAO), else the number at the end of ``file_name``, else
the image's rank by id; the track id from ``track_id``, ``attributes.track_id`` or
``instance_id``, else -1. Problems name the file and the element (``annotations[17]``).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.atomic_io import atomic_path
from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.interchange import (
    MAX_FRAME,
    MAX_TRACK_ID,
    TRACK_ATTRIBUTES,
    Annotations,
    box_labels,
    first_unwritable,
)
from sporttrack_gui.formats.mot_table import MotTable
from sporttrack_gui.formats.numfmt import format_float32

_TRAILING_NUMBER = re.compile(r"(\d+)$")
_NUMBER = (int, float)  # exact types: JSON true/false are bool, never a coordinate
_UNHASHABLE = (list, dict)  # the JSON values that cannot be an id (a dict key)


def _finite(value: Any) -> bool:
    """A JSON number that is finite as a float (a huge JSON integer is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_file_name(pattern: str) -> None:
    """Refuse a ``file_name`` pattern that ``str.format(frame=N)`` cannot fill, before
    any file is written."""
    try:
        pattern.format(frame=1)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise InputError(f"file_name pattern {pattern!r} cannot be filled ({exc}); use "
                         "{frame} for the frame number, e.g. {frame:06d}.jpg") from None


# ------------------------------------------------------------------------------ writer
def coco_dict(ann: Annotations, *, video: bool = False,
              file_name: str = "{frame:06d}.jpg") -> dict[str, Any]:
    """The COCO document as a dict (see the module docstring; tests and small files)."""
    return json.loads("".join(coco_chunks(ann, video=video, file_name=file_name)))


def coco_chunks(ann: Annotations, *, video: bool = False, file_name: str = "{frame:06d}.jpg",
                chunk: int = 20_000) -> Iterator[str]:
    """The COCO JSON text in pieces of about ``chunk`` annotations, so a match's document
    is streamed to the file instead of built as millions of dicts. Validates first."""
    _check_file_name(file_name)
    table = ann.table
    i = first_unwritable(table, conf=True)
    if i is not None:
        raise InputError(f"cannot write box {i}: frame {int(table.frame[i])}, xywh "
                         f"{table.xywh[i].tolist()} (need frame >= 1, finite values, "
                         "width/height > 0)")
    names, label_idx = box_labels(ann)
    order = np.lexsort((table.track_id, table.frame))
    frame = table.frame[order].astype(np.int64)
    last = max(int(ann.frame_count or 0), int(frame.max()) if len(frame) else 0)
    size = {"width": int(ann.width), "height": int(ann.height)} if ann.width and ann.height else {}
    head = {"info": {"description": ann.name or "SportTrack export"}, "licenses": [],
            "categories": [{"id": i + 1, "name": n, "supercategory": ""}
                           for i, n in enumerate(names)]}
    if video:
        head["videos"] = [{"id": 1, "name": ann.name or "sequence", **size}]
    yield json.dumps(head, separators=(",", ":"))[:-1] + ',"images":['
    for a in range(1, last + 1, chunk):
        images = []
        for f in range(a, min(a + chunk, last + 1)):
            img: dict[str, Any] = {"id": f, "file_name": file_name.format(frame=f), **size}
            if video:
                img.update(video_id=1, frame_id=f)
            images.append(json.dumps(img, separators=(",", ":")))
        yield ("," if a > 1 else "") + ",".join(images)
    yield '],"annotations":['
    xywh = table.xywh[order]
    area = (xywh[:, 2].astype(np.float64) * xywh[:, 3]).astype(np.float32)
    conf = table.conf[order]
    has_score = bool((conf != 1).any())
    track = table.track_id[order]
    tail = _track_tails(ann, track) if video else {}
    cat = (label_idx[order] + 1)
    for a in range(0, len(order), chunk):
        b = min(a + chunk, len(order))
        cols = [format_float32(xywh[a:b, j]) for j in range(4)]
        areas = format_float32(area[a:b])
        scores = format_float32(conf[a:b]) if has_score else None
        ids, frames, cats = range(a + 1, b + 1), frame[a:b].tolist(), cat[a:b].tolist()
        tracks = track[a:b].tolist()
        rows = []
        for k in range(b - a):
            row = (f'{{"id":{ids[k]},"image_id":{frames[k]},"category_id":{cats[k]},'
                   f'"bbox":[{cols[0][k]},{cols[1][k]},{cols[2][k]},{cols[3][k]}],'
                   f'"area":{areas[k]},"iscrowd":0,"segmentation":[]')
            if scores is not None:
                row += f',"score":{scores[k]}'
            rows.append(row + tail.get(tracks[k], "") + "}")
        yield ("," if a else "") + ",".join(rows)
    yield "]}"


def _track_tails(ann: Annotations, track: np.ndarray) -> dict[int, str]:
    """Per track id >= 0: the JSON text of its track_id, video_id and attributes."""
    out = {}
    for t in np.unique(track[track >= 0]).tolist():
        meta = ann.track_meta.get(t, {})
        attrs = {"track_id": t, **{k: meta[k] for k in TRACK_ATTRIBUTES if meta.get(k)}}
        out[t] = f',"track_id":{t},"video_id":1,"attributes":' + \
            json.dumps(attrs, separators=(",", ":"))
    return out


def write_coco(path: str | os.PathLike, ann: Annotations, *, video: bool = False,
               file_name: str = "{frame:06d}.jpg") -> None:
    """Write COCO JSON atomically; ``video=True`` adds videos/frame ids/track ids."""
    chunks = coco_chunks(ann, video=video, file_name=file_name)
    head = next(chunks)  # validation errors surface before any file exists
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(head)
        for piece in chunks:
            fh.write(piece)
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the rename, as atomic_write_text does


# ------------------------------------------------------------------------------ reader
def read_coco(path: str | os.PathLike, *, video: str | int | None = None) -> Annotations:
    """Read COCO JSON boxes (one video when the file holds several: pass its id or name).

    Raises :class:`InputError` naming the file and element for a document that is not
    COCO, an annotation of a missing image or category, a bbox that is not four finite
    numbers with positive size, or one track with two boxes in a frame.
    """
    name = str(path)
    try:
        with open(path, "rb") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", name) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not valid JSON ({getattr(exc, 'msg', exc)})", name, line) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list) \
            or not isinstance(doc.get("annotations"), list):
        raise InputError("not a COCO file: expected an object with 'images' and "
                         "'annotations' lists", name)
    cats = _categories(doc, name)
    images = _images(doc, name, video)
    labels = list(dict.fromkeys(cats.values()))
    label_of = {cid: labels.index(n) for cid, n in cats.items()}
    cols: dict[str, list] = {k: [] for k in ("frame", "track", "xywh", "conf", "cls")}
    track_meta: dict[int, dict[str, str]] = {}
    seen: set[tuple[int, int]] = set()
    for i, a in enumerate(doc["annotations"]):
        where = f"annotations[{i}]"
        if not isinstance(a, dict):
            raise InputError(f"{where} is not an object", name)
        for key in ("image_id", "category_id"):
            if isinstance(a.get(key), _UNHASHABLE):
                raise InputError(f"{where} (id {a.get('id')}): {key} {a[key]!r} is not a "
                                 "number or a string", name)
        if a.get("image_id") not in images["frame"]:
            if a.get("image_id") in images["other"]:
                continue  # another video's image
            raise InputError(f"{where} (id {a.get('id')}): image_id {a.get('image_id')!r} is "
                             "not in 'images'", name)
        bbox = a.get("bbox")
        if not (type(bbox) is list and len(bbox) == 4
                and all(type(v) in _NUMBER for v in bbox)
                and all(map(_finite, bbox)) and bbox[2] > 0 and bbox[3] > 0):
            raise InputError(f"{where} (id {a.get('id')}): bbox must be [x, y, w, h] with "
                             f"finite numbers and w, h > 0, got {bbox!r}", name)
        cid = a.get("category_id")
        if cats and cid not in cats:
            raise InputError(f"{where} (id {a.get('id')}): category_id {cid!r} is not in "
                             "'categories'", name)
        frame = images["frame"][a["image_id"]]
        attrs = a.get("attributes") if isinstance(a.get("attributes"), dict) else {}
        tid = _track_id(a, attrs, where, name)
        if tid >= 0:
            if (tid, frame) in seen:
                raise InputError(f"{where} (id {a.get('id')}): track {tid} has two boxes in "
                                 f"frame {frame}", name)
            seen.add((tid, frame))
            if tid not in track_meta:
                meta = {k: str(attrs[k]) for k in TRACK_ATTRIBUTES if attrs.get(k)}
                if cid in cats:
                    meta["class"] = cats[cid]
                track_meta[tid] = meta
        score = a.get("score", 1.0)
        if type(score) in _NUMBER and not _finite(score):
            raise InputError(f"{where} (id {a.get('id')}): score must be a finite number, "
                             f"got {score!r}", name)
        cols["frame"].append(frame)
        cols["track"].append(tid)
        cols["xywh"].append(bbox)
        cols["conf"].append(score if isinstance(score, int | float) else 1.0)
        cols["cls"].append(label_of.get(cid, -1))
    table = MotTable.from_arrays(np.array(cols["frame"], np.int64),
                                 np.array(cols["track"], np.int64),
                                 np.array(cols["xywh"], np.float64).reshape(-1, 4),
                                 conf=np.array(cols["conf"], np.float64),
                                 cls=np.array(cols["cls"], np.int64))
    table = table.select(np.lexsort((table.track_id, table.frame)))
    return Annotations(table=table, labels=labels, track_meta=track_meta,
                       width=images["width"], height=images["height"],
                       frame_count=max(images["frame"].values(), default=0) or None,
                       name=images["name"])


def _track_id(a: dict, attrs: dict, where: str, name: str) -> int:
    for raw in (a.get("track_id"), attrs.get("track_id"), a.get("instance_id")):
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not _finite(raw) \
                or raw != int(raw) or not -1 <= raw <= MAX_TRACK_ID:
            raise InputError(f"{where} (id {a.get('id')}): track_id must be a whole number "
                             f"from 0 to {MAX_TRACK_ID} (-1: none), got {raw!r}", name)
        return int(raw)
    return -1


def _categories(doc: dict, name: str) -> dict[Any, str]:
    cats = doc.get("categories", [])
    if not isinstance(cats, list):
        raise InputError("'categories' is not a list", name)
    out: dict[Any, str] = {}
    for i, c in enumerate(cats):
        if not isinstance(c, dict) or "id" not in c or not isinstance(c.get("name"), str):
            raise InputError(f"categories[{i}] needs an 'id' and a 'name'", name)
        if isinstance(c["id"], _UNHASHABLE):
            raise InputError(f"categories[{i}]: id {c['id']!r} is not a number or a string",
                             name)
        if c["id"] in out:
            raise InputError(f"categories[{i}]: id {c['id']!r} is used twice", name)
        out[c["id"]] = c["name"]
    return out


def _images(doc: dict, name: str, video: str | int | None) -> dict[str, Any]:
    """image id -> frame for the chosen video; ids of other videos' images in 'other'."""
    videos = doc.get("videos") if isinstance(doc.get("videos"), list) else []
    for i, im in enumerate(doc["images"]):
        for key in ("id", "video_id"):
            if isinstance(im, dict) and isinstance(im.get(key), _UNHASHABLE):
                raise InputError(f"images[{i}]: {key} {im[key]!r} is not a number or a "
                                 "string", name)
    vid_ids = {im.get("video_id") for im in doc["images"] if isinstance(im, dict)} - {None}
    chosen, seq_name = None, ""
    if video is not None:
        match = [v for v in videos if isinstance(v, dict)
                 and (v.get("id") == video or str(v.get("name")) == str(video)
                      or str(v.get("id")) == str(video))]
        if not match:
            raise InputError(f"no video {video!r} (videos: "
                             f"{', '.join(str(v.get('name', v.get('id'))) for v in videos)})",
                             name)
        chosen, seq_name = match[0].get("id"), str(match[0].get("name", ""))
    elif len(vid_ids) > 1:
        listed = ", ".join(str(v.get("name", v.get("id"))) for v in videos if isinstance(v, dict))
        raise InputError(f"the file holds {len(vid_ids)} videos ({listed or sorted(vid_ids)}); "
                         "choose one (--option video_name=NAME)", name)
    elif videos and isinstance(videos[0], dict):
        seq_name = str(videos[0].get("name", ""))
    frames: dict[Any, int] = {}
    other: set[Any] = set()
    ranked: list[tuple[Any, int]] = []
    width = height = None
    by_frame: dict[int, Any] = {}
    named = False
    for i, im in enumerate(doc["images"]):
        if not isinstance(im, dict) or "id" not in im:
            raise InputError(f"images[{i}] needs an 'id'", name)
        if chosen is not None and im.get("video_id") != chosen:
            other.add(im["id"])
            continue
        frame = _frame_of(im, i, name)
        if frame is None:
            ranked.append((im["id"], i))
            continue
        if frame in by_frame:
            shown = -frame - 1 if frame < 0 else frame
            raise InputError(f"images[{i}] (id {im['id']!r}): frame number {shown} is also "
                             f"image {by_frame[frame]!r}", name)
        by_frame[frame] = im["id"]
        frames[im["id"]] = frame
        named |= frame < 0
        if width is None and isinstance(im.get("width"), int):
            width, height = im.get("width"), im.get("height")
    if named:  # numbers from file names; 0-based names (frame_000000) shift by one
        if any(f > 0 for f in frames.values()):
            raise InputError("images mix frame_id/frame_index with frame numbers taken from "
                             "file names; give every image a frame_id", name)
        shift = 1 if max(frames.values()) == -1 else 0  # -1 encodes the number 0
        frames = {k: -f - 1 + shift for k, f in frames.items()}
    if ranked:  # no frame number anywhere: frames follow the image ids
        if frames:
            i = ranked[0][1]
            raise InputError(f"images[{i}] has no frame number (frame_id or a number in "
                             "file_name) while other images do", name)
        for rank, (image_id, _) in enumerate(sorted(ranked, key=lambda r: str(r[0]))):
            frames[image_id] = rank + 1
        for im in doc["images"]:
            if width is None and isinstance(im.get("width"), int):
                width, height = im.get("width"), im.get("height")
    return {"frame": frames, "other": other, "width": width, "height": height,
            "name": seq_name}


def _frame_of(im: dict, i: int, name: str) -> int | None:
    for key, offset in (("frame_id", 0), ("frame_index", 1)):
        if key in im:
            raw = im[key]
            if isinstance(raw, bool) or not isinstance(raw, int) or raw + offset < 1 \
                    or raw + offset > MAX_FRAME:
                raise InputError(f"images[{i}]: {key} must be a whole number from "
                                 f"{1 - offset} to {MAX_FRAME - offset}, got {raw!r}", name)
            return raw + offset
    stem = Path(str(im.get("file_name", ""))).stem
    m = _TRAILING_NUMBER.search(stem)
    if m is None:
        return None
    if len(m.group(1)) > 10 or int(m.group(1)) >= MAX_FRAME:  # (int() of 4,300+ digits fails)
        raise InputError(f"images[{i}]: the frame number in file_name {im['file_name']!r} "
                         f"is larger than {MAX_FRAME - 1}", name)
    return -int(m.group(1)) - 1  # negative: from the file name, see _images
