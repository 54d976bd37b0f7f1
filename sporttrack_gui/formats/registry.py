"""One registry of interchange formats: what the CLI, the GUI's export menu and plugins use.

Why one registry: ``sporttrack import --format``, ``sporttrack export --format``, File ▸
Export and the plugin loader must list the same formats with the same options; a new
format is one module plus one :func:`register_format` call (a plugin makes the same call,
as it does for trackers).

A :class:`FormatSpec` names the format, the file extensions it reads/writes, whether
``--out`` names a file or a folder (``layout``: ``"file"``, ``"folder"``, or ``"either"``
-- a file when ``--out`` has one of the extensions, else a folder, as MOT's ``gt.txt`` or
sequence folder), a ``read(path, options)`` returning
:class:`~sporttrack_gui.formats.interchange.Annotations` for import, and an
``export(project, run_ids, out, options)`` returning a summary dict. Options are typed
(``bool``/``int``/``str``) and parsed from ``KEY=VALUE`` text the same way everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.core.params import parse_bool, split_pair
from sporttrack_gui.core.registry import Registry
from sporttrack_gui.errors import InputError

Reader = Callable[[Path, dict[str, Any]], Any]  # -> Annotations (or MotTable for "mot")
Exporter = Callable[[Any, list[int], Path, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class FormatOption:
    """One option: ``--option NAME=VALUE`` on the CLI, a default in the GUI."""

    name: str
    type: type = bool
    default: Any = False
    help: str = ""


@dataclass(frozen=True)
class FormatSpec:
    """A format's name, files and functions; ``read``/``export`` may be None (one way)."""

    name: str
    description: str
    extensions: tuple[str, ...] = ()
    layout: str = "file"  # "file": --out names a file; "folder": a folder layout;
    # "either": a file when --out has one of the extensions, else a folder
    read: Reader | None = None
    export: Exporter | None = None
    options: tuple[FormatOption, ...] = ()
    #: the default file name when --out is an existing folder (file layouts)
    default_name: str = ""
    #: export every sequence's run of that name (YOLO datasets), not one run
    all_sequences: bool = False
    #: File ▸ Export entries: (menu text, options); empty = no generic menu entry
    menu: tuple[tuple[str, dict[str, Any]], ...] = field(default_factory=tuple)

    def parse_options(self, pairs: list[str] | dict[str, Any] | None) -> dict[str, Any]:
        """Defaults updated by ``KEY=VALUE`` strings (or a dict); unknown keys and bad
        values raise :class:`InputError` listing the valid ones."""
        out = {o.name: o.default for o in self.options}
        known = {o.name: o for o in self.options}
        items = pairs.items() if isinstance(pairs, dict) else \
            [split_pair(p, "--option") for p in (pairs or [])]
        for key, value in items:
            if key not in known:
                valid = ", ".join(known) or "none"
                raise InputError(f"format {self.name!r} has no option {key!r} (options: {valid})")
            out[key] = _convert(self.name, known[key], value)
        return out


def _convert(fmt: str, opt: FormatOption, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if opt.type is bool:
        flag = parse_bool(value)
        if flag is not None:
            return flag
        raise InputError(f"format {fmt!r} option {opt.name}: expected true/false, got {value!r}")
    try:
        return opt.type(value)
    except ValueError:
        raise InputError(f"format {fmt!r} option {opt.name}: expected "
                         f"{opt.type.__name__}, got {value!r}") from None


def register_format(spec: FormatSpec) -> None:
    """Add (or replace, by name) a format; plugins call this at import, but a plugin may
    not replace one of the app's own formats (refused with an error, like trackers)."""
    if spec.layout not in ("file", "folder", "either"):
        raise ValueError(f"layout must be 'file', 'folder' or 'either', got {spec.layout!r}")
    FORMATS.register(spec)


def format_specs(load_plugins: bool = True) -> dict[str, FormatSpec]:
    """Every registered format by name (built-ins first, then plugins)."""
    if load_plugins:
        from sporttrack_gui.plugins import load_plugins as _load

        _load()
    return FORMATS.specs()


def get_format(name: str, *, need: str | None = None) -> FormatSpec:
    """The format ``name``; ``need="read"|"export"`` also checks it can do that."""
    specs = format_specs()
    spec = specs.get(name)
    able = [n for n, s in specs.items() if need is None or getattr(s, need) is not None]
    if spec is None or (need and getattr(spec, need) is None):
        verb = {"read": "import", "export": "export"}.get(need or "", "use")
        raise InputError(f"cannot {verb} format {name!r}; formats: {', '.join(able)}")
    return spec


def format_names(need: str | None = None, load_plugins: bool = False) -> list[str]:
    return [n for n, s in format_specs(load_plugins).items()
            if need is None or getattr(s, need) is not None]


def output_path(spec: FormatSpec, out: str | Path) -> Path:
    """Where an export goes: a file layout writes ``out`` itself, or ``out/<default
    name>`` when ``out`` is a folder (existing, or written with a trailing ``/``); a
    folder layout writes into ``out``; an ``either`` layout writes the file ``out`` when
    it has one of the format's extensions and is not a folder, else into the folder."""
    folder = str(out).endswith(("/", os.sep))  # "out/" means a folder even before it exists
    out = Path(out)
    if spec.layout == "either":
        is_file = out.suffix.lower() in spec.extensions and not folder and not out.is_dir()
        if not is_file and out.exists() and not out.is_dir():
            raise InputError(f"{out} exists and is not a folder; format {spec.name} writes "
                             f"a folder, or one file when --out ends in "
                             f"{'/'.join(spec.extensions)}")
        return out
    if spec.layout == "file" and (out.is_dir() or folder) and spec.default_name:
        return out / spec.default_name
    if spec.layout == "file" and out.is_dir():
        raise InputError(f"{out} is a folder; format {spec.name} writes one file "
                         f"({'/'.join(spec.extensions)})")
    if spec.layout == "folder" and out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder; format {spec.name} writes a "
                         "folder layout")
    return out


