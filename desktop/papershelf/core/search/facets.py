"""Facets: the values a paper has for status, track, tags, reading lists, year, venue and the Trash, and
their counts.

Within one facet the chosen values are alternatives (OR); across facets they all apply (AND). The count
shown beside a value is the number of papers in the current result that would match if that facet's own
choice were ignored, the way faceted search usually counts, so choosing "Poster" does not make "Oral"
read zero.

The Trash facet is always chosen: with nothing chosen in it, it keeps the papers *not* in the Trash
(``NOT_IN_TRASH``), so a paper moved to the Trash leaves every view, count and search result; choosing
its value ``IN_TRASH`` shows only the papers in the Trash (the other facets still apply and count them).
Its own count ignores that choice, as every facet's does: the count beside "Trash" is how many of the
current result are in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress
from typing import Final

import numpy as np
import numpy.typing as npt

from papershelf.core.fields import FIELDS, IN_TRASH, NO_ANNOTATION, NONE, Values
from papershelf.core.library import Library
from papershelf.core.search.derived import DerivedIndex

Mask = npt.NDArray[np.bool_]

FACET_NAMES: Final = ("status", "track", "lists", "tags", "year", "venue", "trash")
FACETS: Final = tuple((name, FIELDS[name].label) for name in FACET_NAMES)
"""(name, label) of each facet, in the order the sidebar shows them."""
NONE_VALUE: Final = NONE[0]  # papers without a track, tag, list, year or venue (or not in the Trash)
NOT_IN_TRASH: Final = frozenset({NONE_VALUE})
"""The Trash facet's choice when the user chose nothing in it: the papers outside the Trash."""

Selection = Mapping[str, frozenset[str]]


def values(library: Library, paper_id: str, facet: str) -> Sequence[str]:
    """The paper's values for ``facet`` (as strings; '' when it has none): the field's, see ``core/fields``."""
    return _VALUES[facet](library.papers[paper_id], library.stored_annotation(paper_id) or NO_ANNOTATION)


def _values_of(facet: str) -> Values:
    found = FIELDS[facet].values
    assert found is not None, f"{facet} is not a value field"
    return found


_VALUES: Final = {facet: _values_of(facet) for facet in FACET_NAMES}


def _active(selection: Selection) -> dict[str, frozenset[str]]:
    active = {facet: chosen for facet, chosen in selection.items() if chosen}
    active.setdefault("trash", NOT_IN_TRASH)
    return active


def _keeps(library: Library, pid: str, active: Mapping[str, frozenset[str]]) -> bool:
    paper, ann = library.papers[pid], library.stored_annotation(pid) or NO_ANNOTATION
    for facet, chosen in active.items():  # noqa: SIM110 - a loop: all() over a generator costs 2x per paper
        if chosen.isdisjoint(_VALUES[facet](paper, ann)):
            return False
    return True


def _values_of_all(library: Library, ids: Iterable[str], facet: str) -> Iterator[Sequence[str]]:
    """The facet's values of each paper.

    A catalogue field's values are read without the annotation; and no (paper, annotation) pairs
    are kept: 100k long-lived tuples make the garbage collector walk the whole library (~0.3 s).
    """
    value_of, papers = _VALUES[facet], library.papers
    if not FIELDS[facet].annotated:
        return (value_of(papers[pid], NO_ANNOTATION) for pid in ids)
    stored = library.stored_annotation
    return (value_of(papers[pid], stored(pid) or NO_ANNOTATION) for pid in ids)


def apply(library: Library, ids: Sequence[str], selection: Selection) -> list[str]:
    """The ids (order kept) that match every facet with a choice."""
    active = _active(selection)
    if not active:
        return list(ids)
    return [pid for pid in ids if _keeps(library, pid, active)]


