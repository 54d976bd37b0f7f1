"""``sporttrack --self-test``: a headless end-to-end check of this installation.

Why: a desktop bundle can build fine and still miss a Qt platform plugin, OpenCV's contrib
trackers, ultralytics' YAML configs or a working NMS, and each of those only shows when a
user reaches that feature. The self-test walks the whole product once on a small synthetic
match - import, detect, track, evaluate, export, plugins, GUI screenshot - in a temporary
folder (the user's projects, settings and logs are not touched) and exits 0 only when every
step passed. It is what ``dist/sporttrack/sporttrack --self-test`` runs after ``make bundle``.

Each step prints one line: number, name, seconds, PASS/FAIL and what it checked.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: the synthetic match: 60 frames keep the whole self-test well under 30 s on 2 cores
N_FRAMES = 60
SEED = 11
#: sane lower bounds for ByteTrack on jittered, slightly incomplete ground-truth boxes of
#: this match (measured ~0.9 / ~0.9); a broken tracker, matcher or evaluation falls far below
MIN_MOTA = 0.75
MIN_IDF1 = 0.70
SCREENSHOT_SIZE = (960, 600)
SCREENSHOT_FRAME = 30
RUN_NAME = "selftest-bytetrack"


class StepFailed(Exception):
    """A check inside a step did not hold; the message says which and why."""


def check(condition: bool, message: str) -> None:
    """Like ``assert`` but kept under ``python -O`` and in frozen bundles."""
    if not condition:
        raise StepFailed(message)


@dataclass
class Context:
    """What the steps hand on to each other (paths, run ids, tables)."""

    root: Path
    values: dict[str, Any] = field(default_factory=dict)

    def need(self, key: str) -> Any:
        """A value an earlier step produced; fails clearly when that step failed."""
        if key not in self.values:
            raise StepFailed(f"needs {key!r} from an earlier step that failed")
        return self.values[key]


@dataclass
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str


# ----------------------------------------------------------------------------- steps

def step_runtime(ctx: Context) -> str:
    """cv2 with contrib trackers, torch + torchvision NMS (native or our fallback)."""
    import cv2
    import torch

    from sporttrack_gui.runtime import apply_runtime_defaults, ensure_torchvision_ops

    apply_runtime_defaults()
    check(hasattr(cv2, "TrackerCSRT_create"),
          "cv2.TrackerCSRT_create missing: opencv-python overwrote opencv-contrib-python")
    mode = ensure_torchvision_ops()
    import torchvision

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 10, 9]],
                         dtype=torch.float32)
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    keep = torchvision.ops.nms(boxes, scores, 0.5).tolist()
    # box 3 (0.95) suppresses 0 and 1 (IoU > 0.5); box 2 is far away
    check(keep == [3, 2], f"torchvision.ops.nms kept {keep}, expected [3, 2]")
    # the About box and crash reports read versions from package metadata, which a bundle
    # only has when the spec copies it
    from sporttrack_gui.diagnostics import STACK, stack_versions

    versions = stack_versions()
    unknown = [name for name in STACK if versions.get(name) == "not installed"]
    check(not unknown, f"no version metadata for {', '.join(unknown)}")
    return (f"cv2 {cv2.__version__} (CSRT ok), torch {torch.__version__}, "
            f"torchvision {torchvision.__version__} NMS {mode}, {len(STACK)} stack versions")


def step_synthetic(ctx: Context) -> str:
    """Render the synthetic match and a noisy det.txt derived from its ground truth."""
    from sporttrack_gui.formats.mot import MotTable, write_mot
    from sporttrack_gui.media.synthetic import MatchConfig, render_match

    match = render_match(ctx.root / "match", MatchConfig(n_frames=N_FRAMES, seed=SEED))
    gt = match.gt
    check(len(gt) > 0 and gt.frames_range() == (1, N_FRAMES),
          f"ground truth covers {gt.frames_range()}, expected (1, {N_FRAMES})")
    frames = sorted(match.frames_dir.glob("*.jpg"))
    check(len(frames) == N_FRAMES, f"{len(frames)} frame images written, expected {N_FRAMES}")
    # detections = gt jittered by ~3 % of the box size, 5 % missed, plus weak false positives:
    # enough noise that association has to work, little enough that MOTA stays high
    rng = np.random.default_rng(SEED)
    kept = rng.random(len(gt)) > 0.05
    xywh = gt.xywh[kept].astype(np.float64)
    xywh[:, :2] += rng.normal(0, 0.03, (len(xywh), 2)) * xywh[:, 2:]
    xywh[:, 2:] *= 1 + rng.normal(0, 0.03, (len(xywh), 2))
    conf = rng.uniform(0.6, 0.95, len(xywh))
    fp_frames = np.arange(1, N_FRAMES + 1, 5)
    fp = np.column_stack([rng.uniform(0, 1100, len(fp_frames)), rng.uniform(0, 600, len(fp_frames)),
                          np.full(len(fp_frames), 30.0), np.full(len(fp_frames), 60.0)])
    det = MotTable.from_arrays(
        np.concatenate([gt.frame[kept], fp_frames]).astype(np.int32),
        np.full(len(xywh) + len(fp), -1, np.int64),
        np.concatenate([xywh, fp]).astype(np.float32),
        conf=np.concatenate([conf, rng.uniform(0.15, 0.3, len(fp))]).astype(np.float32),
    ).sorted()
    det_path = ctx.root / "match" / "det" / "det.txt"
    det_path.parent.mkdir(parents=True, exist_ok=True)
    write_mot(det_path, det, kind="det")
    ctx.values.update(match=match, det_path=det_path)
    return f"{N_FRAMES} frames {match.config.width}x{match.config.height}, {len(gt)} gt boxes, " \
           f"{len(det)} detections"


def step_import(ctx: Context) -> str:
    """Create a project file and import the sequence with its gt and det runs."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import import_source

    match = ctx.need("match")
    project_path = ctx.root / "selftest.stp"
    with Project.open(project_path, create=True) as p:
        summary = import_source(p, match.img_dir, det=ctx.need("det_path"), name="selftest")
        check(summary.frame_count == N_FRAMES, f"imported {summary.frame_count} frames")
        check({"gt", "det"} <= set(summary.runs), f"runs created: {sorted(summary.runs)}")
        gt_run, gt_boxes = summary.runs["gt"]
        check(gt_boxes == len(match.gt), f"gt run holds {gt_boxes} boxes, file has {len(match.gt)}")
        stored = p.boxes(gt_run)
        check(len(stored) == len(match.gt), "gt boxes read back differ in number")
    ctx.values.update(project=project_path, gt_run=gt_run, sequence=summary.sequence)
    return f"{project_path.name}: sequence {summary.sequence!r}, runs " + \
        ", ".join(f"{k}={v[1]} boxes" for k, v in summary.runs.items())