#: single-file exports refuse to replace an existing file unless asked
_OVERWRITE = FormatOption("overwrite", bool, False, "replace an existing output file")


def _load_builtins() -> None:
    from sporttrack_gui.project import exporter as ex

    for spec in (
        FormatSpec("mot", "MOTChallenge gt.txt (a .txt --out) or sequence folder "
                   "(gt/gt.txt, seqinfo.ini, gameinfo.ini when tracks have names)",
                   (".txt",), "either", _read_mot, ex.export_mot_format,
                   (FormatOption("overwrite", bool, False, "replace gt.txt/seqinfo.ini/"
                                 "gameinfo.ini that exist"),),
                   default_name="", menu=()),
        FormatSpec("cvat", "CVAT for video 1.1 XML (tracks, labels, keyframe/outside/"
                   "occluded flags, track names as attributes)", (".xml",), "file",
                   _read_cvat, ex.export_cvat_format, (_OVERWRITE,),
                   default_name="annotations.xml",
                   menu=(("CVAT for video XML…", {}),)),
        FormatSpec("coco", "COCO JSON (images, categories, annotations); video=true adds "
                   "videos, frame_id and track_id", (".json",), "file", _read_coco,
                   ex.export_coco_format,
                   (FormatOption("video", bool, False, "add videos/frame_id/track_id"),
                    FormatOption("file_name", str, "{frame:06d}.jpg",
                                 "image file_name pattern"),
                    FormatOption("video_name", str, "", "import: the video to read from "
                                 "a file holding several"),
                    _OVERWRITE),
                   default_name="annotations.json",
                   menu=(("COCO JSON…", {}), ("COCO JSON with track ids…", {"video": True}))),
        FormatSpec("yolo", "YOLO detection dataset (images/, labels/, data.yaml); "
                   "track_ids=true writes 'cls cx cy w h id' lines", (), "folder", None,
                   ex.export_yolo_format,
                   (FormatOption("track_ids", bool, False, "sixth column: the track id"),
                    FormatOption("classes", str, "", "class names in index order, "
                                 "comma-separated"),
                    FormatOption("overwrite", bool, False, "replace images/ and labels/"),
                    FormatOption("images", str, "copy", "copy | link: an image folder's "
                                 "original files copied or hard-linked (video frames: JPEG "
                                 "quality 95)")),
                   all_sequences=True),
        FormatSpec("video", "demo mp4 of the run (boxes, ids, names, trails)", (".mp4",),
                   "file", None, ex.export_video_format,
                   (FormatOption("trail", int, 25, "past positions drawn per track"),
                    _OVERWRITE),
                   default_name="demo.mp4"),
    ):
        register_format(spec)


#: every import/export format by (exact) name; built-ins registered on first use
FORMATS: Registry[FormatSpec] = Registry("format", FormatSpec, builtins=_load_builtins,
                                         label="format:", casefold=False)


def _read_mot(path: Path, options: dict[str, Any]) -> Any:
    from sporttrack_gui.formats.mot import read_mot

    return read_mot(path, kind=options.get("kind", "auto"))


def _read_cvat(path: Path, options: dict[str, Any]) -> Any:
    from sporttrack_gui.formats.cvat import read_cvat

    return read_cvat(path)


def _read_coco(path: Path, options: dict[str, Any]) -> Any:
    from sporttrack_gui.formats.coco import read_coco

    return read_coco(path, video=options.get("video_name") or None)
