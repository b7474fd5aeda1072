"""Filtering the library by a query fast enough to run on every keystroke at 100k papers.

The index keeps, per paper, each searchable field in ``search_form`` (folded, single spaces) in
columns (lists aligned with the library's order), and filters with one list comprehension per
term over the rows still in play, most selective and cheapest terms first. Plain-word queries
narrow word by word over one combined string per paper.

Keeping it current is the caller's job; the index registers nothing on the library::

    index = SearchIndex(library)
    library.listeners.append(index.invalidate)   # annotation edits, imports

``filter_incremental`` reuses the previous result while the user types (``graph ne`` -> ``graph neu``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from papershelf.core.library import Library
from papershelf.core.query import SUBSTRING_FIELDS, VALUE_FIELDS, YEAR, Query, Term, parse_query, search_form

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


@dataclass(slots=True)
class _Previous:
    query: Query
    scope: Sequence[str] | None
    rows: list[int]
    generation: int


class SearchIndex:
    """Per-paper folded fields of one library, built on first use in one pass.

    Columns (``_columns[name][row]``): ``any`` is title, authors, key, tags, lists, note and, last,
    the abstract, joined by newlines (``_abstract_at[row]`` is where the abstract starts, so
    ``abstract:`` needs no copy of its own); the short text fields each; the value fields as
    ``\\x1fvalue\\x1fvalue\\x1f`` (empty when there is none); ``_year[row]`` (-1 when unknown).
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self._order: list[str] = []
        self._pos: dict[str, int] = {}
        self._columns: dict[str, list[str]] = {}
        self._abstract_at: list[int] = []
        self._year: list[int] = []
        self._built = False
        self._generation = 0
        self._previous: _Previous | None = None

    # -- keeping current ---------------------------------------------------------------------------

    def invalidate(self, ids: Sequence[str]) -> None:
        """Recompute these papers (an annotation changed); new papers are picked up on the next filter.

        Meant as a library listener: ``library.listeners.append(index.invalidate)``.
        """
        self._generation += 1
        if not self._built:
            return
        papers = self.library.papers
        for pid in ids:
            row = self._pos.get(pid)
            if row is None:
                continue
            if pid not in papers:
                self._built = False  # a paper went away: rebuild on next use
                return
            self._set_row(row, pid)

    def build(self) -> None:
        """Compute every paper's fields now (otherwise the first filter does it)."""
        self._order = list(self.library.papers)
        self._pos = {pid: row for row, pid in enumerate(self._order)}
        self._columns = {name: [] for name in (_ANY, *_SHORT_TEXT, *VALUE_FIELDS)}
        self._abstract_at = []
        self._year = []
        for pid in self._order:
            self._append_row(pid)
        self._built = True
        self._generation += 1

    def _sync(self) -> None:
        papers = self.library.papers
        if not self._built:
            self.build()
            return
        if len(papers) == len(self._order):
            return
        ids = list(papers)
        known = len(self._order)
        if len(ids) < known or ids[:known] != self._order:
            self.build()
            return
        for pid in ids[known:]:
            self._pos[pid] = len(self._order)
            self._order.append(pid)
            self._append_row(pid)
        self._generation += 1

    def _fields(self, pid: str) -> tuple[dict[str, str], int, int]:
        paper = self.library.papers[pid]
        ann = self.library.annotation(pid)
        title = search_form(paper.title)
        author = search_form("; ".join(paper.authors))
        key = search_form(paper.key)
        note = search_form(ann.note)
        abstract = search_form(paper.abstract)
        tags = [search_form(t) for t in ann.tags]
        lists = [search_form(name) for name in ann.lists]
        combined = _FIELD_SEP.join([title, author, key, *tags, *lists, note, abstract])
        columns = {
            _ANY: combined,
            "title": title,
            "author": author,
            "note": note,
            "venue": search_form(paper.venue),
            "key": key,
            "tag": _values(tags),
            "list": _values(lists),
            "status": _values([search_form(ann.status)]),
            "track": _values([search_form(paper.track)] if paper.track else []),
        }
        year = _NO_YEAR if paper.year is None else paper.year
        return columns, len(combined) - len(abstract), year

    def _append_row(self, pid: str) -> None:
        columns, abstract_at, year = self._fields(pid)
        for name, value in columns.items():
            self._columns[name].append(value)
        self._abstract_at.append(abstract_at)
        self._year.append(year)

    def _set_row(self, row: int, pid: str) -> None:
        columns, abstract_at, year = self._fields(pid)
        for name, value in columns.items():
            self._columns[name][row] = value
        self._abstract_at[row] = abstract_at
        self._year[row] = year

    # -- filtering ---------------------------------------------------------------------------------

    def filter(self, query: Query, ids: Sequence[str] | None = None) -> list[str]:
        """The ids among ``ids`` (default: the whole library, in library order) that match, in that order.

        Ids the library does not have match nothing.
        """
        self._sync()
        rows = self._filter_rows(query, self._rows_for(ids))
        order = self._order
        return list(order) if rows is None else [order[r] for r in rows]

    def filter_incremental(self, query: Query, ids: Sequence[str] | None = None) -> list[str]:
        """Like ``filter``, but starts from the previous call's result when that gives the same answer.

        That holds when ``query.narrows(previous query)``, ``ids`` is the very same object as before
        (or None both times; do not change that list in place between calls) and the index has not
        changed since. Use it for the search box; use ``filter`` for one-off questions.
        """
        self._sync()
        previous = self._previous
        if (
            previous is not None
            and previous.scope is ids
            and previous.generation == self._generation
            and query.narrows(previous.query)
        ):
            rows = self._filter_rows(query, previous.rows)
        else:
            rows = self._filter_rows(query, self._rows_for(ids))
        if rows is None:
            rows = list(range(len(self._order)))
        self._previous = _Previous(query, ids, rows, self._generation)
        order = self._order
        return [order[r] for r in rows]

    def matches(self, query: Query, paper_id: str) -> bool:
        """Whether one paper matches (for a single paper ``Query.matches`` needs no index)."""
        return bool(self.filter(query, [paper_id]))

    def _rows_for(self, ids: Sequence[str] | None) -> list[int] | None:
        if ids is None:
            return None
        pos = self._pos
        return [pos[pid] for pid in ids if pid in pos]

    def _filter_rows(self, query: Query, rows: list[int] | None) -> list[int] | None:
        """Rows (None: all) that match; the plain-word fast path skips per-term dispatch."""
        if query.is_plain:
            combined = self._columns[_ANY]
            for word in self._rarest_first(query.words, rows):
                candidates = range(len(combined)) if rows is None else rows
                rows = [r for r in candidates if word in combined[r]]
                if not rows:
                    break
            return rows
        for clause in sorted(query.clauses, key=_clause_cost):
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
        remaining = list(range(len(self._order))) if rows is None else rows
        hits: set[int] = set()
        for term in clause:
            hits.update(self._select(term, [r for r in remaining if r not in hits]))
        return [r for r in remaining if r in hits]

    def _select(self, term: Term, rows: list[int] | None) -> list[int]:
        """Rows that ``term`` accepts. Each case is its own comprehension: no call per row."""
        candidates: Sequence[int] = range(len(self._order)) if rows is None else rows
        value = term.value
        if term.field == YEAR:
            years = self._year
            low = 0 if term.low is None else term.low
            high = _MAX_YEAR if term.high is None else term.high
            if term.negated:
                return [r for r in candidates if not low <= years[r] <= high]
            return [r for r in candidates if low <= years[r] <= high]
        if term.field == "abstract":
            combined, start = self._columns[_ANY], self._abstract_at
            if not value:  # abstract:* (present)
                if term.negated:
                    return [r for r in candidates if len(combined[r]) == start[r]]
                return [r for r in candidates if len(combined[r]) > start[r]]
            if term.negated:
                return [r for r in candidates if combined[r].find(value, start[r]) < 0]
            return [r for r in candidates if combined[r].find(value, start[r]) >= 0]
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


def _values(values: list[str]) -> str:
    return _VALUE_SEP + _VALUE_SEP.join(values) + _VALUE_SEP if values else ""


def _term_cost(term: Term) -> int:
    if term.field == YEAR or term.field in VALUE_FIELDS:
        cost = 1
    elif term.field in _SHORT_TEXT:
        cost = 2
    else:  # scans the abstract
        cost = 10
    # an excluded term scans every row to its end; a longer needle is usually rarer
    return cost * (3 if term.negated else 1) * 100 - min(len(term.value), 99)


def _clause_cost(clause: tuple[Term, ...]) -> int:
    return sum(_term_cost(t) for t in clause)


def filter_papers(library: Library, text: str) -> list[str]:
    """Ids of the papers matching a query text, in library order (for the CLI).

    Raises:
        QueryError: the text is not a valid query.
    """
    return SearchIndex(library).filter(parse_query(text))