def step_track(ctx: Context) -> str:
    """ByteTrack over the detections through the same pipeline the GUI and CLI use."""
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline

    result = run_pipeline(PipelineConfig(
        source=ctx.need("match").img_dir, detector=f"det:{ctx.need('det_path')}",
        tracker="bytetrack", project=ctx.need("project"), sequence=ctx.need("sequence"),
        run_name=RUN_NAME))
    check(result.status == "complete", f"pipeline status {result.status}: {result.error}")
    check(result.frames == N_FRAMES, f"tracked {result.frames} of {N_FRAMES} frames")
    check(result.boxes > 0 and result.ids > 0, "the tracker produced no tracks")
    ctx.values.update(track_run=result.run_id)
    return f"{result.frames} frames, {result.boxes} boxes, {result.ids} ids, {result.fps:.0f} fps"


def step_evaluate(ctx: Context) -> str:
    """MOTA/IDF1 of the tracker run against ground truth, read back from the project."""
    from sporttrack_gui.eval.mot import evaluate_mot
    from sporttrack_gui.project import Project

    with Project.open(ctx.need("project")) as p:
        gt = p.boxes(ctx.need("gt_run"))
        pred = p.boxes(ctx.need("track_run"))
    m = evaluate_mot(gt, pred, with_hota=True)
    mota, idf1 = float(m["mota"]), float(m["idf1"])
    check(np.isfinite(mota) and mota >= MIN_MOTA, f"MOTA {mota:.3f} below {MIN_MOTA}")
    check(np.isfinite(idf1) and idf1 >= MIN_IDF1, f"IDF1 {idf1:.3f} below {MIN_IDF1}")
    ctx.values.update(track_boxes=len(pred))
    return f"MOTA {mota:.3f}  IDF1 {idf1:.3f}  HOTA {float(m['hota']):.3f}  " \
           f"IDSW {int(m['num_switches'])}"


def step_export_mot(ctx: Context) -> str:
    """Export the tracker run as gt.txt + seqinfo.ini and read both back."""
    from sporttrack_gui.formats.mot import read_mot, read_seqinfo
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_mot

    out = ctx.root / "export_mot"
    with Project.open(ctx.need("project")) as p:
        written = export_mot(p, ctx.need("track_run"), out)
        stored = p.boxes(ctx.need("track_run")).sorted()
    back = read_mot(written["file"], kind="gt").sorted()
    check(len(back) == len(stored) == ctx.need("track_boxes"),
          f"gt.txt holds {len(back)} boxes, project {len(stored)}")
    check(np.array_equal(back.frame, stored.frame) and np.array_equal(back.track_id, stored.track_id),
          "frames/ids in gt.txt differ from the project")
    check(np.allclose(back.xywh, stored.xywh, atol=0.01), "box coordinates changed on export")
    info = read_seqinfo(written["seqinfo"])
    check(info.seq_length == N_FRAMES, f"seqinfo.ini seqLength {info.seq_length}")
    return f"{len(back)} boxes re-read equal, seqinfo {info.width}x{info.height}@{info.frame_rate:g}"


