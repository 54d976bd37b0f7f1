"""``sporttrack gui [PROJECT] [--frame N] [--screenshot out.png]``: open the desktop app,
or render its main window on one frame into a PNG and exit (docs, tests, bug reports)."""

from __future__ import annotations

import argparse
import os
import sys

from sporttrack_gui.cli.common import frame_arg, track_id_arg
from sporttrack_gui.errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "gui", help="open the desktop app (or save a screenshot of it)",
        description="Open PROJECT (or the built-in demo) in the desktop app. With --screenshot "
                    "the window is rendered on --frame, saved as a PNG, and the command exits; "
                    "no display is needed for that.")
    p.add_argument("project", nargs="?", help="project file (.stp), or a video / MOT folder")
    p.add_argument("--frame", type=frame_arg, default=1, help="1-based frame to show (default 1)")
    p.add_argument("--screenshot", metavar="PNG", help="save the window as PNG and exit")
    p.add_argument("--size", default="1600x1000", help="window size WxH for --screenshot")
    p.add_argument("--run", help="run name to show (default: the newest tracker run)")
    p.add_argument("--track", type=track_id_arg, help="track id to select")
    p.add_argument("--panel", choices=("heatmap", "metrics", "compare"),
                   help="dock panel to bring to the front")
    p.add_argument("--trails", action="store_true", help="draw track trails")
    p.set_defaults(func=run)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise InputError(f"--size expects WIDTHxHEIGHT, got {text!r}") from None
    if w < 320 or h < 240:
        raise InputError(f"--size {text} is too small (at least 320x240)")
    return w, h


def _no_display() -> bool:
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"))


def _precheck(arg: str) -> None:
    """Open what ``arg`` names without Qt first, so a headless run reports the real
    reason (damaged project, unreadable video, ...) instead of "cannot open"."""
    from sporttrack_gui.project import Project
    from sporttrack_gui.project.importer import ensure_media_project
    from sporttrack_gui.ui.launch import project_for

    project, media = project_for(arg)
    if media is not None:
        ensure_media_project(project, media)
        return
    if not project.exists():
        raise InputError("no such project file", str(project))
    Project.open(project, readonly=True).close()


def run(args: argparse.Namespace) -> int:
    if args.frame < 1:
        raise InputError(f"--frame is 1-based, got {args.frame}")
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.*=false")  # keep stderr readable
    if not args.screenshot:
        if _no_display():
            raise InputError("no display to open the desktop app on (DISPLAY and "
                             "WAYLAND_DISPLAY are unset); use --screenshot PNG to render "
                             "the window without one")
        from sporttrack_gui.ui.launch import launch

        argv = ([args.project] if args.project else []) + ["--frame", str(args.frame)]
        return launch(argv)
    size = _size(args.size)
    if _no_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.project:
        _precheck(args.project)
    from sporttrack_gui.ui.screenshot import screenshot_project

    out, _ = screenshot_project(args.project, args.frame, args.screenshot, size=size,
                                run=args.run, track=args.track, panel=args.panel,
                                trails=args.trails)
    print(f"saved {out}")
    return 0
