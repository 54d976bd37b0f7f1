"""``sporttrack sot``: follow one object from a start box, optionally recover and evaluate.

SOURCE is a video, an image folder, a MOT sequence folder or an OTB sequence folder
(``img/`` + ``groundtruth_rect.txt``: the ground truth is then found by itself and the
start box defaults to its first box). With ground truth the OTB one-pass metrics are
printed: success AUC, precision at 20 px, normalised precision, fps.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from sporttrack_gui.cli.common import emit, frame_arg, parse_box
from sporttrack_gui.core.params import guess_value, parse_pairs
from sporttrack_gui.errors import InputError

OTB_GT_NAMES = ("groundtruth_rect.txt", "groundtruth.txt")

_DESCRIPTION = """\
Follow one object from a start box. SOURCE is a video, an image folder, a MOT sequence
folder or an OTB folder (img/ + groundtruth_rect.txt: ground truth found automatically,
start box = its box on --frame). With ground truth, prints success AUC, precision@20px,
normalised precision and fps. Frames where the target is lost have no box."""

_EXAMPLES = """\
examples:
  sporttrack sot data/otb/Bolt --recover
  sporttrack sot match.mp4 --init 610,340,40,90 --frame 120 --recover --out boxes.txt
  sporttrack sot match.mp4 --init 610,340,40,90 --project match.stp --json
  sporttrack sot clip.mp4 --tracker vit --param net=object_tracking_vittrack_2023sep.onnx \\
      --init 100,80,30,60"""


def register(subparsers: argparse._SubParsersAction) -> None:
    from sporttrack_gui.track.single import single_tracker_names

    p = subparsers.add_parser(
        "sot", help="single-object tracking from a start box (CSRT/KCF/MOSSE/MIL/Nano/ViT)",
        description=_DESCRIPTION, epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help="video file, image folder, MOT or OTB sequence folder")
    p.add_argument("--tracker", default="csrt", choices=single_tracker_names())
    p.add_argument("--init", help="start box x,y,w,h in pixels (default: gt box of --frame)")
    p.add_argument("--frame", type=frame_arg, default=1, help="1-based start frame (default 1)")
    p.add_argument("--end", type=frame_arg, help="last frame to track (default: end of source)")
    p.add_argument("--gt", help="ground truth, one x,y,w,h per frame (OTB groundtruth_rect)")
    p.add_argument("--recover", action="store_true",
                   help="re-acquire the target after loss (Kalman prior + template search)")
    p.add_argument("--plain", action="store_true",
                   help="bare OpenCV tracker without the lost-state monitor (baseline)")
    p.add_argument("--det", help="MOTChallenge det.txt whose boxes are recovery candidates")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="OpenCV tracker parameter, e.g. net=vittrack.onnx (repeatable)")
    p.add_argument("--out", help="write one box per frame (x,y,w,h; nan,nan,nan,nan when lost)")
    p.add_argument("--project", help="store the track as a run in this project file")
    p.add_argument("--run-name", help="run name in the project (default sot-<tracker>-f<N>)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.track.sot_session import SotSession

    if args.plain and args.recover:
        raise InputError("--plain and --recover exclude each other")
    frames_path, gt_path = resolve_source(Path(args.source), args.gt)
    gt = _read_gt(gt_path) if gt_path else None
    box = _start_box(args.init, gt, args.frame, gt_path)
    params = {k: guess_value(v) for k, v in parse_pairs(args.param, "--param").items()}
    src = _open_source(frames_path)
    try:
        candidates = _det_candidates(args.det) if args.det else None
        session = SotSession(src, args.tracker, args.frame, box, recover=args.recover,
                             monitor=not args.plain, end_frame=args.end,
                             candidates=candidates, **params)
        track = session.run()
        fps = getattr(src, "fps", None)
        width, height = getattr(src, "width", None), getattr(src, "height", None)
    finally:
        src.close()
    out: dict[str, Any] = {
        "source": str(frames_path), "tracker": track.tracker, "recover": args.recover,
        "start_frame": track.start_frame, "frames": len(track.ok),
        "lost_frames": track.lost_frames, "recoveries": track.recoveries, "fps": track.fps,
    }
    metrics: dict[str, Any] = {}
    if gt is not None:
        metrics = evaluate_track(track, gt)
        out.update(metrics)
    if args.out:
        write_boxes(Path(args.out), track.xywh)
        out["out"] = args.out
    if args.project:
        out["run_id"] = _store(args, frames_path, track, metrics,
                               (width, height, fps, len(src)))
    emit(out, args.json)
    return 0


def resolve_source(source: Path, gt: str | None) -> tuple[Path, Path | None]:
    """(frames path, gt path): an OTB folder (``img/`` + ground truth) yields both."""
    if not source.exists():
        raise InputError(f"source not found: {source}")
    gt_path = Path(gt) if gt else None
    if gt_path is not None and not gt_path.is_file():
        raise InputError(f"ground truth file not found: {gt_path}")
    if source.is_dir() and (source / "img").is_dir():
        if gt_path is None:
            gt_path = next((source / n for n in OTB_GT_NAMES if (source / n).is_file()), None)
        return source / "img", gt_path
    return source, gt_path


def _open_source(path: Path):
    from sporttrack_gui.media.source import open_source

    return open_source(path)


def _read_gt(path: Path) -> np.ndarray:
    from sporttrack_gui.formats.otb import read_otb_groundtruth

    return read_otb_groundtruth(path)


def _start_box(init: str | None, gt: np.ndarray | None, frame: int,
               gt_path: Path | None) -> tuple[float, float, float, float]:
    if init:
        return parse_box(init, "--init")
    if gt is None:
        raise InputError("--init x,y,w,h is required when there is no ground truth")
    if not 1 <= frame <= len(gt):
        raise InputError(f"--frame {frame}: the ground truth has boxes for frames 1-{len(gt)}",
                         str(gt_path))
    return tuple(float(v) for v in gt[frame - 1])  # type: ignore[return-value]


def _det_candidates(path: str):
    """Per-frame detector boxes (xyxy) from a det.txt, for recovery."""
    from sporttrack_gui.formats.mot import read_mot

    table = read_mot(path, kind="det")
    rows = table.by_frame()
    xyxy = table.xyxy

    def candidates(frame_number: int, _frame: np.ndarray) -> np.ndarray | None:
        idx = rows.get(frame_number)
        return None if idx is None else xyxy[idx]

    return candidates


def evaluate_track(track, gt: np.ndarray) -> dict[str, Any]:
    """OTB metrics of ``track`` over the frames that have both a prediction and a gt row
    (Bolt ships 350 gt boxes but 150 images: only the tracked frames count)."""
    from sporttrack_gui.eval.sot import evaluate_sot

    first = track.start_frame - 1
    n = min(len(track.ok), max(len(gt) - first, 0))
    if n == 0:
        raise InputError(f"the ground truth ({len(gt)} boxes) ends before start frame "
                         f"{track.start_frame}")
    res = evaluate_sot(track.xywh[:n], gt[first:first + n], times=track.times[:n])
    return {"success_auc": res.auc, "precision_20": res.precision_20,
            "norm_precision": res.norm_precision, "evaluated_frames": res.num_valid}


def write_boxes(path: Path, xywh: np.ndarray) -> None:
    """One ``x,y,w,h`` line per tracked frame; ``nan`` x4 where the target was lost."""
    lines = [",".join("nan" if not math.isfinite(v) else f"{v:.2f}".rstrip("0").rstrip(".")
                      for v in row) for row in np.asarray(xywh, np.float64)]
    try:
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
    except OSError as exc:
        raise InputError(f"cannot write boxes: {exc.strerror or exc}", str(path)) from None


def _store(args: argparse.Namespace, frames_path: Path, track, metrics: dict[str, Any],
           info: tuple) -> int:
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.naming import unique_name
    from sporttrack_gui.track.sot_store import store_sot_result

    width, height, fps, count = info
    with Project.open(args.project, create=True) as project:
        seq = next((s["id"] for s in project.sequences()
                    if Path(s["source"]).resolve() == frames_path.resolve()), None)
        if seq is None:
            names = {s["name"] for s in project.sequences()}
            name = unique_name(frames_path.parent.name if frames_path.name == "img"
                           else frames_path.stem, names)
            seq = project.add_sequence(name, frames_path, kind=_kind(frames_path), width=width,
                                       height=height, fps=fps, frame_count=count)
        taken = {r["name"] for r in project.runs(seq)}
        base = args.run_name or f"sot-{track.tracker}{'-recover' if args.recover else ''}" \
                                f"-f{track.start_frame}"
        if args.run_name and base in taken:
            raise InputError(f"the project already has a run {base!r} for this sequence",
                             args.project)
        return store_sot_result(project, seq, unique_name(base, taken), track,
                                {**metrics, "fps": track.fps})


def _kind(path: Path) -> str:
    return "images" if path.is_dir() else "video"
