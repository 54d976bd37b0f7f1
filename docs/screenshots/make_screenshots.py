"""Regenerate the README screenshots on the SoccerNet sequence.

Drives the real window (no mock-ups): opens SNMOT-116 in a fresh project, shows a frame
with trails, runs ByteTrack on its det.txt with live metrics (captured mid-run), then the
metrics and heatmap panels. Run under a display (``Xvfb :99 -screen 0 1600x1000x24``):

    DISPLAY=:99 .venv/bin/python docs/screenshots/make_screenshots.py [OUT_DIR]

Each PNG is the whole window as the user sees it (``QWidget.grab``), quantised to keep
it under 300 KB.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))
SNMOT = REPO.parent / "shared" / "data" / "soccernet" / "SNMOT-116"
MAX_BYTES = 300_000


def save(widget_or_image, path: Path) -> None:
    """Save a widget's window (or an image) as PNG; over budget, ImageMagick reduces it
    to a 256-colour palette with dithering (Qt's own palette conversion looks posterised)."""
    import shutil
    import subprocess

    from PySide6.QtGui import QImage

    image = widget_or_image if isinstance(widget_or_image, QImage) else \
        widget_or_image.window().grab().toImage()
    image.save(str(path), "PNG")
    convert = shutil.which("convert")
    if path.stat().st_size > MAX_BYTES and convert:
        full = path.with_suffix(".full.png")
        path.replace(full)
        for colours in (256, 128, 64, 32):
            subprocess.run([convert, str(full), "-dither", "FloydSteinberg", "-colors",
                            str(colours), f"PNG8:{path}"], check=True)
            if path.stat().st_size <= MAX_BYTES:
                break
        full.unlink()
    print(f"{path}  {path.stat().st_size // 1024} KB")


def spin(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    import os

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    os.environ.setdefault("SPORTTRACK_HOME", tempfile.mkdtemp(prefix="sporttrack-shots-"))
    from PySide6.QtCore import Qt

    from sporttrack_gui.ui.launch import make_app
    from sporttrack_gui.ui.main_window import MainWindow
    from sporttrack_gui.ui.screenshot import wait_for_frame

    app = make_app()
    w = MainWindow()
    w.resize(1600, 1000)
    w.show()
    project = Path(tempfile.mkdtemp()) / "snmot116.stp"
    if not (w.open_project(project, create=True) and w.import_media(SNMOT)):
        raise SystemExit(f"could not open {SNMOT}")
    wait_for_frame(w, 60)
    w.actions_["trails"].setChecked(True)
    w.select_track(5)
    spin(300)
    save(w, out / "main_window.png")

    dialog = w.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Detections run" in t))
    # colour appearance features: the tracker then reads the frames (1-150 have images),
    # so the run shows the video while it proceeds and lasts long enough to be seen
    for row in range(dialog.params.rowCount()):
        if dialog.params.item(row, 0).text() == "embedder":
            dialog.params.item(row, 1).setText("color")
    dialog.move(w.geometry().x() + 560, w.geometry().y() + 120)
    dialog.run_button.click()
    captured = False
    while w.jobs.busy():  # the GUI thread polls; the worker is never touched
        spin(20)
        if not captured and dialog.progress.value() >= 0.5 * dialog.progress.maximum() > 0 \
                and w.plots.live.point_count() >= 2:
            captured = True
            # the dialog is its own top-level window: grab the screen, not the window
            save(app.primaryScreen().grabWindow(0).toImage(), out / "run_dialog.png")
    spin(300)
    dialog.close()
    # a second run over all 750 frames of det.txt (no pixels needed): IDF1 drifts as ids
    # switch, which is what the live plot is for
    dialog = w.jobs.open_run_dialog()
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "Detections run" in t))
    dialog.run_button.click()
    while w.jobs.busy():
        spin(50)
    spin(300)
    dialog.close()

    # a wider right dock for the panel shots, as a user would drag it
    w.resizeDocks([w.docks["plots"]], [760], Qt.Orientation.Horizontal)
    w.plots.setCurrentWidget(w.plots.live)
    w.docks["plots"].raise_()
    spin(300)
    save(w, out / "metrics_panel.png")

    w.show_run(w.session.gt_run()["id"])  # teams are named in the gt (gameinfo.ini)
    w.heatmap.set_selection("team:left")
    w.docks["heatmap"].raise_()
    w.refresh_heatmap()
    spin(300)
    save(w, out / "heatmap.png")
    w.close()


if __name__ == "__main__":
    main()
