"""The Jobs panel: every queued tracker run with its state, progress, ETA and a cancel button.

Why a dock of its own: a queue of detector runs takes hours; the user works on other
sequences meanwhile and needs one place that says what runs, what waits, what failed and
why. The panel only reads ``pipeline.job_queue.Job`` snapshots and turns clicks into
``cancelRequested``/``removeRequested``; ``install_jobs_panel`` wires it to the window's
``JobControl`` (a few lines in the main window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sporttrack_gui.pipeline.job_queue import (
    CANCELLED,
    COMPLETE,
    FAILED,
    QUEUED,
    RUNNING,
    Job,
)
from sporttrack_gui.pipeline.progress import FRAMES
from sporttrack_gui.ui.run_dialog import fit_message, format_eta

if TYPE_CHECKING:
    from sporttrack_gui.ui.main_window import MainWindow

COLUMNS = ("Sequence", "Run", "Tracker", "State", "Progress", "ETA", "")
COL_TRACKER, COL_STATE, COL_BAR, COL_ETA, COL_BUTTON = 2, 3, 4, 5, 6
STATE_COLOURS = {FAILED: "#e06c5a", CANCELLED: "#9a9a9a", COMPLETE: "#5aa469",
                 RUNNING: "#4a90d9", QUEUED: ""}
WARNING_COLOUR = "#f3d35b"


def state_text(job: Job) -> str:
    """What the State column says (``complete (no boxes)`` for a suspicious success)."""
    if job.state == RUNNING and job.phase and job.phase != FRAMES:
        return "loading…"  # the phase itself is the row's tooltip and the bar is busy
    if job.state == COMPLETE and job.warning:
        return "0 boxes"  # yellow; the warning in full is the tooltip
    return job.state


class JobsPanel(QWidget):
    """A table of jobs; the text under it shows the selected (or newest failed) job's
    error in full, wrapped."""

    cancelRequested = Signal(int)
    removeRequested = Signal(int)
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("jobsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(36)
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # a docked panel is narrow: the tracker column elides (detections in its
        # tooltip), the progress bar takes what is left
        header.setSectionResizeMode(COL_TRACKER, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_TRACKER, 80)
        header.setSectionResizeMode(COL_BAR, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_details)
        self.details = QLabel("")
        self.details.setObjectName("jobDetails")
        self.details.setWordWrap(True)
        self.details.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = QLabel("No jobs. Run ▸ Run tracker… queues one; “Every sequence of the "
                              "project” queues one per sequence.")
        self.summary.setWordWrap(True)
        clear = QPushButton("Clear finished")
        clear.setObjectName("clearJobs")
        clear.clicked.connect(self.clearRequested)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        self._rows: dict[int, int] = {}  # job id -> row
        self._jobs: dict[int, Job] = {}

    # ---- filling ----------------------------------------------------------------------
    def set_jobs(self, jobs: list[Job]) -> None:
        """Show ``jobs`` (snapshots) in order; rows are rebuilt only when the list changed."""
        ids = [j.id for j in jobs]
        if ids != list(self._rows):
            self.table.setRowCount(0)
            self._rows = {}
            for job in jobs:
                row = self.table.rowCount()
                self.table.insertRow(row)
                self._rows[job.id] = row
                bar = QProgressBar()
                bar.setTextVisible(True)
                self.table.setCellWidget(row, COL_BAR, bar)
                button = QPushButton()
                button.setObjectName(f"jobButton{job.id}")
                button.clicked.connect(lambda _c=False, i=job.id: self._button(i))
                self.table.setCellWidget(row, COL_BUTTON, button)
        self._jobs = {j.id: j for j in jobs}
        for job in jobs:
            self.update_job(job)
        self._summarise()

    def update_job(self, job: Job) -> None:
        """Refresh one row (a progress report: cheap, no rebuild)."""
        row = self._rows.get(job.id)
        if row is None:
            return
        self._jobs[job.id] = job
        run = job.run_name or "auto"
        cells = (job.sequence, run, f"{job.tracker} · {job.detector}", state_text(job))
        for col, text in enumerate(cells):
            item = self.table.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, col, item)
            item.setText(text)
            item.setToolTip(text)
        state = self.table.item(row, COL_STATE)
        colour = WARNING_COLOUR if job.warning else STATE_COLOURS.get(job.state, "")
        state.setBackground(QColor(colour) if colour else QColor(0, 0, 0, 0))
        if colour:
            state.setForeground(QColor("black"))
        state.setToolTip(job.error or job.warning or
                         (f"{job.phase}…" if job.state == RUNNING else job.state))
        bar = self.table.cellWidget(row, COL_BAR)
        if isinstance(bar, QProgressBar):
            if job.state == RUNNING and job.phase != FRAMES:
                bar.setRange(0, 0)  # loading a model: busy, no fake "0 / N"
            else:
                bar.setRange(0, max(job.total, 1))
                bar.setValue(min(job.done, max(job.total, 1)) if job.total else 0)
                bar.setFormat(f"{job.done}/{job.total}" if job.total else
                              ("–" if job.state == QUEUED else job.state))
                bar.setToolTip(f"{job.done} of {job.total} frames" if job.total else "")
        eta = self.table.item(row, COL_ETA)
        if eta is None:
            eta = QTableWidgetItem()
            self.table.setItem(row, COL_ETA, eta)
        eta.setText(format_eta(job.eta_s) if job.state == RUNNING and job.phase == FRAMES
                    else "")
        button = self.table.cellWidget(row, COL_BUTTON)
        if isinstance(button, QPushButton):
            button.setText("Cancel" if job.state == RUNNING else
                           "Remove" if job.state == QUEUED or job.finished else "")
            button.setToolTip("Stop this run (boxes so far are kept, marked incomplete)"
                              if job.state == RUNNING else "Take it off the list")
        self._summarise()
        if job.error and not self.table.selectedItems():
            self.details.setText(fit_message(f"{job.sequence}: {job.error}", 600))

    def _summarise(self) -> None:
        jobs = list(self._jobs.values())
        if not jobs:
            return
        counts: dict[str, int] = {}
        for j in jobs:
            counts[j.state] = counts.get(j.state, 0) + 1
        self.summary.setText(", ".join(f"{n} {k}" for k, n in counts.items()))

    def _button(self, job_id: int) -> None:
        job = self._jobs.get(job_id)
        if job is None:
            return
        if job.state == RUNNING:
            self.cancelRequested.emit(job_id)
        elif job.state == QUEUED:  # taken off the queue: it never runs
            self.cancelRequested.emit(job_id)
            self.removeRequested.emit(job_id)
        else:
            self.removeRequested.emit(job_id)

    def _show_details(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        job = next((j for j in self._jobs.values() if self._rows.get(j.id) in rows), None)
        if job is None:
            return
        text = job.error or job.warning or state_text(job)
        result = job.result
        if result is not None and not job.error:
            text = (f"{state_text(job)}: {result.frames}/{result.frames_total} frames, "
                    f"{result.boxes} boxes, {result.ids} ids, {result.fps:.1f} frames/s"
                    + (f" — {job.warning}" if job.warning else ""))
        self.details.setText(fit_message(f"{job.sequence}: {text}", 600))
        self.details.setToolTip(text)

    def job_ids(self) -> list[int]:
        """Ids of the listed jobs, in row order."""
        return list(self._rows)

    def button_for(self, job_id: int) -> QPushButton | None:
        row = self._rows.get(job_id)
        w = None if row is None else self.table.cellWidget(row, COL_BUTTON)
        return w if isinstance(w, QPushButton) else None


class JobsDock:
    """The panel wired to a window's ``JobControl`` (see ``install_jobs_panel``)."""

    def __init__(self, window: MainWindow) -> None:
        from sporttrack_gui.ui.actions import ActionSpec, make_action

        self.w = window
        jobs = window.jobs
        self.panel = JobsPanel()
        self.dock = window._dock("Jobs", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)  # noqa: SLF001
        window.docks["jobs"] = self.dock
        window.tabifyDockWidget(window.docks["plots"], self.dock)  # the timeline stays in view
        window.docks["plots"].raise_()
        self.status = QLabel("")
        self.status.setObjectName("jobsStatus")
        self.status.setContentsMargins(8, 0, 8, 0)
        self.status.hide()
        window.statusBar().addPermanentWidget(self.status)
        self.panel.cancelRequested.connect(jobs.cancel_job)
        self.panel.removeRequested.connect(self._remove)
        self.panel.clearRequested.connect(self._clear)
        jobs.jobChanged.connect(self._changed)
        jobs.jobsQueued.connect(self._queued)
        self.run_all = make_action(ActionSpec(
            "run_all", "Run tracker on &every sequence…", ("Ctrl+Shift+R",), "",
            "Queue the tracker on every sequence of the project, one after another", "Run"),
            window)
        self.run_all.triggered.connect(lambda: jobs.open_run_dialog(all_sequences=True))
        window.actions_["run_all"] = self.run_all
        self._add_to_menus()

    def _add_to_menus(self) -> None:
        """Run ▸ Run tracker on every sequence…, View ▸ Jobs (found by title so the
        window's menu code stays as it is)."""
        menus = {a.text(): a.menu() for a in self.w.menuBar().actions() if a.menu()}
        run, view = menus.get("&Run"), menus.get("&View")
        if run is not None:
            after = self.w.actions_["run_tracker"]
            actions = run.actions()
            before = actions[actions.index(after) + 1] if after in actions and \
                actions.index(after) + 1 < len(actions) else None
            if before is not None:
                run.insertAction(before, self.run_all)
            else:
                run.addAction(self.run_all)
        if view is not None:
            toggle: QAction = self.dock.toggleViewAction()
            toggle.setObjectName("toggle_jobs")
            view.addAction(toggle)

    def _refill(self) -> None:
        self.panel.set_jobs(self.w.jobs.queue.snapshots())

    def _changed(self, job_id: int) -> None:
        job = self.w.jobs.queue.snapshot(job_id)
        ids = [j.id for j in self.w.jobs.queue.jobs()]
        if job is None or ids != self.panel.job_ids():  # a job was added or removed
            self._refill()
        else:
            self.panel.update_job(job)
        self._status()

    def _status(self) -> None:
        q = self.w.jobs.queue
        running, pending = q.running(), q.pending()
        if not pending:
            self.status.hide()
            return
        text = f"Jobs: {pending} left"
        if running is not None:
            done = f"{100 * running.done / running.total:.0f}%" if running.total else \
                f"{running.phase or 'starting'}…"
            text += f" · {running.sequence} {done}"
        self.status.setText(text)
        self.status.show()

    def _queued(self, _n: int) -> None:
        self.dock.show()
        self.dock.raise_()

    def _remove(self, job_id: int) -> None:
        self.w.jobs.queue.remove(job_id)

    def _clear(self) -> None:
        self.w.jobs.queue.clear_finished()


def install_jobs_panel(window: MainWindow) -> JobsDock:
    """Add the Jobs dock, its View toggle, Run ▸ every sequence, and the status label."""
    return JobsDock(window)