def counts(library: Library, ids: Sequence[str], selection: Selection) -> dict[str, Counter[str]]:
    """For each facet, how many of ``ids`` have each value, ignoring that facet's own choice.

    One counting pass per facet over the papers the other facets keep (Counter's C loop); papers with
    several tags or lists count once per value.
    """
    active = _active(selection)
    result: dict[str, Counter[str]] = {}
    scopes: dict[tuple[str, ...], Sequence[str]] = {(): ids}  # by the facets that filter
    for facet in FACET_NAMES:
        others = {f: c for f, c in active.items() if f != facet}
        scope = scopes.get(tuple(others))
        if scope is None:  # with one facet chosen, the five others share one scope
            scope = scopes[tuple(others)] = [pid for pid in ids if _keeps(library, pid, others)]
        result[facet] = Counter(chain.from_iterable(_values_of_all(library, scope, facet)))
    return result


class FacetCounter(DerivedIndex):
    """Every paper's facet values as small integer codes, so that counting a result is a few bincounts.

    ``counts`` and ``apply`` above ask each paper for each value: ~300 ms for a 100k-paper result,
    a pause after every search at that size. ``FacetCounter.counts`` and ``.apply`` give the same
    answers in ~20 ms. Keeping it current is the caller's job, as for the search index::

        counter = FacetCounter(library)
        library.events.connect_ids(counter.invalidate)   # annotation edits and imports; new papers are
                                                         # also picked up on the next use
    """

    STEP_ROWS = 2048

    def __init__(self, library: Library) -> None:
        super().__init__(library)
        self._names: dict[str, list[str]] = {}  # facet -> the value of each code
        self._code: dict[str, dict[str, int]] = {}  # facet -> value -> code
        self._single: dict[str, npt.NDArray[np.int32]] = {}  # status, track, year, venue: a code per row
        self._multi: dict[str, list[tuple[int, ...]]] = {}  # tags, lists: codes per row
        self._pairs: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]] = {}  # (rows, codes)

    # -- keeping current (see DerivedIndex) --------------------------------------------------------

    def _clear(self) -> None:
        self._names = {facet: [] for facet in FACET_NAMES}
        self._code = {facet: {} for facet in FACET_NAMES}
        self._single = {facet: np.zeros(0, np.int32) for facet in _SINGLE}
        self._multi = {facet: [] for facet in _MULTI}
        self._pairs = {}

    def _update_row(self, row: int, paper_id: str) -> None:
        paper = self.library.papers[paper_id]
        ann = self.library.stored_annotation(paper_id) or NO_ANNOTATION
        for facet in _SINGLE:
            self._single[facet][row] = self._encode(facet, _VALUES[facet](paper, ann)[0])
        for facet in _MULTI:
            self._multi[facet][row] = tuple(self._encode(facet, v) for v in _VALUES[facet](paper, ann))
            self._pairs.pop(facet, None)

    def _adopt(self, fresh: FacetCounter) -> None:
        self._names, self._code, self._single = fresh._names, fresh._code, fresh._single
        self._multi, self._pairs = fresh._multi, fresh._pairs

    def _encode(self, facet: str, value: str) -> int:
        code = self._code[facet].get(value)
        if code is None:
            code = self._code[facet][value] = len(self._names[facet])
            self._names[facet].append(value)
        return code

    @property
    def syncing(self) -> bool:
        """True from ``start_sync`` until it has run to its end."""
        return self.working

    def start_sync(self) -> None:
        """Start bringing the codes up to date, to be advanced by ``sync_step`` (a window's idle timer).

        ~0.4 s at 100k papers the first time. Asking a question meanwhile finishes it at once.
        """
        self.start_catch_up()

    def sync_step(self, seconds: float = 0.01) -> bool:
        """Sync for about ``seconds`` (one step at least); True once up to date."""
        return self.step(seconds)

    def _append_rows(self, ids: Sequence[str]) -> None:
        # The comprehensions are spelled out (not _values_of_all): this is 0.25 s at 100k papers, and a
        # generator between them costs a fifth more.
        papers, stored = self.library.papers, self.library.stored_annotation
        for facet in _SINGLE:
            value_of = _VALUES[facet]
            if FIELDS[facet].annotated:
                values = [value_of(papers[pid], stored(pid) or NO_ANNOTATION)[0] for pid in ids]
            else:
                values = [value_of(papers[pid], NO_ANNOTATION)[0] for pid in ids]
            for value in set(values):
                self._encode(facet, value)
            codes = np.fromiter(map(self._code[facet].__getitem__, values), np.int32, len(values))
            self._single[facet] = np.concatenate([self._single[facet], codes])
        for facet in _MULTI:  # annotated fields
            value_of = _VALUES[facet]
            none = (self._encode(facet, NONE_VALUE),)
            multi = self._multi[facet]
            for pid in ids:
                found = value_of(papers[pid], stored(pid) or NO_ANNOTATION)
                multi.append(none if found is NONE else tuple(self._encode(facet, v) for v in found))
            self._pairs.pop(facet, None)

    def _pairs_of(self, facet: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        pairs = self._pairs.get(facet)
        if pairs is None:
            per_row = self._multi[facet]
            lengths = np.fromiter(map(len, per_row), np.int64, len(per_row))
            codes = np.fromiter(chain.from_iterable(per_row), np.int32, int(lengths.sum()))
            pairs = self._pairs[facet] = (np.repeat(np.arange(len(per_row), dtype=np.int64), lengths), codes)
        return pairs

    # -- questions ---------------------------------------------------------------------------------

    def _rows(self, ids: Sequence[str]) -> tuple[Sequence[str], npt.NDArray[np.int64]]:
        """``ids`` and their rows, without ids the library no longer has (a view that asks before it heard
        they went)."""
        self.sync()
        pos = self._pos
        try:
            return ids, np.fromiter(map(pos.__getitem__, ids), np.int64, len(ids))
        except KeyError:
            known = [pid for pid in ids if pid in pos]
            return known, np.fromiter(map(pos.__getitem__, known), np.int64, len(known))

    def _keeps(self, facet: str, chosen: frozenset[str]) -> Mask:
        """Rows (all of them) with at least one of the chosen values for ``facet``."""
        codes = [self._code[facet][v] for v in chosen if v in self._code[facet]]
        if facet in self._single:
            return np.isin(self._single[facet], codes)
        rows, pair_codes = self._pairs_of(facet)
        keep = np.zeros(len(self._order), np.bool_)
        keep[rows[np.isin(pair_codes, codes)]] = True
        return keep

    def apply(self, ids: Sequence[str], selection: Selection) -> list[str]:
        """Like ``facets.apply``: the ids (order kept) that match every facet with a choice."""
        active = _active(selection)
        if active == {"trash": NOT_IN_TRASH} and (self.working or not self.ready):
            # no choice made and no codes yet: the library knows what is in the Trash (a window's first
            # search is not held up by 0.4-0.7 s of codes at 100k papers; they are prepared in steps after)
            papers, trashed = self.library.papers, set(self.library.trashed_ids())
            return [pid for pid in ids if pid in papers and pid not in trashed]
        ids, rows = self._rows(ids)
        if active == {"trash": NOT_IN_TRASH} and IN_TRASH not in self._code["trash"]:
            return list(ids)  # nothing was ever in the Trash: the usual case, at no cost
        keep = np.ones(len(self._order), np.bool_)
        for facet, chosen in active.items():
            keep &= self._keeps(facet, chosen)
        return list(compress(ids, keep[rows].tolist()))

    def counts(self, ids: Sequence[str], selection: Selection) -> dict[str, Counter[str]]:
        """Like ``facets.counts``: per facet, how many of ``ids`` have each value, ignoring its own choice."""
        active = _active(selection)
        _ids, rows = self._rows(ids)
        keeps = {facet: self._keeps(facet, chosen) for facet, chosen in active.items()}
        result: dict[str, Counter[str]] = {}
        for facet in FACET_NAMES:
            scope = rows
            for other, keep in keeps.items():
                if other != facet:
                    scope = scope[keep[scope]]
            names = self._names[facet]
            if facet in self._single:
                tally = np.bincount(self._single[facet][scope], minlength=len(names))
            else:
                in_scope = np.zeros(len(self._order), np.bool_)
                in_scope[scope] = True
                pair_rows, pair_codes = self._pairs_of(facet)
                tally = np.bincount(pair_codes[in_scope[pair_rows]], minlength=len(names))
            result[facet] = Counter({names[code]: int(n) for code, n in enumerate(tally.tolist()) if n})
        return result


_SINGLE: Final = ("status", "track", "year", "venue", "trash")
_MULTI: Final = ("tags", "lists")
