"""``sporttrack plugins [--json] [--strict]``: what plugins were found, where, and whether
they loaded.

Why a command: a team that drops ``my_tracker.py`` into the plugin folder needs to see at
once whether SportTrack found it, what it registered, and the error when it did not -
without opening the GUI or reading the log. Broken plugins are listed, never fatal;
``--strict`` turns them into exit code 1 for CI checks of a plugin folder.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plugins", help="list discovered tracker/detector plugins and their load status",
        description="Discover plugins (entry points sporttrack.trackers / sporttrack.detectors, "
                    ".py files in the shipped plugins/ folder, the app folder's plugins/ and "
                    "SPORTTRACK_PLUGIN_PATH) and report origin, location, ok/error and what "
                    "each registered.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--strict", action="store_true", help="exit 1 when any plugin failed to load")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sporttrack_gui.cli.common import emit
    from sporttrack_gui.plugins import plugin_report

    report = plugin_report()
    broken = [p for p in report["plugins"] if not p["ok"]]
    if args.json:
        emit(report, True)
    else:
        out = sys.stdout
        out.write("plugin folders:\n")
        for f in report["folders"]:
            out.write(f"  {f['origin']:<8} {f['path']}{'' if f['exists'] else '  (missing)'}\n")
        if not report["plugins"]:
            out.write("no plugins found\n")
        for p in report["plugins"]:
            status = "ok" if p["ok"] else "ERROR"
            what = ", ".join(p["registered"]) or "nothing registered"
            out.write(f"{p['name']:<24} {p['origin']:<11} {status:<5}  "
                      f"{what if p['ok'] else p['error']}\n    {p['location']}\n")
        out.write(f"{len(report['plugins'])} plugin(s), {len(broken)} failed\n")
    return 1 if args.strict and broken else 0
