"""Bad input and edge cases: empty frames, NaN/zero-area boxes, crowds, predict-only, ids.

Every built-in tracker of the registry runs every case (a new tracker is covered by
registering it, not by editing a list here).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.errors import InputError
from sporttrack_gui.track import create_tracker, tracker_specs

SPECS = {n: s for n, s in tracker_specs().items() if s.origin == "built-in"}
NAMES = sorted(SPECS)
#: the parameter that sets how long an unmatched track survives, per tracker
AGE_KEYS = ("max_age", "track_buffer")


def _make(name: str, **kw):
    if "embedder" in SPECS[name].defaults:  # pixel-free: these tests give no frames
        kw.setdefault("embedder", "none")
    return create_tracker(name, **kw)


def _make_short_lived(name: str, frames: int = 2):
    key = next(k for k in AGE_KEYS if k in SPECS[name].defaults)
    return _make(name, **{key: frames})


def test_every_builtin_is_covered():
    assert {"sort", "bytetrack", "deepsort", "cbiou", "ocsort"} <= set(NAMES)


def _walkers(n: int = 5, frames: int = 10, step: float = 3.0) -> list[Detections]:
    x = np.arange(n) * 100.0
    return [Detections(np.column_stack([x + f * step, np.full(n, 50.0), x + f * step + 40,
                                        np.full(n, 150.0)]), np.full(n, 0.9)) for f in range(frames)]


@pytest.mark.parametrize("name", NAMES)
def test_empty_frames_and_none(name):
    trk = _make(name)
    assert len(trk.update(Detections.empty(), None)) == 0
    assert len(trk.update(None, None)) == 0
    for d in _walkers():
        out = trk.update(d, None)
    assert len(out) == 5
    assert len(trk.update(Detections.empty(), None)) == 0  # all missed, none reported


@pytest.mark.parametrize("name", NAMES)
def test_nan_and_zero_area_boxes_dropped_and_counted(name):
    trk = _make(name)
    bad = np.array([[np.nan, 0, 10, 10], [5, 5, 5, 20], [0, 0, 10, np.inf], [3, 3, 1, 1]])
    for d in _walkers(frames=5):
        out = trk.update(Detections(np.concatenate([d.xyxy, bad]), np.full(len(d) + 4, 0.9)), None)
    assert trk.stats["dropped_invalid"] == 20
    assert len(out) == 5 and np.isfinite(out.xyxy).all()


@pytest.mark.parametrize("name", NAMES)
def test_five_thousand_boxes_in_one_frame(name):
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 4000, (5000, 2))
    boxes = np.column_stack([xy, xy + rng.uniform(5, 30, (5000, 2))])
    trk = _make(name)
    t0 = time.perf_counter()
    for _ in range(3):
        out = trk.update(Detections(boxes, np.full(5000, 0.9)), None)
    assert time.perf_counter() - t0 < 20  # generous: shared 2-core machines; typical ~2 s
    assert len(out) == 5000 and len(np.unique(out.track_id)) == 5000


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_per_instance_and_start_at_one(name):
    a, b = _make(name), _make(name)
    for d in _walkers():
        ia = a.update(d, None).track_id
    for d in _walkers(frames=4):  # DeepSORT reports tracks after n_init frames
        ib = b.update(d, None).track_id
    assert sorted(ia) == [1, 2, 3, 4, 5]
    assert sorted(ib) == [1, 2, 3, 4, 5]
    a.reset()
    for d in _walkers(frames=4):
        ia = a.update(d, None).track_id
    assert sorted(ia) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name", NAMES)
def test_predict_only_keeps_ids_and_does_not_age(name):
    trk = _make_short_lived(name)
    seq = _walkers(frames=30)
    for d in seq[:10]:
        before = trk.update(d, None)
    ids = sorted(before.track_id)
    # 8 frames without a detector run: far more than the 2-frame buffer
    for _ in range(8):
        pred = trk.update(Detections.empty(), None, predict_only=True)
        assert sorted(pred.track_id) == ids
    # predicted boxes moved on with the walkers' speed (3 px/frame)
    assert np.allclose(pred.xyxy[np.argsort(pred.track_id), 0], seq[17].xyxy[:, 0], atol=3)
    after = trk.update(seq[18], None)
    assert sorted(after.track_id) == ids
    assert trk.stats["predicted_frames"] == 8


@pytest.mark.parametrize("name", NAMES)
def test_missed_frames_do_age(name):
    trk = _make_short_lived(name)
    for d in _walkers(frames=10):
        trk.update(d, None)
    for _ in range(6):
        trk.update(Detections.empty(), None)
    assert len(trk.store) == 0


def test_wrong_input_type_is_a_clear_error():
    with pytest.raises(InputError, match="expects Detections"):
        create_tracker("sort").update(np.zeros((2, 4)), None)


def test_embedder_without_frame_is_a_clear_error():
    trk = create_tracker("bytetrack", embedder="color")
    assert trk.needs_pixels
    with pytest.raises(InputError, match="needs the frame"):
        trk.update(_walkers()[0], None)


def test_detection_features_make_pixels_unnecessary():
    trk = create_tracker("deepsort", embedder="none")
    for d in _walkers(frames=6):
        d.feat = np.eye(5, 8, dtype=np.float32)
        out = trk.update(d, None)
    assert sorted(out.track_id) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("name", NAMES)
def test_defaults_have_one_source(name):
    """A built-in's registry defaults are its YAML file, and the tracker runs on exactly
    those (no default hidden in code)."""
    from sporttrack_gui.track.config import load_defaults

    assert SPECS[name].defaults == load_defaults(name)
    params = getattr(_make(name), "params", None)
    if params is not None:
        expect = dict(SPECS[name].defaults)
        if "embedder" in expect:
            expect["embedder"] = "none"
        assert params == expect


@pytest.mark.parametrize("name", NAMES)
def test_every_default_round_trips_through_param_text(name):
    """``--param k=v`` for every default (text, as the CLI and the run dialog pass it)
    builds the same tracker parameters as the defaults themselves."""
    from sporttrack_gui.track.config import merge_params, parse_param_args

    defaults = SPECS[name].defaults
    text = parse_param_args([f"{k}={'' if v is None else str(v).lower() if isinstance(v, bool) else v}"
                             for k, v in defaults.items()])
    assert merge_params(name, defaults, text) == defaults
