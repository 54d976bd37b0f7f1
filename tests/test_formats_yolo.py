"""YOLO dataset export on a small synthetic set: split by sequence, exact labels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import yaml

from sporttrack_gui.errors import InputError, MediaError
from sporttrack_gui.formats.mot import MotTable
from sporttrack_gui.formats.yolo import (
    YoloSequenceInput,
    export_yolo_dataset,
    read_yolo_labels,
)
from sporttrack_gui.formats.yolo_split import plan_splits

W, H = 160, 96
CLASSES = ["player", "ball", "referee"]


def _image(frame: int, shade: int) -> np.ndarray:
    img = np.full((H, W, 3), shade, np.uint8)
    img[:, : frame * 8 % W] = 255 - shade  # frame-dependent content
    return img


def _sequence(name: str, shade: int, n_frames: int = 6, **kw) -> YoloSequenceInput:
    rng = np.random.default_rng(shade)
    frame = np.repeat(np.arange(1, n_frames + 1), 3)
    tid = np.tile([1, 2, 3], n_frames)
    xy = rng.uniform(0, 100, (len(frame), 2))
    wh = rng.uniform(8, 40, (len(frame), 2))
    boxes = MotTable.from_arrays(frame, tid, np.concatenate([xy, wh], axis=1),
                                 cls=np.tile([0, 1, 2], n_frames))
    return YoloSequenceInput(name=name, width=W, height=H, boxes=boxes,
                             class_index=boxes.cls.copy(),
                             frame_image=lambda f: _image(f, shade), **kw)


def _expected(seq: YoloSequenceInput, frame: int) -> np.ndarray:
    rows = np.flatnonzero(seq.boxes.frame == frame)
    xyxy = seq.boxes.xyxy[rows].astype(np.float64)
    xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, W)
    xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, H)
    cx, cy = (xyxy[:, 0] + xyxy[:, 2]) / 2 / W, (xyxy[:, 1] + xyxy[:, 3]) / 2 / H
    w, h = (xyxy[:, 2] - xyxy[:, 0]) / W, (xyxy[:, 3] - xyxy[:, 1]) / H
    return np.column_stack([seq.boxes.cls[rows], cx, cy, w, h])


def test_three_sequences_split_by_sequence_with_exact_labels(tmp_path):
    seqs = [_sequence(f"match-{i}", 40 * (i + 1)) for i in range(3)]
    out = tmp_path / "ds"
    summary = export_yolo_dataset(out, seqs, CLASSES, split=(0.8, 0.1, 0.1), seed=0)
    assert sorted(len(v) for v in summary.splits.values()) == [1, 1, 1]
    assert summary.images == {"train": 6, "val": 6, "test": 6}
    assert summary.dropped_invalid == 0 and summary.notes == []
    by_name = {s.name: s for s in seqs}
    for split, names in summary.splits.items():
        stems = {p.stem for p in (out / "images" / split).glob("*.jpg")}
        assert stems == {f"{names[0]}_{f:06d}" for f in range(1, 7)}  # one sequence, all frames
        labels = read_yolo_labels(out / "labels" / split)
        assert set(labels) == stems
        seq = by_name[names[0]]
        for f in range(1, 7):
            got = labels[f"{seq.name}_{f:06d}"]
            np.testing.assert_allclose(got, _expected(seq, f), atol=1e-6)
            img = cv2.imread(str(out / "images" / split / f"{seq.name}_{f:06d}.jpg"))
            assert img.shape == (H, W, 3)
            assert np.abs(img.astype(int) - _image(f, 40 * (seqs.index(seq) + 1))).mean() < 3
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == {0: "player", 1: "ball", 2: "referee"}
    assert (data["train"], data["val"], data["test"]) == ("images/train", "images/val",
                                                          "images/test")
    assert data["path"] == str(out.resolve())


def test_split_is_deterministic_and_seed_dependent():
    names = [f"s{i}" for i in range(10)]
    plan, notes = plan_splits(names, (0.8, 0.1, 0.1), seed=1)
    assert [len(plan[s]) for s in ("train", "val", "test")] == [8, 1, 1] and notes == []
    assert sorted(sum(plan.values(), [])) == sorted(names)
    assert plan_splits(list(reversed(names)), (0.8, 0.1, 0.1), seed=1)[0] == plan
    assert len({tuple(plan_splits(names, (0.8, 0.1, 0.1), seed=s)[0]["val"])
                for s in range(8)}) > 1


def test_fewer_sequences_than_splits_fill_train_first(tmp_path):
    seqs = [_sequence("only", 60, n_frames=2)]
    summary = export_yolo_dataset(tmp_path, seqs, CLASSES)
    assert summary.splits == {"train": ["only"], "val": [], "test": []}
    assert any("only 1 sequence(s) for 3 splits" in n for n in summary.notes)
    assert any("validates on train" in n for n in summary.notes)
    assert yaml.safe_load((tmp_path / "data.yaml").read_text())["val"] == "images/train"
    plan, notes = plan_splits(["a", "b"], (0.8, 0.1, 0.1))
    assert [len(plan[s]) for s in ("train", "val", "test")] == [1, 1, 0] and notes


def test_stride_clipping_dropping_and_skipping(tmp_path):
    xywh = [[-10, -10, 30, 30],  # clipped to (0,0)-(20,20)
            [W - 5, 10, 50, 20],  # clipped to 5 px wide
            [W + 10, 10, 20, 20],  # entirely outside: dropped
            [10, 10, 1, 30],  # 1 px wide: dropped
            [20, 20, 10, 10]]  # class -1: skipped
    boxes = MotTable.from_arrays([1] * 5 + [2], [1, 2, 3, 4, 5, 1], xywh + [[1, 1, 9, 9]],
                                 cls=[0, 0, 0, 0, 9, 0])
    seq = YoloSequenceInput("clip", W, H, boxes,
                            class_index=lambda c: np.where(c == 9, -1, c),
                            frame_image=lambda f: _image(f, 10), frames=range(1, 6))
    summary = export_yolo_dataset(tmp_path, [seq], CLASSES, split=(1, 0, 0), frame_stride=2)
    assert sorted(p.stem for p in (tmp_path / "images" / "train").glob("*.jpg")) == [
        "clip_000001", "clip_000003", "clip_000005"]  # frames 3, 5 exported as negatives
    assert summary.dropped_invalid == 2 and summary.skipped_class == 1
    labels = read_yolo_labels(tmp_path / "labels" / "train")
    np.testing.assert_allclose(labels["clip_000001"], [
        [0, 10 / W, 10 / H, 20 / W, 20 / H],
        [0, (W - 2.5) / W, 20 / H, 5 / W, 20 / H]], atol=1e-6)
    assert labels["clip_000003"].shape == (0, 5)


def test_refuses_to_mix_with_an_existing_dataset(tmp_path):
    seqs = [_sequence("a", 50, n_frames=1)]
    export_yolo_dataset(tmp_path, seqs, CLASSES)
    with pytest.raises(InputError, match="already holds a dataset"):
        export_yolo_dataset(tmp_path, seqs, CLASSES)
    (tmp_path / "labels" / "train" / "stale.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    export_yolo_dataset(tmp_path, seqs, CLASSES, overwrite=True)
    assert not (tmp_path / "labels" / "train" / "stale.txt").exists()


def test_bad_inputs(tmp_path):
    seq = _sequence("a", 50, n_frames=1)
    seq.class_index = np.array([0, 1, 5])
    with pytest.raises(ValueError, match="class indices must be -1..2"):
        export_yolo_dataset(tmp_path / "x", [seq], CLASSES)
    seq = _sequence("a", 50, n_frames=1)
    seq.frame_image = lambda f: np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(MediaError, match="frame 1 is 10x10, the sequence says 160x96"):
        export_yolo_dataset(tmp_path / "y", [seq], CLASSES)
    with pytest.raises(ValueError, match="unique"):
        export_yolo_dataset(tmp_path / "z", [_sequence("a", 1), _sequence("a", 2)], CLASSES)
    bad = tmp_path / "labels"
    bad.mkdir()
    (bad / "f.txt").write_text("0 0.5 0.5 0.1 0.1\n0 0.5 1.5 0.1 0.1\n")
    with pytest.raises(InputError, match="line 2: need a class id >= 0"):
        read_yolo_labels(bad)
