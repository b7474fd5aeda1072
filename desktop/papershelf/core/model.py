"""The domain: a paper (bibliographic record) and an annotation (the user's view of it)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from sys import intern
from typing import Any, Final

STATUSES: Final = ("new", "to-read", "reading", "read", "skipped")
TRACKS: Final = ("Oral", "Spotlight", "Poster")
PRIORITIES: Final = ("none", "low", "medium", "high")
MAX_RATING: Final = 5


def now_iso() -> str:
    """The current time as an ISO 8601 UTC string with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


_ASCII_EXTRA = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
        "ı": "i", "ħ": "h", "Ħ": "H",
    }
)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of ``text`` for search: 'Schölkopf' -> 'scholkopf'."""
    if text.isascii():
        return text.lower()
    folded = _strip_marks(text).casefold()
    # Decomposing or case-folding can reveal more (U+1D9E 'ᶞ' -> 'ð' -> 'd'): fold(fold(x)) == fold(x).
    return folded if folded.isascii() else _strip_marks(folded)


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).translate(_ASCII_EXTRA)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NOT_ALNUM = re.compile(r"[\W_]+")  # exactly the characters str.isalnum() rejects
_DROP_ASCII_NOT_ALNUM = str.maketrans("", "", "".join(c for c in map(chr, range(128)) if not c.isalnum()))


def normalise_title(title: str) -> str:
    """A title reduced to lower-case ASCII letters and digits, for duplicate detection.

    Paper ids derive from it (``paper_id_for``): its output must never change.
    """
    folded = fold(title)
    if folded.isascii():
        return folded.translate(_DROP_ASCII_NOT_ALNUM)  # a third faster than the regex on ASCII
    return _NOT_ALNUM.sub("", folded)


def paper_id_for(title: str, first_author: str, year: int | None, doi: str = "") -> str:
    """A stable id derived from what identifies a paper, so re-imports find the same paper."""
    basis = f"doi:{doi.lower()}" if doi else f"{normalise_title(title)}|{fold(first_author)}|{year or ''}"
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(slots=True)
class Paper:
    """A bibliographic record: display text in the attributes, BibTeX source in ``fields``.

    ``fields`` keeps every BibTeX field as read from a .bib file, verbatim (the mapped ones too:
    ``title``, ``author``, ``abstract``, ... are exported from there while the attribute still says
    what they decode to). Names starting with ``@`` are Papershelf's own (the file's ``@preamble``
    and ``@string`` definitions, fields taken from a crossref), never written as fields.
    """

    id: str
    key: str
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    track: str | None = None
    abstract: str = ""
    url: str = ""
    doi: str = ""
    entry_type: str = "article"
    fields: dict[str, str] = field(default_factory=dict)
    added: str = ""
    # Keys of records merged into this one: they still find it (show, key:) and stay citable in exports.
    aliases: list[str] = field(default_factory=list)

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "venue": self.venue,
            "track": self.track,
            "abstract": self.abstract,
            "url": self.url,
            "doi": self.doi,
            "entry_type": self.entry_type,
            "fields": self._stored_fields(),
            "added": self.added,
        }
        if self.aliases:  # most papers have none: no empty list in every stored document
            doc["aliases"] = list(self.aliases)
        return doc

    def _stored_fields(self) -> dict[str, str]:
        """``fields`` as stored: a title or abstract whose source is its display text is not stored twice."""
        fields = dict(self.fields)
        if fields.get("abstract") == self.abstract and self.abstract:
            fields["abstract"] = SAME_AS_SHOWN
        if fields.get("title") == self.title and self.title:
            fields["title"] = SAME_AS_SHOWN
        return fields

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Paper:
        """A paper from its stored document (whose lists and dicts it takes over, not copies).

        Values that many papers share (venue, track, type, import time, booktitle, a file's
        ``@preamble``, ...) are interned: one string for all of them instead of one per paper (~25 MB
        less at 100k papers). A title or abstract whose source is the same text is kept once, as
        stored (``SAME_AS_SHOWN``).
        """
        get = doc.get
        fields = get("fields") or {}
        title = get("title", "")
        abstract = get("abstract", "")
        for name, value in fields.items():
            if type(value) is str and (len(value) <= _SHARED_UP_TO or name[:1] == "@"):
                fields[name] = intern(value)
        if fields.get("abstract") == SAME_AS_SHOWN:
            fields["abstract"] = abstract
        if fields.get("title") == SAME_AS_SHOWN:
            fields["title"] = title
        return cls(
            doc["id"],
            doc["key"],
            title,
            get("authors") or [],
            get("year"),
            _interned(get("venue", "")),
            _interned(get("track")),
            abstract,
            get("url", ""),
            get("doi", ""),
            _interned(get("entry_type", "article")),
            fields,
            _interned(get("added", "")),
            get("aliases") or [],
        )


_SHARED_UP_TO: Final = 200  # characters; longer field values are rarely shared
# A stored source field that is the same text as the attribute shown (most titles and abstracts).
SAME_AS_SHOWN: Final = "\x00"


def _interned(value: Any) -> Any:
    return intern(value) if type(value) is str else value


@dataclass(slots=True)
class Annotation:
    """The user's annotation of one paper. A paper without one has the default annotation."""

    status: str = "new"
    priority: int = 0
    rating: int = 0
    tags: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    note: str = ""
    added: str = ""
    changed: str = ""
    status_changed: str = ""

    def to_doc(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "priority": self.priority,
            "rating": self.rating,
            "tags": list(self.tags),
            "lists": list(self.lists),
            "note": self.note,
            "added": self.added,
            "changed": self.changed,
            "status_changed": self.status_changed,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Annotation:
        return cls(
            status=doc.get("status", "new"),
            priority=int(doc.get("priority", 0)),
            rating=int(doc.get("rating", 0)),
            tags=list(doc.get("tags", [])),
            lists=list(doc.get("lists", [])),
            note=doc.get("note", ""),
            added=doc.get("added", ""),
            changed=doc.get("changed", ""),
            status_changed=doc.get("status_changed", ""),
        )

    def copy(self) -> Annotation:
        # Spelled out: dataclasses.replace costs 7 us a call, which a bulk edit of 10k papers notices.
        return Annotation(self.status, self.priority, self.rating, list(self.tags), list(self.lists), self.note,
                          self.added, self.changed, self.status_changed)


def validate_status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def validate_priority(priority: int) -> int:
    if not 0 <= priority < len(PRIORITIES):
        raise ValueError(f"priority must be 0-{len(PRIORITIES) - 1} ({', '.join(PRIORITIES)}), not {priority}")
    return priority


def validate_rating(rating: int) -> int:
    if not 0 <= rating <= MAX_RATING:
        raise ValueError(f"rating must be 0-{MAX_RATING}, not {rating}")
    return rating
