"""Identity keeping on the synthetic match: crossings and the 1 s+ full occlusion.

Detections are the generator's gt boxes with 2 % jitter, 5 % misses, nothing for players
less than 25 % visible and a low score below 60 %. Ids are read back by matching the
tracker output to clearly visible gt boxes (see ``track_testutil``).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from track_testutil import crossing_ids, detections_from_gt, first_after, id_histories, last_before

from sporttrack_gui.track import create_tracker

pytestmark = pytest.mark.slow  # ~5-13 s: four trackers x three seeds over 150 frames (incl. colour)

SEEDS = (1, 2, 3)
#: (tracker, overrides) -- appearance variants keep a 3 s buffer like DeepSORT's default: the
#: player is undetectable ~2 s (1.5 s fully hidden plus the partly hidden frames around it)
TRACKERS = {
    "sort": ("sort", {}),
    "bytetrack": ("bytetrack", {}),
    "deepsort": ("deepsort", {}),
    "bytetrack-color": ("bytetrack", {"embedder": "color", "track_buffer": 90}),
}


@pytest.fixture(scope="module")
def frames(synthetic_match) -> list[np.ndarray]:
    paths = sorted(synthetic_match.frames_dir.glob("*.jpg"))
    return [cv2.imread(str(p)) for p in paths]


@pytest.fixture(scope="module")
def runs(synthetic_match, frames):
    """Every tracker over every detection seed, run once for all tests of this module."""
    gt = synthetic_match.gt
    n = synthetic_match.config.n_frames
    out = {}
    for seed in SEEDS:
        dets = detections_from_gt(gt, n, seed=seed)
        for key, (name, over) in TRACKERS.items():
            trk = create_tracker(name, frame_rate=synthetic_match.config.fps, **over)
            res = [trk.update(d, frames[i] if trk.needs_pixels else None) for i, d in enumerate(dets)]
            out[key, seed] = id_histories(gt, res)
    return out


def test_generator_events_present(synthetic_match):
    ev = synthetic_match.events
    assert len(ev.crossings) == 2 and any(c.same_team for c in ev.crossings)
    assert ev.occlusions and ev.occlusions[0].n_frames >= synthetic_match.config.fps


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", list(TRACKERS))
def test_same_team_crossing_keeps_both_ids(runs, synthetic_match, key, seed):
    c = next(c for c in synthetic_match.events.crossings if c.same_team)
    a0, a1, b0, b1 = crossing_ids(runs[key, seed], synthetic_match.gt, c.id_a, c.id_b, c.frame)
    assert len(a0) == 1 and a0 == a1, f"player {c.id_a}: ids {a0} before, {a1} after frame {c.frame}"
    assert len(b0) == 1 and b0 == b1, f"player {c.id_b}: ids {b0} before, {b1} after frame {c.frame}"
    assert a0 != b0


#: strict: every seed listed here swaps today (checked with --runxfail: seeds 1, 2 and 3 all
#: give player B the other team's id at frame 105); one that starts to pass fails the
#: suite, so the mark is narrowed instead of silently hiding a fixed (or new) behaviour
_PILEUP = pytest.mark.xfail(strict=True, reason=(
    "IoU-only ByteTrack: in this crossing a third same-team player stands behind the pair "
    "and both are hidden ~10 frames; without appearance the ids swap"))
PILEUP_SEEDS = {1, 2, 3}


@pytest.mark.parametrize("key, seed", [
    pytest.param(key, seed, marks=_PILEUP if key == "bytetrack" and seed in PILEUP_SEEDS else ())
    for key in ("sort", "bytetrack", "deepsort", "bytetrack-color") for seed in SEEDS])
def test_two_team_crossing_never_swaps(runs, synthetic_match, key, seed):
    c = next(c for c in synthetic_match.events.crossings if not c.same_team)
    a0, a1, b0, b1 = crossing_ids(runs[key, seed], synthetic_match.gt, c.id_a, c.id_b, c.frame)
    assert not (a0 & b1) and not (b0 & a1), f"swap at frame {c.frame}: {a0}->{b1}, {b0}->{a1}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", ["deepsort", "bytetrack-color"])
def test_reidentifies_after_full_occlusion(runs, synthetic_match, key, seed):
    occ = synthetic_match.events.occlusions[0]
    hist = runs[key, seed].get(occ.track_id, {})
    before, after = last_before(hist, occ.first_frame), first_after(hist, occ.last_frame)
    assert before is not None and after == before, (
        f"player {occ.track_id} hidden in frames {occ.first_frame}-{occ.last_frame}: "
        f"id {before} before, {after} after")


def test_iou_only_tracker_cannot_bridge_the_occlusion(runs, synthetic_match):
    """Control: the re-id test above can fail -- SORT, with no appearance, gets a new id."""
    occ = synthetic_match.events.occlusions[0]
    hist = runs["sort", 1].get(occ.track_id, {})
    assert last_before(hist, occ.first_frame) != first_after(hist, occ.last_frame)
