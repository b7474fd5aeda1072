"""What each field of a paper is, defined once: its display text, sort key, facet values and search text.

Every view of a field reads it here: the search query and the search index (``core/search``), the
facets, the table's columns (display text and sort key), the statistics and "more like this". A
field's functions take the paper and its annotation; a paper the user never annotated has
``NO_ANNOTATION``, so hot loops over 100k papers build no annotation objects::

    ann = library.stored_annotation(pid) or NO_ANNOTATION
    FIELDS["title"].sort_key(paper, ann)

Titles and abstracts are shown with their LaTeX rendered (``core/text/latex.py``: ``$\\ell_p$`` reads
ℓp); titles sort by what is shown and are searched both as written and as shown, abstracts as written
and by their math as shown.
Search text is in ``search_form`` (folded, single spaces), which queries are compared in too. A value
field (status, track, tags, lists, year, venue) has facet values, ``NONE`` when it has no value; its
search values are those in ``search_form``, without the empty one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from papershelf.core.citekeys import last_name
from papershelf.core.model import PRIORITIES, STATUSES, TRACKS, Annotation, Paper, fold
from papershelf.core.text.latex import shown, shown_math, shown_paragraphs

NO_ANNOTATION: Final = Annotation()
"""The annotation of a paper the user never annotated (shared: never change it)."""
NONE: Final = ("",)
"""A value field's facet values when the paper has no value (no track, no tag, no year, ...)."""
NO_TRACK: Final = "No track"
STATUS_LABELS: Final = {"new": "New", "to-read": "To read", "reading": "Reading", "read": "Read",
                        "skipped": "Skipped"}
LAST: Final = "\uffff"
"""Sorts after any text: papers without authors come last."""
AUTHORS_SHOWN: Final = 3

_TRACK_ORDER: Final = {t: i for i, t in enumerate(TRACKS)}
_STATUS_ORDER: Final = {s: i for i, s in enumerate(STATUSES)}


_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]")
_WORD_REST: Final = re.compile(r"\S*")


# The words folded lately: the non-ASCII words of a library (names above all: Schölkopf, Jürgen) come back
# again and again, and folding one takes ~2 us (NFKD, marks dropped, case-folded) where a look-up takes 50 ns.
_FOLDED: dict[str, str] = {}
_FOLDED_KEPT: Final = 16384


def search_form(text: str) -> str:
    """The form both queries and papers are compared in: folded, whitespace runs made one space.

    Equal to ``" ".join(fold(text).split())``; folding word by word keeps the slow per-character
    path of ``fold`` to the few words that need it (an abstract with one en dash: 10x faster), and the
    stretches of ASCII words between them are lowered at once (a long note: 5x faster than word by word).
    """
    if text.isascii():
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text.lower()  # its whitespace is single spaces already (most abstracts: 10x faster)
        return " ".join(text.lower().split())
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    found = _NON_ASCII.search(text)
    while found is not None:
        at = found.start()
        if text[at].isspace():  # a separator (a no-break space ...), not a word
            found = _NON_ASCII.search(text, at + 1)
            continue
        start = at
        while start > done and not text[start - 1].isspace():
            start -= 1
        rest = _WORD_REST.match(text, at)
        assert rest is not None  # \S* matches anywhere
        end = rest.end()
        word = text[start:end]
        folded = _FOLDED.get(word)
        if folded is None:
            folded = fold(word)
            if len(_FOLDED) >= _FOLDED_KEPT:
                _FOLDED.clear()
            _FOLDED[word] = folded
        parts += (text[done:start].lower(), " ", folded, " ")
        done = end
        found = _NON_ASCII.search(text, end)
    parts.append(text[done:].lower())
    return " ".join("".join(parts).split())


def authors_text(authors: Sequence[str], shown: int = AUTHORS_SHOWN) -> str:
    """The first ``shown`` authors, then 'et al.'."""
    return ", ".join(authors[:shown]) + (" et al." if len(authors) > shown else "")


def author_identity(name: str) -> str:
    """What tells authors apart when counting them: 'Schölkopf' and 'Scholkopf ' are one author."""
    return fold(" ".join(name.split()))


def track_group(track: str | None) -> str:
    """The track as the statistics group papers: one of ``TRACKS``, or ``NO_TRACK``."""
    return track if track in TRACKS else NO_TRACK


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


