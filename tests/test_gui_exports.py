"""The export dialogs (issue #17): any run, folders created on demand, YOLO classes from
track metadata, split by sequence, every warning in a readable summary (pytest-qt)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from gui_testutil import when_modal

pytestmark = pytest.mark.gui


def test_mot_export_of_another_run_into_a_new_folder(window, qtbot, tmp_path):
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.ui.export_dialogs import ExportDialog

    s = window.session
    gt = s.project.boxes(s.run["id"])
    run = s.project.create_run(s.sequence["id"], "bytetrack-1", kind="tracker",
                               status="complete")
    s.project.append_boxes(run, replace(gt, cls=np.zeros_like(gt.cls)).select(np.arange(len(gt)) < 500))
    window.refresh_runs()
    assert s.run["name"] == "gt"  # the shown run is not the one exported
    out = tmp_path / "new" / "deeper" / "seq"  # does not exist yet
    seen = {}

    def pick(d):
        seen["runs"] = [d.runs.itemText(i).split()[0] for i in range(d.runs.count())]
        seen["default"] = d.runs.run()["name"]
        d.runs.select(run)
        d.out.setText(str(out))
        d.out.setModified(True)
        d.accept()

    timer = when_modal(ExportDialog, pick)
    info = window.exports.export_mot()
    timer.stop()
    assert seen == {"runs": ["gt", "det", "bytetrack-1"], "default": "gt"}
    table = read_mot(out / "gt" / "gt.txt", kind="gt")
    assert info["boxes"] == len(table) == 500 and set(table.cls.tolist()) == {1}
    assert (out / "seqinfo.ini").is_file()


def test_yolo_export_prefills_classes_and_shows_every_warning(window, qtbot, tmp_path,
                                                             snmot116):
    from sporttrack_gui.ui.export_dialogs import YoloDialog

    out = tmp_path / "datasets" / "yolo"
    seen = {}

    def fill(d):
        seen["classes"] = d.classes.text()
        seen["images"] = d.image_mode()
        d.out.setText(str(out))
        d.out.setModified(True)
        d.accept()

    timer = when_modal(YoloDialog, fill)
    with qtbot.waitSignal(window.exports.exported, timeout=120000) as done:
        assert window.exports.export_yolo() is not None
    timer.stop()
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert seen == {"classes": "ball, goalkeeper, player, referee", "images": "copy"}
    kind, result = done.args
    assert kind == "yolo" and result["images"]["train"] == 150
    box = window.exports.summary
    assert box is not None and box.isVisible() and box.objectName() == "exportSummary"
    assert "Wrote 150 images" in box.text() and "{" not in box.text()  # words, not a dict
    assert "150 original image file(s) copied unchanged" in box.text()
    warnings = box.informativeText()
    assert "no validation sequence" in warnings  # the CLI's notes, all of them
    assert "annotated frames have no image on disk" in warnings
    # the original JPEG, byte for byte (not re-encoded at twice the size)
    img = sorted((out / "images" / "train").iterdir())[0]
    src = snmot116 / "img1" / f"{int(img.stem.rsplit('_', 1)[1]):06d}.jpg"
    assert img.read_bytes() == src.read_bytes()
    box.close()


def test_yolo_export_split_by_sequence(window, qtbot, tmp_path, synthetic_match):
    import yaml

    from sporttrack_gui.project.importer import import_source
    from sporttrack_gui.ui.export_dialogs import YoloDialog

    s = window.session
    import_source(s.project, synthetic_match.img_dir)  # a second sequence with a "gt" run
    out = tmp_path / "yolo-both"
    seen = {}

    def split(d):
        d.split.setChecked(True)
        seen.update(note=d.split_note.text(), runs=len(d.run_ids()), classes=d.class_names(),
                    target=d.target())
        d.images.setCurrentIndex(d.images.findData("link"))
        d.out.setText(str(out))
        d.out.setModified(True)
        d.accept()

    timer = when_modal(YoloDialog, split)
    with qtbot.waitSignal(window.exports.exported, timeout=180000) as done:
        assert window.exports.export_yolo() is not None
    timer.stop()
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=10000)
    assert seen["runs"] == 2 and seen["note"].startswith("2 sequence(s) have a run “gt”")
    assert "player" in seen["classes"] and seen["target"].endswith("yolo-gt")
    _kind, result = done.args
    assert sorted(len(v) for v in result["splits"].values()) == [0, 1, 1]  # by sequence
    assert result["images"]["train"] + result["images"]["val"] == 300
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["val"] == "images/val"
    frame = sorted((out / "images").rglob("synthetic*"))[0]
    original = synthetic_match.frames_dir / f"{int(frame.stem.rsplit('_', 1)[1]):06d}.jpg"
    assert frame.stat().st_ino == original.stat().st_ino  # hard-linked as chosen
    window.exports.summary.close()
