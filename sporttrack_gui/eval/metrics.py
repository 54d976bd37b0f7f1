"""What metrics exist and where each is shown: every table and chart learns them from here.

Why: ``sporttrack eval``'s headline, the paper and terminal tables, the tracker comparison
and its chart, the reports' percentages and the GUI's plots must agree on the metrics, and
a new metric should be one declaration, not an edit of each list. As in TrackEval, a metric
family declares its fields once, next to the code that computes them (``FAMILY`` in
``hota.py``, ``clear_trackeval.py``, ``detection.py``, ``sot.py``); the lists are derived.

A field's ``views`` say which tables show it:

- ``table``: the full per-sequence table (``sporttrack eval``, ``eval split`` CSV/Markdown)
- ``terminal``: the short table printed on the terminal
- ``compare``: ``sporttrack compare``'s table
- ``chart``: charts (``compare`` report, the GUI's comparison and split panels)
- ``live``: the GUI's live curves while a run is scored (cheap fields only)

Order everywhere: family registration order, then the family's field order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sporttrack_gui.core.registry import Registry

VIEWS = ("table", "terminal", "compare", "chart", "live")


@dataclass(frozen=True)
class MetricField:
    """One result key: ``mota``; its label ``MOTA``; ``ratio``: a 0..1 value shown as %."""

    key: str
    label: str
    ratio: bool = False
    views: frozenset[str] = frozenset()
    help: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.views) - set(VIEWS)
        if unknown:
            raise ValueError(f"metric {self.key}: unknown view(s) {sorted(unknown)}; "
                             f"views: {', '.join(VIEWS)}")


def field(key: str, label: str, *views: str, ratio: bool = False, help: str = "") -> MetricField:
    """Shorthand for family declarations: ``field("mota", "MOTA", "table", ratio=True)``."""
    return MetricField(key, label, ratio, frozenset(views), help)


@dataclass(frozen=True)
class MetricFamily:
    """A group of fields computed together (CLEAR + Identity, HOTA, detection AP, SOT)."""

    name: str
    fields: tuple[MetricField, ...]
    description: str = ""


def _builtins() -> None:
    from sporttrack_gui.eval import clear_trackeval, detection, hota, sot

    for module in (hota, clear_trackeval, detection, sot):
        register_family(module.FAMILY)


#: every metric family by name; built-ins registered on first use
METRICS: Registry[MetricFamily] = Registry("metric family", MetricFamily, builtins=_builtins,
                                           label="metric:")


def register_family(family: MetricFamily) -> None:
    """Add a family (a plugin may add one; its fields then appear in the tables)."""
    METRICS.register(family)


def fields(view: str | None = None) -> list[MetricField]:
    """Every field (or those shown in ``view``), in display order, each key once."""
    if view is not None and view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; views: {', '.join(VIEWS)}")
    out: dict[str, MetricField] = {}
    for family in METRICS.specs().values():
        for f in family.fields:
            if view is None or view in f.views:
                out.setdefault(f.key, f)
    return list(out.values())


def columns(view: str) -> list[str]:
    """The keys shown in ``view``."""
    return [f.key for f in fields(view)]


def ratio_keys() -> frozenset[str]:
    """Keys shown as percentages (the others are counts or rates)."""
    return frozenset(f.key for f in fields() if f.ratio)


def label(key: str) -> str:
    """Display label of ``key`` (the key itself when it is no declared metric)."""
    return next((f.label for f in fields() if f.key == key), key)
