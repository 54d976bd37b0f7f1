"""SoccerNet-Tracking ``gameinfo.ini``: who each track id is (role, team side, jersey).

Why: SoccerNet gt.txt ids are bare numbers; the names live in ``gameinfo.ini`` lines like
``trackletID_7= player team right;34``. The editor shows them on the timeline, the YOLO
export maps roles to classes, and metrics can be split by role.

Value grammar (as found in SoccerNet): ``<role words>[ team <left|right>][;<label>]`` where
the label is a jersey number, a letter for an unidentified player (``A``), or detail such
as ``main`` / ``side bottom`` for referees. Unknown roles become ``other``: a new word in
a future release must not stop an import.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.ini import read_section
from sporttrack_gui.formats.limits import MAX_TRACK_ID

ROLES = ("player", "goalkeeper", "referee", "ball", "other")
_ROLE_WORDS = {"player": "player", "players": "player", "goalkeeper": "goalkeeper",
               "goalkeepers": "goalkeeper", "referee": "referee", "referees": "referee",
               "ball": "ball", "other": "other", "others": "other"}
_KEY_RE = re.compile(r"trackletid_(\d+)$")


@dataclass(frozen=True)
class TrackletInfo:
    """Metadata of one track id. ``team`` is ``left``/``right`` (pitch side) or None."""

    track_id: int
    role: str
    team: str | None
    jersey: int | None
    label: str  # the text after ';' as written ("34", "A", "main", "side bottom")
    raw: str  # the whole value, for display when the grammar is not recognised

    @property
    def display_name(self) -> str:
        """Short human name: ``player left #34``, ``referee main``, ``ball``."""
        parts = [self.role] + ([self.team] if self.team else [])
        if self.jersey is not None:
            parts.append(f"#{self.jersey}")
        elif self.label and self.role != "ball":
            parts.append(self.label)
        return " ".join(parts)


@dataclass
class GameInfo:
    """The ``[Sequence]`` section of gameinfo.ini: tracklets plus the other keys verbatim."""

    name: str
    tracklets: dict[int, TrackletInfo]
    fields: dict[str, str] = field(default_factory=dict)

    def roles(self) -> dict[int, str]:
        return {tid: t.role for tid, t in self.tracklets.items()}


def parse_tracklet(track_id: int, value: str) -> TrackletInfo:
    """Parse one ``trackletID_N`` value (see the module docstring)."""
    desc, _, label = value.partition(";")
    words = desc.lower().split()
    role = _ROLE_WORDS.get(words[0], "other") if words else "other"
    team = None
    if "team" in words:
        after = words[words.index("team") + 1:]
        team = after[0] if after else None
    elif words and words[-1] in ("left", "right"):
        team = words[-1]
    label = label.strip()
    jersey = int(label) if label.isdigit() and role in ("player", "goalkeeper") else None
    return TrackletInfo(track_id, role, team, jersey, label, value.strip())


def read_gameinfo(path: str | os.PathLike) -> GameInfo:
    """Read gameinfo.ini; a bad ``trackletID_`` key or an empty value names its line."""
    name = str(path)
    sec = read_section(path, "Sequence")
    tracklets: dict[int, TrackletInfo] = {}
    fields: dict[str, str] = {}
    for key, entry in sec.items():
        if not key.startswith("trackletid"):
            fields[entry.key] = entry.value
            continue
        m = _KEY_RE.match(key)
        if m is None:
            raise InputError(f"expected trackletID_<number>, got {entry.key!r}", name, entry.line)
        if not entry.value:
            raise InputError(f"{entry.key} has no description", name, entry.line)
        tid = int(m.group(1))
        if tid > MAX_TRACK_ID:
            raise InputError(f"{entry.key}: track id {tid} is too large (at most "
                             f"{MAX_TRACK_ID})", name, entry.line)
        tracklets[tid] = parse_tracklet(tid, entry.value)
    return GameInfo(name=fields.get("name", ""), tracklets=tracklets, fields=fields)


def gameinfo_value(meta: dict[str, str]) -> str:
    """A ``trackletID_N`` value from project track metadata.

    A note that already is a SoccerNet value (kept verbatim by the importer) is written
    as it was; otherwise ``<class>[ team <team>][;<jersey from a '#N' label>]``.
    """
    note = (meta.get("note") or "").strip()
    words = note.partition(";")[0].lower().split()
    if words and words[0] in _ROLE_WORDS:
        return note
    value = meta.get("class") or "other"
    if meta.get("team"):
        value += f" team {meta['team']}"
    jersey = re.search(r"#(\w+)", meta.get("label") or "")
    if jersey:
        value += f";{jersey.group(1)}"
    return value


def _one_line(text: str) -> str:
    """``text`` with line breaks as spaces: an ini value is one line (a break would start
    another key or section when read back)."""
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text).strip()


def format_gameinfo(name: str, tracks: dict[int, dict[str, str]]) -> str:
    """The text of a gameinfo.ini naming each track (read back by :func:`read_gameinfo`)."""
    lines = ["[Sequence]", f"name={_one_line(name)}", f"num_tracklets={len(tracks)}"]
    lines += [f"trackletID_{tid}= {_one_line(gameinfo_value(meta))}"
              for tid, meta in sorted(tracks.items())]
    return "\n".join(lines) + "\n"


def write_gameinfo(path: str | os.PathLike, name: str, tracks: dict[int, dict[str, str]]) -> None:
    """Write gameinfo.ini atomically (written beside a MOT export when tracks have names)."""
    from sporttrack_gui.atomic_io import atomic_write_text

    atomic_write_text(path, format_gameinfo(name, tracks))