Text = Callable[[Paper, Annotation], str]
Values = Callable[[Paper, Annotation], Sequence[str]]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a paper.

    ``text`` is what a person reads (a table cell), ``sort_key`` orders papers by it, ``values`` are its
    facet values (value fields only) and ``search`` its text for a substring search (text fields only).
    ``annotated``: the annotation holds it (an annotation edit can change it).
    """

    name: str
    label: str
    text: Text
    sort_key: Callable[[Paper, Annotation], Any]
    values: Values | None = None
    search: Text | None = None
    annotated: bool = False

    def search_values(self, paper: Paper, ann: Annotation) -> list[str]:
        """A value field's values in ``search_form``, without the empty one (``tag:rl`` compares with these)."""
        assert self.values is not None, f"{self.name} is not a value field"
        return [search_form(value) for value in self.values(paper, ann) if value]


def _year_text(paper: Paper, ann: Annotation) -> str:
    return str(paper.year) if paper.year else ""


def _venue_text(paper: Paper, ann: Annotation) -> str:
    """The venue and year, as the table's venue column shows (and sorts) them."""
    return " ".join(str(x) for x in (paper.venue, paper.year) if x)


def _first_author_key(paper: Paper, ann: Annotation) -> str:
    return fold(last_name(paper.authors[0])) if paper.authors else LAST


def _added(paper: Paper, ann: Annotation) -> str:
    """When the paper was annotated first, else when it was imported."""
    return ann.added or paper.added


def _shown_search(text: str, shown_text: str) -> str:
    """Search text of a field shown rendered: the text as written and, if it differs, as shown.

    "l_p" finds ``$\\ell_p$`` and "ℓp" finds it too; the two are joined by a line break, which no
    query word or phrase contains, so nothing matches across them.
    """
    if shown_text is text:
        return search_form(text)
    source = search_form(text)
    seen = search_form(shown_text)
    return source if seen == source else source + "\n" + seen


def abstract_search(abstract: str) -> str:
    """An abstract's search text: as written, then its math as shown (for callers that hold the abstract)."""
    return _shown_search(abstract, shown_math(abstract) or abstract)


TITLE: Final = Field(
    "title", "Title",
    text=lambda paper, ann: shown(paper.title),
    sort_key=lambda paper, ann: fold(shown(paper.title)),
    search=lambda paper, ann: _shown_search(paper.title, shown(paper.title)),
)
AUTHORS: Final = Field(
    "authors", "Authors",
    text=lambda paper, ann: authors_text(paper.authors),
    sort_key=_first_author_key,
    search=lambda paper, ann: search_form("; ".join(paper.authors)),
)
YEAR: Final = Field(
    "year", "Year",
    text=_year_text,
    sort_key=lambda paper, ann: paper.year or 0,
    values=lambda paper, ann: (str(paper.year) if paper.year else "",),
)
VENUE: Final = Field(
    "venue", "Venue",
    text=_venue_text,
    sort_key=lambda paper, ann: (paper.year or 0, fold(paper.venue)),
    values=lambda paper, ann: (paper.venue,),
    search=lambda paper, ann: search_form(paper.venue),
)
TRACK: Final = Field(
    "track", "Track",
    text=lambda paper, ann: paper.track or "",
    sort_key=lambda paper, ann: _TRACK_ORDER.get(paper.track or "", len(TRACKS)),
    values=lambda paper, ann: (paper.track or "",),
)
STATUS: Final = Field(
    "status", "Status",
    text=lambda paper, ann: status_label(ann.status),
    sort_key=lambda paper, ann: _STATUS_ORDER.get(ann.status, 0),
    values=lambda paper, ann: (ann.status,),
    annotated=True,
)
PRIORITY: Final = Field(
    "priority", "Priority",
    text=lambda paper, ann: PRIORITIES[ann.priority].capitalize() if ann.priority else "",
    sort_key=lambda paper, ann: ann.priority,
    annotated=True,
)
RATING: Final = Field(
    "rating", "Rating",
    text=lambda paper, ann: "★" * ann.rating,
    sort_key=lambda paper, ann: ann.rating,
    annotated=True,
)
TAGS: Final = Field(
    "tags", "Tags",
    text=lambda paper, ann: ", ".join(ann.tags),
    sort_key=lambda paper, ann: fold(", ".join(ann.tags)),
    values=lambda paper, ann: ann.tags or NONE,
    annotated=True,
)
LISTS: Final = Field(
    "lists", "Reading lists",
    text=lambda paper, ann: ", ".join(ann.lists),
    sort_key=lambda paper, ann: fold(", ".join(ann.lists)),
    values=lambda paper, ann: ann.lists or NONE,
    annotated=True,
)
KEY: Final = Field(
    "key", "Key",
    text=lambda paper, ann: paper.key,
    sort_key=lambda paper, ann: paper.key,
    # key: finds a paper by the keys merged into it too (its aliases), as `show` and \cite do
    search=lambda paper, ann: search_form(" ".join((paper.key, *paper.aliases)) if paper.aliases else paper.key),
)
ABSTRACT: Final = Field(
    "abstract", "Abstract",
    text=lambda paper, ann: shown_paragraphs(paper.abstract),
    sort_key=lambda paper, ann: fold(paper.abstract),
    # as written, then its math as shown (rendering all of every abstract would double the index's build)
    search=lambda paper, ann: abstract_search(paper.abstract),
)
NOTE: Final = Field(
    "note", "Note",
    text=lambda paper, ann: ann.note,
    sort_key=lambda paper, ann: fold(ann.note),
    search=lambda paper, ann: search_form(ann.note),
    annotated=True,
)
ADDED: Final = Field(
    "added", "Added",
    text=lambda paper, ann: _added(paper, ann)[:10],
    sort_key=_added,
    annotated=True,
)

