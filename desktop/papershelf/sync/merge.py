"""The three-way merge of one paper's synced fields (note, status, tags) against the last synced base.

Per field: changed only in the file -> the file's value; only in the app -> the app's; both the same way ->
that value; both differently -> a conflict, and the app's value stands (the caller keeps the file's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from papershelf.core.model import Annotation
from papershelf.core.storage.packed import unpack
from papershelf.sync.notesfile import DEFAULT_STATUS, canonical_tags, normalise_note

FIELDS: Final = ("note", "status", "tags")


@dataclass(frozen=True, slots=True)
class Fields:
    """The synced part of an annotation, normalised so that equal means 'the same to a reader'."""

    note: str = ""
    status: str = DEFAULT_STATUS
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, note: str, status: str, tags: Any) -> Fields:
        return cls(note=normalise_note(note), status=status, tags=canonical_tags(tags))

    @classmethod
    def from_annotation(cls, ann: Annotation) -> Fields:
        return cls.of(ann.note, ann.status, ann.tags)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None) -> Fields:
        if not doc:
            return DEFAULT
        return cls.of(unpack(doc.get("note", "")), doc.get("status", DEFAULT_STATUS), doc.get("tags", ()))

    def to_doc(self) -> dict[str, Any]:
        return {"note": self.note, "status": self.status, "tags": list(self.tags)}

    def get(self, name: str) -> Any:
        return getattr(self, name)

    def with_value(self, name: str, value: Any) -> Fields:
        return replace(self, **{name: value})


DEFAULT: Final = Fields()


class Outcome(StrEnum):
    UNCHANGED = "unchanged"  # neither side changed it
    FROM_FILE = "file"  # changed only in the file: the app takes it
    FROM_APP = "app"  # changed only in the app: the file takes it
    BOTH_SAME = "both"  # both changed it the same way
    CONFLICT = "conflict"  # both changed it differently: the app keeps its value


def merge_value(base: Any, app: Any, file: Any) -> tuple[Any, Outcome]:
    """The merged value of one field and how it came about."""
    if app == file:
        return app, (Outcome.UNCHANGED if app == base else Outcome.BOTH_SAME)
    if app == base:
        return file, Outcome.FROM_FILE
    if file == base:
        return app, Outcome.FROM_APP
    return app, Outcome.CONFLICT


@dataclass(frozen=True, slots=True)
class Merge:
    """The merged fields and, per field, where the value came from."""

    fields: Fields
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def where(self, outcome: Outcome) -> tuple[str, ...]:
        return tuple(name for name in FIELDS if self.outcomes[name] is outcome)

    @property
    def conflicts(self) -> tuple[str, ...]:
        return self.where(Outcome.CONFLICT)

    @property
    def from_file(self) -> tuple[str, ...]:
        return self.where(Outcome.FROM_FILE)

    @property
    def from_app(self) -> tuple[str, ...]:
        return self.where(Outcome.FROM_APP)


def merge(base: Fields, app: Fields, file: Fields) -> Merge:
    """Merge every field (see the module docstring)."""
    merged = app
    outcomes: dict[str, Outcome] = {}
    for name in FIELDS:
        value, outcome = merge_value(base.get(name), app.get(name), file.get(name))
        outcomes[name] = outcome
        if outcome is Outcome.FROM_FILE:
            merged = merged.with_value(name, value)
    return Merge(fields=merged, outcomes=outcomes)
