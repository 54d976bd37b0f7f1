"""Importing a source into a project with progress and cancel (GUI worker and scripts).

Why in two steps: what grows with the file is opening the video (its packet index, and
the check of where the real end is); the import itself is one transaction that is short
once that index is cached. So the media is opened first, with progress and a cancel
that is honoured between packets, and only then is the project touched: a cancel at any
point before the transaction leaves the project exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sporttrack_gui.errors import Cancelled
from sporttrack_gui.media.source import open_source
from sporttrack_gui.project import Project
from sporttrack_gui.project.importer import VIDEO_SUFFIXES, import_source

try:  # loaded with this module (at GUI start): importing PyAV later in the worker
    import av  # noqa: F401 - holds the GIL for ~0.4 s and would stall the window

    from sporttrack_gui.media import av_source  # noqa: F401
except ImportError:  # the OpenCV reader is used instead
    pass


@dataclass(frozen=True)
class ImportProgress:
    """``stage`` is "indexing" or "importing"; ``eta_s`` is None until a rate is known."""

    stage: str
    done: int
    total: int
    eta_s: float | None


def run_import(project_path: str | Path, source: str | Path, *,
               progress: Callable[[ImportProgress], None] | None = None,
               cancel: Callable[[], bool] | None = None, name: str | None = None):
    """``project.importer.import_source`` preceded by an indexed, cancellable media open.

    Returns the ``ImportSummary``; raises ``Cancelled`` (project unchanged) or the
    importer's ``InputError``/``MediaError``/``ProjectError``.
    """
    src_path = Path(source)
    t0 = time.perf_counter()

    def report(done: int, total: int) -> None:
        if progress is None:
            return
        elapsed = time.perf_counter() - t0
        eta = elapsed * (total - done) / done if done and total >= done else None
        progress(ImportProgress("indexing", done, total, eta))

    def stopped() -> bool:
        return cancel is not None and cancel()

    cancelled = Cancelled(f"import of {src_path.name} cancelled; the project is unchanged")
    if src_path.is_file() and src_path.suffix.lower() in VIDEO_SUFFIXES:
        # builds and caches the packet index; the importer's own open then reuses it
        try:
            open_source(src_path, cache_mb=0, progress=report, cancel=stopped).close()
        except Cancelled:
            raise cancelled from None
    if stopped():
        raise cancelled
    if progress is not None:
        progress(ImportProgress("importing", 0, 1, None))
    with Project.open(project_path) as project:
        return import_source(project, src_path, name=name)
