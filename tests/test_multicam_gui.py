"""The camera-group view: synchronised cameras, global-id labels, selection everywhere."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("PySide6")

from multicam_testutil import project_without_pixels as _project  # noqa: E402


def test_views_follow_one_clock_and_selection_spans_cameras(tmp_path, qtbot):
    from sporttrack_gui.multicam.workflow import run_multicam
    from sporttrack_gui.ui.multicam_view import MulticamWindow

    path, m = _project(tmp_path, frames=120)
    w = MulticamWindow(path, "match")
    qtbot.addWidget(w)
    assert not w.view.has_global                 # per-camera ids until computed
    run_multicam(path, "match", "gt")
    w.reload()
    assert w.view.has_global and len(w.panels) == 3
    w.set_frame(60)
    # each camera shows its own frame of global frame 60 (offsets 0, 7, 13)
    assert [p.caption.split("frame ")[1] for p in w.panels] == ["60", "53", "47"]
    # the minimap shows every player once: one fused point per global id in view
    rows = w.view.fused.at(60)
    assert len(np.unique(w.view.fused.global_id[rows])) == len(rows)
    shown = [set(p.ids.tolist()) for p in w.panels]
    common = set.intersection(*shown[:2])
    assert common
    gid = sorted(common)[0]
    w.select(gid)
    assert all(p.selected == gid for p in w.panels)
    # the same global id is the same true player in every camera showing him
    truth = set()
    for i, c in enumerate(m.cameras):
        f = 60 - c.offset
        rows = np.flatnonzero(c.gt.frame == f)
        vrows = w.view.cameras[i].by_frame.get(f, np.zeros(0, int))
        sel = vrows[w.view.cameras[i].table.track_id[vrows] == gid]
        for r in sel:
            xy = w.view.cameras[i].table.xywh[r]
            k = rows[np.argmin(np.abs(c.gt.xywh[rows] - xy).sum(1))]
            truth.add(int(c.global_id[k]))
    assert len(truth) == 1
    w.slider.setValue(61)
    assert w.frame == 61


def test_global_edits_from_the_view_with_undo(tmp_path, qtbot):
    from sporttrack_gui.multicam.workflow import run_multicam
    from sporttrack_gui.ui.multicam_view import MulticamWindow

    path, _ = _project(tmp_path, frames=80)
    run_multicam(path, "match", "gt")
    w = MulticamWindow(path, "match")
    qtbot.addWidget(w)
    w.set_frame(40)
    def shown():  # box position -> global id, per camera
        return [{tuple(np.round(b[:2], 1)): int(i) for b, i in zip(p.boxes, p.ids, strict=True)}
                for p in w.panels]

    before = shown()
    a, b = sorted(before[0].values())[:2]
    assert w.global_edit("swap", a, b).startswith(f"swap global {a} <-> {b}")
    swap = {a: b, b: a}
    for was, now in zip(before, shown(), strict=True):
        assert now == {k: swap.get(v, v) for k, v in was.items()}
    w.global_edit("undo")
    assert shown() == before


def test_screenshot_cli(tmp_path, capsys):
    from sporttrack_gui.cli.main import main

    path, _ = _project(tmp_path, frames=60)
    assert main(["multicam", str(path), "--group", "match", "--no-write"]) == 0
    out = tmp_path / "shot.png"
    assert main(["multicam", str(path), "--group", "match", "--screenshot", str(out), "--frame", "30"]) == 0
    assert out.stat().st_size > 10_000
