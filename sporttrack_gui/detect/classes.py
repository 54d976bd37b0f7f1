"""Mapping from a model's own classes to the classes SportTrack stores.

Why: COCO models know 80 classes, a sports analyst wants two (player, ball). The map is
applied once per batch as a lookup table, and classes absent from it are dropped before
NMS (passed to the model as its ``classes`` filter) so they cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sporttrack_gui.errors import ModelError

#: COCO name -> SportTrack name, used when the model knows these COCO names.
DEFAULT_CLASS_MAP: dict[str, str] = {"person": "player", "sports ball": "ball"}


class ClassMap:
    """Model class index -> output class index (``-1`` = dropped)."""

    def __init__(self, model_names: Mapping[int, str], mapping: Mapping[str, str] | str | None = None):
        """``mapping``: source name -> output name; ``"all"`` keeps every model class as is;
        ``None`` uses :data:`DEFAULT_CLASS_MAP` when the model has those names, else ``"all"``
        (a fine-tuned model whose classes already are ``player``/``ball``)."""
        names = {int(k): str(v) for k, v in model_names.items()}
        if mapping is None:
            known = set(names.values())
            mapping = DEFAULT_CLASS_MAP if known & set(DEFAULT_CLASS_MAP) else "all"
        if mapping == "all":
            mapping = {n: n for _, n in sorted(names.items())}
        if isinstance(mapping, str):
            raise ModelError(f"class map must be a mapping or 'all', got {mapping!r}")
        unknown = sorted(set(mapping) - set(names.values()))
        if unknown:
            raise ModelError(f"class map names classes the model does not have: {unknown} "
                             f"(model classes: {sorted(set(names.values()))[:20]})")
        out_names: list[str] = []
        for dst in mapping.values():
            if dst not in out_names:
                out_names.append(dst)
        self.class_names: tuple[str, ...] = tuple(out_names)
        size = max(names) + 1 if names else 0
        self.lut = np.full(size, -1, np.int64)
        for idx, name in names.items():
            if name in mapping:
                self.lut[idx] = out_names.index(mapping[name])
        self.source_ids: list[int] = sorted(int(i) for i in np.flatnonzero(self.lut >= 0))

    def apply(self, cls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (mapped classes, keep mask) for model class ids ``cls``."""
        cls = np.asarray(cls, np.int64)
        inside = (cls >= 0) & (cls < len(self.lut))
        mapped = np.full(len(cls), -1, np.int64)
        mapped[inside] = self.lut[cls[inside]]
        keep = mapped >= 0
        return mapped.astype(np.int32), keep


def parse_class_map(text: str | None) -> dict[str, str] | str | None:
    """CLI form ``"person=player,sports ball=ball"`` or ``"all"`` -> mapping."""
    if text is None or not text.strip():
        return None
    if text.strip() == "all":
        return "all"
    out: dict[str, str] = {}
    for part in text.split(","):
        src, sep, dst = part.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise ModelError(f"class map entry {part!r} is not 'model_class=output_class'")
        out[src.strip()] = dst.strip()
    return out
