"""Render the main window on one frame into a PNG, then return (docs, tests, CI).

Waits for the frame's pixels to be on screen (``frameShown``) instead of sleeping, so
the picture always shows the requested frame with its boxes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from sporttrack_gui.errors import InputError, MediaError


def wait_for_frame(window, frame: int, timeout_ms: int = 20000) -> bool:
    """Spin the event loop until ``frame`` is shown; False on timeout."""
    if window.view.frame_number == frame and window.view.has_image():
        return True
    loop = QEventLoop()
    hit = {"ok": False}

    def shown(n: int) -> None:
        if n == frame:
            hit["ok"] = True
            loop.quit()

    window.frameShown.connect(shown)
    QTimer.singleShot(timeout_ms, loop.quit)
    window.playback.seek(frame, force=True)
    loop.exec()
    window.frameShown.disconnect(shown)
    return hit["ok"]


def _wait_heatmap(window, timeout_s: float = 60.0) -> None:
    """Let the heatmap worker deliver (it aggregates the run off the GUI thread)."""
    import time

    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout_s
    while window.heatmap_control.busy() and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def render_window(window, frame: int, out: str | Path, *, size: tuple[int, int] = (1600, 1000),
                  run: str | None = None, track: int | None = None, panel: str | None = None,
                  trails: bool = False) -> Path:
    """Show ``frame`` (optionally run/track/panel), grab the window, save ``out`` as PNG."""
    from PySide6.QtWidgets import QApplication

    window.resize(*size)
    window.show()
    s = window.session
    if s is not None and run:
        window.show_run(s.project.run_id(run, s.sequence["id"] if s.sequence else None))
    window.actions_["trails"].setChecked(trails)
    if not wait_for_frame(window, frame):
        raise MediaError(f"frame {frame} was not shown within the time limit", frame=frame)
    if track is not None:
        window.select_track(track)
    if panel == "heatmap":
        window.docks["heatmap"].raise_()
        window.refresh_heatmap()
        _wait_heatmap(window)
    elif panel in ("metrics", "compare"):
        window.docks["plots"].raise_()
        window.plots.setCurrentWidget(window.plots.compare if panel == "compare" else window.plots.live)
    for _ in range(5):
        QApplication.processEvents()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out), "PNG"):
        raise MediaError(f"could not write the screenshot {out}", path=str(out))
    return out


def screenshot_project(project: str | Path | None, frame: int, out: str | Path, *,
                       size: tuple[int, int] = (1600, 1000), run: str | None = None,
                       track: int | None = None, panel: str | None = None,
                       trails: bool = False) -> tuple[Path, str]:
    """Open ``project`` (None: the built-in demo) in a main window, render ``frame`` to the
    PNG ``out`` and close the window; returns (the PNG, Qt's platform name).

    Shared by ``sporttrack gui --screenshot`` and the self-test, so the bundle's smoke test
    renders exactly what users get (and nothing outside ``ui/`` touches Qt).
    """
    from PySide6.QtGui import QGuiApplication

    from sporttrack_gui.ui.launch import make_app, open_argument
    from sporttrack_gui.ui.main_window import MainWindow

    app = make_app()
    window = MainWindow()
    try:
        if project:
            if not open_argument(window, str(project)):
                raise InputError(f"cannot open {project} (see the message above)")
        else:
            from sporttrack_gui.ui.demo import demo_project

            window.open_project(demo_project())
        path = render_window(window, frame, out, size=size, run=run, track=track, panel=panel,
                             trails=trails)
    finally:
        window.close()
        app.processEvents()
    return Path(path), QGuiApplication.platformName()