def step_export_yolo(ctx: Context) -> str:
    """Export the gt run as a YOLO dataset; labels must parse and match the summary."""
    import cv2

    from sporttrack_gui.formats.yolo import read_yolo_labels
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.exporter import export_yolo

    out = ctx.root / "export_yolo"
    with Project.open(ctx.need("project")) as p:
        summary = export_yolo(p, [ctx.need("gt_run")], out)
    check(Path(summary["data_yaml"]).is_file(), "data.yaml missing")
    n_images = sum(summary["images"].values())
    n_boxes = sum(summary["boxes"].values())
    check(n_images == N_FRAMES, f"{n_images} images exported, expected {N_FRAMES}")
    labels: dict[str, np.ndarray] = {}
    for split_dir in sorted((out / "labels").iterdir()):
        labels.update(read_yolo_labels(split_dir))
    lines = sum(len(v) for v in labels.values())
    check(len(labels) == n_images and lines == n_boxes,
          f"{len(labels)} label files / {lines} lines re-read, summary says {n_images} / {n_boxes}")
    image = cv2.imread(str(next((out / "images").rglob("*.jpg"))))
    check(image is not None and image.shape[:2] == (ctx.need("match").config.height,
                                                    ctx.need("match").config.width),
          "exported image unreadable or of the wrong size")
    return f"{n_images} images, {n_boxes} labels re-read, classes {summary['classes']}"


def step_detector(ctx: Context) -> str:
    """ultralytics YOLO built from its bundled YAML runs one frame on CPU (no download)."""
    import cv2

    from sporttrack_gui.detect import create_detector

    frame = cv2.imread(str(ctx.need("match").frames_dir / "000001.jpg"))
    check(frame is not None, "cannot read the first frame")
    det = create_detector("yolo:yolov8n.yaml", conf=0.0, imgsz=320, batch=1, device="cpu")
    try:
        out = det.detect([frame])
    finally:
        det.close()
    check(len(out) == 1, f"detector returned {len(out)} results for one frame")
    d = out[0]
    check(d.xyxy.shape[1:] == (4,) and bool(np.isfinite(d.xyxy).all()),
          "detector boxes are not finite (N, 4)")
    return f"yolov8n.yaml (untrained) at 320 px: {len(d.conf)} boxes after NMS"


def step_plugins(ctx: Context) -> str:
    """The shipped example plugin is found, registers ``centroid`` and tracks."""
    from sporttrack_gui.pipeline import PipelineConfig, run_pipeline
    from sporttrack_gui.plugins import load_plugins, plugin_dirs
    from sporttrack_gui.track import tracker_names

    records = load_plugins()
    shipped = [r for r in records if r.origin == "shipped"]
    check(any(r.ok and "centroid" in r.registered for r in shipped),
          f"example plugin not loaded from {plugin_dirs()[0][1]}: "
          + "; ".join(f"{r.name}: {r.error or 'ok'}" for r in shipped))
    check("centroid" in tracker_names(), "centroid missing from the tracker list")
    out = ctx.root / "centroid.txt"
    result = run_pipeline(PipelineConfig(source=None, detector=f"det:{ctx.need('det_path')}",
                                         tracker="centroid", out=out))
    check(result.status == "complete" and result.boxes > 0, "centroid tracker produced nothing")
    broken = [r.name for r in records if not r.ok]
    note = f", {len(broken)} broken plugin(s) skipped: {', '.join(broken)}" if broken else ""
    return f"{len(records)} plugin(s); centroid tracked {result.boxes} boxes{note}"


def step_resources(ctx: Context) -> str:
    """Icons, style sheet, tracker YAMLs, pitch templates and font are where the app looks."""
    from sporttrack_gui.runtime import resources_dir

    res = resources_dir()
    needed = ["style.qss", "icons/sporttrack.png", "icons/sporttrack.svg",
              "trackers/bytetrack.yaml", "trackers/sort.yaml", "fonts/DejaVuSans.ttf"]
    missing = [n for n in needed if not (res / n).is_file()]
    check(not missing, f"missing under {res}: {', '.join(missing)}")
    pitches = sorted(p.name for p in (res / "pitches").glob("*.yaml"))
    check(bool(pitches), f"no pitch templates in {res / 'pitches'}")
    return f"{res} ({len(needed)} files, pitches {', '.join(pitches)})"


