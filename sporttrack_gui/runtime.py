"""Offline-safe runtime defaults and the torchvision NMS fallback.

Why this exists: ultralytics checks online at import, downloads ``Arial.ttf`` for plots,
pip-installs missing packages at run time and writes settings into ``~``; and the
registry's torchvision wheel is CUDA-built, so on a CPU torch its compiled ``nms`` op is
missing and every predict/track/train fails. Users with mismatched torch/torchvision hit
the same. Everything here runs before ultralytics is imported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from importlib import util as importlib_util
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

_APPLIED = False
_TV_READY = False


#: folder name: lower case on Linux (XDG convention), capitalised on Windows and macOS
APP_NAME = "SportTrack" if sys.platform in ("win32", "darwin") else "sporttrack"


def _home_override() -> Path | None:
    env = os.environ.get("SPORTTRACK_HOME")
    return Path(env) if env else None


def app_home() -> Path:
    """Per-user data folder: models, projects, demo match, user plugins (= :func:`data_dir`).

    ``SPORTTRACK_HOME`` wins (tests, portable installs and ``make`` point it into the
    checkout); then everything - settings, data, cache, logs - lives below that one folder.
    """
    return data_dir()


def data_dir() -> Path:
    """Data the user would miss (models, projects): local, not roaming, on Windows
    (``%LOCALAPPDATA%``), ``~/Library/Application Support`` on macOS, XDG data on Linux."""
    override = _home_override()
    if override is not None:
        return override
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def settings_dir() -> Path:
    """Small settings files (the INI of remembered choices): roaming on Windows, XDG config
    on Linux, ``~/Library/Application Support`` on macOS."""
    override = _home_override()
    if override is not None:
        return override
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def cache_dir() -> Path:
    """Rebuildable files (video indexes, camera-motion caches, GUI run exports)."""
    override = _home_override()
    if override is not None:
        return override / "cache"
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """The rotating log and crash reports (XDG state on Linux, ``~/Library/Logs`` on macOS)."""
    override = _home_override()
    if override is not None:
        return override / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def legacy_home() -> Path | None:
    """The single app folder of versions before platformdirs (settings were kept there), or
    ``None`` under ``SPORTTRACK_HOME`` (nothing moved then)."""
    if _home_override() is not None:
        return None
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
        return base / "SportTrack"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "SportTrack"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "sporttrack"


def app_folders() -> dict[str, Path]:
    """Every folder the app writes, by role (``sporttrack --version``-style diagnostics)."""
    return {"settings": settings_dir(), "data": data_dir(), "cache": cache_dir(),
            "logs": log_dir()}


def resources_dir() -> Path:
    """``resources/`` from a source checkout or from inside a PyInstaller bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def _bundled_font() -> Path | None:
    font = resources_dir() / "fonts" / "DejaVuSans.ttf"
    if font.exists():
        return font
    spec = importlib_util.find_spec("matplotlib")
    if spec and spec.origin:
        mpl = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if mpl.exists():
            return mpl
    return None


def apply_runtime_defaults() -> None:
    """Set ultralytics/matplotlib environment so nothing phones home or writes into ``~``.

    Values the user already set are respected.
    """
    global _APPLIED
    if _APPLIED:
        return
    _APPLIED = True
    home = app_home()
    yolo_dir = home / "ultralytics"  # its settings.json and the plot fonts: kept
    mpl_dir = cache_dir() / "matplotlib"  # matplotlib's font cache: rebuildable
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "false")
    os.environ.setdefault("YOLO_VERBOSE", "false")
    os.environ.setdefault("YOLO_CONFIG_DIR", str(yolo_dir))
    os.environ.setdefault("MPLCONFIGDIR", str(mpl_dir))
    try:
        cfg = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics"
        cfg.mkdir(parents=True, exist_ok=True)
        Path(os.environ["MPLCONFIGDIR"]).mkdir(parents=True, exist_ok=True)
        font = _bundled_font()
        if font is not None:
            for name in ("Arial.ttf", "Arial.Unicode.ttf"):
                target = cfg / name
                if not target.exists():
                    shutil.copyfile(font, target)
    except OSError as exc:  # read-only home: the app still runs, plots may lack a font
        log.warning("could not prepare %s: %s", home, exc)


def _pure_torch_nms(boxes, scores, iou_threshold: float):
    """Greedy NMS in plain torch: keep boxes by descending score, drop IoU > threshold."""
    import torch

    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64, device=boxes.device)
    order = torch.sort(scores, descending=True, stable=True).indices
    b = boxes[order].float()
    x1, y1, x2, y2 = b.unbind(1)
    areas = (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    xx1 = torch.maximum(x1[:, None], x1[None, :])
    yy1 = torch.maximum(y1[:, None], y1[None, :])
    xx2 = torch.minimum(x2[:, None], x2[None, :])
    yy2 = torch.minimum(y2[:, None], y2[None, :])
    inter = (xx2 - xx1).clamp(min=0) * (yy2 - yy1).clamp(min=0)
    iou = inter / (areas[:, None] + areas[None, :] - inter).clamp(min=1e-9)
    over = (iou > iou_threshold).cpu().numpy()
    n = len(order)
    suppressed = [False] * n
    keep = []
    for i in range(n):
        if suppressed[i]:
            continue
        keep.append(i)
        row = over[i]
        for j in row[i + 1:].nonzero()[0]:
            suppressed[i + 1 + j] = True
    return order[torch.as_tensor(keep, dtype=torch.int64, device=order.device)]


def ensure_torchvision_ops() -> str:
    """Make ``torchvision.ops.nms`` usable; returns ``"native"`` or ``"fallback"``.

    Must run before the first ``import torchvision`` (ultralytics imports it).
    """
    global _TV_READY
    import torch

    if _TV_READY:
        return "fallback" if getattr(torch.ops.torchvision, "_sporttrack_fallback", False) else "native"
    _TV_READY = True
    if "torchvision" not in sys.modules:
        spec = importlib_util.find_spec("torchvision")
        if spec and spec.submodule_search_locations:
            for loc in spec.submodule_search_locations:
                for so in Path(loc).glob("_C*.so"):
                    try:
                        torch.ops.load_library(str(so))
                    except (OSError, RuntimeError) as exc:
                        log.info("torchvision compiled ops unavailable (%s)", exc)
    if _has_native_nms():
        return "native"
    lib = torch.library.Library("torchvision", "FRAGMENT")
    for schema in ("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
                   "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor"):
        with contextlib.suppress(RuntimeError):  # already defined by a partial library load
            lib.define(schema)
    lib.impl("nms", _pure_torch_nms, "CPU")
    # keep the library object alive for the life of the process
    globals()["_TORCHVISION_FRAGMENT"] = lib
    import torchvision
    import torchvision.extension as tv_ext

    tv_ext._has_ops = lambda: True  # noqa: SLF001 - torchvision checks this before ops
    torchvision.extension._has_ops = tv_ext._has_ops
    log.warning("torchvision's compiled NMS is missing; using SportTrack's pure-torch NMS")
    os.environ["SPORTTRACK_NMS"] = "fallback"
    return "fallback"


def _has_native_nms() -> bool:
    import torch

    try:
        return hasattr(torch.ops.torchvision, "nms") and torch.ops.torchvision.nms is not None
    except (RuntimeError, AttributeError):
        return False


def import_ultralytics():
    """Import ultralytics after the fallbacks are in place; returns the module."""
    apply_runtime_defaults()
    ensure_torchvision_ops()
    import ultralytics

    return ultralytics
