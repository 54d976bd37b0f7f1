"""A crossing proposal with its ghosts and before/after strip (issue #19), under Xvfb:

    Xvfb :119 -screen 0 1600x1000x24 &
    DISPLAY=:119 QT_QPA_PLATFORM=xcb .venv/bin/python \
        docs/screenshots/make_assistant_crossing_screenshot.py docs/screenshots/assistant_crossing.png

SNMOT-116 with the centroid tracker run on its own det.txt: tracks 15 and 16 (two
players walking together) trade ids at frame 104, inside the 150 frames that have pixels.
The window is grabbed once the strip's thumbnails have arrived from the worker.
"""
import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from sporttrack_gui.formats.mot import read_mot
from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
from sporttrack_gui.ui.main_window import MainWindow

SEQ = Path(__file__).resolve().parents[3] / "shared" / "data" / "soccernet" / "SNMOT-116"
out = Path(sys.argv[1])
app = QApplication(sys.argv)
w = MainWindow()
w.resize(1600, 1000)
w.move(0, 0)
w.show()
tmp = Path(tempfile.mkdtemp())
w.open_project(tmp / "match.stp", create=True)
w.import_media(str(SEQ))
run_pipeline(PipelineConfig(source=SEQ, detector=f"det:{SEQ / 'det' / 'det.txt'}",
                            tracker="centroid", out=tmp / "centroid.txt"))


def show() -> None:
    t = read_mot(tmp / "centroid.txt")
    s = w.session
    run = s.project.create_run(s.sequence["name"], "centroid", kind="tracker", status="complete")
    s.project.append_boxes(run, {"frame": t.frame.astype(np.int64),
                                 "track_id": t.track_id.astype(np.int64), "xywh": t.xywh})
    w.refresh_runs()
    w.show_run(run)
    w.docks["assistant"].raise_()
    QTimer.singleShot(1500, pick)


def pick() -> None:
    a = w.assistant
    row = next(k for k, x in enumerate(a.suspects) if x.kind == "crossing"
               and set(x.tracks) == {15, 16} and 100 <= x.frame <= 110)
    a.strip.stripReady.connect(lambda _n: QTimer.singleShot(1500, grab))
    a.go_to(row)
    w.view.set_zoom(2.2)
    w.view.centerOn(1460, 500)


def grab() -> None:
    w.grab().save(str(out))
    print("saved", out)
    app.quit()


QTimer.singleShot(2500, show)
app.exec()
