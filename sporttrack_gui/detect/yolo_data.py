"""Reading a YOLO dataset folder (``data.yaml`` + images/ + labels/) as arrays.

Why here: training needs to tile it and evaluation needs its test labels; both follow
ultralytics' own convention (a label file sits where the image is, with ``/images/``
replaced by ``/labels/`` and the suffix by ``.txt``), so any YOLO dataset works, not only
the ones SportTrack exports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.errors import InputError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


def load_data_yaml(path: str | Path) -> dict[str, Any]:
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read dataset description: {exc}", str(p)) from None
    if not isinstance(data, dict) or "names" not in data:
        raise InputError("not a YOLO data.yaml (no 'names')", str(p))
    return data


def class_names(data: dict[str, Any]) -> dict[int, str]:
    names = data["names"]
    if isinstance(names, list):
        return dict(enumerate(str(n) for n in names))
    return {int(k): str(v) for k, v in names.items()}


def split_images(data_yaml: str | Path, split: str) -> list[Path]:
    """Image files of ``split`` (train/val/test); [] when the split is absent."""
    data = load_data_yaml(data_yaml)
    entry = data.get(split)
    if not entry:
        return []
    root = Path(data.get("path") or Path(data_yaml).parent)
    if not root.is_absolute():
        root = (Path(data_yaml).parent / root).resolve()
    out: list[Path] = []
    for item in entry if isinstance(entry, list) else [entry]:
        p = Path(item)
        p = p if p.is_absolute() else root / p
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES))
        elif p.suffix == ".txt" and p.is_file():
            for line in p.read_text(encoding="utf-8").split():
                q = Path(line)
                out.append(q if q.is_absolute() else (p.parent / q).resolve())
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(f"dataset split {split!r} points to a missing path {p}",
                             str(data_yaml))
    return out


def label_path(image: Path) -> Path:
    parts = list(image.parts)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            break
    return Path(*parts).with_suffix(".txt")


def read_labels(image: Path) -> tuple[np.ndarray, np.ndarray]:
    """(cls int (N,), normalised cx, cy, w, h float32 (N, 4)); empty when no label file."""
    lp = label_path(image)
    if not lp.is_file() or lp.stat().st_size == 0:
        return np.zeros(0, np.int32), np.zeros((0, 4), np.float32)
    try:
        arr = np.loadtxt(lp, dtype=np.float32, ndmin=2)
    except ValueError as exc:
        raise InputError(f"bad YOLO label file: {exc}", str(lp)) from None
    if arr.shape[1] < 5:
        raise InputError(f"YOLO label rows need 5 numbers, found {arr.shape[1]}", str(lp))
    return arr[:, 0].astype(np.int32), arr[:, 1:5]


def labels_xyxy(cxcywh: np.ndarray, width: int, height: int) -> np.ndarray:
    """Normalised centre boxes -> pixel corners."""
    b = np.asarray(cxcywh, np.float32).reshape(-1, 4)
    scale = np.array([width, height, width, height], np.float32)
    half = b[:, 2:] / 2
    return np.concatenate([b[:, :2] - half, b[:, :2] + half], axis=1) * scale
