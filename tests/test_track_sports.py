"""Issue #14 behaviours: reported boxes, one source of defaults, C-BIoU and OC-SORT."""

from __future__ import annotations

import inspect
from importlib import import_module

import numpy as np
import pytest

from sporttrack_gui.core.boxes import Detections
from sporttrack_gui.track import _BUILTINS as BUILTINS
from sporttrack_gui.track import DEFAULT_TRACKER, create_tracker, tracker_specs
from sporttrack_gui.track.config import load_defaults
from sporttrack_gui.track.matching import buffered_iou_cost, iou_cost

NAMES = sorted(BUILTINS)


def _make(name: str, **kw):
    if "embedder" in load_defaults(name):
        kw.setdefault("embedder", "none")
    return create_tracker(name, **kw)


def _wobbly(frames: int = 30, n: int = 4, seed: int = 0) -> list[Detections]:
    """Walkers whose detections jitter around a straight path (a filter smooths them)."""
    rng = np.random.default_rng(seed)
    out = []
    for f in range(frames):
        x = np.arange(n) * 150.0 + 4 * f + rng.normal(0, 3, n)
        y = 100 + rng.normal(0, 3, n)
        out.append(Detections(np.column_stack([x, y, x + 40, y + 100]), np.full(n, 0.9)))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_matched_tracks_report_their_detection_box(name):
    trk = _make(name)
    seq = _wobbly()
    for d in seq:
        out = trk.update(d, None)
    assert len(out) == 4
    # every reported box is exactly one of this frame's detections
    got = out.xyxy[np.argsort(out.xyxy[:, 0])]
    want = seq[-1].xyxy[np.argsort(seq[-1].xyxy[:, 0])].astype(np.float32)
    assert np.allclose(got, want, atol=1e-3)
    # predicted-through frames report the filter's box (not a stale detection)
    pred = trk.update(None, None, predict_only=True)
    assert len(pred) == 4
    assert not np.allclose(pred.xyxy[np.argsort(pred.xyxy[:, 0])], want, atol=0.5)


@pytest.mark.parametrize("name", NAMES)
def test_report_detection_off_reports_the_filter_box(name):
    trk = _make(name, report_detection=False)
    seq = _wobbly()
    for d in seq:
        out = trk.update(d, None)
    want = seq[-1].xyxy[np.argsort(seq[-1].xyxy[:, 0])]
    got = out.xyxy[np.argsort(out.xyxy[:, 0])]
    assert len(out) == 4 and not np.allclose(got, want, atol=0.1)
    assert np.abs(got - want).max() < 15  # still the same objects


@pytest.mark.parametrize("name", NAMES)
def test_defaults_have_one_source_and_every_one_is_settable(name):
    module, cls, _ = BUILTINS[name]
    klass = getattr(import_module(module), cls)
    # the constructor has no defaults of its own: only overrides of the YAML
    for c in klass.__mro__:
        if "__init__" in c.__dict__ and c.__module__.startswith("sporttrack_gui.track"):
            params = inspect.signature(c.__dict__["__init__"]).parameters
            assert all(p.kind is p.VAR_KEYWORD for n, p in params.items() if n != "self"), c
    defaults = load_defaults(name)
    assert klass().params == defaults
    assert tracker_specs()[name].defaults == defaults
    for key, value in defaults.items():  # each one can be set, from a string like --param
        if key == "embedder":
            continue
        trk = create_tracker(name, **{key: str(value)}) if name != "deepsort" else \
            create_tracker(name, embedder="none", **{key: str(value)})
        assert trk.params[key] == value


def test_deepsort_gallery_is_its_nn_budget():
    trk = create_tracker("deepsort", embedder="none", nn_budget="7")
    assert trk.store.gallery == 7


def test_default_tracker_is_a_builtin():
    assert DEFAULT_TRACKER in BUILTINS


def test_buffered_iou_restores_overlap_of_near_boxes_only():
    a = np.array([[0, 0, 10, 20]], np.float32)
    near = np.array([[12, 0, 22, 20]], np.float32)  # 2 px gap: IoU 0
    far = np.array([[40, 0, 50, 20]], np.float32)
    assert iou_cost(a, near)[0, 0] == pytest.approx(1.0)
    assert buffered_iou_cost(a, near, 0.3)[0, 0] < 0.9
    assert buffered_iou_cost(a, far, 0.3)[0, 0] == pytest.approx(1.0)
    assert np.allclose(buffered_iou_cost(a, near, 0.0), iou_cost(a, near))


def _sprint(frames: int, gap: tuple[int, int], turn_at: int | None = None) -> list[Detections]:
    """Two players: one still; one sprinting 12 px/frame (faster than its width per 4 frames),
    undetected during ``gap`` and optionally turning back at ``turn_at``."""
    out = []
    x = 100.0
    v = 12.0
    for f in range(frames):
        if turn_at is not None and f == turn_at:
            v = -v
        x += v
        boxes = [[600.0, 300, 640, 400]]
        if not gap[0] <= f < gap[1]:
            boxes.append([x, 100, x + 40, 200])
        out.append(Detections(np.array(boxes), np.full(len(boxes), 0.9)))
    return out


@pytest.mark.parametrize("name", ["ocsort", "cbiou", "bytetrack"])
def test_sprinter_keeps_id_through_a_short_miss(name):
    trk = _make(name)
    ids = []
    for d in _sprint(40, (20, 24)):
        out = trk.update(d, None)
        ids.append(out.track_id[out.xyxy[:, 1] < 250].tolist())
    assert ids[15] and ids[-1] == ids[15]


def test_ocsort_recovers_after_a_turn_in_a_gap_and_reupdates():
    """The sprinter turns back while undetected and reappears where it was last seen: OCR
    re-finds it on its last observation (its prediction ran on, away from it), and ORU
    rewinds the filter and re-runs it along the virtual path (a different state)."""
    seq = _sprint(45, (20, 30), turn_at=25)
    oru, plain = _make("ocsort"), _make("ocsort", use_oru=False)
    ids = []
    for d in seq[:31]:
        out = oru.update(d, None)
        ids.append(out.track_id[out.xyxy[:, 1] < 250].tolist())
        plain.update(d, None)
    assert ids[15] and ids[30] == ids[15]  # OCR: same id after the turn

    def state(t):
        return t.store.mean[int(np.argmin(t.store.mean[:, 1]))]  # the sprinter (top)
    assert not np.allclose(state(oru), state(plain))
    det_cx = seq[30].xyxy[1, [0, 2]].mean()
    assert abs(state(oru)[0] - det_cx) < 20  # corrected onto the detection
