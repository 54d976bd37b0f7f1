"""``sporttrack pitch``: a run's boxes on the pitch — positions CSV, distance, speed, heatmaps."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sporttrack_gui.cli.common import bounded, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pitch", help="map a run onto the pitch: positions CSV, distance, speed, sprints, heatmaps",
        description="Map every box's foot point to pitch metres through a calibration made on one "
                    "frame, chained through camera motion for panning shots; report per-player "
                    "distance covered, top speed and sprints.")
    p.add_argument("project", help="project file (.stp)")
    p.add_argument("--run", required=True, help="run name (e.g. gt, bytetrack)")
    p.add_argument("--sequence", help="sequence name when the run name is ambiguous")
    p.add_argument("--calib", help="calibration JSON (point pairs on one frame); default: the "
                                   "one stored with the sequence (the demo ships one)")
    p.add_argument("--out", required=True, help="CSV of pitch positions per frame")
    p.add_argument("--cmc", choices=["sparse", "ecc", "none"], default="sparse",
                   help="camera-motion estimation for panning shots (none = fixed camera); "
                        "skipped when the calibration carries the camera's known motion")
    p.add_argument("--fps", type=bounded(float, 0, 1000, lo_open=True), help="override the sequence frame rate")
    p.add_argument("--sprint-kmh", type=bounded(float, 0, 100, lo_open=True), default=25.0, help="sprint threshold (km/h)")
    p.add_argument("--heatmaps", type=Path, help="folder for PNG pitch heatmaps (all, per team)")
    p.add_argument("--teams", action="store_true",
                   help="assign teams from kit colour and store them as track metadata")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.pitch import load_template
    from sporttrack_gui.pitch.workflow import PitchRequest, run_pitch_analysis

    result = run_pitch_analysis(PitchRequest(
        args.project, args.run, args.sequence, calibration=args.calib, cmc=args.cmc, fps=args.fps,
        sprint_kmh=args.sprint_kmh, assign_teams=args.teams, store_teams=args.teams))
    result.analysis.positions.to_csv(args.out, fps=result.fps)
    teams = result.teams if args.teams else None
    if args.heatmaps:
        _write_heatmaps(args.heatmaps, load_template(result.template), result.analysis, teams)
    summary = result.summary(players=args.json)
    summary["positions_csv"] = str(args.out)
    if args.json:
        if teams:
            summary["teams"] = teams
        emit(summary, True)
        return 0
    emit(summary, False)
    rows = result.analysis.kinematics.rows()
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
