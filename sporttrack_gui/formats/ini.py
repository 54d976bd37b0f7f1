"""A small INI reader that remembers line numbers (seqinfo.ini, gameinfo.ini).

Why not ``configparser``: it cannot say on which line a bad value sits, treats ``;`` and
``#`` specially, and rejects the repeated keys some hand-edited files have. Errors here
name the file and line like every other reader in ``formats/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sporttrack_gui.errors import InputError


@dataclass(frozen=True)
class IniValue:
    """One ``key=value`` entry: the text after ``=`` (stripped) and where it was."""

    value: str
    line: int
    key: str  # as written (the section dict is keyed by its lower-case form)


IniSections = dict[str, dict[str, IniValue]]


def read_ini(path: str | os.PathLike) -> IniSections:
    """Sections (lower-case names) -> lower-case keys -> :class:`IniValue`.

    Comment lines start with ``#`` or ``;``; a later repeated key wins.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", str(path)) from exc
    return parse_ini(decode_text(raw, str(path)), str(path))


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Notepad's "Unicode"), else
    Latin-1; a file with NUL bytes and no BOM is binary, not an INI file."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("not valid UTF-16 text", name) from None
    if b"\x00" in raw:
        raise InputError("is a binary file, not a text INI file", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_ini(text: str, name: str) -> IniSections:
    sections: IniSections = {}
    current: dict[str, IniValue] | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if not line.endswith("]") or len(line) < 3:
                raise InputError(f"malformed section header {line!r}", name, number)
            current = sections.setdefault(line[1:-1].strip().lower(), {})
            continue
        key, eq, value = line.partition("=")
        if not eq or not key.strip():
            raise InputError(f"expected key=value, got {line!r}", name, number)
        if current is None:
            raise InputError(f"{key.strip()!r} appears before any [section]", name, number)
        current[key.strip().lower()] = IniValue(value.strip(), number, key.strip())
    return sections


def read_section(path: str | os.PathLike, section: str) -> dict[str, IniValue]:
    """One section of an INI file (lower-case keys); its absence names the file."""
    sections = read_ini(path)
    sec = sections.get(section.lower())
    if sec is None:
        empty = " (the file is empty)" if not sections else ""
        raise InputError(f"no [{section}] section{empty}", str(path))
    return sec
