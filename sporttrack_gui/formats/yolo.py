"""YOLO dataset export (``images/``, ``labels/``, ``data.yaml``) and a label reader.

Why the input is plain arrays and a frame callback: the exporter must not know about the
project file or the video decoder, so the CLI, the GUI and tests can all feed it. Boxes
are clipped to the image and boxes that become tiny or invalid are dropped and counted,
because ultralytics silently discards (or worse, trains on) out-of-image labels.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sporttrack_gui.atomic_io import atomic_directory
from sporttrack_gui.core.boxes import clip_boxes
from sporttrack_gui.errors import Cancelled, InputError, MediaError
from sporttrack_gui.formats.limits import MAX_CLASS, MAX_TRACK_ID
from sporttrack_gui.formats.mot_table import MotTable
from sporttrack_gui.formats.numtext import parse_numeric_text
from sporttrack_gui.formats.yolo_split import SPLITS, plan_splits

ClassIndex = np.ndarray | Callable[[np.ndarray], np.ndarray]
IMAGE_MODES = ("copy", "link")  # what happens to a sequence's original image files


@dataclass
class YoloSequenceInput:
    """One sequence to export.

    ``class_index`` is either an int array with one entry per row of ``boxes`` or a
    function from the ``boxes.cls`` column to such an array; entries index ``class_names``
    and -1 skips the box. ``frame_image(frame_number)`` returns the 1-based frame as BGR.
    ``frames`` lists the frames to export (default: every frame that has a box), so
    frames without objects can be exported as negatives. ``frame_file(frame_number)``,
    when given, names the frame's original image file: it is copied (or hard-linked)
    byte for byte instead of decoded and encoded again (a JPEG re-encoded at quality 95
    is about twice the size of a MOT ``img1`` JPEG and loses detail once more).
    """

    name: str
    width: int
    height: int
    boxes: MotTable
    class_index: ClassIndex
    frame_image: Callable[[int], np.ndarray]
    frames: Sequence[int] | None = None
    frame_file: Callable[[int], Path | None] | None = None


@dataclass
class YoloExportSummary:
    """What was written, per split, and what was left out and why."""

    out_dir: Path
    data_yaml: Path
    splits: dict[str, list[str]]  # split -> sequence names
    images: dict[str, int]  # split -> images written
    boxes: dict[str, int]  # split -> label lines written
    dropped_invalid: int = 0  # boxes outside the image or smaller than min_box_px once clipped
    skipped_class: int = 0  # boxes whose class index is -1
    notes: list[str] = field(default_factory=list)
    copied_images: int = 0  # images copied/linked from original files (not re-encoded)

    def as_dict(self) -> dict:
        return {"out_dir": str(self.out_dir), "data_yaml": str(self.data_yaml),
                "splits": self.splits, "images": self.images, "boxes": self.boxes,
                "dropped_invalid": self.dropped_invalid, "skipped_class": self.skipped_class,
                "copied_images": self.copied_images, "notes": self.notes}


def export_yolo_dataset(out_dir: str | os.PathLike, sequences: list[YoloSequenceInput],
                        class_names: list[str], split: Sequence[float] = (0.8, 0.1, 0.1),
                        seed: int = 0, frame_stride: int = 1, *, min_box_px: float = 2.0,
                        jpeg_quality: int = 95, overwrite: bool = False,
                        progress: Callable[[int, int], None] | None = None,
                        track_ids: bool = False, images: str = "copy",
                        cancel: Callable[[], bool] | None = None) -> YoloExportSummary:
    """Write a YOLO detection dataset, splitting by sequence (see :mod:`.yolo_split`).

    Every ``frame_stride``-th frame of each sequence's frame list is exported. Existing
    ``images/`` or ``labels/`` content is refused unless ``overwrite`` (then replaced), so
    two exports never mix. ``progress(done, total)`` is called after each image;
    ``cancel()`` returning True stops between images (``Cancelled``; nothing is left).
    ``track_ids`` appends the track id to each label line (``cls cx cy w h id``, as
    ultralytics writes tracking results with ``save_txt``); ultralytics' detection
    trainer wants exactly five columns, so a dataset for training is exported without.

    ``images``: ``"copy"`` (default) copies a sequence's original image files when it
    has them (``frame_file``), ``"link"`` hard-links them (no extra disk, but the dataset
    and the sequence then share the files: an in-place edit of one changes the other;
    falls back to a copy across file systems). Frames of a video are decoded and encoded
    once as JPEG at ``jpeg_quality`` (95: visually lossless, a tenth of a PNG's size).
    """
    import cv2  # only the exporter needs OpenCV

    if images not in IMAGE_MODES:
        raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, got {images!r}")
    if frame_stride < 1:
        raise ValueError(f"frame_stride must be >= 1, got {frame_stride}")
    if not class_names:
        raise ValueError("class_names is empty")
    root = Path(out_dir)
    _check_out_dir(root, overwrite)
    safe = {s.name: _safe_name(s.name) for s in sequences}
    if len(set(safe.values())) != len(sequences):
        raise ValueError("sequence names must be unique (after replacing unsafe characters)")
    plan, notes = plan_splits([s.name for s in sequences], split, seed)
    split_of = {name: sp for sp, names in plan.items() for name in names}
    jobs = [(s, _export_frames(s, frame_stride)) for s in sequences]
    total = sum(len(frames) for _, frames in jobs)
    summary = YoloExportSummary(root, root / "data.yaml", plan, dict.fromkeys(SPLITS, 0),
                                dict.fromkeys(SPLITS, 0), notes=notes)
    with _staging(root, overwrite) as stage:
        _write_dataset(cv2, stage, jobs, split_of, safe, class_names, summary, min_box_px,
                       (jpeg_quality, images), total, progress, track_ids, cancel)
    return summary


def _write_dataset(cv2, stage: Path, jobs, split_of: dict[str, str], safe: dict[str, str],
                   class_names: list[str], summary: YoloExportSummary, min_box_px: float,
                   image_opts: tuple[int, str], total: int, progress, track_ids: bool,
                   cancel: Callable[[], bool] | None = None) -> None:
    """Images, labels and data.yaml into the hidden staging folder ``stage`` (moved into
    place whole when complete, so files inside need no atomic writes of their own)."""
    done = 0
    for seq, frames in jobs:
        sp = split_of[seq.name]
        img_dir, lbl_dir = stage / "images" / sp, stage / "labels" / sp
        img_dir.mkdir(parents=True, exist_ok=True)
        lbl_dir.mkdir(parents=True, exist_ok=True)
        cls_idx = _class_indices(seq, len(class_names))
        rows_of = seq.boxes.by_frame()
        for frame in frames:
            if cancel is not None and cancel():
                raise Cancelled(f"YOLO export cancelled after {done} of {total} images")
            rows = rows_of.get(frame, np.zeros(0, np.int64))
            lines, dropped, skipped = yolo_label_lines(
                seq.boxes.xyxy[rows], cls_idx[rows], seq.width, seq.height, min_box_px,
                track_id=seq.boxes.track_id[rows] if track_ids else None)
            summary.dropped_invalid += dropped
            summary.skipped_class += skipped
            stem = f"{safe[seq.name]}_{frame:06d}"
            summary.copied_images += _write_image(cv2, img_dir, stem, seq, frame, *image_opts)
            (lbl_dir / f"{stem}.txt").write_text("".join(lines), encoding="ascii")
            summary.images[sp] += 1
            summary.boxes[sp] += len(lines)
            done += 1
            if progress is not None:
                progress(done, total)
    _write_data_yaml(summary, class_names, stage / "data.yaml")


def yolo_label_lines(xyxy: np.ndarray, cls_idx: np.ndarray, width: int, height: int,
                     min_box_px: float = 2.0, track_id: np.ndarray | None = None,
                     ) -> tuple[list[str], int, int]:
    """Label lines ``cls cx cy w h`` (normalised; ``cls cx cy w h id`` with ``track_id``),
    plus counts of dropped and skipped boxes."""
    keep_cls = cls_idx >= 0
    boxes = clip_boxes(xyxy[keep_cls], width, height)
    with np.errstate(invalid="ignore"):
        wh = boxes[:, 2:] - boxes[:, :2]
        ok = np.isfinite(boxes).all(axis=1) & (wh >= min_box_px).all(axis=1)
    boxes, cls = boxes[ok], cls_idx[keep_cls][ok]
    scale = np.array([width, height, width, height], np.float64)
    cxcywh = np.concatenate([(boxes[:, :2] + boxes[:, 2:]) / 2, boxes[:, 2:] - boxes[:, :2]],
                            axis=1) / scale
    if track_id is not None:
        ids = np.asarray(track_id)[keep_cls][ok].tolist()
        lines = [f"{c} {a:.6f} {b:.6f} {w:.6f} {h:.6f} {t}\n"
                 for c, (a, b, w, h), t in zip(cls.tolist(), cxcywh.tolist(), ids, strict=True)]
    else:
        lines = [f"{c} {a:.6f} {b:.6f} {w:.6f} {h:.6f}\n"
                 for c, (a, b, w, h) in zip(cls.tolist(), cxcywh.tolist(), strict=True)]
    return lines, int((~ok).sum()), int((~keep_cls).sum())


def read_yolo_labels(folder: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every ``*.txt`` in ``folder``: stem -> (K, 5) float64 ``[cls, cx, cy, w, h]``, or
    (K, 6) ``[cls, cx, cy, w, h, id]`` for labels written with track ids.

    Raises :class:`InputError` naming file and line for a line that is not five (or, in
    every line of a file, six) numbers, a class or id that is not a whole number >= 0, or
    coordinates outside [0, 1].
    """
    out: dict[str, np.ndarray] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        text = parse_numeric_text(path.read_bytes())
        width = int(text.ncols[0]) if len(text.ncols) and text.ncols[0] == 6 else 5
        bad = np.flatnonzero(text.ncols != width)
        if len(bad):
            raise InputError(f"expected {width} values (class cx cy w h"
                             f"{' id' if width == 6 else ''}), got {text.ncols[bad[0]]}",
                             str(path), int(text.line_no[bad[0]]))
        rows = text.values.reshape(-1, width)
        with np.errstate(invalid="ignore"):
            wrong = ~np.isfinite(rows).all(axis=1) | (rows[:, 0] < 0) \
                | (rows[:, 0] > MAX_CLASS) \
                | (rows[:, 0] != np.round(rows[:, 0])) | (rows[:, 1:5] < 0).any(axis=1) \
                | (rows[:, 1:5] > 1).any(axis=1)
            if width == 6:
                wrong |= (rows[:, 5] < 0) | (rows[:, 5] != np.round(rows[:, 5])) \
                    | (rows[:, 5] > MAX_TRACK_ID)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise InputError(f"need a class id >= 0 (at most {MAX_CLASS}) and coordinates "
                             f"in [0, 1], got {rows[i].tolist()}", str(path),
                             int(text.line_no[i]))
        out[path.stem] = rows
    return out


def _export_frames(seq: YoloSequenceInput, stride: int) -> list[int]:
    frames = np.unique(seq.boxes.frame if seq.frames is None else np.asarray(seq.frames))
    if len(frames) and frames[0] < 1:
        raise ValueError(f"{seq.name}: frame numbers start at 1, got {int(frames[0])}")
    return frames[::stride].tolist()


def _class_indices(seq: YoloSequenceInput, n_classes: int) -> np.ndarray:
    ci = seq.class_index(seq.boxes.cls) if callable(seq.class_index) else seq.class_index
    ci = np.asarray(ci).reshape(-1)
    if len(ci) != len(seq.boxes):
        raise ValueError(f"{seq.name}: class_index has {len(ci)} entries for "
                         f"{len(seq.boxes)} boxes")
    if len(ci) and (ci.min() < -1 or ci.max() >= n_classes):
        raise ValueError(f"{seq.name}: class indices must be -1..{n_classes - 1}, "
                         f"got {int(ci.min())}..{int(ci.max())}")
    return ci.astype(np.int64)


def _write_image(cv2, folder: Path, stem: str, seq: YoloSequenceInput, frame: int,
                 quality: int, mode: str) -> int:
    """The frame's image as ``folder/stem.EXT``: its original file copied or linked
    (1 is returned), else encoded once as JPEG (0)."""
    original = seq.frame_file(frame) if seq.frame_file is not None else None
    if original is not None:
        target = folder / f"{stem}{Path(original).suffix.lower()}"
        size = _image_size(cv2, Path(original))
        if size != (seq.width, seq.height):
            got = "cannot be decoded" if size is None else f"is {size[0]}x{size[1]}"
            raise MediaError(f"{seq.name}: frame {frame} ({original}) {got}, the sequence "
                             f"is {seq.width}x{seq.height}", str(original), frame)
        try:
            if mode == "link":
                try:
                    os.link(original, target)
                    return 1
                except OSError:  # another file system, or links not allowed: copy
                    pass
            shutil.copyfile(original, target)
        except OSError as exc:
            raise MediaError(f"{seq.name}: cannot copy frame {frame} from {original} ({exc})",
                             str(original), frame) from None
        return 1
    path = folder / f"{stem}.jpg"
    img = seq.frame_image(frame)
    if img is None or getattr(img, "ndim", 0) not in (2, 3):
        raise MediaError(f"{seq.name}: no image for frame {frame}", seq.name, frame)
    if img.shape[:2] != (seq.height, seq.width):
        raise MediaError(f"{seq.name}: frame {frame} is {img.shape[1]}x{img.shape[0]}, the "
                         f"sequence says {seq.width}x{seq.height}", seq.name, frame)
    if not cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)]):
        raise MediaError(f"cannot write {path}", str(path), frame)
    return 0


