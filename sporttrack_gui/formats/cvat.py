"""CVAT for video 1.1 XML (tracks) in and out; CVAT for images 1.1 in.

Why CVAT for video: it is how CVAT users exchange *tracks*: ``<track id label>`` holding
one ``<box frame keyframe outside occluded xtl ytl xbr ybr>`` per frame. CVAT dumps every
frame of a track (interpolated ones with ``keyframe="0"``) and closes a stretch with an
``outside="1"`` box on the frame after it; so a box listed with ``outside="0"`` is a box,
an outside one marks where the object left. This reader takes the file literally (it
interpolates nothing), as CVAT and datumaro do.

Mapping to SportTrack (see :mod:`.interchange`): CVAT frames are 0-based (frame 1 is
``frame="0"``); the track id is kept; the track's label is the track's ``class``;
``occluded="1"`` reads as visibility 0 (otherwise -1, unknown) and is written for boxes
with 0 <= visibility < 0.5; per-track metadata (``label``, ``team``, ``note``,
``colour``) travel as text attributes declared on the label. Boxes without an id (-1)
have no place in a video track and are refused by the writer.

The reader streams the file through expat (a match has millions of boxes) and names the
file, line and element of the first problem, like the MOT reader.
"""

from __future__ import annotations

import math
import os
import xml.parsers.expat
from array import array
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

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

_SHAPES = {"polygon", "polyline", "points", "mask", "skeleton", "ellipse", "cuboid", "tag"}


# ------------------------------------------------------------------------------ writer
def format_cvat_video(ann: Annotations) -> str:
    """The XML text :func:`write_cvat_video` writes (see there)."""
    return "".join(cvat_video_chunks(ann))


def cvat_video_chunks(ann: Annotations, chunk: int = 20_000) -> Iterator[str]:
    """The XML in pieces of about ``chunk`` boxes (writers stream them to the file, so a
    match's XML never sits in memory whole). Validates before the first piece."""
    table = ann.table
    if len(table) and int(table.track_id.min()) < 0:
        i = int(np.flatnonzero(table.track_id < 0)[0])
        raise InputError(f"CVAT for video holds tracks; box {i} (frame {int(table.frame[i])}) "
                         "has no id (-1): assign ids or export as COCO/MOT detections")
    i = first_unwritable(table)
    if i is not None:
        raise InputError(f"cannot write box {i}: frame {int(table.frame[i])}, id "
                         f"{int(table.track_id[i])}, xywh {table.xywh[i].tolist()} (need frame "
                         ">= 1, finite values, width/height > 0)")
    names, label_idx = box_labels(ann)
    order = np.lexsort((table.frame, table.track_id))
    frame = table.frame[order].astype(np.int64)
    track = table.track_id[order]
    x0, y0 = table.xywh[order, 0].astype(np.float64), table.xywh[order, 1].astype(np.float64)
    x1 = x0 + table.xywh[order, 2].astype(np.float64)
    y1 = y0 + table.xywh[order, 3].astype(np.float64)
    coords = [format_float32(v) for v in (x0, y0, x1, y1)]
    vis = table.vis[order]
    occluded = (ann.occluded[order] if ann.occluded is not None
                else (vis >= 0) & (vis < 0.5)).astype(np.int8).tolist()
    keyframe = (ann.keyframe[order] if ann.keyframe is not None
                else np.ones(len(order), bool)).astype(np.int8).tolist()
    n_frames = int(ann.frame_count or (int(frame.max()) if len(frame) else 0))
    n_frames = max(n_frames, int(frame.max()) if len(frame) else 0)
    labels_of = label_idx[order]
    attrs_by_label = _attributes_by_label(ann, names, track, labels_of)

    out = ['<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n']
    out.append(_meta(ann, names, attrs_by_label, n_frames))
    yield "".join(out)
    out = []
    starts = np.flatnonzero(np.r_[True, track[1:] != track[:-1]]) if len(track) else []
    ends = list(starts[1:]) + [len(track)] if len(track) else []
    frames = frame.tolist()
    for a, b in zip(starts, ends, strict=True):
        tid = int(track[a])
        label = names[int(labels_of[a])]
        meta = ann.track_meta.get(tid, {})
        attr_xml = "".join(f'      <attribute name={quoteattr(k)}>{escape(str(meta[k]))}'
                           "</attribute>\n" for k in TRACK_ATTRIBUTES if meta.get(k))
        out.append(f'  <track id="{tid}" label={quoteattr(label)} source="manual">\n')
        for i in range(a, b):
            f = frames[i] - 1
            box = (f'frame="{f}" keyframe="{keyframe[i]}" outside="%s" occluded="{occluded[i]}" '
                   f'xtl="{coords[0][i]}" ytl="{coords[1][i]}" xbr="{coords[2][i]}" '
                   f'ybr="{coords[3][i]}" z_order="0"')
            out.append(f"    <box {box % '0'}>\n{attr_xml}    </box>\n" if attr_xml
                       else f"    <box {box % '0'}/>\n")
            last = i == b - 1
            if (last and f + 1 < n_frames) or (not last and frames[i + 1] != frames[i] + 1):
                # the object leaves: CVAT closes the stretch on the next frame
                gone = box.replace(f'frame="{f}" keyframe="{keyframe[i]}"',
                                   f'frame="{f + 1}" keyframe="1"') % "1"
                out.append(f"    <box {gone}>\n{attr_xml}    </box>\n" if attr_xml
                           else f"    <box {gone}/>\n")
            if len(out) >= chunk:
                yield "".join(out)
                out = []
        out.append("  </track>\n")
    out.append("</annotations>\n")
    yield "".join(out)


