"""Filtering the library by a query fast enough to run on every keystroke at 100k papers.

The index keeps, per paper, each searchable field in ``search_form`` (folded, single spaces) in
columns (lists aligned with the library's order), and filters with one list comprehension per
term over the rows still in play, most selective and cheapest terms first. Plain-word queries
narrow word by word over one combined string per paper.

Keeping it current is the caller's job; the index registers nothing on the library::

    index = SearchIndex(library)
    library.events.connect_ids(index.invalidate)   # annotation edits, imports

``filter_incremental`` reuses the previous result while the user types (``graph ne`` -> ``graph neu``).

With ``word_index=True`` (the window) a library of ``WORD_INDEX_FROM`` papers or more also gets a
``WordIndex`` over each paper's catalogue text (title, authors, key, abstract): a word without spaces
is then looked up instead of scanned for (a few ms at 100k papers instead of ~100 ms), phrases are
checked only on the papers that have all their words, and annotation text (tags, lists, note) is
still scanned, on the annotated papers only. The word index is cached in the library folder
(``search.cache``) and checked against a checksum of every paper's text when loaded; papers added or
changed since it was built are scanned until the next build. Building it takes seconds at 100k
papers: ``start_build`` starts the build in steps (``build_step``, between a window's events) and
``finish_build`` does the rest at once.

Without a ``search.cache`` to load, the word index is built first, from each paper's catalogue words
(``fields.catalogue_words``: an ASCII paper's text lowered at once), and the columns are made after it.
While they are made, a plain query of words (no phrase) is answered from that word index alone
(``answers_early``; the same rows as ``Query.matches``); any other query waits for the columns.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from sys import getsizeof, intern
from typing import Any, Final, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from papershelf.core.fields import CATALOGUE_TEXT, NO_ANNOTATION, Text, abstract_search, catalogue_words
from papershelf.core.library import Library
from papershelf.core.memory import temporaries_kept
from papershelf.core.model import Paper, read_abstracts_ahead
from papershelf.core.search.derived import DerivedIndex
from papershelf.core.search.forked import Forked, can_fork, processes_for
from papershelf.core.search.query import (
    FIELD_OF,
    FULLTEXT,
    SUBSTRING_FIELDS,
    VALUE_FIELDS,
    YEAR,
    Query,
    Term,
    parse_query,
)
from papershelf.core.search.steps import run
from papershelf.core.search.wordindex import (
    Builder,
    FileParts,
    Joined,
    Mask,
    Segments,
    WordIndex,
    WordIndexError,
    checksum,
    write_file,
)

# Both separators are whitespace, which search_form never leaves inside a value or a query term, so
# a term can never match across two fields or two tags.
_FIELD_SEP: Final = "\n"
_VALUE_SEP: Final = "\x1f"
_NO_YEAR: Final = -1
_MAX_YEAR: Final = 10**9
_SHORT_TEXT: Final = tuple(f for f in SUBSTRING_FIELDS if f != "abstract")
_ANY: Final = "any"
_SAMPLE_FROM: Final = 5000  # below this many rows, ordering words by a sample costs more than it saves
_SAMPLE_SIZE: Final = 400
WORD_INDEX_FROM: Final = 5000  # papers; below this scanning is as fast as looking words up
REBUILD_STALE_SHARE: Final = 0.05  # the window rebuilds the word index once this share of papers is new
CACHE_FILE: Final = "search.cache"
_CACHE_SETTINGS: Final = {"text": "title author key abstract", "form": 1}
_STALE_SHARE: Final = REBUILD_STALE_SHARE  # ... and a cached one with more changed papers is not used
_IN_WORD_INDEX: Final = frozenset({"title", "author", "key", "abstract", "note"})  # fields inside the "any" text
_STEP_ROWS: Final = 256  # a step of a build in steps: this many papers (a few ms)
_KEPT_ROWS: Final = 4096  # rows whose texts a query scanning them term by term keeps at a time (~6 MB) ...
_KEPT_CHARS: Final = 1 << 23  # ... and at most this many characters of them (notes can be long)
_MASK_CACHE: Final = 64  # words whose rows are remembered (typing "graph neural" looks up "graph" once)


def _search_of(name: str) -> Text:
    search = FIELD_OF[name].search
    assert search is not None, f"{name} is not a text field"
    return search


# Each column's text is its field's search text or values, as core/fields defines them.
_COLUMNS: Final = (_ANY, "title", "author", "note", "venue", "key", *VALUE_FIELDS)
assert set(_COLUMNS[1:6]) == set(_SHORT_TEXT)
assert VALUE_FIELDS == ("tag", "list", "status", "track")
_QUERY_NAME: Final = {field.name: name for name, field in FIELD_OF.items()}
_TITLE_SEARCH, _AUTHOR_SEARCH, _KEY_SEARCH, _ABSTRACT_SEARCH = (_search_of(_QUERY_NAME[f.name]) for f in CATALOGUE_TEXT)
assert [_QUERY_NAME[field.name] for field in CATALOGUE_TEXT] == ["title", "author", "key", "abstract"]
_NOTE_SEARCH: Final = _search_of("note")
_VENUE_SEARCH: Final = _search_of("venue")
_TAG_VALUES, _LIST_VALUES, _STATUS_VALUES, _TRACK_VALUES = (FIELD_OF[name].search_values for name in VALUE_FIELDS)
assert all(FIELD_OF[name].annotated for name in ("tag", "list", "status", "note"))  # the annotation's alone

Rows = list[int] | npt.NDArray[np.int64]


class _Column(Protocol):
    """A column: one text per row (a list, or ``_CombinedTexts``)."""

    def __getitem__(self, row: int, /) -> str: ...
    def __setitem__(self, row: int, text: str, /) -> None: ...
    def __len__(self) -> int: ...
    def append(self, text: str, /) -> None: ...
    def extend(self, texts: Iterable[str], /) -> None: ...


class _CombinedTexts:
    """The ``any`` column of a large library, which keeps most of its text once instead of twice.

    A row's text starts with the title, author and key columns' texts (each followed by a newline): a
    row made so keeps only what follows them, and reads them from those columns (which must be set
    before the row's text is). An ASCII abstract's search text next is the abstract in lower case, or
    that with its whitespace made single spaces (``search_form``): such a row keeps its text without
    that part either, and a reference to the paper, from whose abstract the part is made again when
    the row is read (~1 us, ~4 us for the second kind; ~2 us more when the abstract is kept in the
    catalogue file: see ``Paper.keep_abstract_in``; a changed paper is a new ``Paper``, so the row
    stays as it was made). Most rows then keep an empty string. At 100k papers this is ~190 MB less,
    at the price of a slower scan of every row; so a library gets it only when the word index answers
    its plain words (see ``SearchIndex.lean``).

    The row's offsets (``abstract_at``, ``ann_at``) must be set before its text is.
    """

    __slots__ = (
        "_abstract_at", "_ann_at", "_flags", "_heads", "_kept", "_kept_room", "_kept_rows", "_order", "_papers",
        "_source", "_stored",
    )

    def __init__(
        self, abstract_at: list[int], ann_at: list[int], order: list[str], papers: Mapping[str, Paper],
        heads: tuple[list[str], list[str], list[str]],
    ) -> None:
        """``heads``: the title, author and key columns (the texts the rows start with)."""
        self._stored: list[str | bytes] = []  # a long text of 2 bytes a character: as UTF-8 (_compact)
        self._source: list[Paper | None] = []  # the paper, when the row's text has its abstract
        self._flags = bytearray()  # _SINGLE_SPACED: ... with its whitespace made single spaces; _HEADED
        self._abstract_at, self._ann_at, self._order, self._papers = abstract_at, ann_at, order, papers
        self._heads = heads
        self._kept: dict[int, str] | None = None  # rows' texts made while ``kept``
        self._kept_rows: frozenset[int] = frozenset()  # ... of these rows
        self._kept_room = 0  # ... up to this many characters more

    def __len__(self) -> int:
        return len(self._stored)

    @contextlib.contextmanager
    def kept(self, rows: Iterable[int]) -> Iterator[None]:
        """Within it, the text of a row among ``rows`` is made once and kept (up to ``_KEPT_CHARS`` characters
        in all: long notes are made again), for a query whose terms scan those rows one after the other. Other
        rows read meanwhile (a word's rows checked across the library) are made each time, as outside it."""
        self._kept, self._kept_rows, self._kept_room = {}, frozenset(rows), _KEPT_CHARS
        try:
            yield
        finally:
            self._kept, self._kept_rows = None, frozenset()

    def _head(self, row: int) -> str:
        titles, authors, keys = self._heads
        return titles[row] + _FIELD_SEP + authors[row] + _FIELD_SEP + keys[row] + _FIELD_SEP

    def __getitem__(self, row: int) -> str:
        kept = self._kept
        if kept is None or row not in self._kept_rows:
            return self._made(row)
        text = kept.get(row)
        if text is None:
            text = self._made(row)
            if len(text) <= self._kept_room:
                kept[row] = text
                self._kept_room -= len(text)
        return text

    def _made(self, row: int) -> str:
        source, flags, stored = self._source[row], self._flags[row], self._stored[row]
        text = stored if isinstance(stored, str) else stored.decode("utf-8", "surrogatepass")
        if flags & _HEADED:
            text = self._head(row) + text
        if source is None:
            return text
        at, lower = self._abstract_at[row], source.abstract.lower()
        abstract = " ".join(lower.split()) if flags & _SINGLE_SPACED else lower
        return text[:at] + abstract + text[at:]

    def _split(self, row: int, text: str) -> tuple[str, Paper | None, int]:
        at, end = self._abstract_at[row], self._ann_at[row]
        kept, source, flags = text, None, 0
        if end > at:
            paper = self._papers.get(self._order[row])
            abstract = paper.abstract if paper is not None else ""
            if abstract and abstract.isascii():
                lower = abstract.lower()
                if len(lower) <= end - at and text.startswith(lower, at):
                    kept, source = text[:at] + text[at + len(lower) :], paper
                else:
                    spaced = " ".join(lower.split())  # (only then: most abstracts need no joining, 10 us a row)
                    if len(spaced) <= end - at and text.startswith(spaced, at):
                        kept, source, flags = text[:at] + text[at + len(spaced) :], paper, _SINGLE_SPACED
        head = self._head(row)
        if len(head) == at and kept.startswith(head):
            return kept[at:], source, flags | _HEADED  # (most rows: the one empty string)
        return kept, source, flags

    def append(self, text: str) -> None:
        stored, source, flags = self._split(len(self._stored), text)
        self._stored.append(_compact(stored))
        self._source.append(source)
        self._flags.append(flags)

    def extend(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.append(text)

    def extend_with(self, texts: Sequence[str], papers: Sequence[Paper], abstracts: Sequence[str]) -> None:
        """``extend`` with texts made of the rows' title, author and key columns' texts (as ``_fields`` makes
        them), given each row's paper and its abstract (not read from the paper again: ~2 us a row).

        What ``append`` finds by comparing, this knows: each text starts with its head, so only the abstract
        is compared (~0.4 s less at 100k papers).
        """
        first = len(self._stored)
        titles, authors, keys = self._heads
        stored_texts, sources, all_flags = self._stored, self._source, self._flags
        rows = zip(texts, papers, abstracts, self._abstract_at[first:], self._ann_at[first:], strict=True)
        for row, (text, paper, abstract, at, end) in enumerate(rows, first):
            if at != len(titles[row]) + len(authors[row]) + len(keys[row]) + 3:  # (not made so: compared)
                self.append(text)
                continue
            stored, source, flags = text[at:], None, _HEADED
            if abstract and abstract.isascii():  # ``append``'s comparisons, from the abstract on
                lower = abstract.lower()
                if len(lower) <= end - at and stored.startswith(lower):
                    stored, source = stored[len(lower) :], paper
                else:
                    spaced = " ".join(lower.split())
                    if len(spaced) <= end - at and stored.startswith(spaced):
                        stored, source, flags = stored[len(spaced) :], paper, _HEADED | _SINGLE_SPACED
            stored_texts.append(_compact(stored))
            sources.append(source)
            all_flags.append(flags)

    def __setitem__(self, row: int, text: str) -> None:
        stored, self._source[row], self._flags[row] = self._split(row, text)
        self._stored[row] = _compact(stored)
        if self._kept is not None:
            self._kept.pop(row, None)


def _compact(text: str) -> str | bytes:
    """``text``, or its UTF-8 when that is much smaller: a long text (a note) with any character above
    U+00FF takes 2 bytes a character as a ``str``, about 1 as UTF-8 (decoded when read: ~10 us for 20k
    characters). Where notes are long this is most of the index's memory (~50 MB for a 50 MB notes file).
    """
    if len(text) < _COMPACT_FROM or getsizeof(text) < 2 * len(text):  # short, or 1 byte a character
        return text
    return text.encode("utf-8", "surrogatepass")


class _NoteTexts:
    """The ``note`` column: a row's note is the end of its ``any`` text (the last part of its annotation
    text), so only its length is kept and the note is read from there: each note's search text held once,
    not twice (2 bytes a character of every note once any character above U+00FF is in it).

    A row's length is set before its ``any`` text (see ``_append_rows``); it is read after both are.
    """

    __slots__ = ("_any", "_lengths")

    def __init__(self, any_column: _Column) -> None:
        self._any = any_column
        self._lengths: list[int] = []

    def __len__(self) -> int:
        return len(self._lengths)

    def __getitem__(self, row: int) -> str:
        length = self._lengths[row]
        return self._any[row][-length:] if length else ""

    def append(self, text: str) -> None:
        self._lengths.append(len(text))

    def extend(self, texts: Iterable[str]) -> None:
        self._lengths.extend(map(len, texts))

    def __setitem__(self, row: int, text: str) -> None:
        self._lengths[row] = len(text)


_COMPACT_FROM: Final = 4096  # characters: shorter texts stay as they are (no decoding when read)
_SINGLE_SPACED: Final = 1  # a row's abstract: its lower case with its whitespace made single spaces
_HEADED: Final = 2  # a row's text starts with its title, author and key columns' texts


class _Made(NamedTuple):
    """What ``SearchIndex._fields`` makes of some papers (one item per paper in each list)."""

    columns: list[list[str]]  # one list per column, in ``_COLUMNS`` order
    abstract_at: list[int]
    ann_at: list[int]
    years: list[int]
    catalogue: list[str]
    papers: list[Paper]
    written: list[str]  # the abstracts as written


@dataclass(slots=True)
class _Previous:
    query: Query
    scope: Sequence[str] | None
    rows: Rows
    generation: int


@dataclass(slots=True)
class _Scope:
    """The rows of the last ids list passed in (the table's, reused while the user types)."""

    ids: Sequence[str]
    length: int
    known: int  # rows in the index then
    rows: list[int]
    array: npt.NDArray[np.int64] | None = None


class SearchIndex(DerivedIndex):
    """Per-paper folded fields of one library, built on first use in one pass.

    Columns (``_columns[name][row]``): ``any`` is the catalogue text (title, authors, key and the
    abstract), then the annotation text (tags, lists, note), joined by newlines: the abstract runs
    from ``_abstract_at[row]`` to ``_ann_at[row]`` and the annotation text starts there, so neither
    needs a copy of its own. Then the short text fields each; the value fields as
    ``\\x1fvalue\\x1fvalue\\x1f`` (empty when there is none); ``_year[row]`` (-1 when unknown).
    Each field's text is its ``search`` text (or values) as ``core/fields`` defines it.
    """

    STEP_ROWS = _STEP_ROWS

    def __init__(
        self, library: Library, *, word_index: bool = False, word_index_from: int = WORD_INDEX_FROM,
        build_processes: int | None = None,
    ) -> None:
        """``build_processes``: how many child processes build the word index first, when it is (see
        ``core/search/forked.py``; None: as the machine and the library's size say; 1: none)."""
        super().__init__(library)
        self.word_index_enabled = word_index
        self.word_index_from = word_index_from
        self.build_processes = build_processes
        self._columns: dict[str, _Column] = {}
        self._abstract_at: list[int] = []
        self._ann_at: list[int] = []
        self._year: list[int] = []
        self._previous: _Previous | None = None
        self._scope: _Scope | None = None
        # the word index and what it does not cover
        self._word: WordIndex | None = None
        self._stale: set[int] = set()  # rows whose catalogue text the word index does not have
        self._annotated: set[int] = set()  # rows with any annotation text
        self._annotation_text: tuple[Joined, npt.NDArray[np.int64]] | None = None  # of those rows, joined
        self._masks: dict[str, Mask] = {}  # word -> the rows that contain it, kept exact as rows change
        self._order_array: npt.NDArray[Any] | None = None
        self.word_index_source = ""  # "cache", "built" or "" (none); for the status line and tests
        self._word_index_processes = 0  # ... when built, by how many processes (see word_index_processes)
        self._saver: threading.Thread | None = None  # writing search.cache after a build in steps
        self._words_first_due = False  # no search.cache: the word index is built before the columns
        self._words_first: WordIndex | Segments | None = None  # ... built, its rows' checksums set as the columns
        # are made
        self._words_first_forked: Forked | None = None  # ... by child processes, while they run
        self._words_first_annotations: tuple[Joined, npt.NDArray[np.int64]] | None = None  # meanwhile
        self._words_first_papers: list[Paper] = []  # the papers it indexed (a changed paper is a new Paper)
        self._words_first_changed: set[int] = set()  # rows whose paper changed between the two: scanned

    # -- keeping current (see DerivedIndex) --------------------------------------------------------

    def build(self) -> None:
        """Compute every paper's fields now (otherwise the first filter does it), and the word index."""
        run(self._build_steps(anew=True, in_steps=False))

    @property
    def lean(self) -> bool:
        """True when abstracts are kept once (``_CombinedTexts``): the word index will answer plain words."""
        return self.word_index_enabled and len(self.library.papers) >= self.word_index_from

    def _clear(self) -> None:
        self._abstract_at = []
        self._ann_at = []
        self._columns = {name: [] for name in _COLUMNS}
        if self.lean:
            heads = (self._columns["title"], self._columns["author"], self._columns["key"])
            self._columns[_ANY] = _CombinedTexts(
                self._abstract_at, self._ann_at, self._order, self.library.papers, heads  # type: ignore[arg-type]
            )
        self._columns["note"] = _NoteTexts(self._columns[_ANY])
        self._year = []
        self._annotated = set()
        self._annotation_text = None
        self._word = None
        self._stale = set()
        self._masks = {}
        self._order_array = None
        self._scope = None
        self._previous = None
        self.word_index_source = ""
        self._word_index_processes = 0
        # Without a search.cache to load, the word index is built anyway: first, from the papers' catalogue
        # words, so that plain words are answered before the columns are made (``answers_early``).
        with_cache = (self.library.folder / CACHE_FILE).exists()
        self._words_first_due = self.lean and not with_cache
        self._words_first = None
        self._words_first_annotations = None
        self._words_first_papers = []
        self._words_first_changed = set()

    def _before_rows(self, ids: Sequence[str], *, in_steps: bool) -> Generator[None, None, None]:
        """The word index of ``ids``' catalogue words, when it is built first (see ``_clear``): by child
        processes where the machine has CPUs to spare (``core/search/forked.py``), else here, in steps."""
        if not self._words_first_due or len(ids) < self.word_index_from:
            return
        papers = self.library.papers
        ever = set(self.library.annotated_ids())
        word: WordIndex | Segments | None = None
        annotations: tuple[Joined, npt.NDArray[np.int64]] | None = None
        processes = processes_for(len(ids)) if self.build_processes is None else self.build_processes
        if processes > 1 and can_fork():
            indexed = [papers[pid] for pid in ids]
            forked: Forked | None = None
            with contextlib.suppress(OSError):  # (cannot fork: built here, below)
                forked = Forked(indexed, ids, processes, lambda low, high: self._annotation_texts(ids, low, high, ever))
            if forked is not None:
                self._words_first_forked = forked
                try:
                    built = yield from forked.waiting()
                finally:
                    forked.stop()
                    self._words_first_forked = None
                if built is not None:
                    self._words_first_papers = indexed
                    self._word_index_processes = len(built.words.parts)
                    word = built.words
                    annotations = Joined(built.annotated_texts), np.asarray(built.annotated_rows, np.int64)
        if word is None:  # built here
            self._word_index_processes = 1
            builder, indexed = Builder(len(ids), checksums=False), self._words_first_papers
            with temporaries_kept():  # (the tokeniser's temporaries: not new memory each step)
                for start in range(0, len(ids), _STEP_ROWS):  # (~5 ms for the words of 256 papers, ~10 to tokenise)
                    chunk = [papers[pid] for pid in ids[start : start + _STEP_ROWS]]
                    read_abstracts_ahead(chunk)  # (one read of the catalogue file, not one per abstract)
                    indexed.extend(chunk)
                    builder.add(list(map(catalogue_words, chunk)))
                    yield
                    yield from builder.merging()
            word = yield from builder.finishing(ids, prepare=False)
            yield from word.preparing()
            texts: list[str] = []
            rows: list[int] = []
            for start in range(0, len(ids), 8192):  # (~20 ms when a fifth of the papers are annotated)
                more_texts, more_rows = self._annotation_texts(ids, start, start + 8192, ever)
                texts += more_texts
                rows += more_rows
                yield
            annotations = Joined(texts), np.asarray(rows, np.int64)
        # what queries search besides the word index until the columns are made: the annotated papers' text
        self._words_first_annotations = annotations
        self._words_first = word  # its checksums are set as the columns are made
        yield
        if isinstance(word, Segments):  # answering already; made one before the columns (less memory then)
            self._words_first = yield from word.merging()

    def _annotation_texts(
        self, ids: Sequence[str], low: int, high: int, ever: set[str]
    ) -> tuple[list[str], list[int]]:
        """Of the rows ``low`` to ``high`` (``ids``' papers), the annotated papers' text (tags, lists, note) and
        their rows (``ever``: the papers ever annotated)."""
        papers, stored = self.library.papers, self.library.stored_annotation
        texts: list[str] = []
        rows: list[int] = []
        for row in range(low, min(high, len(ids))):
            pid = ids[row]
            if pid not in ever:
                continue
            ann = stored(pid)
            if ann is not None:
                paper = papers[pid]
                text = _FIELD_SEP.join([*_TAG_VALUES(paper, ann), *_LIST_VALUES(paper, ann), _NOTE_SEARCH(paper, ann)])
                if text.strip():
                    texts.append(text)
                    rows.append(row)
        return texts, rows

    def _rows_added(self, first: int, *, in_steps: bool) -> Generator[None, None, None]:
        self._order_array = None
        if not first and self.word_index_enabled and len(self._order) >= self.word_index_from:
            yield from self._attach_word_index(in_steps)

    @property
    def word_index_processes(self) -> int:
        """By how many processes the word index answering now was built: 1 (this one), more (child processes,
        a run of rows each), 0 (loaded from search.cache, or none)."""
        source = self._fresh if self.words_answered_early and self._fresh is not None else self
        return source._word_index_processes

    @property
    def word_build_processes(self) -> list[int]:
        """The child processes building the word index first right now (their pids), if any."""
        fresh = self._fresh if self._fresh is not None else self
        forked = fresh._words_first_forked
        return forked.pids if forked is not None else []

    @property
    def word_indexed(self) -> bool:
        """True once words are looked up in a word index rather than scanned for."""
        return self._word is not None

    @property
    def stale_share(self) -> float:
        """The share of papers the word index does not cover (added or changed since it was built)."""
        if self._word is None:
            return 0.0
        papers = len(self.library.papers)
        not_yet_seen = max(papers - len(self._order), 0)  # added since the last query
        return (len(self._stale) + not_yet_seen) / papers if papers else 0.0

    @property
    def building(self) -> bool:
        """True from ``start_build`` until the build is finished and adopted."""
        return self.working

    def start_build(self) -> None:
        """Start building anew, to be advanced by ``build_step`` (a window's idle timer) in small steps.

        Queries meanwhile are answered as before if the index was built already (a rebuild), and
        finish the build at once if not (the window waits for ``build_step`` to return True instead).
        Changes reported to ``invalidate`` meanwhile are applied when the new build is adopted.
        """
        self.start_rebuild()

    def _fresh_copy(self) -> SearchIndex:
        return SearchIndex(self.library, word_index=self.word_index_enabled, word_index_from=self.word_index_from,
                           build_processes=self.build_processes)

    def build_step(self, seconds: float = 0.01) -> bool:
        """Build for about ``seconds`` (one step at least); True once the build is done and adopted.

        Each step is a few hundred papers; loading the cached word index is one step of ~0.2 s at 100k.
        """
        return self.step(seconds)

    def finish_build(self) -> None:
        """Do the rest of the build started by ``start_build`` now, and adopt it."""
        self.finish()

    def _adopt(self, fresh: SearchIndex) -> None:
        for name in _STATE:
            setattr(self, name, getattr(fresh, name))
        if self._pending:
            # an annotation changed during the build may have been read for the word index built first as it
            # was, and its row made as it is (recomputing the row then changes nothing): read again
            self._annotation_text = None
        self._previous = None
        self._scope = None

    def _fields(self, ids: Sequence[str]) -> _Made:
        """The papers' column values (one list per column, in ``_COLUMNS`` order), where each one's abstract
        and annotation text start in its ``any`` text, their years, their catalogue texts (what the word
        index indexes), the papers and their abstracts as written (each read once).

        Column by column, one comprehension each: at 100k papers a loop over the papers building a row
        at a time cost a tenth more.
        """
        papers, stored = self.library.papers, self.library.stored_annotation
        found = [(papers[pid], stored(pid) or NO_ANNOTATION) for pid in ids]
        if not found:
            return _Made([[] for _ in _COLUMNS], [], [], [], [], [], [])
        # what only the annotation holds is the same for every paper never annotated (most): made once
        blank, anyone = NO_ANNOTATION, found[0][0]
        blank_tags, blank_lists = _TAG_VALUES(anyone, blank), _LIST_VALUES(anyone, blank)
        blank_note, blank_status = _NOTE_SEARCH(anyone, blank), intern(_values(_STATUS_VALUES(anyone, blank)))
        titles = [_TITLE_SEARCH(paper, ann) for paper, ann in found]
        authors = [_AUTHOR_SEARCH(paper, ann) for paper, ann in found]
        keys = [_KEY_SEARCH(paper, ann) for paper, ann in found]
        # (a large catalogue's abstracts are read from its file, ~2 us each: once a paper, not three times)
        written = [paper.abstract for paper, _ in found]
        abstracts = list(map(abstract_search, written))
        catalogue = list(map(_FIELD_SEP.join, zip(titles, authors, keys, abstracts, strict=True)))
        tags = [blank_tags if ann is blank else _TAG_VALUES(paper, ann) for paper, ann in found]
        lists = [blank_lists if ann is blank else _LIST_VALUES(paper, ann) for paper, ann in found]
        notes = [blank_note if ann is blank else _NOTE_SEARCH(paper, ann) for paper, ann in found]
        combined = [  # the note last: see _NoteTexts
            _FIELD_SEP.join([text, *tag, *in_lists, note] if note else [text, *tag, *in_lists])
            if tag or in_lists or note else text
            for text, tag, in_lists, note in zip(catalogue, tags, lists, notes, strict=True)
        ]
        # most keys are their own search text: one string, not two
        keys = [paper.key if key == paper.key else key for key, (paper, _) in zip(keys, found, strict=True)]
        # Values many papers share are one string for all (interned): ~15 MB less at 100k papers.
        columns = [
            combined, titles, authors, notes, [intern(_VENUE_SEARCH(paper, ann)) for paper, ann in found], keys,
            list(map(_values, tags)), list(map(_values, lists)),
            [blank_status if ann is blank else intern(_values(_STATUS_VALUES(paper, ann))) for paper, ann in found],
            [intern(_values(_TRACK_VALUES(paper, ann))) for paper, ann in found],
        ]
        ann_at = list(map(len, catalogue))
        abstract_at = [end - len(abstract) for end, abstract in zip(ann_at, abstracts, strict=True)]
        years = [_NO_YEAR if paper.year is None else paper.year for paper, _ in found]
        return _Made(columns, abstract_at, ann_at, years, catalogue, [paper for paper, _ in found], written)

    def _append_rows(self, ids: Sequence[str]) -> None:
        values, abstract_at, ann_at, years, catalogue, papers, written = self._fields(ids)
        first = len(self._year)
        self._abstract_at.extend(abstract_at)  # before the texts: a lean ``any`` column reads them
        self._ann_at.extend(ann_at)
        self._year.extend(years)
        for name, column_values in reversed(list(zip(_COLUMNS, values, strict=True))):  # ``any`` last: see
            column = self._columns[name]  # _CombinedTexts
            if isinstance(column, _CombinedTexts):
                column.extend_with(column_values, papers, written)
            else:
                column.extend(column_values)
        early = self._words_first
        if early is not None and first + len(ids) <= early.n_rows:  # (the tokenised text was not this one)
            early.checksums[first : first + len(ids)] = np.fromiter(map(checksum, catalogue), np.uint32, len(ids))
            indexed = self._words_first_papers
            self._words_first_changed.update(
                row for row, paper in enumerate(papers, first) if paper is not indexed[row])
        annotated = [first + n for n, (text, end) in enumerate(zip(values[0], ann_at, strict=True)) if len(text) > end]
        if annotated:
            self._annotated.update(annotated)
            self._annotation_text = None
        if self._word is not None:
            self._stale.update(range(first, first + len(ids)))
        self._masks.clear()

    def _update_row(self, row: int, paper_id: str) -> None:
        columns, abstract_ats, ann_ats, years, *_ = self._fields([paper_id])
        values, abstract_at, ann_at, year = [column[0] for column in columns], abstract_ats[0], ann_ats[0], years[0]
        text = values[0]
        unchanged = text == self._columns[_ANY][row]  # a status or rating edit: no searchable text changed
        self._abstract_at[row] = abstract_at
        self._ann_at[row] = ann_at
        self._year[row] = year
        for name, value in zip(reversed(_COLUMNS), reversed(values), strict=True):  # ``any`` last
            self._columns[name][row] = value
        if unchanged:
            return  # what the word masks, the annotation text and the word index know still holds
        if len(text) > ann_at:
            self._annotated.add(row)
        else:
            self._annotated.discard(row)
        self._annotation_text = None
        for found, mask in self._masks.items():
            mask[row] = found in text
        word = self._word
        if word is not None and row < word.n_rows:
            if checksum(text[:ann_at]) == int(word.checksums[row]):
                self._stale.discard(row)
            else:
                self._stale.add(row)

    # -- the word index ----------------------------------------------------------------------------

    def catalogue_text(self, row: int) -> str:
        """What the word index indexes for ``row``: its title, authors, key and abstract, searchable."""
        return self._columns[_ANY][row][: self._ann_at[row]]

    def _attach_word_index(self, in_steps: bool) -> Iterator[None]:
        """Use the cached word index if it still fits the library, otherwise build one and cache it."""
        path = self.library.folder / CACHE_FILE
        order = self._order
        word: WordIndex | None = None
        stale: set[int] = set()
        early, self._words_first, annotations = self._words_first, None, self._words_first_annotations
        self._words_first_annotations, self._words_first_papers = None, []
        if early is not None and early.ids == order:  # built first; the columns set its checksums
            early.ids = order  # the same strings as the rows' ids, not a second copy (~6 MB at 100k)
            if isinstance(early, Segments):  # built by child processes, a run of rows each: made one
                early = yield from early.merging()
            # the annotated rows' text, as read for the word index built first (a change since: see _adopt)
            self._annotation_text = annotations
            self.word_index_source = "built"
            if not self.library.read_only:
                parts = yield from early.file_parts_steps(_CACHE_SETTINGS)
                self._save_parts(parts, path, in_background=in_steps)
            self._word, self._stale, self._masks = early, self._words_first_changed, {}
            return
        try:
            word, extra = WordIndex.load(path, prepare=False)
        except (OSError, WordIndexError):
            word = None
        else:
            n = word.n_rows
            if extra != _CACHE_SETTINGS or n > len(order) or word.ids != order[:n]:
                word = None
            else:
                word.ids = order[:n]  # the same strings as the rows' ids, not a second copy (~6 MB at 100k)
                sums = word.checksums.tolist()
                for start in range(0, n, _STEP_ROWS * 8):
                    yield
                    end = min(start + _STEP_ROWS * 8, n)
                    stale.update(r for r in range(start, end) if checksum(self.catalogue_text(r)) != sums[r])
                stale.update(range(n, len(order)))
                if len(stale) > _STALE_SHARE * len(order):
                    word = None
                else:
                    try:
                        yield from word.preparing()
                    except (TypeError, ValueError, IndexError):  # damaged in a way load() did not see
                        word = None
        if word is None:
            texts = (self.catalogue_text(r) for r in range(len(order)))
            word = yield from WordIndex.building(order, texts, pause_every=_STEP_ROWS, prepare=False)
            stale = set()
            self.word_index_source = "built"
            self._word_index_processes = 1
            yield from word.preparing()
            if not self.library.read_only:  # (the dense tokens' rows made again from their bitsets, in steps)
                parts = yield from word.file_parts_steps(_CACHE_SETTINGS)
                self._save_parts(parts, path, in_background=in_steps)
        else:
            self.word_index_source = "cache"
        self._word = word
        self._stale = stale
        self._masks = {}

    def _save_parts(self, parts: FileParts, path: Path, *, in_background: bool) -> None:
        def save() -> None:
            with contextlib.suppress(OSError):  # searching works from memory; the next start rebuilds
                write_file(path, parts)

        if not in_background:
            save()
            return
        self._saver = threading.Thread(target=save, name="papershelf-search-cache", daemon=True)
        self._saver.start()

    def wait_for_cache(self) -> None:
        """Wait until a word index being written to ``search.cache`` in the background is written."""
        saver = self._saver
        if saver is not None:
            saver.join()

    def _word_mask(self, word: str) -> Mask:
        """Rows (all of them) whose text, catalogue or annotation, contains ``word`` (no whitespace).

        The caller must not change the mask: it is remembered (and kept exact by ``_update_row``).
        """
        mask = self._masks.pop(word, None)
        if mask is None:
            mask = self._compute_word_mask(word)
            if len(self._masks) >= _MASK_CACHE:
                del self._masks[next(iter(self._masks))]
        self._masks[word] = mask  # most recently used last
        return mask

    def _compute_word_mask(self, word: str) -> Mask:
        index = self._word
        assert index is not None
        texts, ann_at = self._columns[_ANY], self._ann_at

        def verify(rows: list[int]) -> list[int]:
            return [r for r in rows if texts[r].find(word, 0, ann_at[r]) >= 0]

        base = index.rows_with(word, verify)
        mask = np.zeros(len(self._order), np.bool_)
        mask[: len(base)] = base
        if self._stale:
            stale = list(self._stale)
            mask[stale] = [word in texts[r] for r in stale]
        if self._annotated:
            if self._annotation_text is None:
                rows = sorted(self._annotated)
                self._annotation_text = Joined([texts[r][ann_at[r] :] for r in rows]), np.asarray(rows, np.int64)
            joined, rows_of = self._annotation_text
            mask[rows_of[joined.containing(word)]] = True
        return mask

    def _plain_rows(self, words: Sequence[str], rows: list[int] | None) -> npt.NDArray[np.int64]:
        """The plain query's rows (ascending, or in the order of ``rows``) through the word index."""
        mask: Mask | None = None
        phrases: list[str] = []
        for value in words:
            parts = value.split()
            if len(parts) > 1:
                phrases.append(value)
            for part in parts:
                found = self._word_mask(part)
                mask = found.copy() if mask is None else np.logical_and(mask, found, out=mask)
        assert mask is not None
        selected = np.flatnonzero(mask) if rows is None else _take(self._scope_array(rows), mask)
        if phrases and len(selected):
            texts = self._columns[_ANY]
            kept = [r for r in selected.tolist() if all(p in texts[r] for p in phrases)]
            selected = np.asarray(kept, np.int64)
        return selected

    # -- answering while the word index is built first -------------------------------------------

    @property
    def words_answered_early(self) -> bool:
        """True while the index is built (``start_build``, no ``search.cache``) and the word index, built
        before the columns, answers plain queries of words (``answers_early``) until the columns are made."""
        fresh = self._fresh
        if fresh is None or self._built or self._pending:  # (a change meanwhile: the build has the last word)
            return False
        word = fresh._words_first
        return word is not None and fresh._words_first_annotations is not None and (
            word.n_rows == len(self.library.papers))

    def answers_early(self, query: Query) -> bool:
        """True when ``query`` is answered now from the word index built first (``words_answered_early``):
        a plain query of words, no phrase (a phrase is checked on the texts, which the columns hold)."""
        return self._early_source(query) is not None

    def _early_source(self, query: Query) -> SearchIndex | None:
        """The index being built whose word index answers ``query`` before its columns are made, if any."""
        if not query.is_plain or not query.words or any(len(value.split()) != 1 for value in query.words):
            return None
        return self._fresh if self.words_answered_early else None

    def _early_filter(self, query: Query, ids: Sequence[str] | None) -> list[str] | None:
        """``filter``'s answer from the word index built first (None if it cannot answer ``query``).

        Each word's rows are those of the indexed tokens containing it, and the annotated papers' whose
        tags, lists or note contain it: what ``Query.matches`` finds in ``any_texts``.
        """
        fresh = self._early_source(query)
        if fresh is None:
            return None
        word, annotations = fresh._words_first, fresh._words_first_annotations
        assert word is not None
        assert annotations is not None
        joined, annotated = annotations
        mask: Mask | None = None
        for value in query.words:
            found = word.rows_with(value, None)
            found[annotated[joined.containing(value)]] = True
            mask = found if mask is None else np.logical_and(mask, found, out=mask)
        assert mask is not None
        order = word.ids
        if ids is None:
            return [order[r] for r in np.flatnonzero(mask).tolist()]
        hits = {order[r] for r in np.flatnonzero(mask).tolist()}
        return [pid for pid in ids if pid in hits]

    # -- filtering ---------------------------------------------------------------------------------

    def filter(self, query: Query, ids: Sequence[str] | None = None) -> list[str]:
        """The ids among ``ids`` (default: the whole library, in library order) that match, in that order.

        Ids the library does not have match nothing.
        """
        early = self._early_filter(query, ids)
        if early is not None:
            return early
        self.sync()
        scope = self._rows_for(ids)
        if query.is_empty:
            if ids is None:
                return list(self._order)
            return list(ids) if scope is not None and len(scope) == len(ids) else self._ids_at(scope or [])
        rows = self._filter_rows(query, scope)
        return list(self._order) if rows is None else self._ids_at(rows)

    def filter_incremental(self, query: Query, ids: Sequence[str] | None = None) -> list[str]:
        """Like ``filter``, but starts from the previous call's result when that gives the same answer.

        That holds when ``query.narrows(previous query)``, ``ids`` is the very same object as before
        (or None both times; do not change that list in place between calls) and the index has not
        changed since. Use it for the search box; use ``filter`` for one-off questions.
        """
        early = self._early_filter(query, ids)
        if early is not None:
            return early
        self.sync()
        previous = self._previous
        rows: Rows | None
        if (
            previous is not None
            and previous.scope is ids
            and previous.generation == self._generation
            and query.narrows(previous.query)
            and not (self._word is not None and query.is_plain)  # looking words up beats narrowing
        ):
            start = previous.rows if isinstance(previous.rows, list) else previous.rows.tolist()
            rows = self._filter_rows(query, start)
        else:
            rows = self._filter_rows(query, self._rows_for(ids))
        if rows is None:
            rows = list(range(len(self._order)))
        self._previous = _Previous(query, ids, rows, self._generation)
        return self._ids_at(rows)

    def matches(self, query: Query, paper_id: str) -> bool:
        """Whether one paper matches (for a single paper ``Query.matches`` needs no index)."""
        return bool(self.filter(query, [paper_id]))

    def _ids_at(self, rows: Rows) -> list[str]:
        if isinstance(rows, list):
            order = self._order
            return [order[r] for r in rows]
        if self._order_array is None or len(self._order_array) != len(self._order):
            self._order_array = np.asarray(self._order, dtype=object)
        result: list[str] = self._order_array[rows].tolist()
        return result

    def _rows_for(self, ids: Sequence[str] | None) -> list[int] | None:
        """The rows of ``ids``; remembered for the same list object (the table passes the same one)."""
        if ids is None:
            return None
        scope = self._scope
        if scope is not None and scope.ids is ids and scope.length == len(ids) and scope.known == len(self._order):
            return scope.rows
        pos = self._pos
        rows = [pos[pid] for pid in ids if pid in pos]
        self._scope = _Scope(ids, len(ids), len(self._order), rows)
        return rows

    def _scope_array(self, rows: list[int]) -> npt.NDArray[np.int64]:
        scope = self._scope
        if scope is not None and scope.rows is rows:
            if scope.array is None:
                scope.array = np.asarray(rows, np.int64)
            return scope.array
        return np.asarray(rows, np.int64)

    def _filter_rows(self, query: Query, rows: list[int] | None) -> Rows | None:
        """Rows (None: all) that match; the plain-word fast path skips per-term dispatch."""
        if query.is_plain:
            if self._word is not None and query.words:
                return self._plain_rows(query.words, rows)
            combined = self._columns[_ANY]
            for word in self._rarest_first(query.words, rows):
                candidates = range(len(combined)) if rows is None else rows
                rows = [r for r in candidates if word in combined[r]]
                if not rows:
                    break
            return rows
        scope = self._scope
        if rows is not None and scope is not None and rows is scope.rows and len(rows) * 4 > len(self._order):
            # most of the library, in another order (the table's sort): scanning the columns in row
            # order is several times faster than jumping around them, and taking the scope is cheap
            everywhere = self._filter_rows(query, None)
            if everywhere is None:
                return rows
            keep = np.zeros(len(self._order), np.bool_)
            keep[everywhere] = True
            return _take(self._scope_array(rows), keep)
        combined = self._columns[_ANY]
        if isinstance(combined, _CombinedTexts) and sum(map(len, query.clauses)) > 1:
            # Each row's text is made again when read (~6 us): terms that scan it one after the other read
            # it once per block of rows instead of once per term (32 terms over 10k rows: 2.1 s -> 0.3 s)
            found: list[int] = []
            scanned: Sequence[int] = range(len(self._order)) if rows is None else rows
            for start in range(0, len(scanned), _KEPT_ROWS):
                block = list(scanned[start : start + _KEPT_ROWS])
                with combined.kept(block):
                    found += self._select_clauses(query, block) or []
            return found
        return self._select_clauses(query, rows)

    def _select_clauses(self, query: Query, rows: list[int] | None) -> list[int] | None:
        """Rows (None: all) that every clause of ``query`` accepts, the cheapest clauses first."""
        indexed = self._word is not None
        for clause in sorted(query.clauses, key=lambda c: _clause_cost(c, indexed)):
            rows = self._select_clause(clause, rows)
            if not rows:
                break
        return rows

    def _rarest_first(self, words: tuple[str, ...], rows: list[int] | None) -> list[str]:
        """Words ordered so the first scan leaves the fewest rows: counted on a sample of the rows."""
        if len(words) < 2:
            return list(words)
        total = len(self._order) if rows is None else len(rows)
        if total < _SAMPLE_FROM:
            return sorted(words, key=len, reverse=True)  # longer words are usually rarer
        step = total // _SAMPLE_SIZE
        combined = self._columns[_ANY]
        sample = [combined[r] for r in (range(0, total, step) if rows is None else rows[::step])]
        return sorted(words, key=lambda w: (sum(w in text for text in sample), -len(w)))

    def _select_clause(self, clause: tuple[Term, ...], rows: list[int] | None) -> list[int]:
        if len(clause) == 1:
            return self._select(clause[0], rows)
        if self._word is not None and all(_by_mask(t) for t in clause):  # `graph OR fulltext:graph` (PDF text too)
            mask = np.zeros(len(self._order), np.bool_)
            for term in clause:
                mask |= self._fulltext_mask(term.value) if term.field == FULLTEXT else self._word_mask(term.value)
            return (np.flatnonzero(mask) if rows is None else _take(self._scope_array(rows), mask)).tolist()
        remaining = list(range(len(self._order))) if rows is None else rows
        hits: set[int] = set()
        for term in clause:
            hits.update(self._select(term, [r for r in remaining if r not in hits]))
        return [r for r in remaining if r in hits]

    def _fulltext_mask(self, value: str) -> Mask:
        mask = np.zeros(len(self._order), np.bool_)
        lookup, pos = self.library.fulltext, self._pos
        mask[[pos[pid] for pid in (lookup(value) if lookup is not None else ()) if pid in pos]] = True
        return mask

    def _select(self, term: Term, rows: list[int] | None) -> list[int]:
        """Rows that ``term`` accepts. Each case is its own comprehension: no call per row."""
        candidates: Sequence[int] = range(len(self._order)) if rows is None else rows
        value = term.value
        if term.field == FULLTEXT:  # the attached files' text, which the library's lookup knows (or nothing)
            lookup = self.library.fulltext
            pos = self._pos
            hit = {pos[pid] for pid in (lookup(value) if lookup is not None else ()) if pid in pos}
            return [r for r in candidates if (r in hit) != term.negated]
        if value and not term.negated and term.field in _IN_WORD_INDEX and self._word is not None:
            # the field's text is part of the paper's searchable text: only papers whose text has
            # every word of the value anywhere can have it in the field (author:smith looks at ~500)
            words = iter(value.split())
            mask = self._word_mask(next(words))
            for part in words:
                mask = mask & self._word_mask(part)
            if np.count_nonzero(mask) * 2 < len(mask):  # worth it only when it leaves out many
                scope = np.flatnonzero(mask) if rows is None else _take(self._scope_array(rows), mask)
                candidates = scope.tolist()
        if term.field == YEAR:
            years = self._year
            low = 0 if term.low is None else term.low
            high = _MAX_YEAR if term.high is None else term.high
            if term.negated:
                return [r for r in candidates if not low <= years[r] <= high]
            return [r for r in candidates if low <= years[r] <= high]
        if term.field == "abstract":
            combined, start, end = self._columns[_ANY], self._abstract_at, self._ann_at
            if not value:  # abstract:* (present)
                if term.negated:
                    return [r for r in candidates if end[r] == start[r]]
                return [r for r in candidates if end[r] > start[r]]
            if term.negated:
                return [r for r in candidates if combined[r].find(value, start[r], end[r]) < 0]
            return [r for r in candidates if combined[r].find(value, start[r], end[r]) >= 0]
        if term.field is None and self._word is not None and len(value.split()) == 1:
            mask = self._word_mask(value)
            if term.negated:
                mask = ~mask
            return np.flatnonzero(mask).tolist() if rows is None else _take(self._scope_array(rows), mask).tolist()
        if term.field in VALUE_FIELDS:
            column = self._columns[term.field]
            needle = _VALUE_SEP + value if term.prefix else _VALUE_SEP + value + _VALUE_SEP
        else:
            column = self._columns[term.field or _ANY]
            if not value:  # field:* (not empty)
                if term.negated:
                    return [r for r in candidates if not column[r]]
                return [r for r in candidates if column[r]]
            needle = value
        if term.negated:
            return [r for r in candidates if needle not in column[r]]
        return [r for r in candidates if needle in column[r]]


def _by_mask(term: Term) -> bool:
    """Whether the word index (a word) or the full-text lookup answers ``term`` as a mask of all rows."""
    return not term.negated and bool(term.value) and (
        term.field == FULLTEXT or (term.field is None and len(term.value.split()) == 1))


def _values(values: list[str]) -> str:
    return _VALUE_SEP + _VALUE_SEP.join(values) + _VALUE_SEP if values else ""


def _take(rows: npt.NDArray[np.int64], mask: Mask) -> npt.NDArray[np.int64]:
    """The rows (in their order) that ``mask`` keeps."""
    kept: npt.NDArray[np.int64] = rows[mask[rows]]
    return kept


def _term_cost(term: Term, indexed: bool = False) -> int:
    if term.field == YEAR or term.field in VALUE_FIELDS:
        cost = 1
    elif indexed and term.field is None and len(term.value.split()) == 1:
        cost = 1  # looked up in the word index
    elif indexed and term.field in _IN_WORD_INDEX and term.value and not term.negated:
        cost = 2  # looked up, then checked on the few papers found
    elif term.field in _SHORT_TEXT:
        cost = 2
    elif term.field == FULLTEXT:
        cost = 5
    else:  # scans the abstract
        cost = 10
    # an excluded term scans every row to its end; a longer needle is usually rarer
    return cost * (3 if term.negated else 1) * 100 - min(len(term.value), 99)


def _clause_cost(clause: tuple[Term, ...], indexed: bool = False) -> int:
    return sum(_term_cost(t, indexed) for t in clause)


_STATE: Final = (
    "_columns", "_abstract_at", "_ann_at", "_year", "_annotated", "_word", "_stale",
    "_masks", "_order_array", "word_index_source", "_word_index_processes", "_annotation_text", "_saver",
)
"""What ``finish_build`` takes over from the index built anew in steps (besides the rows' ids)."""


def filter_papers(library: Library, text: str, *, in_trash: bool = False) -> list[str]:
    """Ids of the papers matching a query text, in library order (for the CLI): those outside the Trash,
    or (``in_trash``) those in it, as the window's Trash facet does.

    Raises:
        QueryError: the text is not a valid query.
    """
    query = parse_query(text)
    return SearchIndex(library).filter(query, library.trashed_ids() if in_trash else library.live_ids())
