"""CVAT / COCO interchange checked by independent readers and writers (test-only deps):
datumaro loads SportTrack's CVAT and COCO exports, pycocotools its COCO export, and
SportTrack imports datumaro's own CVAT and COCO exports of a dataset made from SNMOT-116."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sporttrack_gui.formats.mot import read_mot
from sporttrack_gui.formats.soccernet import read_gameinfo
from sporttrack_gui.project import Project
from sporttrack_gui.project.exporter import export_coco, export_cvat
from sporttrack_gui.project.importer import import_source

dm = pytest.importorskip("datumaro")


def _rows(frame, track, xywh) -> list[tuple]:
    """Order-free comparable rows, coordinates rounded to 1/1000 px."""
    xywh = np.round(np.asarray(xywh, np.float64), 3)
    return sorted(zip(np.asarray(frame).tolist(), np.asarray(track).tolist(),
                      map(tuple, xywh.tolist()), strict=True))


@pytest.fixture
def snmot_project(tmp_path, snmot116) -> tuple[Path, int]:
    path = tmp_path / "p.stp"
    with Project.open(path, create=True) as p:
        summary = import_source(p, snmot116)
    return path, summary.runs["gt"][0]


def _datumaro_boxes(ds) -> tuple[list[tuple], dict[int, str]]:
    names = ds.categories()[dm.AnnotationType.label]
    rows, labels = [], {}
    for item in ds:
        for a in item.annotations:
            if a.type != dm.AnnotationType.bbox or a.attributes.get("outside"):
                continue
            tid = int(a.attributes["track_id"])
            rows.append((item.attributes["frame"] + 1, tid, (a.x, a.y, a.w, a.h)))
            labels[tid] = names[a.label].name
    return rows, labels


def test_cvat_export_loaded_by_datumaro(tmp_path, snmot_project):
    path, run = snmot_project
    out = tmp_path / "cvat" / "default.xml"
    with Project.open(path, readonly=True) as p:
        export_cvat(p, run, out)
        table, meta = p.boxes(run), p.track_meta(run)
    ds = dm.Dataset.import_from(str(out), "cvat")
    rows, labels = _datumaro_boxes(ds)
    want = _rows(table.frame, table.track_id, table.xywh)
    got = sorted((f, t, tuple(np.round(b, 3).tolist())) for f, t, b in rows)
    assert got == want and len(got) == 11460
    assert labels == {t: m["class"] for t, m in meta.items()}  # roles from gameinfo.ini
    assert set(labels.values()) == {"player", "goalkeeper", "referee", "ball"}


def test_coco_export_loaded_by_pycocotools_and_datumaro(tmp_path, snmot_project):
    from pycocotools.coco import COCO

    path, run = snmot_project
    out = tmp_path / "coco" / "annotations" / "instances_default.json"
    with Project.open(path, readonly=True) as p:
        export_coco(p, run, out, video=True)
        table, meta = p.boxes(run), p.track_meta(run)
    want = _rows(table.frame, table.track_id, table.xywh)
    coco = COCO(str(out))
    anns = coco.loadAnns(coco.getAnnIds())
    frame_of = {i["id"]: i["frame_id"] for i in coco.loadImgs(coco.getImgIds())}
    got = _rows([frame_of[a["image_id"]] for a in anns], [a["track_id"] for a in anns],
                [a["bbox"] for a in anns])
    assert got == want
    cats = {c["id"]: c["name"] for c in coco.loadCats(coco.getCatIds())}
    assert {a["track_id"]: cats[a["category_id"]] for a in anns} == \
        {t: m["class"] for t, m in meta.items()}
    assert len(coco.getImgIds()) == 750  # every frame of the sequence, boxes or not

    (tmp_path / "coco" / "images" / "default").mkdir(parents=True)  # datumaro's layout
    ds = dm.Dataset.import_from(str(tmp_path / "coco"), "coco_instances")
    rows = []
    for item in ds:
        frame = int(item.id)  # file_name 000001.jpg -> item id "000001"
        rows += [(frame, int(a.attributes["track_id"]), (a.x, a.y, a.w, a.h))
                 for a in item.annotations if a.type == dm.AnnotationType.bbox]
    assert sorted((f, t, tuple(np.round(b, 3).tolist())) for f, t, b in rows) == want


def _snmot_dataset(snmot116: Path):
    """A datumaro dataset of SNMOT-116's gt: one item per frame (CVAT frame = frame - 1),
    a bbox per box with its track id, labelled with the gameinfo role."""
    gt = read_mot(snmot116 / "gt" / "gt.txt", kind="gt")
    roles = read_gameinfo(snmot116 / "gameinfo.ini").roles()
    names = sorted(set(roles.values()))
    items = []
    for frame, rows in sorted(gt.by_frame().items()):
        image = dm.Image.from_file(path=str(snmot116 / "img1" / f"{frame:06d}.jpg"),
                                   size=(1080, 1920))
        anns = [dm.Bbox(*gt.xywh[i].tolist(), label=names.index(roles[int(gt.track_id[i])]),
                        attributes={"track_id": int(gt.track_id[i])}) for i in rows]
        items.append(dm.DatasetItem(id=f"{frame:06d}", media=image, annotations=anns,
                                    attributes={"frame": frame - 1}))
    ds = dm.Dataset.from_iterable(items, categories=names)
    return gt, roles, ds


@pytest.mark.parametrize("fmt", ["cvat", "coco"])
def test_datumaro_exports_of_snmot116_import_equal(tmp_path, snmot116, fmt):
    gt, roles, ds = _snmot_dataset(snmot116)
    out = tmp_path / fmt
    if fmt == "cvat":
        ds.export(str(out), "cvat", use_track=True)  # CVAT for video: <track> elements
        ann_file = out / "default.xml"
    else:
        ds.export(str(out), "coco_instances")
        ann_file = out / "annotations" / "instances_default.json"
    assert ann_file.is_file()
    with Project.open(tmp_path / "p.stp", create=True) as p:
        summary = import_source(p, snmot116, gt=ann_file, fmt=fmt)
        run = summary.runs["gt"][0]
        table, meta = p.boxes(run), p.track_meta(run)
    assert _rows(table.frame, table.track_id, table.xywh) == \
        _rows(gt.frame, gt.track_id, gt.xywh)
    assert {t: m["class"] for t, m in meta.items()} == roles
