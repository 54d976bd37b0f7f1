"""Plugin discovery: trackers, detectors and interchange formats added without forking
SportTrack.

Three sources, in this order: the ``sporttrack.trackers`` / ``sporttrack.detectors`` /
``sporttrack.formats`` entry-point groups of installed packages, ``.py`` files in the shipped ``plugins/``
folder, and ``.py`` files in the user's plugin folder (``<app home>/plugins`` and any
folder in ``SPORTTRACK_PLUGIN_PATH``). A plugin registers itself by calling
:func:`sporttrack_gui.track.base.register_tracker` (or the detector equivalent, or
:func:`sporttrack_gui.formats.registry.register_format`) at import, or by exposing
``register()``; an entry point may also point straight at a callable returning a
``TrackerSpec`` or a ``FormatSpec``. A plugin that fails to import is recorded with its error
and skipped: one broken file must never stop the app.

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
_local = threading.local()  # .plugin: the PluginGuard of the plugin this thread is loading
DEFAULT_TIMEOUT_S = 10.0


class PluginGuard:
    """Per-plugin state the registries consult: which plugin is registering, and whether
    it was abandoned (timed out) so late registrations from its thread are refused."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.abandoned = False


def loading_plugin() -> PluginGuard | None:
    """The plugin whose import runs on this thread, if any (registries refuse overrides)."""
    return getattr(_local, "plugin", None)


def check_plugin_registration(kind: str, name: str, builtin: bool) -> None:
    """Called by ``register_tracker``/``register_detector``: a plugin may not replace a
    built-in, and a plugin abandoned after its time limit may not register at all."""
    guard = loading_plugin()
    if guard is None:
        return
    if guard.abandoned:
        raise RuntimeError(f"plugin {guard.location} registered {kind} {name!r} after its "
                           "time limit; ignored")
    if builtin:
        raise ValueError(f"plugin {guard.location} tried to replace the built-in {kind} "
                         f"{name!r}; refused (register it under another name)")


def _timeout_s() -> float:
    try:
        value = float(os.environ.get("SPORTTRACK_PLUGIN_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def _guarded(location: str, body) -> str | None:
    """Run ``body()`` (a plugin import) in a daemon thread with the time limit and stdout
    sent to stderr; returns an error text, or None when it worked."""
    guard = PluginGuard(location)
    outcome: dict[str, str] = {}

    def target() -> None:
        _local.plugin = guard
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - SystemExit included: report, never exit
            outcome["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        finally:
            _local.plugin = None

    worker = threading.Thread(target=target, name=f"plugin:{location}", daemon=True)
    limit = _timeout_s()
    with contextlib.redirect_stdout(sys.stderr or io.StringIO()):  # no stderr: windowed app
        worker.start()
        worker.join(limit)
    if worker.is_alive():
        guard.abandoned = True
        return f"did not finish loading within {limit:g} s; skipped"
    return outcome.get("error")


def plugin_dirs() -> list[tuple[str, Path]]:
    """Folders scanned for ``*.py`` plugins, labelled shipped/user."""
    dirs: list[tuple[str, Path]] = [("shipped", resources_dir().parent / "plugins")]
    dirs.append(("user", app_home() / "plugins"))
    for extra in os.environ.get("SPORTTRACK_PLUGIN_PATH", "").split(os.pathsep):
        if extra:
            dirs.append(("user", Path(extra)))
    return dirs


def _registry_names() -> dict[str, int]:
    """Registered names -> identity of their spec. A plugin imported again (``force``)
    re-registers the same names with new spec objects; diffing identities, not names,
    still shows what it registered."""
    from sporttrack_gui.track import base

    names = {n: id(s) for n, s in base._REGISTRY.items()}  # noqa: SLF001
    try:
        from sporttrack_gui.detect import registry as det_registry

        names |= {f"detector:{n}": id(s)
                  for n, s in det_registry.detector_specs(load_plugins=False).items()}
    except (ImportError, AttributeError, TypeError):
        pass
    from sporttrack_gui.formats import registry as fmt_registry

    names |= {f"format:{n}": id(s)
              for n, s in fmt_registry.format_specs(load_plugins=False).items()}
    return names


def _added(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(n for n, ident in after.items() if before.get(n) != ident)


def _load_file(origin: str, path: Path) -> PluginRecord:
    mod_name = f"sporttrack_plugin_{path.stem}"
    before = _registry_names()

    def body() -> None:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
        if callable(getattr(module, "register", None)):
            module.register()

    detail = _guarded(str(path), body)
    if detail is not None:
        sys.modules.pop(mod_name, None)
        log.warning("plugin %s failed to load: %s", path, detail)
        return PluginRecord(path.stem, origin, str(path), False, detail,
                            registered=_added(before, _registry_names()))
    added = _added(before, _registry_names())
    return PluginRecord(path.stem, origin, str(path), True, registered=added)


def _load_entry_point(ep: metadata.EntryPoint) -> PluginRecord:
    from sporttrack_gui.track.base import TrackerSpec, register_tracker

    before = _registry_names()

    def body() -> None:
        obj = ep.load()
        result = obj() if callable(obj) and not isinstance(obj, type) else obj
        if isinstance(result, TrackerSpec):
            register_tracker(result)
        else:
            from sporttrack_gui.formats.registry import FormatSpec, register_format

            if isinstance(result, FormatSpec):
                register_format(result)

    detail = _guarded(ep.value, body)
    if detail is not None:
        return PluginRecord(ep.name, "entry-point", ep.value, False, detail,
                            registered=_added(before, _registry_names()))
    return PluginRecord(ep.name, "entry-point", ep.value, True,
                        registered=_added(before, _registry_names()))


def load_plugins(force: bool = False) -> list[PluginRecord]:
    """Discover and import every plugin once per process; returns the records."""
    global _LOADED
    with _LOCK:
        if _LOADED and not force:
            return list(_RECORDS)
        _LOADED = True
        _RECORDS.clear()
        from sporttrack_gui.track import load_builtin_trackers

        load_builtin_trackers()  # first, so a plugin cannot take a built-in's name
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
