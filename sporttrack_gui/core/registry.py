"""One registry type for every extension point: trackers, detectors, metrics, formats.

Why one type: every extension point needs the same rules (a plugin may not replace a
built-in, nothing registers after a plugin's time limit, ``sporttrack plugins`` shows what
each plugin added), and the plugin loader must not import the rooms it serves (that was a
hidden ``plugins <-> track <-> detect`` cycle). A :class:`Registry` owns all of that:

- entries are spec objects with a ``name`` (``TrackerSpec``, ``DetectorSpec``,
  ``FormatSpec``, ``MetricFamily``...), looked up case-insensitively when asked;
- built-ins are registered lazily by the owning room's ``builtins`` function, before
  anything else can register, so a plugin can never take a built-in's name;
- while a plugin is being imported (:func:`plugin_context`, set by ``plugins.py``) every
  registration is checked (no replacing built-ins, nothing after a time-out) and recorded
  on the plugin's :class:`PluginGuard`, which is how ``sporttrack plugins`` shows what each
  plugin registered;
- :func:`register_spec` hands a spec returned by an entry point to the registry whose
  ``spec_type`` it is, so the plugin loader needs to know no room.

Nothing here knows any particular extension point: ``plugins.py`` only discovers and
imports, the rooms declare their registries.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_local = threading.local()  # .guard: the PluginGuard of the plugin this thread imports
_ALL: list[Registry[Any]] = []


class PluginGuard:
    """One plugin being imported: where it comes from, whether it was abandoned (timed out,
    so late registrations from its thread are refused) and what it registered."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.abandoned = False
        self.registered: list[str] = []


def loading_plugin() -> PluginGuard | None:
    """The plugin whose import runs on this thread, if any."""
    return getattr(_local, "guard", None)


@contextlib.contextmanager
def plugin_context(guard: PluginGuard | None) -> Iterator[None]:
    """Registrations on this thread are made on behalf of ``guard`` (None: the app's own)."""
    previous = loading_plugin()
    _local.guard = guard
    try:
        yield
    finally:
        _local.guard = previous


class Registry(Generic[T]):
    """Named specs of one kind (``kind`` is used in messages: "tracker", "format", ...).

    ``builtins`` registers the app's own entries; it runs once, on first use, outside any
    plugin context. ``label`` prefixes names in a plugin's "registered" list (trackers
    are listed bare, detectors as ``detector:<name>``). ``casefold``: names are stored and
    looked up in lower case.
    """

    def __init__(self, kind: str, spec_type: type | None = None, *,
                 builtins: Callable[[], None] | None = None, label: str = "",
                 casefold: bool = True) -> None:
        self.kind = kind
        self.spec_type = spec_type
        self.label = label
        self.casefold = casefold
        self._builtins = builtins
        self._loaded = builtins is None
        self._lock = threading.RLock()
        self._entries: dict[str, T] = {}
        self._protected: set[str] = set()  # names registered by the app, not by a plugin
        _ALL.append(self)

    def key(self, name: str) -> str:
        return str(name).lower() if self.casefold else str(name)

    def load_builtins(self) -> None:
        """Register the built-ins once (as the app, even when first used from a plugin)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            with plugin_context(None):
                self._builtins()  # type: ignore[misc]

    def register(self, spec: T) -> T:
        """Add or replace ``spec`` under ``spec.name``. A plugin may add names but never
        replace one the app registered, nor register after its time limit (``ValueError``
        / ``RuntimeError``, reported by the plugin loader)."""
        self.load_builtins()
        name = self.key(spec.name)  # type: ignore[attr-defined]
        guard = loading_plugin()
        with self._lock:
            if guard is not None:
                if guard.abandoned:
                    raise RuntimeError(f"plugin {guard.location} registered {self.kind} "
                                       f"{name!r} after its time limit; ignored")
                if name in self._protected:
                    raise ValueError(f"plugin {guard.location} tried to replace the built-in "
                                     f"{self.kind} {name!r}; refused (register it under "
                                     "another name)")
                guard.registered.append(f"{self.label}{name}")
            else:
                self._protected.add(name)
            self._entries[name] = spec
        return spec

    def unregister(self, name: str) -> None:
        """Forget ``name`` (tests that registered a probe clean up with this)."""
        with self._lock:
            self._entries.pop(self.key(name), None)
            self._protected.discard(self.key(name))

    def get(self, name: str) -> T | None:
        self.load_builtins()
        return self._entries.get(self.key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def specs(self) -> dict[str, T]:
        """A copy: name -> spec, in registration order (built-ins first)."""
        self.load_builtins()
        with self._lock:
            return dict(self._entries)

    def names(self) -> list[str]:
        return list(self.specs())


def register_spec(spec: Any) -> bool:
    """Register ``spec`` in the registry whose ``spec_type`` it is (entry points return
    specs); False when no registry takes that type."""
    for registry in list(_ALL):
        if registry.spec_type is not None and isinstance(spec, registry.spec_type):
            registry.register(spec)
            return True
    return False
