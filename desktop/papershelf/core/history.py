"""Note history: the versions of a paper's note that an edit, a sync or a restore replaced.

Kept per paper in the annotations store (table ``note_history``, ``{"versions": [...]}``, oldest first),
at most :data:`MAX_VERSIONS` per paper. A version equal to one already kept is not kept twice, and an
empty note is never kept (there is nothing to get back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

MAX_VERSIONS: Final = 20
TABLE: Final = "note_history"  # the annotations store's table: paper id -> {"versions": [...]}

# What replaced a kept version.
EDIT: Final = "edit"  # an edit in the app
FILE: Final = "file"  # the notes file's version, taken by a sync
CONFLICT: Final = "conflict"  # the notes file's version in a conflict, set aside (the app's version stands)
RESOLVE: Final = "resolve"  # a conflict resolved
RESTORE: Final = "restore"  # an earlier version restored


@dataclass(frozen=True, slots=True)
class NoteVersion:
    """A note as it was before ``source`` replaced it at ``replaced`` (ISO 8601)."""

    note: str
    replaced: str
    source: str

    def to_doc(self) -> dict[str, str]:
        return {"note": self.note, "replaced": self.replaced, "source": self.source}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> NoteVersion:
        return cls(note=str(doc.get("note", "")), replaced=str(doc.get("replaced", "")),
                   source=str(doc.get("source", "")))


def versions(doc: Mapping[str, Any] | None) -> list[NoteVersion]:
    """The kept versions, newest first (version 1 is the most recently replaced one)."""
    if not doc:
        return []
    return [NoteVersion.from_doc(v) for v in reversed(doc.get("versions", []))]


def push(
    doc: Mapping[str, Any] | None, note: str, source: str, stamp: str, limit: int = MAX_VERSIONS
) -> dict[str, Any] | None:
    """``doc`` with ``note`` kept as the newest version, or None if there is nothing new to keep."""
    if not note.strip():
        return None
    kept = list(doc.get("versions", [])) if doc else []
    if any(v.get("note") == note for v in kept):
        return None
    kept.append(NoteVersion(note, stamp, source).to_doc())
    while len(kept) > limit:
        # The oldest version goes first, but a conflict's file side is often the only copy left of text
        # typed in the notes file: it goes last.
        victim = next((i for i, v in enumerate(kept) if v.get("source") != CONFLICT), 0)
        del kept[victim]
    return {"versions": kept}
