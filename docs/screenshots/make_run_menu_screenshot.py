"""The runs table's context menu on locked ground truth (issue #17), under Xvfb:

    Xvfb :97 -screen 0 1400x900x24 &
    DISPLAY=:97 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/make_run_menu_screenshot.py \
        docs/screenshots/run_context_menu.png
"""
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

import sporttrack_gui.ui  # noqa
from sporttrack_gui.ui.main_window import MainWindow

app = QApplication(sys.argv)
w = MainWindow()
w.resize(1400, 860)
w.move(0, 0)
w.show()
tmp = Path(tempfile.mkdtemp())
w.open_project(tmp / "match.stp", create=True)
w.import_media("/work/shared/data/soccernet/SNMOT-116")
out = sys.argv[1]

def step2():
    s = w.session
    gt = s.gt_run()
    w.show_run(gt["id"])
    s.project.copy_run(gt["id"], "gt-fixed")
    w.refresh_runs()
    view = w.runs_panel.runs_view
    rows = w.runs_panel.runs_model.rows
    r = next(i for i, row in enumerate(rows) if row["kind"] == "gt")
    rect = view.visualRect(w.runs_panel.runs_model.index(r, 0))
    pos = view.viewport().mapToGlobal(rect.center())
    w.run_menu.show_menu(int(gt["id"]), pos)
    QTimer.singleShot(1500, step3)

def step3():
    QApplication.primaryScreen().grabWindow(0).save(out)
    app.quit()

QTimer.singleShot(8000, step2)
app.exec()
