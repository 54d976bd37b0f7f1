"""Plugin discovery: trackers, detectors and interchange formats added without forking
SportTrack.

Three sources, in this order: the ``sporttrack.trackers`` / ``sporttrack.detectors`` /
``sporttrack.formats`` entry-point groups of installed packages, ``.py`` files in the shipped ``plugins/``
folder, and ``.py`` files in the user's plugin folder (``<app home>/plugins`` and any
folder in ``SPORTTRACK_PLUGIN_PATH``). A plugin registers itself by calling
:func:`sporttrack_gui.track.base.register_tracker` (or the detector equivalent, or
:func:`sporttrack_gui.formats.registry.register_format`) at import, or by exposing
``register()``; an entry point may also point straight at a callable returning a
``TrackerSpec``, a ``DetectorSpec`` or a ``FormatSpec``. This module only discovers and
imports: the checks and the record of what each plugin registered live in
:mod:`sporttrack_gui.core.registry`, so it imports no room (no cycle). A plugin that fails
to import is recorded with its error and skipped: one broken file must never stop the app.

Why guarded this way: plugins are third-party code run inside our process. They load
lazily (on the first tracker/detector lookup, never while the argument parser is built,
so ``--version`` and ``--help`` cannot be broken by one), each in a worker thread with a
time limit (a plugin looping at import is abandoned after ``SPORTTRACK_PLUGIN_TIMEOUT``
seconds, default 10), with its ``print`` output sent to stderr (``--json`` stays clean),
and ``sys.exit`` at import is caught like any error. A plugin may add names but never
replace a built-in tracker or detector: that is refused and reported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import sys
import threading
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sporttrack_gui.core.registry import PluginGuard, plugin_context, register_spec
from sporttrack_gui.runtime import app_home, resources_dir

log = logging.getLogger(__name__)

ENTRY_POINT_GROUPS = ("sporttrack.trackers", "sporttrack.detectors", "sporttrack.formats")


@dataclass
class PluginRecord:
    """One discovered plugin: where it came from and whether it loaded."""

    name: str
    origin: str  # "entry-point", "shipped", "user"
    location: str
    ok: bool
    error: str = ""
    registered: list[str] = field(default_factory=list)


_RECORDS: list[PluginRecord] = []
_LOADED = False
_LOCK = threading.RLock()
DEFAULT_TIMEOUT_S = 10.0


def _timeout_s() -> float:
    try:
        value = float(os.environ.get("SPORTTRACK_PLUGIN_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def _guarded(location: str, body) -> tuple[str | None, list[str]]:
    """Run ``body()`` (a plugin import) in a daemon thread with the time limit and stdout
    sent to stderr; returns (an error text or None when it worked, what it registered)."""
    guard = PluginGuard(location)
    outcome: dict[str, str] = {}

    def target() -> None:
        with plugin_context(guard):
            try:
                body()
            except BaseException as exc:  # noqa: BLE001 - SystemExit included: report, never exit
                outcome["error"] = "".join(
                    traceback.format_exception_only(type(exc), exc)).strip()

    worker = threading.Thread(target=target, name=f"plugin:{location}", daemon=True)
    limit = _timeout_s()
    with contextlib.redirect_stdout(sys.stderr or io.StringIO()):  # no stderr: windowed app
        worker.start()
        worker.join(limit)
    if worker.is_alive():
        guard.abandoned = True
        return f"did not finish loading within {limit:g} s; skipped", sorted(guard.registered)
    return outcome.get("error"), sorted(guard.registered)


def plugin_dirs() -> list[tuple[str, Path]]:
    """Folders scanned for ``*.py`` plugins, labelled shipped/user."""
    dirs: list[tuple[str, Path]] = [("shipped", resources_dir().parent / "plugins")]
    dirs.append(("user", app_home() / "plugins"))
    for extra in os.environ.get("SPORTTRACK_PLUGIN_PATH", "").split(os.pathsep):
        if extra:
            dirs.append(("user", Path(extra)))
    return dirs


def _load_file(origin: str, path: Path) -> PluginRecord:
    mod_name = f"sporttrack_plugin_{path.stem}"

    def body() -> None:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
        if callable(getattr(module, "register", None)):
            module.register()

    detail, added = _guarded(str(path), body)
    if detail is not None:
        sys.modules.pop(mod_name, None)
        log.warning("plugin %s failed to load: %s", path, detail)
        return PluginRecord(path.stem, origin, str(path), False, detail, registered=added)
    return PluginRecord(path.stem, origin, str(path), True, registered=added)


def _load_entry_point(ep: metadata.EntryPoint) -> PluginRecord:
    """An entry point registers at import, or is (or returns from a call) a spec that
    goes to the registry of its type (``TrackerSpec``, ``DetectorSpec``, ``FormatSpec``)."""

    def body() -> None:
        obj = ep.load()
        result = obj() if callable(obj) and not isinstance(obj, type) else obj
        register_spec(result)

    detail, added = _guarded(ep.value, body)
    return PluginRecord(ep.name, "entry-point", ep.value, detail is None, detail or "",
                        registered=added)


def load_plugins(force: bool = False) -> list[PluginRecord]:
    """Discover and import every plugin once per process; returns the records."""
    global _LOADED
    with _LOCK:
        if _LOADED and not force:
            return list(_RECORDS)
        _LOADED = True
        _RECORDS.clear()  # built-ins register before any plugin: see core.registry
        try:
            groups = [metadata.entry_points(group=g) for g in ENTRY_POINT_GROUPS]
        except Exception as exc:  # noqa: BLE001 - a broken installed package's metadata
            log.warning("cannot list plugin entry points: %s", exc)
            groups = []
        for eps in groups:
            for ep in eps:
                _RECORDS.append(_load_entry_point(ep))
        seen: set[Path] = set()
        for origin, folder in plugin_dirs():
            for path in _plugin_files(folder):
                if path.resolve() in seen:
                    continue
                seen.add(path.resolve())
                _RECORDS.append(_load_file(origin, path))
        return list(_RECORDS)


def _plugin_files(folder: Path) -> list[Path]:
    """``*.py`` files of a plugin folder; an unreadable folder is logged and skipped."""
    try:
        if not folder.is_dir():
            return []
        return [p for p in sorted(folder.glob("*.py"))
                if not p.name.startswith("_") and p.is_file()]
    except OSError as exc:
        log.warning("cannot read plugin folder %s: %s", folder, exc.strerror or exc)
        return []


def plugin_records() -> list[PluginRecord]:
    """What was found so far (loads on first call)."""
    return load_plugins()


def plugin_report() -> dict[str, Any]:
    """Records of every discovered plugin plus the folders searched (shared with the GUI)."""
    records = load_plugins()
    return {
        "folders": [{"origin": origin, "path": str(path), "exists": path.is_dir()}
                    for origin, path in plugin_dirs()],
        "plugins": [{"name": r.name, "origin": r.origin, "location": r.location, "ok": r.ok,
                     "error": r.error, "registered": list(r.registered)} for r in records],
    }
