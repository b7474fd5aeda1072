"""The domain: a paper (bibliographic record) and an annotation (the user's view of it)."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from sys import intern
from typing import Any, Final

from papershelf.core.memory import TextFile
from papershelf.core.storage.packed import PackedText, pack, unpack

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
    import hashlib  # here: importing it loads OpenSSL (3.4 MB), which opening a library does not need

    return hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(slots=True)
class Paper:
    """A bibliographic record: display text in the attributes, BibTeX source in ``fields``.

    ``fields`` keeps every BibTeX field as read from a .bib file, verbatim (the mapped ones too:
    ``title``, ``author``, ``abstract``, ... are exported from there while the attribute still says
    what they decode to). Names starting with ``@`` are Papershelf's own (the file's ``@preamble``
    and ``@string`` definitions, fields taken from a crossref), never written as fields.

    ``abstract`` reads as a string; a paper loaded from a large catalogue may keep it in the catalogue
    file instead of in memory (``keep_abstract_in``), read each time it is asked for (~2 us).
    ``authors`` reads as a new list each time (the names are kept joined in one string, ~250 bytes
    less a paper): change a paper's authors by assigning a list, never by changing the list read.
    """

    id: str
    key: str
    title: str
    # Where ``abstract`` is (see the property below): the text, or its place in ``_abstract_file``.
    # Before ``abstract`` so that ``__init__`` sets them first.
    _abstract: str | int = field(default="", init=False, repr=False, compare=False)
    _abstract_file: TextFile | None = field(default=None, init=False, repr=False, compare=False)
    _authors: str | list[str] = field(default="", init=False, repr=False, compare=False)  # see ``authors``
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
            "authors": self.authors,
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
    def from_doc(cls, doc: dict[str, Any], repairs: list[str] | None = None) -> Paper:
        """A paper from its stored document (whose lists and dicts it takes over, not copies).

        Values that many papers share (venue, track, type, import time, booktitle, a file's
        ``@preamble``, ...) are interned: one string for all of them instead of one per paper (~25 MB
        less at 100k papers). A title or abstract whose source is the same text is kept once, as
        stored (``SAME_AS_SHOWN``).

        A document with wrong contents (valid JSON, wrong types) is repaired where what it meant is
        plain, each repair described in ``repairs`` if given; a repaired copy is used, ``doc`` is left
        as it was (the caller may keep it).

        Raises:
            BadRecordError: the document cannot be a paper (not an object, no id).
        """
        if type(doc) is not dict:
            raise BadRecordError(f"is a {_json_type(doc)}, not an object")
        get = doc.get
        fields = get("fields") or {}
        title = get("title", "")
        abstract = get("abstract", "")
        pid: Any = get("id")
        key: Any = get("key")
        authors, year, venue, track = get("authors"), get("year"), get("venue", ""), get("track")
        url, doi, entry_type, added, aliases = get("url", ""), get("doi", ""), get("entry_type", "article"), \
            get("added", ""), get("aliases")
        # One pass of cheap type tests (~0.2 us a paper); anything unexpected takes the slow, careful way.
        # Joining a list is the quickest test that all its items are strings (TypeError if not).
        try:
            well_typed = (
                type(fields) is dict and type(title) is str and type(abstract) is str and type(pid) is str
                and type(key) is str and type(venue) is str and type(url) is str and type(doi) is str
                and type(entry_type) is str and type(added) is str and (year is None or type(year) is int)
                and (track is None or type(track) is str)
                and (authors is None or (type(authors) is list and _join(authors) is not None))
                and (aliases is None or (type(aliases) is list and _join(aliases) is not None))
            )
        except TypeError:
            well_typed = False
        if not well_typed:
            return cls.from_doc(_repaired_paper(doc, repairs))
        for name, value in fields.items():
            if type(value) is str:
                if len(value) <= _SHARED_UP_TO or name[:1] == "@":
                    fields[name] = intern(value)
            else:
                return cls.from_doc(_repaired_paper(doc, repairs))
        if fields.get("abstract") == SAME_AS_SHOWN:
            fields["abstract"] = abstract
        if fields.get("title") == SAME_AS_SHOWN:
            fields["title"] = title
        return cls(
            pid,
            key,
            title,
            authors or [],
            year,
            intern(venue),
            intern(track) if track else track,
            abstract,
            url,
            doi,
            intern(entry_type),
            fields,
            intern(added),
            aliases or [],
        )


    def keep_abstract_in(self, file: TextFile, place: int) -> None:
        """Read ``abstract`` from ``file`` at ``place`` (``TextFile.place``) from now on instead of holding it.

        The caller vouches that the text there is the abstract (the catalogue checks it byte for byte).
        """
        self._abstract = place
        self._abstract_file = file

    @property
    def abstract_in_memory(self) -> bool:
        """False while ``abstract`` is read from the catalogue file when asked for."""
        return type(self._abstract) is str


def _abstract_text(paper: Paper) -> str:
    value = paper._abstract
    if isinstance(value, str):
        return value
    file = paper._abstract_file
    assert file is not None
    return file.read(value)


def read_abstracts_ahead(papers: Iterable[Paper]) -> None:
    """Let the abstracts these papers keep in a file be read at once, before they are asked for one by one
    (``TextFile.read_ahead``: papers read in order lie together in the catalogue file)."""
    places: dict[TextFile, list[int]] = {}
    for paper in papers:
        value, file = paper._abstract, paper._abstract_file
        if file is not None and type(value) is int:
            places.setdefault(file, []).append(value)
    for file, kept in places.items():
        file.read_ahead(kept)


def _set_abstract(paper: Paper, text: str) -> None:
    paper._abstract = text
    paper._abstract_file = None


# Between the names of ``Paper._authors``: a control character no name is expected to hold (one that
# does keeps its paper's list as it is).
_NAMES_SEP: Final = "\x1e"


def _author_list(paper: Paper) -> list[str]:
    names = paper._authors
    if type(names) is str:
        return names.split(_NAMES_SEP) if names else []
    return list(names)


def _set_authors(paper: Paper, names: list[str]) -> None:
    try:
        joined = _NAMES_SEP.join(names)
    except TypeError:  # not all text (a caller's mistake): kept as given, as before
        paper._authors = list(names)
        return
    if names and (not joined or joined.count(_NAMES_SEP) != len(names) - 1):
        paper._authors = list(names)  # [""], or a name holding the separator: the list itself
    else:
        paper._authors = joined


# The dataclass keeps ``abstract`` as a field (its __init__, __eq__, __repr__, dataclasses.replace); the
# value lives in ``_abstract``. Set after the class is made: ``slots=True`` makes the class anew.
setattr(Paper, "abstract", property(_abstract_text, _set_abstract, doc="The abstract."))  # noqa: B010
setattr(Paper, "authors", property(_author_list, _set_authors, doc="The authors, a new list each time."))  # noqa: B010


_join = "".join

STATE: Final = ("id", "key", "title", "authors", "year", "venue", "track", "abstract", "url", "doi", "entry_type",
                "fields", "added", "aliases")
"""What ``paper_columns`` gives of a paper, in order (``authors`` and ``abstract`` as held: see there)."""


def paper_columns(papers: Sequence[Paper]) -> dict[str, list[Any]]:
    """The papers' states as held, a list per name of ``STATE``, and ``file``: the file each abstract is
    read from (or None).

    ``authors`` is the names joined (a str) or, rarely, the list itself; ``abstract`` the text, or its
    place in that file (an int, ``TextFile.place``). ``papers_from_states`` makes the same papers again.
    """
    return {
        "id": [p.id for p in papers], "key": [p.key for p in papers], "title": [p.title for p in papers],
        "authors": [p._authors for p in papers], "year": [p.year for p in papers],
        "venue": [p.venue for p in papers], "track": [p.track for p in papers],
        "abstract": [p._abstract for p in papers], "url": [p.url for p in papers], "doi": [p.doi for p in papers],
        "entry_type": [p.entry_type for p in papers], "fields": [p.fields for p in papers],
        "added": [p.added for p in papers], "aliases": [p.aliases for p in papers],
        "file": [p._abstract_file for p in papers],
    }


def papers_from_states(states: Iterable[tuple[Any, ...]], file: TextFile | None) -> list[Paper]:
    """Papers from their states (``paper_columns``' lists but ``file``, a tuple per paper): an abstract held as a place
    is read from ``file``. The caller vouches for the values' types (a cache checked whole): no repair,
    no interning, no ``__init__`` (7x quicker than ``Paper(...)``, 0.1 s for 100k papers)."""
    new = object.__new__
    made: list[Paper] = []
    add = made.append
    for pid, key, title, authors, year, venue, track, abstract, url, doi, entry_type, fields, added, aliases in states:
        paper = new(Paper)
        paper.id, paper.key, paper.title, paper._authors, paper.year = pid, key, title, authors, year
        paper.venue, paper.track, paper._abstract = venue, track, abstract
        paper._abstract_file = file if type(abstract) is int else None
        paper.url, paper.doi, paper.entry_type, paper.fields, paper.added, paper.aliases = \
            url, doi, entry_type, fields, added, aliases
        add(paper)
    return made


class BadRecordError(ValueError):
    """A stored record that cannot be loaded even with repairs; the message says why."""


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A stored record that was repaired or set aside on load: what it was and why."""

    record_id: str
    reason: str
    record: Any  # the document as stored
    set_aside: bool  # True: not loaded at all; False: loaded repaired
    table: str = ""  # for a record that is not a paper or an annotation: its table ("lists", ...)

    def to_doc(self) -> dict[str, Any]:
        doc = {"id": self.record_id, "reason": self.reason,
               "outcome": "set aside" if self.set_aside else "repaired", "record": self.record}
        return {"table": self.table, **doc} if self.table else doc


def _repaired_paper(doc: dict[str, Any], repairs: list[str] | None) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    _repair_paper(doc, repairs if repairs is not None else [])
    return doc


_PAPER_TEXTS: Final = ("venue", "abstract", "url", "doi", "added")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object" if isinstance(value, dict) else type(value).__name__


def _as_text(doc: dict[str, Any], name: str, default: str, repairs: list[str]) -> None:
    """Make ``doc[name]`` a string: null becomes ``default``, a number its digits; anything else is
    dropped (kept in the record set aside)."""
    if name not in doc or type(doc[name]) is str:
        return
    value = doc[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        doc[name] = str(value)
        repairs.append(f"{name} {value!r} was a number, now text")
    else:
        doc[name] = default
        repairs.append(f"{name} was {_json_type(value)}, now {'empty' if not default else repr(default)}")


def _as_names(doc: dict[str, Any], name: str, repairs: list[str]) -> None:
    """Make ``doc[name]`` a list of non-empty strings: one string becomes a list of that one (never split
    into characters), numbers become text, nulls and other values are dropped."""
    value = doc.get(name)
    if name not in doc or (type(value) is list and all(type(v) is str for v in value)):
        return
    if value is None:
        doc[name] = []
        repairs.append(f"{name} was null, now empty")
        return
    if type(value) is str:
        doc[name] = [value] if value.strip() else []
        repairs.append(f"{name} was the text {value!r}, now a list of it")
        return
    if type(value) is not list:
        doc[name] = []
        repairs.append(f"{name} was {_json_type(value)}, now empty")
        return
    kept = [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in value]
    kept = [v for v in kept if type(v) is str and v.strip()]
    doc[name] = kept
    repairs.append(f"{name} {value!r} had values that are not text, now {kept!r}")


def _repair_paper(doc: dict[str, Any], repairs: list[str]) -> None:
    """Make a paper document well typed in place, saying what changed in ``repairs``."""
    if type(doc.get("id")) is not str or not doc["id"]:
        raise BadRecordError(f"its id is {_json_type(doc.get('id')) if 'id' in doc else 'missing'}")
    key = doc.get("key")
    if type(key) is not str:
        # An empty key is given a new one by the catalogue, which knows the keys in use.
        if isinstance(key, int) and not isinstance(key, bool):
            doc["key"] = str(key)
            repairs.append(f"its citation key {key} was a number, now text")
        else:
            repairs.append(f"its citation key was {_json_type(key) if 'key' in doc else 'missing'}")
            doc["key"] = ""
    if type(doc.get("fields")) is not dict:
        if doc.get("fields") is not None:
            repairs.append(f"fields was {_json_type(doc['fields'])}, not an object; left out")
        doc["fields"] = {}
    fields: dict[str, Any] = doc["fields"]
    for name, value in list(fields.items()):
        if type(value) is str:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            fields[name] = str(value)
            repairs.append(f"field {name} {value!r} was a number, now text")
        else:
            del fields[name]
            repairs.append(f"field {name} was {_json_type(value)}; left out")
    title = doc.get("title")
    if type(title) is not str and "title" in doc:
        source = fields.get("title")
        _as_text(doc, "title", source if source and source != SAME_AS_SHOWN else "", repairs)
    _as_text(doc, "abstract", "", repairs)
    for name in _PAPER_TEXTS:
        _as_text(doc, name, "", repairs)
    _as_text(doc, "entry_type", "article", repairs)
    track = doc.get("track")
    if track is not None and type(track) is not str:
        doc["track"] = None
        repairs.append(f"track was {_json_type(track)}, now none")
    year = doc.get("year")
    if year is not None and type(year) is not int:
        if type(year) is str and year.strip().isdecimal():
            doc["year"] = int(year)
            repairs.append(f"year {year!r} was text, now a number")
        elif type(year) is float and year.is_integer():
            doc["year"] = int(year)
            repairs.append(f"year {year!r} is now a whole number")
        else:
            doc["year"] = None
            repairs.append(f"year was {_json_type(year)} {year!r}, now none")
    _as_names(doc, "authors", repairs)
    _as_names(doc, "aliases", repairs)


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
    # Where ``note`` is (see the property below): the text, or a long one as UTF-8 (``held_note``).
    _note: str | PackedText = field(default="", init=False, repr=False, compare=False)
    note: str = ""
    added: str = ""
    changed: str = ""
    status_changed: str = ""
    # When the user moved the paper to the Trash ("" = not in it). The user's act, so the user's store:
    # moving is one small write of the annotations file, and undo puts the annotation back as it was.
    trashed: str = ""

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "status": self.status,
            "priority": self.priority,
            "rating": self.rating,
            "tags": list(self.tags),
            "lists": list(self.lists),
            "note": self._note,  # the object held: a long note is not copied
            "added": self.added,
            "changed": self.changed,
            "status_changed": self.status_changed,
        }
        if self.trashed:  # most papers never are: no empty field in every stored document
            doc["trashed"] = self.trashed
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any], repairs: list[str] | None = None) -> Annotation:
        """An annotation from its stored document, repaired where what it meant is plain (each repair
        described in ``repairs`` if given; a repaired copy is used, ``doc`` is left as it was).

        Raises:
            BadRecordError: the document is not an object.
        """
        if type(doc) is not dict:
            raise BadRecordError(f"is a {_json_type(doc)}, not an object")
        get = doc.get
        status = get("status", "new")
        priority = get("priority", 0)
        rating = get("rating", 0)
        tags = get("tags", [])
        lists = get("lists", [])
        note = get("note", "")
        if not (status in STATUSES and type(priority) is int and 0 <= priority < len(PRIORITIES)
                and type(rating) is int and 0 <= rating <= MAX_RATING and type(note) in (str, PackedText)
                and type(tags) is list and all(type(t) is str for t in tags)
                and type(lists) is list and all(type(n) is str for n in lists)
                and type(get("added", "")) is str and type(get("changed", "")) is str
                and type(get("status_changed", "")) is str and type(get("trashed", "")) is str):
            doc = copy.deepcopy(doc)
            _repair_annotation(doc, repairs if repairs is not None else [])
            get = doc.get
            status, priority, rating = get("status", "new"), get("priority", 0), get("rating", 0)
            tags, lists, note = get("tags", []), get("lists", []), get("note", "")
        return cls(status, priority, rating, list(tags), list(lists), note,
                   get("added", ""), get("changed", ""), get("status_changed", ""), get("trashed", ""))

    def copy(self) -> Annotation:
        # Spelled out: dataclasses.replace costs 7 us a call, which a bulk edit of 10k papers notices.
        copy = Annotation(self.status, self.priority, self.rating, list(self.tags), list(self.lists), "",
                          self.added, self.changed, self.status_changed, self.trashed)
        copy._note = self._note  # the text as held, not decoded and packed again
        return copy

    @property
    def held_note(self) -> str | PackedText:
        """The note as held: a long one of wide characters as ``PackedText`` (stored documents share it)."""
        return self._note

    def holds_user_text(self) -> bool:
        """Whether the user gave this paper anything besides moving it to the Trash (a status, note, ...)."""
        return bool(self._note or self.tags or self.lists or self.rating or self.priority or self.status != "new")


