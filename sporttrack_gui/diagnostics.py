"""Log file, crash reports and stack versions: what the About box and crash dialog show.

Why: a desktop app that vanishes on an unexpected exception loses the user's trust and
the developer's only clue. Every run logs to a rotating file in the app folder; an
uncaught exception is written to a crash report first, and only then shown.
"""

from __future__ import annotations

import datetime as _dt
import logging
import logging.handlers
import platform
import sys
import traceback
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from sporttrack_gui import runtime

#: the run-time stack shown in About and crash reports; "opencv" is whichever contrib build
#: owns cv2 (see :data:`OPENCV_DISTS`)
STACK = ["PySide6-Essentials", "pyqtgraph", "ultralytics", "opencv", "numpy", "scipy", "lap",
         "torch", "torchvision", "sqlite-utils", "onnxruntime", "av"]
#: OpenCV distributions with the contrib trackers, preferred first (headless: no Qt5 inside)
OPENCV_DISTS = ("opencv-contrib-python-headless", "opencv-contrib-python")


def log_dir() -> Path:
    return runtime.log_dir()


def log_file() -> Path:
    return log_dir() / "sporttrack.log"


def setup_logging(level: int = logging.INFO) -> Path:
    """Attach a rotating file handler (1 MB x 3) to the root logger once; returns its path."""
    path = log_file()
    root = logging.getLogger()
    if any(isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path
           for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError:
        return path  # read-only home: keep running without a file log
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path


def stack_versions() -> dict[str, str]:
    """Installed versions of the product stack (for About and bug reports)."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for dist in STACK:
        if dist == "opencv":
            out[dist] = _opencv_version()
            continue
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    import sporttrack_gui

    out["sporttrack"] = sporttrack_gui.__version__
    return out


def _opencv_version() -> str:
    for dist in OPENCV_DISTS:
        try:
            return f"{metadata.version(dist)} ({dist})"
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def write_crash_report(exc_type, exc, tb) -> Path:
    """Write traceback + versions to ``logs/crash-<timestamp>.log`` and return the path."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = log_dir() / f"crash-{stamp}.log"
    lines = ["SportTrack crash report", f"time: {_dt.datetime.now().isoformat()}", ""]
    lines += [f"{k}: {v}" for k, v in stack_versions().items()]
    lines += ["", "".join(traceback.format_exception(exc_type, exc, tb))]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    except OSError:
        sys.stderr.write("\n".join(lines))
    logging.getLogger("sporttrack.crash").error("uncaught exception; report at %s", path,
                                                exc_info=(exc_type, exc, tb))
    return path


def install_excepthook(show: Callable[[Path, str], None] | None = None) -> None:
    """Route uncaught exceptions to a crash report, then to ``show(report_path, summary)``."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        path = write_crash_report(exc_type, exc, tb)
        if show is not None:
            try:
                show(path, f"{exc_type.__name__}: {exc}")
            except Exception:  # noqa: BLE001 - the dialog itself must not recurse into the hook
                sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = hook
