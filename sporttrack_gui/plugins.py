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
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
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
    try:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
        if callable(getattr(module, "register", None)):
            module.register()
    except Exception as exc:  # noqa: BLE001 - any plugin failure is reported, not raised
        sys.modules.pop(mod_name, None)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        log.warning("plugin %s failed to load: %s", path, detail)
        return PluginRecord(path.stem, origin, str(path), False, detail)
    added = _added(before, _registry_names())
    return PluginRecord(path.stem, origin, str(path), True, registered=added)


def _load_entry_point(ep: metadata.EntryPoint) -> PluginRecord:
    from sporttrack_gui.track.base import TrackerSpec, register_tracker

    before = _registry_names()
    try:
        obj = ep.load()
        result = obj() if callable(obj) and not isinstance(obj, type) else obj
        if isinstance(result, TrackerSpec):
            register_tracker(result)
        else:
            from sporttrack_gui.formats.registry import FormatSpec, register_format

            if isinstance(result, FormatSpec):
                register_format(result)
    except Exception as exc:  # noqa: BLE001
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return PluginRecord(ep.name, "entry-point", ep.value, False, detail)
    return PluginRecord(ep.name, "entry-point", ep.value, True,
                        registered=_added(before, _registry_names()))


def load_plugins(force: bool = False) -> list[PluginRecord]:
    """Discover and import every plugin once per process; returns the records."""
    global _LOADED
    if _LOADED and not force:
        return list(_RECORDS)
    _LOADED = True
    _RECORDS.clear()
    for group in ENTRY_POINT_GROUPS:
        for ep in metadata.entry_points(group=group):
            _RECORDS.append(_load_entry_point(ep))
    seen: set[Path] = set()
    for origin, folder in plugin_dirs():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_") or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            _RECORDS.append(_load_file(origin, path))
    return list(_RECORDS)


def plugin_records() -> list[PluginRecord]:
    """What was found so far (loads on first call)."""
    return load_plugins()
