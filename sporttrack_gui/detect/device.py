"""Device choice and CPU thread count for torch inference.

Why: ultralytics runs with torch's default of one intra-op thread here; using every core
took predict at 720p from 42.7 to 25.7 ms (ENVIRONMENT.md). fp16 only pays (and only
works reliably) on CUDA.
"""

from __future__ import annotations

import os

from sporttrack_gui.errors import ModelError


def pick_device(requested: str = "auto") -> tuple[str, bool]:
    """Return (device string for ultralytics, whether fp16 is allowed there)."""
    import torch

    req = (requested or "auto").strip().lower()
    if req == "auto":
        if torch.cuda.is_available():
            return "cuda:0", True
        return "cpu", False
    if req.startswith("cuda") or req.isdigit():
        if not torch.cuda.is_available():
            raise ModelError(f"device {requested!r} requested but CUDA is not available "
                             f"(use --device cpu or auto)")
        return (req if req.startswith("cuda") else f"cuda:{req}"), True
    if req == "cpu":
        return "cpu", False
    if req == "mps":
        return "mps", False
    raise ModelError(f"unknown device {requested!r}: use auto, cpu, cuda, cuda:N or mps")


def use_all_cores(threads: int | None = None) -> int:
    """Give torch every core (or ``threads``); returns the count set."""
    import torch

    n = max(1, int(threads or os.cpu_count() or 1))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