def _image_size(cv2, path: Path) -> tuple[int, int] | None:
    """(width, height) from the image header (Pillow reads only the header, ~50 µs),
    else by decoding; None for an unreadable file. A label is normalised by the
    sequence's size, so an original of another size must not be copied silently."""
    try:
        from PIL import Image
    except ImportError:
        Image = None  # noqa: N806 - the module's name
    if Image is not None:
        try:
            with Image.open(path) as im:
                return int(im.size[0]), int(im.size[1])
        except (OSError, ValueError, Image.DecompressionBombError):
            return None
    img = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED) \
        if path.is_file() else None
    return None if img is None else (int(img.shape[1]), int(img.shape[0]))


def _write_data_yaml(summary: YoloExportSummary, class_names: list[str], target: Path) -> None:
    import yaml

    data = {"path": str(summary.out_dir.resolve()), "train": "images/train"}
    if summary.splits["val"]:
        data["val"] = "images/val"
    else:  # ultralytics requires a val entry
        data["val"] = "images/train"
        summary.notes.append("no validation sequence: data.yaml validates on train")
    if summary.splits["test"]:
        data["test"] = "images/test"
    data["names"] = dict(enumerate(class_names))
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _check_out_dir(root: Path, overwrite: bool) -> None:
    used = [d for d in (root / "images", root / "labels") if d.exists() and any(d.iterdir())]
    if used and not overwrite:
        raise InputError("output folder already holds a dataset (images/ or labels/); "
                         "choose another folder or overwrite", str(root))


@contextlib.contextmanager
def _staging(root: Path, overwrite: bool) -> Iterator[Path]:
    """All or nothing: the dataset is written in a hidden folder beside its parts and
    moved in only when complete (a killed export leaves no truncated JPEG or label file
    under ``images/``/``labels/``). A new output folder appears whole in one rename; in
    an existing one, the old images/labels (``overwrite``) are moved aside first and
    deleted after the new ones are in."""
    if not root.exists():
        with atomic_directory(root) as stage:
            yield stage
        return
    with tempfile.TemporaryDirectory(prefix=".yolo-export.", suffix=".part", dir=root) as tmp:
        stage = Path(tmp) / "new"
        stage.mkdir()
        yield stage
        old = Path(tmp) / "old"
        old.mkdir()
        for part in ("images", "labels", "data.yaml"):
            if (root / part).exists() and part != "data.yaml":
                if not overwrite and any((root / part).iterdir()):
                    raise InputError(f"{root / part} appeared during the export", str(root))
                os.replace(root / part, old / part)
            if (stage / part).exists():
                os.replace(stage / part, root / part)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "seq"
