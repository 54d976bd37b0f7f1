"""The map of docs/ARCHITECTURE.md, enforced: which room of ``sporttrack_gui/`` may import which.

Why an AST walk and not ``import`` at run time: most cross-room imports are inside
functions (to keep start-up light), so only reading every ``import`` statement -- at module
level, in functions, under ``TYPE_CHECKING`` -- sees them all. A string literal that names a
package module (``import_module("sporttrack_gui.x")``, lazy factories) counts as an import
too, so a dependency cannot hide in a string.

The rules are the tables below: :data:`MAY_IMPORT` (room -> rooms it may import),
:data:`SHARED` (cross-cutting modules every room may import, with what they themselves may
import), :data:`QT_ALLOWED` (where PySide6/pyqtgraph/shiboken6 may appear) and
:data:`EXCEPTIONS` (single import edges allowed for a written reason). Change the tables and
docs/ARCHITECTURE.md together.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "sporttrack_gui"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE

#: the room below the analyses: plain data, files, media, the project file, the models
_BASE = {"core", "formats", "media", "project"}
#: the Qt-free analyses the GUI and the CLI share
_ANALYSES = {"pitch", "assist", "multicam"}

#: room -> the rooms it may import (itself and :data:`SHARED` are always allowed)
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "formats": {"core"},
    "media": {"core", "formats"},
    "project": {"core", "formats", "media"},
    "track": {"core"},                                   # knows nothing of detectors
    "detect": {"core", "formats", "media"},              # knows nothing of tracking, projects
    "eval": {"core", "formats", "project"},              # scores runs; never runs trackers
    "pitch": _BASE | {"track"},
    "assist": _BASE | {"track", "eval"},
    "multicam": _BASE | {"track", "eval", "pitch"},
    "pipeline": _BASE | {"track", "detect", "eval"},     # the run loop and the workflows
    "batch": _BASE | {"track", "detect", "eval", "pipeline", "pitch"},
    "ui": _BASE | {"track", "detect", "eval", "pipeline", "batch"} | _ANALYSES,
    "cli": _BASE | {"track", "detect", "eval", "pipeline", "batch", "selftest"} | _ANALYSES,
    "selftest": _BASE | {"track", "detect", "eval", "pipeline", "ui"},  # bundle smoke test
    "app": {"ui"},                                       # ``python main.py``: starts the GUI
}

#: cross-cutting modules: every room may import them; they import only what is listed
SHARED: dict[str, set[str]] = {
    "errors": set(),
    "runtime": set(),
    "atomic_io": set(),
    PACKAGE: {"runtime"},                                # __init__: version, offline defaults
    "diagnostics": {"runtime", PACKAGE},
    "plugins": {"runtime", "core"},                      # discovers and imports; registries in core/
}

#: import edges allowed although the tables forbid them: (importer module, imported
#: module prefix) -> the reason. Keep this short; each entry is debt with a name.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("sporttrack_gui.cli.cmd_gui", "sporttrack_gui.ui"):
        "`sporttrack gui` is the CLI's entry into the desktop app (launch, --screenshot)",
    ("sporttrack_gui.cli.cmd_multicam", "sporttrack_gui.ui.multicam_view"):
        "`sporttrack multicam --screenshot` renders the review window",
    ("sporttrack_gui.track.sot_store", "sporttrack_gui.project"):
        "type-only (TYPE_CHECKING): storing a single-object run is job code that belongs in "
        "pipeline/; moved once the single-object work in track/sot_* settles",
    ("sporttrack_gui.formats.registry", "sporttrack_gui.project.exporter"):
        "the one format catalogue binds each format's reader (formats/) and its exporter "
        "(project/, it reads runs); lazy, inside the built-in loader",
}

QT_MODULES = {"PySide6", "pyqtgraph", "shiboken6"}
#: rooms/modules where Qt may be imported
QT_ALLOWED = {"ui"}

_MODULE_STRING = re.compile(rf"^{PACKAGE}(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Edge:
    """One import statement (or module-naming string) found in a package file."""

    importer: str   # dotted module name of the file
    target: str     # dotted module imported
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT.parent)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.parent.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        # "from pkg import mod" imports the submodule, not just the package
        subs = [f"{stem}.{a.name}" for a in node.names if _is_module(f"{stem}.{a.name}")]
        return subs or [stem]
    if (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and _MODULE_STRING.match(node.value) and _is_module(node.value)):
        return [node.value]
    return []


def collect_edges(root: Path = ROOT) -> list[Edge]:
    edges = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            for target in _targets(node, module, path.name == "__init__.py"):
                edges.append(Edge(module, target, path, node.lineno))
    return edges


def room_of(module: str) -> str:
    """``sporttrack_gui.track.sort`` -> ``track``; the package itself -> ``sporttrack_gui``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE


def _excepted(edge: Edge) -> bool:
    return any(edge.importer == imp and (edge.target == tgt or edge.target.startswith(tgt + "."))
               for imp, tgt in EXCEPTIONS)


def layering_violations(edges: list[Edge]) -> list[str]:
    bad = []
    for e in edges:
        if not e.target.startswith(PACKAGE):
            continue
        src, dst = room_of(e.importer), room_of(e.target)
        if src == dst or _excepted(e):
            continue
        allowed = SHARED[src] if src in SHARED else MAY_IMPORT.get(src)
        if allowed is None:
            bad.append(f"{e.where()}: room {src!r} is in no table of tests/test_architecture.py")
            continue
        if dst in allowed or (dst in SHARED and src not in SHARED):
            continue
        bad.append(f"{e.where()}: {e.importer} imports {e.target} ({src} -> {dst} is not an "
                   "arrow of docs/ARCHITECTURE.md)")
    return bad


def qt_violations(edges: list[Edge]) -> list[str]:
    return [f"{e.where()}: {e.importer} imports {e.target} (Qt only inside "
            f"{', '.join(sorted(QT_ALLOWED))}/)"
            for e in edges
            if e.target.split(".")[0] in QT_MODULES and room_of(e.importer) not in QT_ALLOWED]


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return collect_edges()


def test_every_room_is_in_the_tables():
    rooms = {room_of(module_name(p)) for p in ROOT.rglob("*.py")}
    missing = rooms - set(MAY_IMPORT) - set(SHARED)
    assert not missing, f"add {sorted(missing)} to MAY_IMPORT or SHARED (and the doc)"


def test_rooms_import_only_along_the_arrows(edges):
    bad = layering_violations(edges)
    assert not bad, "layering breaks:\n" + "\n".join(bad)


def test_no_qt_outside_ui(edges):
    bad = qt_violations(edges)
    assert not bad, "Qt outside ui/:\n" + "\n".join(bad)


def test_exceptions_are_still_needed(edges):
    """A whitelisted edge that no longer exists must leave the table (no stale debt)."""
    used = {(imp, tgt) for imp, tgt in EXCEPTIONS
            for e in edges
            if e.importer == imp and (e.target == tgt or e.target.startswith(tgt + "."))}
    assert used == set(EXCEPTIONS), f"stale exceptions: {sorted(set(EXCEPTIONS) - used)}"


def test_the_arrows_have_no_cycle():
    """The room graph of :data:`MAY_IMPORT` is a DAG (a cycle would make layers meaningless)."""
    state: dict[str, int] = {}

    def visit(room: str, path: list[str]) -> None:
        if state.get(room) == 1:
            raise AssertionError(f"cycle: {' -> '.join(path + [room])}")
        if state.get(room) == 2:
            return
        state[room] = 1
        for nxt in MAY_IMPORT.get(room, ()):
            visit(nxt, path + [room])
        state[room] = 2

    for room in MAY_IMPORT:
        visit(room, [])


@pytest.mark.parametrize("source, expect", [
    ("from sporttrack_gui.pipeline import run_pipeline\n", "eval -> pipeline"),
    ("def f():\n    from sporttrack_gui.ui import main_window\n", "eval -> ui"),
    ("import importlib\nimportlib.import_module('sporttrack_gui.pipeline.run')\n",
     "eval -> pipeline"),
])
def test_a_forbidden_import_is_caught(tmp_path, source, expect):
    """The checker itself: a new module of ``eval/`` importing upwards is reported."""
    fake = tmp_path / PACKAGE / "eval"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text(source)
    found = [Edge("sporttrack_gui.eval.bad", t, ROOT / "eval" / "bad.py", n.lineno)
             for n in ast.walk(ast.parse(source))
             for t in _targets(n, "sporttrack_gui.eval.bad", False)]
    bad = layering_violations(found)
    assert bad and expect in bad[0]


def test_qt_outside_ui_is_caught():
    found = [Edge("sporttrack_gui.track.viewer", "PySide6.QtWidgets", ROOT / "track" / "x.py", 1)]
    assert qt_violations(found)
