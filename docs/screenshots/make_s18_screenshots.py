"""Screenshots of issue 18 (lanes at scale, Add folder, metrics after an edit), under Xvfb:

    sporttrack import /tmp/s18/match.stp ../shared/data/soccernet/SNMOT-116
    sporttrack track ../shared/data/soccernet/SNMOT-116 --tracker bytetrack \
        --project /tmp/s18/match.stp --run-name bytetrack --out /tmp/s18/bt.txt
    Xvfb :181 -screen 0 1600x1000x24 &
    DISPLAY=:181 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/make_s18_screenshots.py \
        /tmp/s18/match.stp docs/screenshots

The project is copied first: the original stays as built.
"""
import shutil
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

import sporttrack_gui.ui  # noqa: F401
from sporttrack_gui.ui.main_window import MainWindow

src, out = Path(sys.argv[1]), Path(sys.argv[2])
tmp = Path(tempfile.mkdtemp())
project = tmp / "match.stp"
shutil.copy(src, project)
app = QApplication(sys.argv)
w = MainWindow()
w.resize(1600, 1000)
w.move(0, 0)
w.show()
steps = []


def later(ms):
    def deco(fn):
        steps.append((ms, fn))
        return fn
    return deco


def shot(name):
    QApplication.primaryScreen().grabWindow(0).save(str(out / name))
    print("saved", out / name)


@later(500)
def open_project():
    w.open_project(project)
    s = w.session
    w.show_run(s.project.run_id("bytetrack", s.sequence["id"]))
    w.resizeDocks([w.docks["timeline"]], [430], Qt.Orientation.Vertical)
    w.playback.seek(110)


@later(5000)
def lanes():
    lanes = w.timeline.lanes
    lay = lanes.layout_
    w.select_track(int(lay.track_ids[34]), source="list")  # scrolled into view
    seen = [x for x in lanes.suspects if lay.lane_of(x.tracks[0]) in lanes.visible()]
    sus = min(seen or lanes.suspects, key=lambda x: abs(lay.lane_of(x.tracks[0]) - 40))
    pt = QPointF(sus.frame, lay.lane_of(sus.tracks[0]))
    vb = lanes.getPlotItem().getViewBox()
    global tip_at
    tip_at = vb.mapViewToScene(pt)
    QCursor.setPos(lanes.mapToGlobal(lanes.mapFromScene(tip_at)))


@later(600)
def tooltip():
    lanes = w.timeline.lanes
    lanes.last_tooltip = ""
    lanes._hovered(tip_at)


@later(700)
def lanes_shot():
    shot("lanes_88_tracks.png")


@later(300)
def metrics_edit():
    from sporttrack_gui.assist.fix import apply_fix
    from sporttrack_gui.project import run_admin

    s = w.session
    bt = s.project.run_id("bytetrack", s.sequence["id"])
    w.jobs._evaluate(bt)
    copy = run_admin.copy_run(s.project, bt, "bytetrack fixed")
    w.refresh_runs()
    w.show_run(copy)
    w.jobs.evaluate_shown_run()
    w.plots.setCurrentWidget(w.plots.metrics)
    w.docks["plots"].raise_()
    w.resizeDocks([w.docks["timeline"]], [200], Qt.Orientation.Vertical)
    w.resizeDocks([w.docks["plots"]], [860], Qt.Orientation.Horizontal)
    for fix in ({"op": "merge", "a": 59, "b": 62}, {"op": "delete", "a": 106}):
        w.push_edit(f"{fix['op']}", lambda fix=fix: apply_fix(s.project, copy, fix))


@later(400)
def stale_shot():
    shot("metrics_stale.png")  # not linked: the ⟳ state, kept for the report


@later(8000)
def metrics_shot():
    shot("metrics_after_edit.png")


@later(300)
def import_folder():
    w.open_project(tmp / "athletics.stp", create=True)
    w.resizeDocks([w.docks["timeline"]], [230], Qt.Orientation.Vertical)
    w.import_picked("/work/shared/data/otb/Bolt")  # the images are in Bolt/img


@later(5000)
def import_shot():
    w.playback.seek(60)
    QTimer.singleShot(1500, lambda: (shot("import_image_folder.png"), app.quit()))


def run(i=0):
    if i < len(steps):
        ms, fn = steps[i]
        QTimer.singleShot(ms, lambda: (fn(), run(i + 1)))


run()
app.exec()
