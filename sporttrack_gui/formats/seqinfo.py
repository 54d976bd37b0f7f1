"""``seqinfo.ini`` and the layout of a MOTChallenge sequence folder.

Why ``seq_length`` is only a claim: MOT17-mini's seqinfo says 600 frames next to 4
images, and cut-down copies of datasets are common. Callers that need the real frame
count ask ``media/`` to count images; this module only reports what the file says.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.ini import IniValue, read_section
from sporttrack_gui.formats.limits import MAX_FPS, MAX_FRAME, MAX_IMAGE_SIDE

#: upper bound per numeric field: a seqLength of 3e9 must not reach a frame loop or Qt
_LIMITS = {"frame_rate": MAX_FPS, "seq_length": MAX_FRAME, "width": MAX_IMAGE_SIDE,
           "height": MAX_IMAGE_SIDE}

_KEYS = {  # field -> seqinfo key
    "name": "name", "img_dir": "imDir", "frame_rate": "frameRate", "seq_length": "seqLength",
    "width": "imWidth", "height": "imHeight", "img_ext": "imExt",
}


@dataclass
class SeqInfo:
    """The ``[Sequence]`` section; ``extra`` keeps any other keys so writing loses nothing."""

    name: str
    img_dir: str = "img1"
    frame_rate: float = 25.0
    seq_length: int = 0
    width: int = 0
    height: int = 0
    img_ext: str = ".jpg"
    extra: dict[str, str] = field(default_factory=dict)


def read_seqinfo(path: str | os.PathLike) -> SeqInfo:
    """Parse a seqinfo.ini; every key of MOTChallenge's layout is required."""
    name = str(path)
    sec = read_section(path, "Sequence")
    values: dict[str, object] = {}
    for fld, key in _KEYS.items():
        entry = sec.get(key.lower())
        if entry is None:
            raise InputError(f"missing key {key}", name)
        if fld == "frame_rate":
            values[fld] = _number(entry, name, float, _LIMITS[fld])
        elif fld in ("seq_length", "width", "height"):
            values[fld] = _number(entry, name, int, _LIMITS[fld])
        elif not entry.value:
            raise InputError(f"{key} is empty", name, entry.line)
        else:
            values[fld] = entry.value
    known = {k.lower() for k in _KEYS.values()}
    extra = {v.key: v.value for k, v in sec.items() if k not in known}
    return SeqInfo(**values, extra=extra)  # type: ignore[arg-type]


def _number(entry: IniValue, name: str, kind: type, limit: float) -> float | int:
    try:
        value = float(entry.value)
    except ValueError:
        raise InputError(f"{entry.key} must be a number, got {entry.value!r}",
                         name, entry.line) from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{entry.key} must be > 0, got {entry.value}", name, entry.line)
    if value > limit:
        shown = int(limit) if float(limit).is_integer() else limit
        raise InputError(f"{entry.key} must be at most {shown}, got {entry.value}",
                         name, entry.line)
    if kind is int:
        if not value.is_integer():
            raise InputError(f"{entry.key} must be a whole number, got {entry.value}",
                             name, entry.line)
        return int(value)
    return value


def write_seqinfo(path: str | os.PathLike, info: SeqInfo) -> None:
    """Write in MOTChallenge key order (whole frame rates without ``.0``)."""
    rate = info.frame_rate
    rate_text = str(int(rate)) if float(rate).is_integer() else repr(float(rate))
    lines = ["[Sequence]", f"name={info.name}", f"imDir={info.img_dir}",
             f"frameRate={rate_text}", f"seqLength={int(info.seq_length)}",
             f"imWidth={int(info.width)}", f"imHeight={int(info.height)}",
             f"imExt={info.img_ext}"]
    lines += [f"{k}={v}" for k, v in info.extra.items()]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class MotSequence:
    """Where the parts of one sequence folder are; any part may be missing (None)."""

    root: Path
    gt: Path | None = None
    det: Path | None = None
    seqinfo: Path | None = None
    img_dir: Path | None = None
    gameinfo: Path | None = None

    @property
    def name(self) -> str:
        return self.root.name

    def info(self) -> SeqInfo | None:
        """The parsed seqinfo.ini, if the folder has one."""
        return None if self.seqinfo is None else read_seqinfo(self.seqinfo)


_PART_FOLDERS = ("gt", "det", "img1")


def find_mot_sequence(folder: str | os.PathLike) -> MotSequence:
    """Locate gt/det/seqinfo/images/gameinfo of a sequence.

    Accepts the sequence folder itself, one of its ``gt/``, ``det/``, ``img1/`` folders, or
    a file inside it (``gt/gt.txt``, ``seqinfo.ini``), because users drop whatever they
    clicked on. The image folder comes from seqinfo's ``imDir`` when present.
    """
    path = Path(folder)
    if not path.exists():
        raise InputError("no such file or folder", str(path))
    root = path.parent if path.is_file() else path
    if root.name in _PART_FOLDERS and not _has_parts(root) and _has_parts(root.parent):
        root = root.parent
    gt = _file(root / "gt" / "gt.txt")
    det = _file(root / "det" / "det.txt")
    seqinfo = _file(root / "seqinfo.ini")
    img_name = read_seqinfo(seqinfo).img_dir if seqinfo else "img1"
    img_dir = root / img_name if (root / img_name).is_dir() else None
    gameinfo = _file(root / "gameinfo.ini")
    if not any((gt, det, seqinfo, img_dir)):
        raise InputError("not a MOTChallenge sequence folder: found none of gt/gt.txt, "
                         "det/det.txt, seqinfo.ini, img1/", str(path))
    return MotSequence(root, gt, det, seqinfo, img_dir, gameinfo)


def is_mot_folder(path: str | os.PathLike) -> bool:
    """Whether ``path`` (a folder, one of its part folders or a file inside) has a
    seqinfo.ini, gt/gt.txt or det/det.txt, without parsing them: a damaged seqinfo.ini
    must give its own error later, not turn the folder into a plain image folder."""
    p = Path(path)
    root = p.parent if p.is_file() else p
    return _has_parts(root) or (root.name in _PART_FOLDERS and _has_parts(root.parent))


def _file(p: Path) -> Path | None:
    return p if p.is_file() else None


def _has_parts(folder: Path) -> bool:
    return (folder / "seqinfo.ini").is_file() or (folder / "gt" / "gt.txt").is_file() \
        or (folder / "det" / "det.txt").is_file()
