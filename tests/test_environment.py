"""The installed stack is the one the product needs (CPU torch, contrib cv2, offline ultralytics)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_cpu_torch_build_installed():
    import torch

    assert torch.__version__.startswith("2.13.0"), torch.__version__
    assert "+cpu" in torch.__version__ or torch.version.cuda is None
    assert torch.version.cuda is None, f"a CUDA torch build is installed ({torch.version.cuda})"


def test_opencv_contrib_owns_cv2():
    import cv2

    assert hasattr(cv2, "TrackerCSRT_create"), "opencv-python overwrote opencv-contrib's cv2"
    assert hasattr(cv2, "TrackerKCF_create")
    assert hasattr(cv2, "legacy") and hasattr(cv2.legacy, "TrackerMOSSE_create")


def test_offline_defaults_are_set(tmp_path):
    code = ("import os, sporttrack_gui; print(os.environ['YOLO_OFFLINE'], "
            "os.environ['YOLO_AUTOINSTALL'], os.environ['YOLO_CONFIG_DIR'], os.environ['MPLCONFIGDIR'])")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YOLO_", "MPLCONFIG"))}
    env["SPORTTRACK_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "1" and out[1] == "false"
    assert Path(out[2]).is_relative_to(tmp_path) and Path(out[3]).is_relative_to(tmp_path)
    font = Path(out[2]) / "Ultralytics" / "Arial.ttf"
    assert font.exists() and font.stat().st_size > 100_000


def test_nms_fallback_matches_reference_greedy_nms(tmp_path):
    """torchvision.ops.nms works (native or our fallback) and equals a plain greedy NMS."""
    code = r"""
import numpy as np, sporttrack_gui
from sporttrack_gui.runtime import ensure_torchvision_ops
mode = ensure_torchvision_ops()
import torch, torchvision
from sporttrack_gui.core.iou import iou_matrix
rng = np.random.default_rng(0)
xy = rng.uniform(0, 400, (500, 2)); wh = rng.uniform(10, 80, (500, 2))
b = np.concatenate([xy, xy + wh], 1).astype(np.float32); s = rng.uniform(0, 1, 500).astype(np.float32)
keep = torchvision.ops.nms(torch.from_numpy(b), torch.from_numpy(s), 0.5).numpy()
order = np.argsort(-s, kind='stable'); iou = iou_matrix(b, b); alive = np.ones(500, bool); ref = []
for i in order:
    if alive[i]:
        ref.append(i); alive &= ~(iou[i] > 0.5)
assert list(keep) == ref, (len(keep), len(ref))
print(mode)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "SPORTTRACK_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() in {"native", "fallback"}


def test_cli_help_lists_commands():
    r = subprocess.run([sys.executable, "-m", "sporttrack_gui.cli.main", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "sporttrack" in r.stdout