def _note_text(ann: Annotation) -> str:
    note = ann._note
    return note if type(note) is str else unpack(note)


def _set_note(ann: Annotation, text: str | PackedText) -> None:
    ann._note = pack(text)


# As ``Paper.abstract``: the dataclass keeps ``note`` as a field, the value lives in ``_note``.
setattr(Annotation, "note", property(_note_text, _set_note, doc="The note (a long one held as UTF-8)."))  # noqa: B010


def _repair_annotation(doc: dict[str, Any], repairs: list[str]) -> None:
    """Make an annotation document well typed in place, saying what changed in ``repairs``.

    A value out of range or unknown becomes the default (what a paper never annotated has): guessing
    what 99 stars meant would put words in the user's mouth. The record as it was is set aside.
    """
    status = doc.get("status", "new")
    if status not in STATUSES:
        spelled = status.strip().lower() if type(status) is str else None
        doc["status"] = spelled if spelled in STATUSES else "new"
        repairs.append(f"status {status!r} is not one of {', '.join(STATUSES)}; now {doc['status']!r}")
    for name, top, words in (("priority", len(PRIORITIES) - 1, PRIORITIES), ("rating", MAX_RATING, ())):
        value = doc.get(name, 0)
        if type(value) is int and 0 <= value <= top:
            continue
        number: Any = value
        if type(value) is str and value.strip().lower() in words:
            number = words.index(value.strip().lower())
        elif (type(value) is str and value.strip().isdecimal()) or (type(value) is float and value.is_integer()):
            number = int(value)
        doc[name] = number if type(number) is int and 0 <= number <= top else 0
        repairs.append(f"{name} {value!r} is not 0-{top}; now {doc[name]}")
    _as_names(doc, "tags", repairs)
    _as_names(doc, "lists", repairs)
    _as_text(doc, "note", "", repairs)
    for name in ("added", "changed", "status_changed", "trashed"):
        _as_text(doc, name, "", repairs)


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