def write_cvat_video(path: str | os.PathLike, ann: Annotations) -> None:
    """Write ``ann`` as CVAT for video 1.1 XML, atomically (one file, final name only
    when complete). Raises :class:`InputError` for boxes without an id or invalid boxes."""
    chunks = cvat_video_chunks(ann)
    head = next(chunks)  # validation errors surface before any file exists
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(head)
        for piece in chunks:
            fh.write(piece)
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the rename, as atomic_write_text does


def _attributes_by_label(ann: Annotations, names: list[str], track: np.ndarray,
                         labels_of: np.ndarray) -> dict[str, list[str]]:
    used: dict[str, set[str]] = {n: set() for n in names}
    if len(track):
        first = np.flatnonzero(np.r_[True, track[1:] != track[:-1]])
        for t, lab in zip(track[first].tolist(), labels_of[first].tolist(), strict=True):
            meta = ann.track_meta.get(int(t), {})
            used[names[lab]].update(k for k in TRACK_ATTRIBUTES if meta.get(k))
    return {n: [k for k in TRACK_ATTRIBUTES if k in s] for n, s in used.items()}


def _meta(ann: Annotations, names: list[str], attrs: dict[str, list[str]], n_frames: int) -> str:
    labels = []
    for n in names:
        attr_xml = "".join(
            f"            <attribute><name>{escape(a)}</name><mutable>False</mutable>"
            "<input_type>text</input_type><default_value></default_value><values></values>"
            "</attribute>\n" for a in attrs.get(n, []))
        labels.append(f"        <label>\n          <name>{escape(n)}</name>\n"
                      "          <type>rectangle</type>\n"
                      f"          <attributes>\n{attr_xml}          </attributes>\n"
                      "        </label>\n")
    size = ""
    if ann.width and ann.height:
        size = (f"      <original_size>\n        <width>{int(ann.width)}</width>\n"
                f"        <height>{int(ann.height)}</height>\n      </original_size>\n")
    return ("  <meta>\n    <task>\n      <id>0</id>\n"
            f"      <name>{escape(ann.name or 'sporttrack')}</name>\n"
            f"      <size>{n_frames}</size>\n      <mode>interpolation</mode>\n"
            "      <overlap>0</overlap>\n      <start_frame>0</start_frame>\n"
            f"      <stop_frame>{max(n_frames - 1, 0)}</stop_frame>\n"
            "      <frame_filter></frame_filter>\n"
            f"      <labels>\n{''.join(labels)}      </labels>\n{size}"
            "    </task>\n  </meta>\n")


