"""The synthetic sports detector (track.degrade) fails the way it claims to."""

from __future__ import annotations

import numpy as np
import pytest

from sporttrack_gui.track.degrade import LEVELS, degrade, load_gt, occlusion


def _crowd(frames: int = 200, players: int = 12, seed: int = 0):
    """Players walking across a 1280x720 pitch, some crossing (occlusions), a few far/small."""
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0, 1200, players)
    y0 = rng.uniform(100, 600, players)
    vx = rng.uniform(-4, 4, players)
    h = np.where(np.arange(players) < 3, 20.0, rng.uniform(80, 120, players))  # 3 far players
    f = np.repeat(np.arange(1, frames + 1), players)
    tid = np.tile(np.arange(players), frames)
    t = f - 1
    x = x0[tid] + vx[tid] * t
    xywh = np.column_stack([x, y0[tid], h[tid] * 0.4, h[tid]]).astype(np.float32)
    return f, tid, xywh


def _matched(det_frames, f, xywh):
    """Per gt box, whether a detection of its frame has IoU > 0.5 with it."""
    from sporttrack_gui.core.iou import iou_matrix

    hit = np.zeros(len(f), bool)
    for frame, d in enumerate(det_frames, start=1):
        g = np.flatnonzero(f == frame)
        if len(g) and len(d):
            gx = np.column_stack([xywh[g, :2], xywh[g, :2] + xywh[g, 2:]])
            hit[g] = iou_matrix(gx, d.xyxy).max(axis=1) > 0.5
    return hit


def test_deterministic_per_seed_and_seeds_differ():
    f, tid, xywh = _crowd()
    a = degrade(f, tid, xywh, 200, 1280, 720, "moderate", seed=3)
    b = degrade(f, tid, xywh, 200, 1280, 720, "moderate", seed=3)
    c = degrade(f, tid, xywh, 200, 1280, 720, "moderate", seed=4)
    assert len(a) == 200
    assert all(np.array_equal(x.xyxy, y.xyxy) and np.array_equal(x.conf, y.conf)
               for x, y in zip(a, b, strict=True))
    assert any(len(x) != len(y) or not np.array_equal(x.xyxy, y.xyxy)
               for x, y in zip(a, c, strict=True))


def test_occlusion_measures_the_part_hidden_by_a_nearer_box():
    f = np.array([1, 1, 1])
    xywh = np.array([[0, 0, 10, 10], [5, 0, 10, 12], [100, 0, 10, 10]], np.float32)
    occ = occlusion(f, xywh)
    assert occ[0] == pytest.approx(0.5)  # the second box's feet are lower: it is in front
    assert occ[1] == 0 and occ[2] == 0


def test_misses_rise_with_occlusion_small_size_and_level():
    f, tid, xywh = _crowd(frames=300, players=16)
    occ = occlusion(f, xywh)
    small = xywh[:, 3] < 40
    rates = {}
    for level in LEVELS:
        hit = np.concatenate([_matched(degrade(f, tid, xywh, 300, 1280, 720, level, s), f, xywh)
                              for s in range(2)])
        o, sm = np.tile(occ, 2), np.tile(small, 2)
        rates[level] = 1 - hit.mean()
        assert 1 - hit[o > 0.5].mean() > 1 - hit[(o == 0) & ~sm].mean() + 0.1
        assert 1 - hit[sm & (o == 0)].mean() > 1 - hit[~sm & (o == 0)].mean()
    assert rates["hard"] > rates["moderate"]


def test_scores_follow_visibility_and_false_positives_follow_level():
    f, tid, xywh = _crowd(frames=300, players=16)
    counts = {}
    for level in LEVELS:
        dets = degrade(f, tid, xywh, 300, 1280, 720, level, 0)
        counts[level] = sum(len(d) for d in dets)
        hit = _matched(dets, f, xywh)
        assert hit.mean() > 0.5
    assert counts["hard"] != counts["moderate"]
    dets = degrade(f, tid, xywh, 300, 1280, 720, "moderate", 0)
    conf = np.concatenate([d.conf for d in dets])
    assert (conf > 0).all() and (conf < 1).all()
    # an unoccluded big player scores higher on average than an occluded one
    from sporttrack_gui.core.iou import iou_matrix

    occ = occlusion(f, xywh)
    best = []
    for frame, d in enumerate(dets, start=1):
        g = np.flatnonzero(f == frame)
        if len(d) == 0:
            continue
        gx = np.column_stack([xywh[g, :2], xywh[g, :2] + xywh[g, 2:]])
        iou = iou_matrix(gx, d.xyxy)
        j = iou.argmax(axis=1)
        ok = iou.max(axis=1) > 0.5
        best.append(np.column_stack([occ[g][ok], d.conf[j[ok]], xywh[g[ok], 3]]))
    b = np.concatenate(best)
    big = b[:, 2] > 60
    assert b[big & (b[:, 0] == 0), 1].mean() > b[big & (b[:, 0] > 0.4), 1].mean() + 0.1


def test_load_gt_reads_comma_space_files_and_skips_ignored_rows(tmp_path):
    p = tmp_path / "gt.txt"
    p.write_text("1, 0, 17, 255, 84, 116, 1, 1, 1\n1, 1, 290, 232, 63, 98, 0, 1, 1\n"
                 "2,0,18,255,84,116,1,-1,-1,-1\n")
    f, i, b = load_gt(p)
    assert f.tolist() == [1, 2] and i.tolist() == [0, 0]
    assert b[0].tolist() == [17, 255, 84, 116]


def test_load_gt_bad_file_is_a_clear_error(tmp_path):
    from sporttrack_gui.errors import InputError

    p = tmp_path / "gt.txt"
    p.write_text("1, 0, x, 255\n")
    with pytest.raises(InputError, match="gt.txt"):
        load_gt(p)
