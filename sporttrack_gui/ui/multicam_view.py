"""The cameras of a group side by side, one global id per player, one shared minimap.

Opened from View ▸ Camera group… (:func:`multicam_action`). Everything it shows comes
from ``multicam.view_data.load_group_view`` and everything it computes from
``multicam.workflow.run_multicam`` (both Qt-free, run on a worker thread here); this
module only paints: each camera's frame with its boxes labelled by global id, the fused
positions on the minimap, one slider and play button driving every camera (frames are
synchronised through the group's offsets), a click on a player in any view
highlighting him in all of them, and right-click swap/merge/split of global ids with
undo/redo (``multicam.edits``: every camera in one transaction).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QImage, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.media.overlay import track_color
from sporttrack_gui.pitch.render import draw_pitch, render_minimap
from sporttrack_gui.pitch.template import load_template
from sporttrack_gui.ui.workers import JobRunner, ProgressWorker

SELECTED = QColor(255, 235, 0)


def _qimage(bgr: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class CameraPanel(QWidget):
    """One camera: its frame scaled to the panel, boxes with global ids; click selects."""

    picked = Signal(int)
    context = Signal(int, object)   # global id under the cursor (-1: none), global position

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.image: QImage | None = None
        self.frame_size = (1280, 720)
        self.boxes = np.zeros((0, 4), np.float32)
        self.ids = np.zeros(0, np.int64)
        self.selected: int | None = None
        self.caption = name
        self.setMinimumSize(320, 180)

    def show_frame(self, image: QImage | None, size: tuple[int, int], xywh: np.ndarray,
                   ids: np.ndarray, caption: str) -> None:
        self.image, self.frame_size, self.boxes, self.ids, self.caption = image, size, xywh, ids, caption
        self.update()

    def _transform(self) -> tuple[float, float, float]:
        w, h = self.frame_size
        s = min(self.width() / max(w, 1), self.height() / max(h, 1))
        return s, (self.width() - w * s) / 2, (self.height() - h * s) / 2

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(30, 30, 30))
        s, ox, oy = self._transform()
        w, h = self.frame_size
        target = QRectF(ox, oy, w * s, h * s)
        if self.image is not None:
            p.drawImage(target, self.image)
        else:
            p.setPen(QColor(160, 160, 160))
            p.drawText(target, Qt.AlignmentFlag.AlignCenter, "no frame at this time")
        font = QFont()
        font.setPointSize(9)
        font.setBold(True)
        p.setFont(font)
        for (x, y, bw, bh), gid in zip(self.boxes.tolist(), self.ids.tolist(), strict=True):
            b, g, r = track_color(int(gid))
            sel = gid == self.selected
            p.setPen(QPen(SELECTED if sel else QColor(r, g, b), 4 if sel else 2))
            p.drawRect(QRectF(ox + x * s, oy + y * s, bw * s, bh * s))
            p.fillRect(QRectF(ox + x * s, oy + y * s - 15, 8 + 8 * len(str(gid)), 14), QColor(0, 0, 0, 160))
            p.setPen(SELECTED if sel else QColor(r, g, b))
            p.drawText(QPointF(ox + x * s + 2, oy + y * s - 3), f"{gid}")
        p.fillRect(QRectF(0, 0, self.width(), 20), QColor(0, 0, 0, 150))
        p.setPen(QColor(255, 255, 255))
        p.drawText(QPointF(6, 14), self.caption)
        p.end()

    def id_at(self, px: float, py: float) -> int:
        """Global id of the smallest box under widget point (px, py), -1 when none."""
        s, ox, oy = self._transform()
        x, y = (px - ox) / s, (py - oy) / s
        b = self.boxes
        hit = np.flatnonzero((x >= b[:, 0]) & (x <= b[:, 0] + b[:, 2]) & (y >= b[:, 1]) & (y <= b[:, 1] + b[:, 3]))
        return int(self.ids[hit[np.argmin(b[hit, 2] * b[hit, 3])]]) if len(hit) else -1

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        gid = self.id_at(event.position().x(), event.position().y())
        if event.button() == Qt.MouseButton.RightButton:
            self.context.emit(gid, event.globalPosition().toPoint())
        else:
            self.picked.emit(gid)


class MulticamWindow(QMainWindow):
    """Side-by-side cameras of one group with a shared minimap."""

    def __init__(self, project_path: str | Path, group: str | None = None, run: str = "gt",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from sporttrack_gui.multicam.group import group_names
        from sporttrack_gui.project import Project

        self.project_path = str(project_path)
        with Project.open(self.project_path, readonly=True) as p:
            groups = group_names(p)
        self.setWindowTitle(f"Camera group — {Path(self.project_path).name}")
        self.view: Any = None
        self.sources: list[Any] = []
        self.selected: int | None = None
        self.frame = 1
        self.template = load_template("football")
        self.pitch_base, _ = draw_pitch(self.template, 420)
        self.jobs = JobRunner(self)

        self.group_box = QComboBox()
        self.group_box.addItems(groups)
        if group:
            self.group_box.setCurrentText(group)
        self.run_box = QComboBox()
        self.run_box.setEditable(True)
        self.run_box.addItems(["gt", "bytetrack"])
        self.run_box.setCurrentText(run)
        self.compute = QPushButton("Compute global ids")
        self.compute.setToolTip("link every camera's tracks of the input run into global ids "
                                "(writes a 'global' run per camera; replaces an earlier one)")
        self.undo_btn = QPushButton("Undo global edit")
        self.redo_btn = QPushButton("Redo")
        self.status = QLabel("")
        top = QHBoxLayout()
        for w in (QLabel("Group"), self.group_box, QLabel("Input run"), self.run_box, self.compute,
                  self.undo_btn, self.redo_btn):
            top.addWidget(w)
        top.addWidget(self.status, 1)

        self.grid = QGridLayout()
        self.panels: list[CameraPanel] = []
        self.minimap = QLabel()
        self.minimap.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.minimap.setMinimumSize(320, 220)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setMinimum(1)
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.frame_label = QLabel("")
        bottom = QHBoxLayout()
        bottom.addWidget(self.play)
        bottom.addWidget(self.slider, 1)
        bottom.addWidget(self.frame_label)

        root = QWidget()
        lay = QVBoxLayout(root)
        lay.addLayout(top)
        lay.addLayout(self.grid, 1)
        lay.addLayout(bottom)
        self.setCentralWidget(root)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.slider.valueChanged.connect(self.set_frame)
        self.play.toggled.connect(self._toggle_play)
        self.group_box.currentTextChanged.connect(lambda _t: self.reload())
        self.compute.clicked.connect(self.compute_global)
        self.undo_btn.clicked.connect(lambda: self.global_edit("undo"))
        self.redo_btn.clicked.connect(lambda: self.global_edit("redo"))
        if groups:
            self.reload()
        else:
            self.status.setText("no camera group in this project (sporttrack multicam --create)")

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """(Re)load the group's boxes; synchronous (arrays only, no pixels). A group that
        cannot be loaded (a missing run, an unreadable homography file) is reported in the
        status line and the view shown so far stays, with its videos still open."""
        from sporttrack_gui.errors import SportTrackError
        from sporttrack_gui.media.source import open_source
        from sporttrack_gui.multicam.view_data import load_group_view

        try:
            view = load_group_view(self.project_path, self.group_box.currentText(),
                                   fallback_run=self.run_box.currentText())
        except SportTrackError as exc:
            self.status.setText(f"cannot show group {self.group_box.currentText()!r}: {exc}")
            return
        for s in self.sources:
            if s is not None:
                s.close()
        self.view = view
        self.sources = []
        for c in self.view.cameras:
            try:
                self.sources.append(open_source(c.source))
            except Exception:  # noqa: BLE001 - a missing video still shows its boxes
                self.sources.append(None)
        for p in self.panels:
            p.setParent(None)
        self.panels = []
        n = len(self.view.cameras)
        cols = 2 if n <= 4 else 3
        for i, c in enumerate(self.view.cameras):
            panel = CameraPanel(c.name)
            panel.picked.connect(self.select)
            panel.context.connect(self._context_menu)
            self.panels.append(panel)
            self.grid.addWidget(panel, i // cols, i % cols)
        self.grid.addWidget(self.minimap, n // cols, n % cols)
        self.slider.setMaximum(max(1, self.view.n_global_frames))
        kind = "global ids" if self.view.has_global else f"per-camera ids of '{self.view.run}' (not linked yet)"
        self.status.setText(f"{n} cameras, showing {kind}")
        self.set_frame(self.frame)

    def compute_global(self) -> None:
        from sporttrack_gui.multicam.workflow import run_multicam

        def job(path, group, run, progress=None, cancel=None):
            return run_multicam(path, group, run, replace=True,
                                progress=lambda _stage, d, n: progress(d, n), cancel=cancel).summary()

        worker = ProgressWorker(job, self.project_path, self.group_box.currentText(),
                                self.run_box.currentText())
        worker.progress.connect(lambda d, n: self.status.setText(f"associating… {d}/{n}"))
        worker.failed.connect(lambda msg: QMessageBox.warning(self, "Camera group", msg))
        worker.finished.connect(self._computed)
        self.compute.setEnabled(False)
        worker.done.connect(lambda: self.compute.setEnabled(True))
        self.jobs.start(worker)

    def _computed(self, summary: dict) -> None:
        self.reload()
        m = summary.get("metrics", {})
        extra = f", global IDF1 {m['global']['idf1']:.3f}" if "global" in m else ""
        self.status.setText(f"{summary['global_ids']} global ids, {summary['handoffs']} hand-offs{extra}")

    # ------------------------------------------------------------------ display
    def set_frame(self, frame: int) -> None:
        if self.view is None:
            return
        self.frame = int(frame)
        if self.slider.value() != self.frame:
            self.slider.blockSignals(True)
            self.slider.setValue(self.frame)
            self.slider.blockSignals(False)
        for i, (c, panel) in enumerate(zip(self.view.cameras, self.panels, strict=True)):
            f = self.view.camera_frame(i, self.frame)
            rows = c.by_frame.get(f, np.zeros(0, np.int64)) if f is not None else np.zeros(0, np.int64)
            img = None
            src = self.sources[i]
            if f is not None and src is not None and f <= len(src):
                img = _qimage(src[f - 1])
            panel.selected = self.selected
            panel.show_frame(img, (c.width or 1280, c.height or 720), c.table.xywh[rows],
                             c.table.track_id[rows], f"{c.name}  frame {f if f else '-'}")
        self._draw_minimap()
        self.frame_label.setText(f"global frame {self.frame} / {self.view.n_global_frames}")

    def _draw_minimap(self) -> None:
        fu = self.view.fused
        rows = fu.at(self.frame)
        ids = fu.global_id[rows]
        labels = [str(int(g)) if self.view.has_global else "" for g in ids]
        img = render_minimap(self.template, fu.xy[rows], [track_color(int(g)) for g in ids], labels,
                             width_px=420, base=self.pitch_base)
        if self.selected is not None and self.selected in ids:
            k = int(np.flatnonzero(ids == self.selected)[0])
            scale = (420 - 20) / self.template.length
            c = np.round(fu.xy[rows][k] * scale + 10).astype(int)
            cv2.circle(img, (int(c[0]), int(c[1])), 11, (0, 235, 255), 2, cv2.LINE_AA)
        pix = QPixmap.fromImage(_qimage(img))
        self.minimap.setPixmap(pix.scaled(self.minimap.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def global_edit(self, op: str, a: int | None = None, b: int | None = None) -> str | None:
        """Swap/merge/split a global id in every camera, or undo/redo the last such edit
        (``multicam.edits``: one transaction each); returns the edit's label."""
        from sporttrack_gui.errors import SportTrackError
        from sporttrack_gui.multicam.edits import apply_global_edit, redo_global, undo_global
        from sporttrack_gui.project import Project

        group = self.group_box.currentText()
        try:
            with Project.open(self.project_path) as p:
                if op in ("undo", "redo"):
                    r = (undo_global if op == "undo" else redo_global)(p, group)
                else:
                    r = apply_global_edit(p, group, op, a, b, None if op == "merge" else self.frame)
        except SportTrackError as exc:
            QMessageBox.warning(self, "Global id edit", str(exc))
            return None
        label = r.label if r else f"nothing to {op}"
        self.reload()
        self.status.setText(label)
        return label

    def _context_menu(self, gid: int, pos) -> None:
        from PySide6.QtWidgets import QMenu

        if self.view is None or not self.view.has_global or gid < 0:
            return
        menu = QMenu(self)
        a = self.selected
        if a is not None and a != gid:
            menu.addAction(f"Swap {a} \u2194 {gid} from frame {self.frame}",
                           lambda: self.global_edit("swap", a, gid))
            menu.addAction(f"Merge {gid} into {a}", lambda: self.global_edit("merge", a, gid))
        menu.addAction(f"Split {gid} at frame {self.frame}", lambda: self.global_edit("split", gid))
        menu.exec(pos)

    def select(self, gid: int) -> None:
        """Highlight global id ``gid`` in every camera and on the minimap (-1 clears)."""
        self.selected = None if gid < 0 else int(gid)
        self.set_frame(self.frame)

    def _toggle_play(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        if on and self.view is not None:
            self.timer.start(int(1000 / max(self.view.fps, 1.0)))
        else:
            self.timer.stop()

    def _tick(self) -> None:
        if self.view is None or self.frame >= self.view.n_global_frames:
            self.play.setChecked(False)
            return
        self.set_frame(self.frame + 1)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.timer.stop()
        self.jobs.cancel()
        self.jobs.wait()
        for s in self.sources:
            if s is not None:
                s.close()
        super().closeEvent(event)


def multicam_action(window: QMainWindow) -> QAction:
    """View ▸ Camera group…: opens :class:`MulticamWindow` on the window's project."""
    action = QAction("Camera &group…", window)
    action.setProperty("help_group", "View")

    def open_view() -> None:
        session = getattr(window, "session", None)
        if session is None:
            QMessageBox.information(window, "Camera group", "Open a project first.")
            return
        try:
            view = MulticamWindow(session.path, parent=window)
        except Exception as exc:  # noqa: BLE001 - user-facing message, never a crash
            QMessageBox.warning(window, "Camera group", str(exc))
            return
        view.resize(1500, 900)
        view.show()

    action.triggered.connect(open_view)
    return action


def save_screenshot(project: str | Path, group: str, frame: int, out: str | Path,
                    select: int | None = None, size: tuple[int, int] = (1500, 900)) -> Path:
    """Render the view offscreen on ``frame`` and save a PNG (docs, tests)."""
    from PySide6.QtWidgets import QApplication

    from sporttrack_gui.multicam.group import load_group
    from sporttrack_gui.project import Project

    with Project.open(project, readonly=True) as p:
        load_group(p, group)  # an unknown group is refused, not replaced by the first one
    app = QApplication.instance() or QApplication([])
    w = MulticamWindow(project, group)
    w.resize(*size)
    w.show()
    if select is not None:
        w.select(select)
    w.set_frame(frame)
    for _ in range(5):
        app.processEvents()
    from sporttrack_gui.atomic_io import atomic_path
    from sporttrack_gui.errors import MediaError

    out = Path(out)
    try:
        with atomic_path(out) as tmp:  # the PNG appears under its name only when complete
            if not w.grab().save(str(tmp), "PNG"):
                raise MediaError(f"could not write the screenshot {out}", path=str(out))
    finally:
        w.close()
        w.deleteLater()
        app.processEvents()
    return out
