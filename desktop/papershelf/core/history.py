"""Note history: the versions of a paper's note that an edit, a sync or a restore replaced.

Kept per paper in the annotations store (table ``note_history``, ``{"versions": [...]}``, oldest first),
at most :data:`MAX_VERSIONS` per paper (when more come, a version whose every paragraph a newer one still
has goes first, a conflict's file side last). A version equal to one already kept is not kept twice, and an
empty note is never kept (there is nothing to get back) unless a status or tags are kept with it: when a
sync takes a paper's status or tags from the notes file (a deleted section clears them), the values it
replaced are kept in the version too, and restoring the version puts them back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    status: str | None = None  # the status replaced with it (None: the status was not replaced)
    tags: tuple[str, ...] | None = None  # likewise the tags

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"note": self.note, "replaced": self.replaced, "source": self.source}
        if self.status is not None:
            doc["status"] = self.status
        if self.tags is not None:
            doc["tags"] = list(self.tags)
        return doc

    def kept_fields(self) -> str:
        """The status and tags kept with the note, for display: "status reading · tags a, b" ("" if none)."""
        parts = []
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.tags is not None:
            parts.append(f"tags {', '.join(self.tags) if self.tags else '(none)'}")
        return " · ".join(parts)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> NoteVersion:
        tags = doc.get("tags")
        return cls(note=str(doc.get("note", "")), replaced=str(doc.get("replaced", "")),
                   source=str(doc.get("source", "")),
                   status=str(doc["status"]) if doc.get("status") is not None else None,
                   tags=tuple(str(t) for t in tags) if tags is not None else None)


def versions(doc: Mapping[str, Any] | None) -> list[NoteVersion]:
    """The kept versions, newest first (version 1 is the most recently replaced one)."""
    if not doc:
        return []
    return [NoteVersion.from_doc(v) for v in reversed(doc.get("versions", []))]


def push(
    doc: Mapping[str, Any] | None,
    note: str,
    source: str,
    stamp: str,
    limit: int = MAX_VERSIONS,
    *,
    status: str | None = None,
    tags: Sequence[str] | None = None,
) -> dict[str, Any] | None:
    """``doc`` with ``note`` (and the ``status``/``tags`` replaced with it, if given) kept as the newest
    version, or None if there is nothing new to keep."""
    if not note.strip() and status is None and tags is None:
        return None
    entry = NoteVersion(note, stamp, source, status, tuple(tags) if tags is not None else None).to_doc()
    kept = list(doc.get("versions", [])) if doc else []
    if any(all(v.get(name) == entry.get(name) for name in ("note", "status", "tags")) for v in kept):
        return None
    kept.append(entry)
    while len(kept) > limit:
        del kept[_victim(kept)]
    return {"versions": kept}


def _paragraphs(note: Any) -> set[str]:
    return {part.strip() for part in str(note).split("\n\n") if part.strip()}


def _victim(kept: Sequence[Mapping[str, Any]]) -> int:
    """Which version a full history lets go: the oldest whose every paragraph a newer version still has
    (a note typed in steps leaves many such); else the oldest; a conflict's file side (often the only
    copy left of text typed in the notes file) last of all; the version just kept never. Linear in the
    text kept."""
    later: set[str] = set()
    redundant = [False] * len(kept)
    for i in range(len(kept) - 1, -1, -1):
        version = kept[i]
        paragraphs = _paragraphs(version.get("note", ""))
        if version.get("status") is None and version.get("tags") is None:  # nothing else only it has
            redundant[i] = paragraphs <= later
        later |= paragraphs
    older = kept[:-1]  # the version just kept is never the one to go
    candidates = [i for i, v in enumerate(older) if v.get("source") != CONFLICT] or [0]
    return next((i for i in candidates if redundant[i]), candidates[0])