# ------------------------------------------------------------------------------ reader
class _Reader:
    """expat callbacks building columns; the first problem raises InputError(file, line)."""

    def __init__(self, name: str):
        self.name = name
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.buffer_text = True  # one text callback per run of characters
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.EntityDeclHandler = self.entity
        self.stack: list[str] = []
        self.chars: list[str] = []
        self.labels: list[str] = []
        self.declared = False
        self.meta_fields: dict[str, str] = {}
        self.track: tuple[int, str] | None = None
        self.image: tuple[int, int | None, int | None] | None = None
        self.box: dict | None = None
        self.attr_name: str | None = None
        # typed arrays, not lists: a match's millions of boxes stay compact
        self.cols: dict[str, array] = {k: array(t) for k, t in (
            ("frame", "q"), ("track", "q"), ("x0", "d"), ("y0", "d"), ("x1", "d"), ("y1", "d"),
            ("label", "l"), ("occluded", "b"), ("keyframe", "b"), ("line", "q"))}
        self.track_meta: dict[int, dict[str, str]] = {}
        self.label_index: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self.outside = 0
        self.images = 0

    def fail(self, msg: str) -> None:
        raise InputError(msg, self.name, self.parser.CurrentLineNumber)

    def entity(self, *args) -> None:
        self.fail("XML entity declarations are not allowed in a CVAT file")

    def _int(self, el: str, attrs: dict, key: str, low: int = 0,
             high: int = MAX_FRAME - 1) -> int:
        """A whole-number attribute in [low, high] (frames: 0-based, so the default
        ``high`` keeps the 1-based frame within the int32 column)."""
        raw = attrs.get(key)
        if raw is None:
            self.fail(f"<{el}> has no {key} attribute")
        try:
            value = int(raw)
        except ValueError:
            self.fail(f"<{el}> {key}={raw!r} is not a whole number")
        if value < low:
            self.fail(f"<{el}> {key}={value} must be >= {low}")
        if value > high:
            self.fail(f"<{el}> {key}={value} must be <= {high}")
        return value

    def _float(self, attrs: dict, key: str) -> float:
        raw = attrs.get(key)
        if raw is None:
            self.fail(f"<box> has no {key} attribute")
        try:
            value = float(raw)
        except ValueError:
            self.fail(f"<box> {key}={raw!r} is not a number")
        if not math.isfinite(value):
            self.fail(f"<box> {key}={raw!r} is not finite")
        return value

    def start(self, el: str, attrs: dict) -> None:
        if not self.stack and el != "annotations":
            self.fail(f"expected a CVAT XML file (<annotations> root), got <{el}>")
        self.stack.append(el)
        self.chars = []
        if el == "track":
            if self.track or self.image:
                self.fail("<track> inside another <track> or <image>")
            self.track = (self._int(el, attrs, "id", high=MAX_TRACK_ID), self._label(el, attrs))
        elif el == "image":
            if self.track or self.image:
                self.fail("<image> inside a <track> or another <image>")
            w, h = attrs.get("width"), attrs.get("height")
            self.image = (self._int(el, attrs, "id"), int(w) if w and w.isdigit() else None,
                          int(h) if h and h.isdigit() else None)
            self.images += 1
        elif el == "box" and (self.track or self.image):
            self._start_box(attrs)
        elif el == "attribute" and self.box is not None:
            self.attr_name = attrs.get("name")
            if not self.attr_name:
                self.fail("<attribute> has no name")
        elif el in _SHAPES and (self.track or self.image):
            self.skipped[el] = self.skipped.get(el, 0) + 1

    def _label(self, el: str, attrs: dict) -> str:
        label = attrs.get("label")
        if label is None:
            self.fail(f"<{el}> has no label attribute")
        if label not in self.labels:
            if self.declared:
                self.fail(f"<{el}> label {label!r} is not declared in <meta> "
                          f"(labels: {', '.join(self.labels)})")
            self.labels.append(label)
        return label

    def _start_box(self, attrs: dict) -> None:
        if self.track is not None:
            frame = self._int("box", attrs, "frame")
            track, label = self.track
        else:
            assert self.image is not None
            frame, track, label = self.image[0], -1, self._label("box", attrs)
        x0, y0 = self._float(attrs, "xtl"), self._float(attrs, "ytl")
        x1, y1 = self._float(attrs, "xbr"), self._float(attrs, "ybr")
        outside = attrs.get("outside", "0") == "1"
        if not outside and (x1 <= x0 or y1 <= y0):
            self.fail(f"<box> frame {frame}: xbr/ybr ({x1}, {y1}) must be right of and below "
                      f"xtl/ytl ({x0}, {y0})")
        if attrs.get("rotation") not in (None, "0", "0.0"):
            self.skipped["rotated box (rotation ignored)"] = \
                self.skipped.get("rotated box (rotation ignored)", 0) + 1
        self.box = {"frame": frame, "track": track, "label": label, "x": (x0, y0, x1, y1),
                    "outside": outside, "occluded": attrs.get("occluded", "0") == "1",
                    "keyframe": attrs.get("keyframe", "1") == "1", "attrs": {},
                    "line": self.parser.CurrentLineNumber}

    def text(self, data: str) -> None:
        self.chars.append(data)

    def end(self, el: str) -> None:
        self.stack.pop()
        text = "".join(self.chars).strip()
        self.chars = []
        parent = self.stack[-1] if self.stack else ""
        if el == "attribute" and self.box is not None and self.attr_name:
            self.box["attrs"][self.attr_name] = text
            self.attr_name = None
        elif el == "box" and self.box is not None:
            self._end_box()
        elif el == "track":
            self.track = None
        elif el == "image":
            self.image = None
        elif "meta" in self.stack:
            self._meta_end(el, parent, text)

    def _meta_end(self, el: str, parent: str, text: str) -> None:
        if el == "name" and parent == "label" and "attributes" not in self.stack:
            if text not in self.labels:
                self.labels.append(text)
        elif el == "labels":
            self.declared = True
        elif parent == "original_size" and el in ("width", "height"):
            self.meta_fields[el] = text
        elif parent in ("task", "job") and el in ("size", "name", "stop_frame"):  # CVAT 2 jobs
            self.meta_fields.setdefault(el, text)

    def _end_box(self) -> None:
        box, self.box = self.box, None
        assert box is not None
        if box["outside"]:
            self.outside += 1
            return
        if self.image is not None and "track_id" in box["attrs"]:
            raw = box["attrs"].pop("track_id")
            box["track"] = _track_attribute(raw, self.name, box["line"])
        # duplicates (track, frame) are found in numpy at the end
        if box["track"] >= 0 and box["track"] not in self.track_meta:
            meta = {"class": box["label"]}
            other = []
            for k, v in box["attrs"].items():
                if k in TRACK_ATTRIBUTES:
                    meta[k] = v
                elif v:
                    other.append(f"{k}={v}")
            if other and "note" not in meta:
                meta["note"] = "; ".join(other)
            self.track_meta[box["track"]] = meta
        c = self.cols
        c["frame"].append(box["frame"] + 1)
        c["track"].append(box["track"])
        for k, v in zip(("x0", "y0", "x1", "y1"), box["x"], strict=True):
            c[k].append(v)
        label = self.label_index.get(box["label"])
        if label is None:
            label = self.label_index[box["label"]] = self.labels.index(box["label"])
        c["label"].append(label)
        c["occluded"].append(box["occluded"])
        c["keyframe"].append(box["keyframe"])
        c["line"].append(box["line"])