def step_screenshot(ctx: Context) -> str:
    """The main window opens the project and renders a frame with boxes into a PNG,
    through the same code as ``sporttrack gui PROJECT --frame N --screenshot out.png``."""
    import cv2

    from sporttrack_gui.ui.screenshot import screenshot_project

    w, h = SCREENSHOT_SIZE
    out, platform = screenshot_project(ctx.need("project"), SCREENSHOT_FRAME,
                                       ctx.root / "screenshot.png", size=(w, h), run=RUN_NAME)
    check(out.is_file(), f"no screenshot written to {out}")
    image = cv2.imread(str(out))
    check(image is not None, "screenshot PNG unreadable")
    check(image.shape[1] >= w * 0.9 and image.shape[0] >= h * 0.9,
          f"screenshot is {image.shape[1]}x{image.shape[0]}, asked {w}x{h}")
    check(float(image.std()) > 10.0, "screenshot is (almost) a single colour")
    return f"{image.shape[1]}x{image.shape[0]} PNG of frame {SCREENSHOT_FRAME} " \
           f"(Qt platform {platform})"


STEPS: list[tuple[str, Callable[[Context], str]]] = [
    ("runtime", step_runtime),
    ("resources", step_resources),
    ("synthetic", step_synthetic),
    ("import", step_import),
    ("track", step_track),
    ("evaluate", step_evaluate),
    ("export-mot", step_export_mot),
    ("export-yolo", step_export_yolo),
    ("detector", step_detector),
    ("plugins", step_plugins),
    ("screenshot", step_screenshot),
]


# ----------------------------------------------------------------------------- runner

def _headless_env() -> None:
    """No display needed; a user's explicit QT_QPA_PLATFORM is respected."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run_steps(root: Path, steps: list[tuple[str, Callable[[Context], str]]] | None = None,
              echo: Callable[[str], None] = print) -> list[StepResult]:
    """Run ``steps`` in order in ``root``; a failing step does not stop the later ones
    (those needing its output fail with a clear reason), so one run shows every problem."""
    ctx = Context(root)
    results: list[StepResult] = []
    steps = STEPS if steps is None else steps
    width = max(len(name) for name, _ in steps)
    for i, (name, fn) in enumerate(steps, 1):
        t0 = time.perf_counter()
        try:
            detail, ok = fn(ctx), True
        except StepFailed as exc:
            detail, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, never dies
            tb = traceback.extract_tb(exc.__traceback__)
            where = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
            detail, ok = f"{type(exc).__name__}: {exc}{where}", False
        seconds = time.perf_counter() - t0
        results.append(StepResult(name, ok, seconds, detail))
        echo(f"[{i:2d}/{len(steps)}] {name:<{width}} {seconds:6.2f} s  "
             f"{'PASS' if ok else 'FAIL'}  {detail}")
    return results


def run_self_test(keep: bool = False) -> int:
    """Run every step in a fresh temporary folder; 0 when all passed, 1 otherwise.

    ``SPORTTRACK_HOME`` points into the temporary folder for the duration, so the user's
    settings, projects and logs stay untouched (only ultralytics' offline config folder is
    prepared in the real app home, as on any start). ``keep`` leaves the folder for
    inspection (also ``SPORTTRACK_SELFTEST_KEEP=1``).
    """
    import sporttrack_gui
    from sporttrack_gui.runtime import apply_runtime_defaults

    _headless_env()
    # once per process and before the home moves: ultralytics' settings/font folder must
    # not point into the temporary folder after it is deleted (matters in-process, tests)
    apply_runtime_defaults()
    keep = keep or os.environ.get("SPORTTRACK_SELFTEST_KEEP") == "1"
    root = Path(tempfile.mkdtemp(prefix="sporttrack-selftest-"))
    old_home = os.environ.get("SPORTTRACK_HOME")
    os.environ["SPORTTRACK_HOME"] = str(root / "home")
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    print(f"SportTrack {sporttrack_gui.__version__} self-test{frozen}: Python "
          f"{sys.version.split()[0]} on {sys.platform}, working in {root}")
    t0 = time.perf_counter()
    try:
        results = run_steps(root)
    finally:
        if old_home is None:
            os.environ.pop("SPORTTRACK_HOME", None)
        else:
            os.environ["SPORTTRACK_HOME"] = old_home
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    passed = sum(r.ok for r in results)
    failed = [r.name for r in results if not r.ok]
    total = time.perf_counter() - t0
    verdict = "PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"
    print(f"self-test {verdict}: {passed}/{len(results)} steps passed in {total:.1f} s"
          + (f"; files kept in {root}" if keep else ""))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(run_self_test())
