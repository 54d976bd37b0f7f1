"""Cut a YOLO dataset into fixed-size tiles at native resolution.

Why: players in 720p broadcast video are 60-120 px tall. Training on whole frames shrunk
to 640 halves them and costs 4x the compute of a 320 tile; training on native-resolution
tiles keeps their size, is cheap on a CPU, and the model then predicts on whole frames at
``imgsz = max(width, height)`` (the same scale). Tiles without any box are mostly skipped.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from sporttrack_gui.detect.yolo_data import labels_xyxy, load_data_yaml, read_labels, split_images
from sporttrack_gui.errors import InputError


def tile_origins(length: int, tile: int, overlap: float) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` overlapping by ``overlap``."""
    if length <= tile:
        return [0]
    step = max(1, int(tile * (1.0 - overlap)))
    starts = list(range(0, length - tile, step))
    starts.append(length - tile)
    return starts


def tile_boxes(xyxy: np.ndarray, x0: int, y0: int, tile: int,
               min_visible: float) -> tuple[np.ndarray, np.ndarray]:
    """Boxes clipped to one tile (tile pixels) and which input rows they came from;
    boxes less than ``min_visible`` inside the tile are dropped."""
    b = xyxy - np.array([x0, y0, x0, y0], np.float32)
    clipped = np.clip(b, 0, tile)
    area = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=1)
    kept = np.prod(np.clip(clipped[:, 2:] - clipped[:, :2], 0, None), axis=1)
    keep = (area > 0) & (kept >= min_visible * area)
    return clipped[keep], np.flatnonzero(keep)


def tile_dataset(data_yaml: str | Path, out_dir: str | Path, tile: int = 320, *,
                 scale: float = 1.0, overlap: float = 0.25, min_visible: float = 0.6,
                 empty_every: int = 8, splits: tuple[str, ...] = ("train", "val")) -> Path:
    """Write a tiled copy of ``splits`` under ``out_dir``; returns its ``data.yaml``.

    ``scale`` resizes frames before tiling (0.5: 720p players of 80 px become 40 px in
    160 px tiles, a quarter of the compute); predict at ``max(w, h) * scale`` to match.

    Other splits (the test split) keep pointing at the original whole frames, so the model
    is evaluated the way it is used. One in ``empty_every`` box-less tiles is kept as
    background.
    """
    import yaml

    data = load_data_yaml(data_yaml)
    out = Path(out_dir)
    new = {"path": str(out.resolve()), "names": data["names"]}
    for split in ("train", "val", "test"):
        images = split_images(data_yaml, split)
        if not images:
            continue
        if split not in splits:
            new[split] = [str(p) for p in images]
            continue
        count = _tile_split(images, out / "images" / split, tile, scale, overlap,
                            min_visible, empty_every)
        if count == 0:
            raise InputError(f"tiling split {split!r} produced no tiles", str(data_yaml))
        new[split] = f"images/{split}"
    target = out / "data.yaml"
    target.write_text(yaml.safe_dump(new, sort_keys=False), encoding="utf-8")
    return target


def _tile_split(images: list[Path], img_dir: Path, tile: int, scale: float, overlap: float,
                min_visible: float, empty_every: int) -> int:
    lbl_dir = img_dir.parents[1] / "labels" / img_dir.name  # <out>/labels/<split>
    img_dir.mkdir(parents=True, exist_ok=True)
    lbl_dir.mkdir(parents=True, exist_ok=True)
    written = empties = 0
    for path in images:
        image = cv2.imread(str(path))
        if image is None:
            raise InputError("cannot read image", str(path))
        if scale != 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
        cls, cxcywh = read_labels(path)
        xyxy = labels_xyxy(cxcywh, w, h)
        for y0 in tile_origins(h, tile, overlap):
            for x0 in tile_origins(w, tile, overlap):
                boxes, rows = tile_boxes(xyxy, x0, y0, tile, min_visible)
                if not len(rows):
                    empties += 1
                    if empties % empty_every:
                        continue
                crop = image[y0:y0 + tile, x0:x0 + tile]
                th, tw = crop.shape[:2]
                name = f"{path.stem}_{x0}_{y0}"
                cv2.imwrite(str(img_dir / f"{name}.jpg"), crop)
                cx = (boxes[:, 0] + boxes[:, 2]) / 2 / tw
                cy = (boxes[:, 1] + boxes[:, 3]) / 2 / th
                bw = (boxes[:, 2] - boxes[:, 0]) / tw
                bh = (boxes[:, 3] - boxes[:, 1]) / th
                lines = [f"{c} {a:.6f} {b:.6f} {d:.6f} {e:.6f}"
                         for c, a, b, d, e in zip(cls[rows], cx, cy, bw, bh, strict=True)]
                (lbl_dir / f"{name}.txt").write_text("\n".join(lines) + ("\n" if lines else ""),
                                                     encoding="utf-8")
                written += 1
    return written
