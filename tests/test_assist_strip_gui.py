"""The assistant panel on real footage: the centroid tracker on SNMOT-116's own detections
trades the ids of two players walking together (tracks 15 and 16 at frame 104, inside
the 150 frames that have pixels; ByteTrack's exchange of the same two at frame 171 is
past them); the proposal shows dashed ghosts of both tracks' boxes before the exchange
and a strip of thumbnails of each track before and after it, cropped from the frames in
a worker."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow


def _tracker_run(window, tmp_path, snmot116, tracker: str) -> int:
    from sporttrack_gui.formats.mot import read_mot
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    out = tmp_path / f"{tracker}.txt"
    run_pipeline(PipelineConfig(source=snmot116, detector=f"det:{snmot116 / 'det' / 'det.txt'}",
                                tracker=tracker, out=out))
    t = read_mot(out)
    s = window.session
    p = s.project
    run = p.create_run(s.sequence["name"], tracker, kind="tracker", status="complete")
    p.append_boxes(run, {"frame": t.frame.astype(np.int64), "track_id": t.track_id.astype(np.int64),
                         "xywh": t.xywh})
    window.refresh_runs()
    return run


def test_crossing_proposal_shows_ghosts_and_a_before_after_strip(window, qtbot, tmp_path,
                                                                   snmot116):
    from sporttrack_gui.ui.suspect_strip import GhostItem

    run = _tracker_run(window, tmp_path, snmot116, "centroid")
    window.show_run(run)
    asst = window.assistant

    def crossing_rows():
        return [k for k, x in enumerate(asst.suspects) if x.kind == "crossing"
                and set(x.tracks) == {15, 16} and 102 <= x.frame <= 109]

    qtbot.waitUntil(lambda: bool(crossing_rows()), timeout=30_000)
    row = crossing_rows()[0]
    sus = asst.suspects[row]
    assert sus.fix["op"] == "swap"
    window.docks["assistant"].raise_()
    with qtbot.waitSignal(asst.strip.stripReady, timeout=30_000) as got:
        asst.go_to(row)
    assert window.playback.frame == sus.frame
    # the strip: both tracks, before and after the exchange, every thumbnail with pixels
    strip = window.assistant_panel.strip
    assert strip.isVisible()
    thumbs = strip.thumbs
    assert got.args == [len(thumbs)]
    assert {(t.track, t.side) for t in thumbs} == {(15, "before"), (15, "after"),
                                                   (16, "before"), (16, "after")}
    assert all(t.image is not None and t.image.std() > 5 for t in thumbs)  # real pixels
    assert all((t.frame < sus.frame) == (t.side == "before") for t in thumbs)
    assert len(strip.buttons) == len(thumbs)
    # the ghosts: both tracks' boxes of the frame before, in the view's scene, visible
    ghosts = [it for it in window.view.scene().items() if isinstance(it, GhostItem)]
    assert sorted(g.ghost.track for g in ghosts) == [15, 16]
    assert all(g.ghost.frame == sus.frame - 1 and g.isVisible() for g in ghosts)
    # a click on a thumbnail goes to its frame; away from the proposal the ghosts hide
    first = strip.buttons[0]
    first.click()
    assert window.playback.frame == thumbs[0].frame
    assert not any(g.isVisible() for g in ghosts)
    # another suspect: the old ghosts leave the scene
    other = next(k for k, x in enumerate(asst.suspects) if k != row)
    asst.go_to(other)
    assert not [g for g in ghosts if g.scene() is not None]