IN_TRASH: Final = "trash"
"""The Trash facet's value of a paper in the Trash (the others have ``NONE``)."""
TRASH: Final = Field(
    "trash", "Trash",
    text=lambda paper, ann: "In the Trash" if ann.trashed else "",
    sort_key=lambda paper, ann: ann.trashed,
    values=lambda paper, ann: (IN_TRASH,) if ann.trashed else NONE,
    annotated=True,
)

FIELDS: Final[dict[str, Field]] = {
    f.name: f
    for f in (TITLE, AUTHORS, YEAR, VENUE, TRACK, STATUS, PRIORITY, RATING, TAGS, LISTS, KEY, ABSTRACT, NOTE, ADDED,
              TRASH)
}

CATALOGUE_TEXT: Final = (TITLE, AUTHORS, KEY, ABSTRACT)
"""The catalogue's text fields a word without a field searches (the abstract last: the longest)."""
ANNOTATION_TEXT: Final = (TAGS, LISTS, NOTE)
"""... and the annotation's: the tags' and lists' search values, then the note."""


def catalogue_words(paper: Paper) -> str:
    """A text whose words (split on whitespace) are those of the paper's catalogue search text: its title's,
    authors', key's and abstract's ``search`` texts (``CATALOGUE_TEXT``), not always the same text.

    What the word index tokenises first: an ASCII part (most) is lowered at once, which has the words of its
    ``search_form`` whatever its whitespace, and the words of a title or abstract as shown follow only when
    there is something to render (~2 us a paper instead of ~25 us for the search texts).
    """
    title, abstract, key = paper.title, paper.abstract, paper.key
    if paper.aliases:
        key = " ".join((key, *paper.aliases))
    parts = [text.lower() if text.isascii() else search_form(text)
             for text in (title, "; ".join(paper.authors), key, abstract)]
    shown_title = shown(title)
    if shown_title is not title:
        parts.append(search_form(shown_title))
    if "$" in abstract:
        parts.append(search_form(shown_math(abstract)))
    return "\n".join(parts)


def any_texts(paper: Paper, ann: Annotation) -> Iterator[str]:
    """Every text a word without a field is searched in, each in ``search_form`` (a word matches within one).

    One by one, so that a search can stop at the first that has the word (before folding the abstract).
    """
    for field in CATALOGUE_TEXT:
        if field.search is not None:
            yield field.search(paper, ann)
    yield from TAGS.search_values(paper, ann)
    yield from LISTS.search_values(paper, ann)
    if ann.note and NOTE.search is not None:
        yield NOTE.search(paper, ann)


def about(paper: Paper) -> tuple[str, str]:
    """The text that says what a paper is about, as "more like this" compares papers: title and abstract.

    As written (LaTeX not rendered): rendering every abstract would slow the index build for no
    better neighbours, and a cached index stays valid.
    """
    return paper.title, paper.abstract
