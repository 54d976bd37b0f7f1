"""Training from the app: one workflow (``pipeline.training.train_model``) for the CLI and
the Run ▸ Train a detector… dialog; run names resolve per sequence."""

from __future__ import annotations

import json

import pytest

from sporttrack_gui.formats.mot import read_mot, write_mot


@pytest.fixture
def two_sequence_project(synthetic_match, tmp_path):
    """The synthetic match imported twice (sequences ``a`` and ``b``), each with a ``gt``
    run of the people (the ball left out)."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    gt = read_mot(synthetic_match.gt_path, kind="gt")
    write_mot(tmp_path / "people.txt", gt.select(gt.cls != 2), kind="gt")
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        for name in ("a", "b"):
            import_source(p, synthetic_match.img_dir, gt=tmp_path / "people.txt", name=name)
    return path


def test_run_names_resolve_per_sequence(two_sequence_project):
    from sporttrack_gui.errors import SportTrackError
    from sporttrack_gui.pipeline.train import resolve_training_runs
    from sporttrack_gui.project import Project

    with Project.open(two_sequence_project, readonly=True) as p:
        both = resolve_training_runs(p, ["gt"])
        assert len(both) == 2 and {p.run(i)["name"] for i in both} == {"gt"}
        assert {p.sequence(int(p.run(i)["sequence_id"]))["name"] for i in both} == {"a", "b"}
        only_b = resolve_training_runs(p, ["b/gt", "b/gt"])
        assert len(only_b) == 1 and only_b[0] in both
        with pytest.raises(SportTrackError, match="'nope'"):
            resolve_training_runs(p, ["nope"])
        with pytest.raises(SportTrackError, match="'c'"):
            resolve_training_runs(p, ["c/gt"])


def test_cli_trains_fairmot_on_every_sequences_gt(two_sequence_project, tmp_path, capsys):
    from sporttrack_gui.cli.main import main

    code = main(["train", "--arch", "fairmot", str(two_sequence_project), "--runs", "gt",
                 "--epochs", "1", "--imgsz", "128", "--frame-stride", "15",
                 "--out", str(tmp_path / "fm"), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["arch"] == "fairmot" and data["epochs_done"] == 1
    assert data["images"] == 20  # 10 frames of each sequence
    assert data["detector"] == f"fairmot:{data['best']}" and (tmp_path / "fm/results.csv").is_file()
    assert len(data["curves"]["train/loss"]) == 1


def test_bad_training_request_is_refused_with_exit_2(two_sequence_project, tmp_path, capsys):
    from sporttrack_gui.cli.main import main

    code = main(["train", "--arch", "fairmot", str(two_sequence_project), "--runs", "nope",
                 "--epochs", "1", "--out", str(tmp_path / "fm")])
    assert code == 2
    assert "'nope'" in capsys.readouterr().err


def _dialog(qtbot, project):
    from sporttrack_gui.project import Project
    from sporttrack_gui.ui.train_dialog import TrainDialog, training_runs

    with Project.open(project, readonly=True) as p:
        runs = training_runs(p)
    assert [(spec, checked) for _, spec, checked in runs] == [("a/gt", True), ("b/gt", True)]
    dlg = TrainDialog(project, runs)
    qtbot.addWidget(dlg)
    dlg.arch.setCurrentIndex(dlg.arch.findData("fairmot"))
    dlg.imgsz.setValue(128)
    dlg.stride.setValue(15)
    dlg.show()
    return dlg


def test_dialog_trains_and_plots_each_epoch(qtbot, two_sequence_project, tmp_path):
    dlg = _dialog(qtbot, two_sequence_project)
    dlg.epochs.setValue(2)
    dlg.out.setText(str(tmp_path / "out"))
    dlg.out.setModified(True)
    with qtbot.waitSignal(dlg.trained, timeout=240_000) as spec:
        assert dlg.start()
        assert not dlg.train_button.isEnabled() and dlg.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=30_000)
    assert spec.args[0] == f"fairmot:{tmp_path / 'out' / 'weights' / 'best.pt'}"
    xs, ys = dlg.curves["train/loss"].getData()
    assert list(xs) == [1, 2] and len(ys) == 2 and ys[1] < ys[0]
    assert dlg.progress.value() == 2 and dlg.progress.maximum() == 2
    assert "fairmot:" in dlg.status.text() and dlg.copy_button.isEnabled()
    dlg.copy_button.click()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == spec.args[0]


def test_dialog_cancel_keeps_the_last_finished_epoch(qtbot, two_sequence_project, tmp_path):
    dlg = _dialog(qtbot, two_sequence_project)
    dlg.epochs.setValue(200)
    dlg.out.setText(str(tmp_path / "out"))
    dlg.out.setModified(True)
    assert dlg.start()
    qtbot.waitUntil(lambda: dlg.progress.value() >= 1, timeout=240_000)
    dlg.cancel()
    qtbot.waitUntil(lambda: not dlg.busy(), timeout=120_000)
    assert dlg.outcome is not None and dlg.outcome.status == "incomplete"
    assert 1 <= dlg.outcome.epochs_done < 200
    assert dlg.status.text().startswith("Cancelled after") and dlg.train_button.isEnabled()


def test_dialog_refuses_an_empty_run_choice(qtbot, two_sequence_project):
    from PySide6.QtCore import Qt

    dlg = _dialog(qtbot, two_sequence_project)
    for i in range(dlg.runs.count()):
        dlg.runs.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert not dlg.start() and not dlg.busy()
    assert "at least one run" in dlg.status.text()


def test_window_run_menu_opens_the_training_dialog(qtbot, two_sequence_project):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    assert w.open_project(two_sequence_project)
    run_menu = next(m.menu() for m in w.menuBar().actions() if m.text() == "&Run")
    assert w.actions_["train"] in run_menu.actions()
    w.actions_["train"].trigger()
    dlg = w._train_dialog
    assert dlg.isVisible() and dlg.runs.count() == 2
    dlg.close()
    w.close()


@pytest.mark.parametrize(("typed", "spec"), [
    ("fairmot:/m/best.pt", "fairmot:/m/best.pt"),
    ("yolo:/m/best.pt", "yolo:/m/best.pt"),
    ("/m/best.pt", "yolo:/m/best.pt"),
    ("C:\\m\\best.onnx", "yolo:C:\\m\\best.onnx"),
])
def test_run_dialog_model_field_keeps_a_detector_kind(typed, spec):
    """A trained FairMOT is used from the run dialog as ``fairmot:<weights>``; a bare
    path (also a Windows one) stays a YOLO model."""
    from sporttrack_gui.pipeline.run_request import DetectionChoice

    assert DetectionChoice("YOLO model", "yolo").spec(None, typed) == spec