def _track_attribute(raw: str, name: str, line: int) -> int:
    """A ``track_id`` attribute of a CVAT-for-images box: a whole number from -1 (no id)
    to :data:`MAX_TRACK_ID`; ids below -1 are the project's parked rows, never input."""
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value == int(value)):
        raise InputError(f"<box> track_id attribute {raw!r} is not a whole number", name, line)
    if not -1 <= value <= MAX_TRACK_ID:
        raise InputError(f"<box> track_id attribute {raw!r} must be -1 (no id) to "
                         f"{MAX_TRACK_ID}", name, line)
    return int(value)


def read_cvat(path: str | os.PathLike) -> Annotations:
    """Read CVAT for video 1.1 (``<track>``) or CVAT for images 1.1 (``<image>``) XML.

    Image files keep a box's ``track_id`` attribute as its id (datumaro writes one),
    else -1. Shapes other than boxes are skipped and counted in ``notes``. Raises
    :class:`InputError` naming file and line for malformed XML, a box without numbers,
    an undeclared label, or one track with two boxes in a frame.
    """
    name = str(path)
    reader = _Reader(name)
    try:
        with open(path, "rb") as fh:
            reader.parser.ParseFile(fh)
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", name) from None
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}, "
                         f"column {exc.offset + 1}", name, exc.lineno) from None
    c = {k: np.frombuffer(v, dtype=v.typecode) if len(v) else np.zeros(0, v.typecode)
         for k, v in reader.cols.items()}
    xyxy = np.stack([c["x0"], c["y0"], c["x1"], c["y1"]], axis=1).reshape(-1, 4)
    xywh = np.concatenate([xyxy[:, :2], xyxy[:, 2:] - xyxy[:, :2]], axis=1)
    occluded = c["occluded"].astype(bool)
    table = MotTable.from_arrays(c["frame"], c["track"], xywh, cls=c["label"],
                                 vis=np.where(occluded, 0.0, -1.0))
    order = np.lexsort((table.track_id, table.frame))
    table = table.select(order)
    _check_unique(table, c["line"][order], name)
    meta = reader.meta_fields
    frame_count = _int_or_none(meta.get("size"))
    if frame_count is None and _int_or_none(meta.get("stop_frame")) is not None:
        frame_count = int(meta["stop_frame"]) + 1
    notes = [f"skipped {n} <{k}> shape(s): only boxes are imported"
             for k, n in sorted(reader.skipped.items())]
    return Annotations(table=table, labels=list(reader.labels), track_meta=reader.track_meta,
                       width=_int_or_none(meta.get("width")),
                       height=_int_or_none(meta.get("height")), frame_count=frame_count,
                       name=meta.get("name", ""), keyframe=c["keyframe"].astype(bool)[order],
                       occluded=occluded[order], notes=notes)


def _check_unique(table: MotTable, lines: np.ndarray, name: str) -> None:
    """One track with two boxes in a frame: name the later line (table sorted by frame,
    track)."""
    same = (table.frame[1:] == table.frame[:-1]) & (table.track_id[1:] == table.track_id[:-1])
    same &= table.track_id[1:] >= 0
    if same.any():
        i = int(np.flatnonzero(same)[0])
        raise InputError(f"track {int(table.track_id[i])} has two boxes in frame "
                         f"{int(table.frame[i]) - 1}", name, int(max(lines[i], lines[i + 1])))


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None
