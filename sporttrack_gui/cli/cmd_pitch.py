"""``sporttrack pitch``: a run's boxes on the pitch — positions CSV, distance, speed, heatmaps."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sporttrack_gui.cli.common import bounded, emit
from sporttrack_gui.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pitch", help="map a run onto the pitch: positions CSV, distance, speed, sprints, heatmaps",
        description="Map every box's foot point to pitch metres through a calibration made on one "
                    "frame, chained through camera motion for panning shots; report per-player "
                    "distance covered, top speed and sprints.")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name (e.g. gt, bytetrack)")
    p.add_argument("--sequence", help="sequence name when the run name is ambiguous")
    p.add_argument("--calib", required=True, help="calibration JSON (point pairs on one frame)")
    p.add_argument("--out", required=True, help="CSV of pitch positions per frame")
    p.add_argument("--cmc", choices=["sparse", "ecc", "none"], default="sparse",
                   help="camera-motion estimation for panning shots (none = fixed camera)")
    p.add_argument("--fps", type=bounded(float, 0, 1000, lo_open=True), help="override the sequence frame rate")
    p.add_argument("--sprint-kmh", type=bounded(float, 0, 100, lo_open=True), default=25.0, help="sprint threshold (km/h)")
    p.add_argument("--heatmaps", type=Path, help="folder for PNG pitch heatmaps (all, per team)")
    p.add_argument("--teams", action="store_true",
                   help="assign teams from kit colour and store them as track metadata")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.pitch import load_calibration, load_template
    from sporttrack_gui.pitch.analysis import analyse_boxes, estimate_sequence_motion
    from sporttrack_gui.project import Project

    cal = load_calibration(args.calib)
    with Project.open(args.project, readonly=not args.teams) as proj:
        run_id = proj.run_id(args.run, args.sequence)
        seq = proj.sequence(proj.run(run_id)["sequence_id"])
        table = proj.boxes(run_id)
        fps = float(args.fps or seq.get("fps") or 25.0)
        if len(table) == 0:
            raise InputError(f"run {args.run!r} has no boxes")
        keep = table.track_id >= 0
        frame, tid, xywh = table.frame[keep], table.track_id[keep], table.xywh[keep]
        source = None
        motion = None
        if args.cmc != "none" or args.teams:
            from sporttrack_gui.media.source import open_source

            source = open_source(seq["source"])
        try:
            if args.cmc != "none":
                motion = estimate_sequence_motion(source, frame, xywh, method=args.cmc,
                                                  n_frames=int(frame.max()))
            result = analyse_boxes(frame, tid, xywh, cal, fps, motion=motion,
                                   sprint_kmh=args.sprint_kmh)
            teams = None
            if args.teams:
                from sporttrack_gui.pitch.teams import assign_teams, track_colour_embeddings

                n = len(source)
                inside = frame <= n
                ids, emb = track_colour_embeddings(lambda f: source[f - 1], frame[inside],
                                                   tid[inside], xywh[inside])
                teams = assign_teams(ids, emb).as_dict()
                for track, team in teams.items():
                    proj.set_track_meta(run_id, track, team=team)
        finally:
            if source is not None:
                source.close()
    result.positions.to_csv(args.out, fps=fps)
    if args.heatmaps:
        _write_heatmaps(args.heatmaps, load_template(cal.template), result, teams)
    rows = result.kinematics.rows()
    summary = {
        "run": args.run, "tracks": len(rows), "boxes_mapped": len(result.positions),
        "boxes_unmapped": result.unmapped, "calibration_rms_px": round(cal.fit.rms_px, 3),
        "calibration_inliers": int(cal.fit.inliers.sum()), "camera_motion": args.cmc,
        "fps": fps, "positions_csv": str(args.out),
    }
    if args.json:
        summary["players"] = rows
        if teams:
            summary["teams"] = teams
        emit(summary, True)
        return 0
    emit(summary, False)
    print(f"\n{'track':>6} {'dist m':>9} {'top km/h':>9} {'mean km/h':>9} {'sprints':>8}")
    for r in sorted(rows, key=lambda r: -r["distance_m"]):
        print(f"{r['track_id']:>6} {r['distance_m']:>9.1f} {r['top_speed_kmh']:>9.1f} "
              f"{r['mean_speed_kmh']:>9.1f} {r['sprints']:>8}")
    return 0


def _write_heatmaps(folder: Path, template, result, teams: dict[int, str] | None) -> None:
    import cv2

    from sporttrack_gui.pitch.render import render_pitch_heatmap

    folder.mkdir(parents=True, exist_ok=True)
    xy = result.positions.xy
    cv2.imwrite(str(folder / "heatmap_all.png"), render_pitch_heatmap(template, xy))
    if teams:
        tid = result.positions.track_id
        for team in sorted(set(teams.values())):
            members = [t for t, k in teams.items() if k == team]
            sel = np.isin(tid, members)
            cv2.imwrite(str(folder / f"heatmap_team_{team}.png"), render_pitch_heatmap(template, xy[sel]))
