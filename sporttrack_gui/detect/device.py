"""Device choice and CPU thread count for torch inference.

Why the thread default is every core: on an idle 2-core machine the 720p pipeline ran at
24.7 fps end to end with 2 torch threads against 14.0 fps with 1 (bench_pipeline_720p.py,
decode on its own thread included), which is the machine a user runs the app on. On a
machine already busy with other work OpenMP threads that outnumber free cores spin-wait
(the same benchmark fell to 1-4 fps on 2 threads under a load of 6 against ~10 on 1), so
``--threads 1`` / ``threads=1`` is one option away. fp16 only pays (and only works
reliably) on CUDA.
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
    return max(1, os.cpu_count() or 1)


def set_torch_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads (``None``: :func:`default_threads`); returns the count.
    Called again after ultralytics' predictor setup, which resets it."""
    import torch

    n = max(1, int(threads or default_threads()))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
