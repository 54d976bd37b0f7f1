"""Typed edit operations: one small frozen dataclass per user edit.

Why: the same edit used to be spelled as a function call in the GUI, an ``args.op``
string switch in the CLI and a ``{"op": "swap", ...}`` dict switch in the assistant
(plus two more switches to describe a dict). Now each is one value --
``Swap(a=3, b=7, from_frame=412)`` -- that the GUI, the CLI and the assistant build and
``apply`` the same way, that ``describe``s itself for undo menus and status lines, and
whose ``EditResult`` carries the delta the GUI's run model follows
(:mod:`.delta`). Undo/redo stay in the persistent log (:mod:`.history`): the stored
inverse record restores the exact previous state (segments, rows), which an
"opposite op" could not for a merge or a delete.

``from_fix`` turns the assistant's JSON-able fix dicts (``Suspect.fix``) into ops;
``Op.to_fix`` gives them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from sporttrack_gui.errors import ProjectError
from sporttrack_gui.project import edits
from sporttrack_gui.project.store import Project


@dataclass(frozen=True)
class Op:
    """An edit of one run; ``apply`` makes it one undoable entry of the run's log."""

    kind: ClassVar[str] = ""

    def apply(self, project: Project, run: int) -> edits.EditResult:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def to_fix(self) -> dict[str, Any]:
        """The assistant's dict form (``{"op": kind, ...}``)."""
        return {"op": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Swap(Op):
    a: int
    b: int
    from_frame: int = 1
    kind: ClassVar[str] = "swap"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.swap_tracks(project, run, self.a, self.b, self.from_frame)

    def describe(self) -> str:
        return f"swap {self.a} and {self.b} from frame {self.from_frame}"


@dataclass(frozen=True)
class Reassign(Op):
    """Boxes of ``a`` from ``from_frame`` on get id ``b`` (a fresh id when None)."""

    a: int
    b: int | None = None
    from_frame: int = 1
    kind: ClassVar[str] = "reassign"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.reassign_track(project, run, self.a, self.b, self.from_frame)

    def describe(self) -> str:
        target = self.b if self.b is not None else "a new id"
        return f"give {self.a} the id {target} from frame {self.from_frame}"


@dataclass(frozen=True)
class Merge(Op):
    """Track ``b`` becomes part of ``a``."""

    a: int
    b: int
    kind: ClassVar[str] = "merge"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.merge_tracks(project, run, self.a, self.b)

    def describe(self) -> str:
        return f"merge {self.b} into {self.a}"


@dataclass(frozen=True)
class Split(Op):
    a: int
    at_frame: int
    kind: ClassVar[str] = "split"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.split_track(project, run, self.a, self.at_frame)

    def describe(self) -> str:
        return f"split {self.a} at frame {self.at_frame}"


@dataclass(frozen=True)
class Delete(Op):
    """Delete track ``a``, or its boxes in frames from_frame..to_frame."""

    a: int
    from_frame: int | None = None
    to_frame: int | None = None
    kind: ClassVar[str] = "delete"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.delete_track(project, run, self.a, self.from_frame, self.to_frame)

    def describe(self) -> str:
        if self.from_frame is None and self.to_frame is None:
            return f"delete track {self.a}"
        return f"delete {self.a} frames {self.from_frame or 1}-{self.to_frame or 'end'}"


@dataclass(frozen=True)
class Interpolate(Op):
    a: int
    from_frame: int
    to_frame: int
    kind: ClassVar[str] = "interpolate"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.interpolate_track(project, run, self.a, self.from_frame, self.to_frame)

    def describe(self) -> str:
        return f"interpolate {self.a} frames {self.from_frame}-{self.to_frame}"


@dataclass(frozen=True)
class AddBox(Op):
    frame: int
    track: int
    xywh: tuple[float, float, float, float]
    kind: ClassVar[str] = "add_box"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.add_box(project, run, self.frame, self.track, self.xywh)

    def describe(self) -> str:
        return f"add box to track {self.track} on frame {self.frame}"


@dataclass(frozen=True)
class SetBox(Op):
    """Move and/or resize one box (by its project box id)."""

    box: int
    xywh: tuple[float, float, float, float]
    note: str = field(default="", compare=False)  # e.g. "of 7 on frame 12", for describe
    kind: ClassVar[str] = "set_box"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.set_box_xywh(project, self.box, self.xywh)

    def describe(self) -> str:
        return f"move/resize box {self.note or self.box}"


@dataclass(frozen=True)
class DeleteBox(Op):
    box: int
    note: str = field(default="", compare=False)
    kind: ClassVar[str] = "delete_box"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.delete_box(project, self.box)

    def describe(self) -> str:
        return f"delete box {self.note or self.box}"


@dataclass(frozen=True)
class SetBoxTrack(Op):
    box: int
    track: int
    kind: ClassVar[str] = "set_box_track"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.set_box_track(project, self.box, self.track)

    def describe(self) -> str:
        return f"set id of box {self.box} to {self.track}"


@dataclass(frozen=True)
class SetTrackFields(Op):
    """Label/team/class/colour/note of one track (``fields`` as (name, value) pairs)."""

    track: int
    fields: tuple[tuple[str, str | None], ...]
    kind: ClassVar[str] = "track_fields"

    def apply(self, project: Project, run: int) -> edits.EditResult:
        return edits.set_track_fields(project, run, self.track, **dict(self.fields))

    def describe(self) -> str:
        names = ", ".join(f"{k} {v!r}" for k, v in self.fields)
        return f"set {names} of track {self.track}"


#: assistant fix kinds -> op classes (the fix dict's other keys are the op's fields)
FIX_OPS: dict[str, type[Op]] = {c.kind: c for c in (Swap, Reassign, Merge, Split, Delete,
                                                    Interpolate)}


def from_fix(fix: Mapping[str, Any]) -> Op:
    """The op of an assistant fix dict (``{"op": "swap", "a": 3, "b": 7, ...}``)."""
    kind = fix.get("op")
    cls = FIX_OPS.get(str(kind))
    if cls is None:
        raise ProjectError(f"unknown fix op {kind!r}; expected one of {tuple(FIX_OPS)}")
    args = {k: v for k, v in fix.items() if k != "op"}
    try:
        return cls(**{k: (int(v) if v is not None else None) for k, v in args.items()})
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"bad {kind} fix {dict(fix)}: {exc}") from None
