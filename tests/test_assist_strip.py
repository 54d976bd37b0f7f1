"""What a proposal shows, without Qt: the ghost of an ended track, the thumbnails chosen
before/after the place, and the crops themselves."""

from __future__ import annotations

import numpy as np
from test_assist_scan import crossing_run, line, swap_ids, table

from sporttrack_gui.assist import Suspect, scan_table
from sporttrack_gui.assist.strip import (
    THUMB_SIZE,
    TrackBoxes,
    crop_thumb,
    ghost_boxes,
    pivot_frame,
    read_strip,
    strip_plan,
)


def boxes_of(t, tracks) -> TrackBoxes:
    return TrackBoxes.select(tracks, (t.frame, t.track_id, t.xywh))


def test_crossing_strip_has_both_tracks_before_and_after_the_exchange():
    run = swap_ids(crossing_run(), 1, 2, 31)
    cross = [s for s in scan_table(run) if s.fix.get("op") == "swap"]
    assert cross, "the planted exchange is proposed"
    s = cross[0]
    plan = strip_plan(boxes_of(run, s.tracks), s, per_side=3, spread=5)
    pivot = pivot_frame(s)
    for t in (1, 2):
        mine = [p for p in plan if p.track == t]
        before = [p.frame for p in mine if p.side == "before"]
        after = [p.frame for p in mine if p.side == "after"]
        assert len(before) == 3 and len(after) == 3
        assert max(before) == pivot - 1 and min(after) == pivot
        assert before == sorted(before) and after == sorted(after)
        assert all(f < pivot for f in before) and all(f >= pivot for f in after)
    # each thumbnail's box is that track's box at that frame
    for p in plan:
        m = (run.frame == p.frame) & (run.track_id == p.track)
        x, y, w, h = run.xywh[m][0]
        assert np.allclose(p.xyxy, (x, y, x + w, y + h))
    # ghosts: both tracks' boxes just before the exchange
    ghosts = ghost_boxes(boxes_of(run, s.tracks), s)
    assert sorted(g.track for g in ghosts) == [1, 2]
    assert all(g.frame == pivot - 1 for g in ghosts)
    # a split keeps its track at the frame: nothing to ghost
    split = Suspect("jump", 20, (1,), 0.5, "", {"op": "split", "a": 1, "at_frame": 20})
    assert ghost_boxes(boxes_of(run, (1,)), split) == []


def test_merge_shows_the_ended_track_as_a_ghost_and_its_last_boxes():
    run = table(line(5, range(1, 41), 100, 300, 5), line(9, range(46, 90), 330, 300, 5))
    s = Suspect("end_begin", 46, (5, 9), 0.8, "", {"op": "merge", "a": 5, "b": 9})
    bx = boxes_of(run, s.tracks)
    (g,) = ghost_boxes(bx, s)
    assert g.track == 5 and g.frame == 40
    x = 100 + 5 * 39
    assert np.allclose(g.xyxy, (x, 300, x + 40, 400))
    plan = strip_plan(bx, s)
    assert {p.side for p in plan if p.track == 5} == {"before"}
    assert {p.side for p in plan if p.track == 9} == {"after"}
    assert max(p.frame for p in plan if p.track == 5) == 40
    assert min(p.frame for p in plan if p.track == 9) == 46
    # a ghost older than max_age is not drawn (the track left long ago)
    assert ghost_boxes(bx, s, max_age=3) == []


def test_plan_snaps_to_existing_boxes_and_never_repeats_one():
    run = table(line(3, range(1, 200, 7), 100, 300, 2), line(4, range(1, 200), 600, 300, 0))
    s = Suspect("crossing", 100, (3, 4), 0.7, "", {"op": "swap", "a": 3, "b": 4, "from_frame": 100})
    plan = strip_plan(boxes_of(run, s.tracks), s, per_side=3, spread=2)
    sparse = [p for p in plan if p.track == 3]
    frames = [p.frame for p in sparse]
    assert len(frames) == len(set(frames))
    assert set(frames) <= set(range(1, 200, 7))
    assert [p.frame for p in plan if p.track == 4] == [95, 97, 99, 100, 102, 104]


def test_crop_fits_the_box_and_keeps_outside_dark():
    img = np.zeros((200, 300, 3), np.uint8)
    img[50:150, 100:150] = (0, 0, 255)  # a red player 50x100
    th = crop_thumb(img, (100, 50, 150, 150), size=(56, 104), pad=0.0)
    assert th.shape == (104, 56, 3) and th.dtype == np.uint8
    red = (th[:, :, 2] > 200) & (th[:, :, 0] < 50)
    assert red.mean() > 0.85  # the box fills the thumbnail (aspect kept)
    edge = crop_thumb(img, (-40, -40, 20, 60), size=(56, 104))
    assert edge.shape == (104, 56, 3)
    assert (edge[:10, :10] == 24).all()  # outside the image: dark background
    assert crop_thumb(img, (400, 400, 450, 500)).shape == (THUMB_SIZE[1], THUMB_SIZE[0], 3)


def test_read_strip_reads_each_frame_once_and_survives_a_bad_frame():
    run = swap_ids(crossing_run(), 1, 2, 31)
    s = Suspect("crossing", 31, (1, 2), 0.9, "", {"op": "swap", "a": 1, "b": 2, "from_frame": 31})
    plan = strip_plan(boxes_of(run, s.tracks), s)
    calls: list[int] = []

    def read(f: int) -> np.ndarray:
        calls.append(f)
        if f == 26:
            raise OSError("broken frame")
        return np.full((720, 1280, 3), f, np.uint8)

    out = read_strip(plan, read)
    assert calls == sorted(set(p.frame for p in plan))
    for p in out:
        if p.frame == 26:
            assert p.image is None
        else:
            assert p.image is not None and p.image.shape == (THUMB_SIZE[1], THUMB_SIZE[0], 3)
            assert int(p.image[THUMB_SIZE[1] // 2, THUMB_SIZE[0] // 2, 0]) == p.frame
