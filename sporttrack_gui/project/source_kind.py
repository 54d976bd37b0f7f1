"""What a path the user picked is: a project, a video, an image folder, a MOT folder, or a
folder of MOT sequences -- before anything is opened or imported.

Why a function of its own: File ▸ Open, File ▸ Add folder…, drag and drop and the command
line all have to decide the same way (an mp4 given to Open is an import offer, not a
"not a database" error; a MOT folder is recognised from its seqinfo.ini, gt/det files or
``img1/`` folder whichever of them the user clicked). Qt-free, only directory listings
and a 16-byte header read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.seqinfo import is_mot_folder
from sporttrack_gui.media.source import IMAGE_EXTENSIONS as IMAGE_SUFFIXES
from sporttrack_gui.project.importer import VIDEO_SUFFIXES

SQLITE_MAGIC = b"SQLite format 3\x00"
_PARTS = ("img1", "gt", "det")
#: subfolders that hold a sequence's frames when the folder itself has none
IMAGE_SUBFOLDERS = ("img1", "img", "images", "frames")
MEDIA_FILTER = ("Videos, images and MOT folders (*.mp4 *.avi *.mov *.mkv *.m4v *.webm *.mpg "
                "*.mpeg *.wmv seqinfo.ini)")


@dataclass(frozen=True)
class PickedSource:
    """``kind``: "project", "video", "images", "mot" or "mot_set"; ``items``: what to
    import, as (source path, sequence name or None for the importer's default)."""

    kind: str
    path: Path
    items: tuple[tuple[Path, str | None], ...] = ()

    @property
    def is_project(self) -> bool:
        return self.kind == "project"

    def describe(self) -> str:
        what = {"video": "a video", "images": "an image folder", "mot": "a MOTChallenge folder",
                "mot_set": f"a folder of {len(self.items)} MOTChallenge sequences"}
        return what.get(self.kind, "a project")


def _is_project_file(p: Path) -> bool:
    if p.suffix.lower() == ".stp":
        return True
    try:
        with p.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _has_images(folder: Path) -> bool:
    try:
        return any(f.suffix.lower() in IMAGE_SUFFIXES and f.is_file() for f in folder.iterdir())
    except OSError:
        return False


def _mot_root(p: Path) -> Path:
    """The sequence folder of a MOT folder or of one of its parts (img1/, gt/, a file)."""
    root = p.parent if p.is_file() else p
    if root.name in _PARTS and is_mot_folder(root.parent):
        return root.parent
    return root


def classify(path: str | Path) -> PickedSource:
    """Decide what ``path`` is; raises ``InputError`` naming it when it is none of them."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", str(p))
    if p.is_file():
        if _is_project_file(p):
            return PickedSource("project", p)
        if p.suffix.lower() in VIDEO_SUFFIXES:
            return PickedSource("video", p, ((p, None),))
        if is_mot_folder(p):  # seqinfo.ini, gt/gt.txt or det/det.txt of a sequence
            root = _mot_root(p)
            return PickedSource("mot", root, ((root, None),))
        raise InputError(f"cannot open {p.suffix or 'a file without extension'}: expected a "
                         "project (.stp), a video, an image folder or a MOTChallenge folder",
                         str(p))
    if is_mot_folder(p):
        root = _mot_root(p)
        return PickedSource("mot", root, ((root, None),))
    if _has_images(p):
        return PickedSource("images", p, ((p, None),))
    for sub in IMAGE_SUBFOLDERS:  # images one level down (img1/ without seqinfo, OTB's img/)
        if (p / sub).is_dir() and _has_images(p / sub):
            return PickedSource("images", p, ((p / sub, p.name),))
    subs = sorted(q for q in p.iterdir() if q.is_dir() and is_mot_folder(q))
    if subs:  # e.g. MOT17/train: every sequence in it
        return PickedSource("mot_set", p, tuple((q, None) for q in subs))
    raise InputError("found no images, no seqinfo.ini, no img1/ folder and no MOTChallenge "
                     "sequence folders in it", str(p))
