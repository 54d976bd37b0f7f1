"""Device choice and CPU thread count for torch inference.

Why the thread default is ``cpu_count - 1``: on an idle 2-core machine every core took
predict at 720p from 42.7 to 25.7 ms (ENVIRONMENT.md), but the pipeline also decodes on a
thread and the GUI needs a core; on a busy 2-core machine (bench_pipeline_720p.py) torch
on 2 threads fell to 1.0 fps end to end against 9.7 fps on 1 thread, because OpenMP
threads that outnumber free cores spin-wait. ``threads=os.cpu_count()`` is one option
away for an idle machine. fp16 only pays (and only works reliably) on CUDA.
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


def default_threads() -> int:
    return max(1, (os.cpu_count() or 1) - 1)


def set_torch_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads (``None``: :func:`default_threads`); returns the count.
    Called again after ultralytics' predictor setup, which resets it."""
    import torch

    n = max(1, int(threads or default_threads()))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
