"""Screenshots of the box editor and the ID-switch assistant on SoccerNet SNMOT-116.

Drives the real window: degrades the sequence's det.txt on the frames that have images
(1-150: a third of the boxes dropped, a few pixels of jitter -- what a weak detector
gives), runs ByteTrack on it in the worker as a user would from the run dialog, then (1) selects a player's box on a frame with images, pairs it with a second track and
opens the right-click menu of track operations (editor.png), and (2) steps the
ID-switch assistant to its first proposed swap (assistant.png). Run under a display:

    DISPLAY=:99 .venv/bin/python docs/screenshots/make_editor_screenshots.py [OUT_DIR]

The context menu is its own top-level window, so editor.png is grabbed from the screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_screenshots import SNMOT, save, spin  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    os.environ.setdefault("SPORTTRACK_HOME", tempfile.mkdtemp(prefix="sporttrack-shots-"))
    import numpy as np
    from PySide6.QtCore import QPoint, Qt

    from sporttrack_gui.ui.launch import make_app
    from sporttrack_gui.ui.main_window import MainWindow
    from sporttrack_gui.ui.screenshot import wait_for_frame

    app = make_app()
    w = MainWindow()
    w.resize(1600, 1000)
    w.move(0, 0)
    w.show()
    project = Path(tempfile.mkdtemp()) / "snmot116.stp"
    if not (w.open_project(project, create=True) and w.import_media(SNMOT)):
        raise SystemExit(f"could not open {SNMOT}")
    s = w.session
    det = s.project.boxes(s.project.run_id("det", s.sequence["id"]))
    rng = np.random.default_rng(3)
    keep = (det.frame <= 150) & (rng.random(len(det)) > 0.33)
    weak = det.select(keep)
    weak.xywh[:] += rng.normal(0, 3, weak.xywh.shape).astype(np.float32)
    weak_run = s.project.create_run(s.sequence["id"], "det-weak", kind="det", status="complete")
    s.project.append_boxes(weak_run, weak)
    w.refresh_runs()
    dialog = w.jobs.open_run_dialog()
    labels = [dialog.det_box.itemText(i) for i in range(dialog.det_box.count())]
    dialog.det_box.setCurrentIndex(next(i for i, t in enumerate(labels) if "det-weak" in t))
    dialog.run_button.click()
    while w.jobs.busy():
        spin(50)
    dialog.close()
    spin(300)

    # --- editor.png: a selected box with handles, a partner track and the context menu
    frame = 70
    wait_for_frame(w, frame)
    fb = s.project.boxes(s.run["id"], frame=frame)
    big = np.argsort(-fb.xywh[:, 3])
    centres = fb.xywh[:, :2] + fb.xywh[:, 2:] / 2
    dist = np.linalg.norm(centres - centres[big[0]], axis=1)
    dist[big[0]] = np.inf
    a, b = int(fb.track_id[big[0]]), int(fb.track_id[int(np.argmin(dist))])  # partner: nearest
    w.select_track(a)
    w.view.set_partner(b)
    w.view.centerOn(*(fb.xywh[big[0], :2] + fb.xywh[big[0], 2:] / 2))
    w.view.set_zoom(1.0)
    w.view.centerOn(*(fb.xywh[big[0], :2] + fb.xywh[big[0], 2:] / 2))
    spin(200)
    x, y, bw, bh = (float(v) for v in fb.xywh[big[0]])
    pos = w.view.mapFromScene(x + bw * 0.8, y + bh * 0.3)
    menu = w.editor.show_context_menu(a, w.view.viewport().mapToGlobal(pos) + QPoint(4, 4))
    spin(400)
    save(app.primaryScreen().grabWindow(0).toImage(), out / "editor.png")
    menu.close()
    w.view.zoom_fit()

    # --- assistant.png: the dock with the suspects, stepped to the first proposed swap
    w.docks["assistant"].raise_()
    w.resizeDocks([w.docks["assistant"]], [620], Qt.Orientation.Horizontal)
    w.assistant.rescan()
    sus = w.assistant.suspects
    swaps = [k for k, x in enumerate(sus) if x.fix.get("op") == "swap" and x.frame <= 150]
    row = swaps[0] if swaps else next((k for k, x in enumerate(sus) if x.frame <= 150), 0)
    w.assistant.go_to(row)
    wait_for_frame(w, sus[row].frame)
    spin(400)
    save(w, out / "assistant.png")
    print(f"{len(sus)} suspects in {s.run['name']} ({s.run['params'].get('detector')}); "
          f"shown: {sus[row].to_dict()}")
    w.close()


if __name__ == "__main__":
    main()
