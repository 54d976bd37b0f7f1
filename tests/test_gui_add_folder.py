"""File ▸ Add folder… and Open on media (issue 18): image folders, MOT folders picked at
any level (folder, img1/, seqinfo.ini), folders of MOT sequences, and an mp4 given to
Open is offered for import instead of failing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gui_testutil import when_modal
from media_testutil import make_video
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from sporttrack_gui.errors import InputError
from sporttrack_gui.project.source_kind import classify


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory, synthetic_match) -> Path:
    """40 frames of the synthetic match as a plain image folder (no seqinfo, no gt)."""
    out = tmp_path_factory.mktemp("imgs") / "corner_kick_frames"
    out.mkdir()
    for f in sorted(synthetic_match.frames_dir.iterdir())[:40]:
        shutil.copy(f, out / f.name)
    return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "rally.mp4"
    make_video(path, 30, width=96, height=64)
    return path


# ---- what a picked path is (Qt-free) ---------------------------------------------------------

def test_classify_recognises_every_kind(tmp_path, synthetic_match, image_folder, clip):
    mot = synthetic_match.img_dir
    for picked in (mot, mot / "img1", mot / "seqinfo.ini", mot / "gt" / "gt.txt"):
        got = classify(picked)
        assert got.kind == "mot" and got.items == ((mot, None),), picked
    assert classify(image_folder).kind == "images"
    assert classify(clip).kind == "video" and classify(clip).items == ((clip, None),)
    # images one level down without seqinfo (OTB's img/): named after the folder
    otb = tmp_path / "Bolt"
    shutil.copytree(image_folder, otb / "img")
    assert classify(otb).items == ((otb / "img", "Bolt"),)
    # a folder of MOT sequences: each one
    split = tmp_path / "train"
    for name in ("SEQ-A", "SEQ-B"):
        (split / name / "gt").mkdir(parents=True)
        shutil.copy(synthetic_match.gt_path, split / name / "gt" / "gt.txt")
    got = classify(split)
    assert got.kind == "mot_set" and [p.name for p, _ in got.items] == ["SEQ-A", "SEQ-B"]
    project = tmp_path / "m.stp"
    project.write_bytes(b"SQLite format 3\x00" + bytes(100))
    assert classify(project).is_project
    renamed = tmp_path / "match.db"
    shutil.copy(project, renamed)
    assert classify(renamed).is_project  # by its header, not its name


def test_classify_refuses_what_it_cannot_import(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    for bad, words in ((tmp_path / "empty", "no images"), (tmp_path / "notes.txt", ".txt"),
                       (tmp_path / "missing", "no such")):
        with pytest.raises(InputError) as err:
            classify(bad)
        assert words in str(err.value) and str(bad) in str(err.value)


# ---- the window ------------------------------------------------------------------------------

@pytest.fixture
def window(qtbot, tmp_path):
    from sporttrack_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def _wait_imports(window, qtbot, n_sequences: int) -> None:
    qtbot.waitUntil(lambda: window.session is not None
                    and len(window.session.sequences()) == n_sequences
                    and not window.imports.busy(), timeout=30000)


pytestmark = pytest.mark.gui


def test_add_folder_imports_an_image_folder(window, qtbot, tmp_path, monkeypatch, image_folder):
    assert window.open_project(tmp_path / "p.stp", create=True)
    assert window.actions_["add_folder"] in window.menuBar().actions()[0].menu().actions()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(image_folder))
    window.actions_["add_folder"].trigger()
    _wait_imports(window, qtbot, 1)
    seq = window.session.sequence
    assert seq["name"] == "corner_kick_frames" and seq["kind"] == "images"
    assert seq["frame_count"] == 40
    qtbot.waitUntil(window.view.has_image, timeout=10000)


def test_add_folder_finds_the_mot_folder_from_img1(window, qtbot, tmp_path, monkeypatch,
                                                    synthetic_match):
    assert window.open_project(tmp_path / "p.stp", create=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *a, **k: str(synthetic_match.img_dir / "img1"))
    window.add_folder_dialog()
    _wait_imports(window, qtbot, 1)
    seq = window.session.sequence
    assert seq["name"] == synthetic_match.img_dir.name and seq["kind"] == "mot"
    assert [r["kind"] for r in window.session.runs()] == ["gt"]


def test_add_folder_of_mot_sequences_imports_each(window, qtbot, tmp_path, synthetic_match):
    split = tmp_path / "train"
    for name in ("SEQ-A", "SEQ-B"):
        shutil.copytree(synthetic_match.img_dir, split / name)
    assert window.open_project(tmp_path / "p.stp", create=True)
    assert window.import_picked(split)
    _wait_imports(window, qtbot, 2)
    assert sorted(q["name"] for q in window.session.sequences()) == ["SEQ-A", "SEQ-B"]


def test_open_on_a_video_offers_to_add_it_to_the_open_project(window, qtbot, tmp_path, clip):
    assert window.open_project(tmp_path / "p.stp", create=True)

    def add_here(box: QMessageBox) -> None:
        assert "rally.mp4 is a video" in box.text()
        here = next(b for b in box.buttons() if b.text().startswith("Add to p.stp"))
        here.click()

    timer = when_modal(QMessageBox, add_here)
    assert window.open_any(clip)
    timer.stop()
    _wait_imports(window, qtbot, 1)
    assert window.session.path == tmp_path / "p.stp"
    assert window.session.sequence["name"] == "rally" and window.session.frame_count() == 30


def test_open_on_a_video_without_project_makes_a_new_one(window, qtbot, tmp_path, clip,
                                                         monkeypatch):
    target = tmp_path / "new" / "rally.stp"
    target.parent.mkdir()
    monkeypatch.setattr(type(window), "ask_new_project_path", lambda self, picked: str(target))

    def new_project(box: QMessageBox) -> None:
        assert not any(b.text().startswith("Add to") for b in box.buttons())
        next(b for b in box.buttons() if b.text() == "New project…").click()

    timer = when_modal(QMessageBox, new_project)
    assert window.open_any(clip)
    timer.stop()
    _wait_imports(window, qtbot, 1)
    assert window.session.path == target


def test_open_cancelled_or_unknown_changes_nothing(window, qtbot, tmp_path, clip):
    assert window.open_project(tmp_path / "p.stp", create=True)
    timer = when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    assert not window.open_any(clip)
    timer.stop()
    assert window.session.sequences() == []
    (tmp_path / "notes.txt").write_text("x")
    assert not window.open_any(tmp_path / "notes.txt")
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and "notes.txt" in box.text()
    box.close()
    QApplication.processEvents()
    assert window.session.sequences() == []
