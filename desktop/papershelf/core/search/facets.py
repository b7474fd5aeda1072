"""Facets: the values a paper has for status, track, tags, reading lists, year and venue, and their counts.

Within one facet the chosen values are alternatives (OR); across facets they all apply (AND). The count
shown beside a value is the number of papers in the current result that would match if that facet's own
choice were ignored, the way faceted search usually counts, so choosing "Poster" does not make "Oral"
read zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress
from typing import Final

import numpy as np
import numpy.typing as npt

from papershelf.core.library import Library
from papershelf.core.search.steps import advance

Mask = npt.NDArray[np.bool_]

FACETS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("track", "Track"),
    ("lists", "Reading lists"),
    ("tags", "Tags"),
    ("year", "Year"),
    ("venue", "Venue"),
)
FACET_NAMES = tuple(name for name, _ in FACETS)
NONE_VALUE = ""  # papers without a track, tag, list, year or venue

Selection = Mapping[str, frozenset[str]]


def values(library: Library, paper_id: str, facet: str) -> Iterable[str]:
    """The paper's values for ``facet`` (as strings; '' when it has none)."""
    return _VALUES[facet](library, paper_id)


def _status(library: Library, pid: str) -> tuple[str, ...]:
    ann = library.stored_annotation(pid)
    return (ann.status if ann is not None else "new",)


def _tags(library: Library, pid: str) -> Sequence[str]:
    ann = library.stored_annotation(pid)
    return (ann.tags or _NONE) if ann is not None else _NONE


def _lists(library: Library, pid: str) -> Sequence[str]:
    ann = library.stored_annotation(pid)
    return (ann.lists or _NONE) if ann is not None else _NONE


def _track(library: Library, pid: str) -> tuple[str, ...]:
    return (library.papers[pid].track or NONE_VALUE,)


def _year(library: Library, pid: str) -> tuple[str, ...]:
    year = library.papers[pid].year
    return (str(year) if year else NONE_VALUE,)


def _venue(library: Library, pid: str) -> tuple[str, ...]:
    return (library.papers[pid].venue or NONE_VALUE,)


_NONE = (NONE_VALUE,)
_VALUES: dict[str, Callable[[Library, str], Sequence[str]]] = {
    "status": _status, "track": _track, "lists": _lists, "tags": _tags, "year": _year, "venue": _venue,
}


def _active(selection: Selection) -> dict[str, frozenset[str]]:
    return {facet: chosen for facet, chosen in selection.items() if chosen}


def _keeps(library: Library, pid: str, active: Mapping[str, frozenset[str]], skip: str = "") -> bool:
    for facet, chosen in active.items():
        if facet != skip and chosen.isdisjoint(_VALUES[facet](library, pid)):
            return False
    return True


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
    kept_by_all = apply(library, ids, selection) if len(active) > 1 else None
    for facet in FACET_NAMES:
        others = {f: c for f, c in active.items() if f != facet}
        if not others:
            scope: Sequence[str] = ids
        elif kept_by_all is not None and facet not in active:
            scope = kept_by_all
        else:
            scope = [pid for pid in ids if _keeps(library, pid, others)]
        value_of = _VALUES[facet]
        result[facet] = Counter(v for pid in scope for v in value_of(library, pid))
    return result


class FacetCounter:
    """Every paper's facet values as small integer codes, so that counting a result is a few bincounts.

    ``counts`` and ``apply`` above ask each paper for each value: ~300 ms for a 100k-paper result,
    a pause after every search at that size. ``FacetCounter.counts`` and ``.apply`` give the same
    answers in ~20 ms. Keeping it current is the caller's job, as for the search index::

        counter = FacetCounter(library)
        library.events.connect_ids(counter.invalidate)   # annotation edits and imports; new papers are
                                                         # also picked up on the next use
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self._order: list[str] = []
        self._row: dict[str, int] = {}
        self._names: dict[str, list[str]] = {}  # facet -> the value of each code
        self._code: dict[str, dict[str, int]] = {}  # facet -> value -> code
        self._single: dict[str, npt.NDArray[np.int32]] = {}  # status, track, year, venue: a code per row
        self._multi: dict[str, list[tuple[int, ...]]] = {}  # tags, lists: codes per row
        self._pairs: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]] = {}  # (rows, codes)
        self._steps: Iterator[None] | None = None
        self._syncing = False
        self._pending: set[str] = set()  # changed while syncing

    # -- keeping current ---------------------------------------------------------------------------

    def invalidate(self, ids: Sequence[str]) -> None:
        """Recompute these papers' values (meant as a library listener)."""
        if self._syncing:
            self._pending.update(ids)
            return
        papers = self.library.papers
        for pid in ids:
            row = self._row.get(pid)
            if row is None:
                continue  # new: added by the next _sync
            if pid not in papers:
                self._order = []  # a paper went away: start again on the next use
                self._row = {}
                return
            for facet in _SINGLE:
                self._single[facet][row] = self._encode(facet, _VALUES[facet](self.library, pid)[0])
            for facet in _MULTI:
                self._multi[facet][row] = tuple(self._encode(facet, v) for v in _VALUES[facet](self.library, pid))
                self._pairs.pop(facet, None)

    def _encode(self, facet: str, value: str) -> int:
        code = self._code[facet].get(value)
        if code is None:
            code = self._code[facet][value] = len(self._names[facet])
            self._names[facet].append(value)
        return code

    @property
    def syncing(self) -> bool:
        """True from ``start_sync`` until it has run to its end."""
        return self._steps is not None

    def start_sync(self) -> None:
        """Start bringing the codes up to date, to be advanced by ``sync_step`` (a window's idle timer).

        ~0.4 s at 100k papers the first time. Asking a question meanwhile finishes it at once.
        """
        if self._steps is None:
            self._steps = self._syncing_steps()

    def sync_step(self, seconds: float = 0.01) -> bool:
        """Sync for about ``seconds`` (one step at least); True once up to date."""
        steps = self._steps
        if steps is None:
            return True
        try:
            done = advance(steps, seconds)
        except BaseException:
            self._steps = None
            raise
        if done:
            self._steps = None
        return done

    def _sync(self) -> None:
        # until nothing is missing: a sync already under way knows only the papers there were when
        # it began, and papers may have been imported since
        while not (self._order and len(self._order) == len(self.library.papers)):
            self.start_sync()
            while not self.sync_step(60.0):
                pass
            if not self.library.papers:
                return

    def _syncing_steps(self) -> Iterator[None]:
        """Bring the codes up to date with the library, pausing (yielding) every ``_SYNC_STEP`` papers."""
        papers = self.library.papers
        if self._order and len(papers) == len(self._order):
            return
        self._syncing = True  # invalidate() waits for the end: the rows are numbered then
        try:
            known = len(self._order)
            ids = list(papers)
            if not known or ids[:known] != self._order:
                known = 0
                self._names = {facet: [] for facet in FACET_NAMES}
                self._code = {facet: {} for facet in FACET_NAMES}
                self._single = {facet: np.zeros(0, np.int32) for facet in _SINGLE}
                self._multi = {facet: [] for facet in _MULTI}
            new = ids[known:]
            for start in range(0, len(new), _SYNC_STEP):
                self._append(new[start : start + _SYNC_STEP])
                yield
            self._order = ids
            self._row = {pid: row for row, pid in enumerate(ids)}
        finally:
            self._syncing = False
        pending, self._pending = self._pending, set()
        self.invalidate(sorted(pending))  # edits made between the steps, to papers already encoded

    def _append(self, new: list[str]) -> None:
        library = self.library
        for facet in _SINGLE:
            value_of = _VALUES[facet]
            values = [value_of(library, pid)[0] for pid in new]
            for value in set(values):
                self._encode(facet, value)
            codes = np.fromiter(map(self._code[facet].__getitem__, values), np.int32, len(values))
            self._single[facet] = np.concatenate([self._single[facet], codes])
        for facet in _MULTI:
            value_of = _VALUES[facet]
            none = (self._encode(facet, NONE_VALUE),)
            rows = self._multi[facet]
            for pid in new:
                found = value_of(library, pid)
                rows.append(none if found is _NONE else tuple(self._encode(facet, v) for v in found))
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

    def _rows(self, ids: Sequence[str]) -> npt.NDArray[np.int64]:
        self._sync()
        return np.fromiter(map(self._row.__getitem__, ids), np.int64, len(ids))

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
        if not active:
            return list(ids)
        rows = self._rows(ids)
        keep = np.ones(len(self._order), np.bool_)
        for facet, chosen in active.items():
            keep &= self._keeps(facet, chosen)
        return list(compress(ids, keep[rows].tolist()))

    def counts(self, ids: Sequence[str], selection: Selection) -> dict[str, Counter[str]]:
        """Like ``facets.counts``: per facet, how many of ``ids`` have each value, ignoring its own choice."""
        active = _active(selection)
        rows = self._rows(ids)
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


_SINGLE: Final = ("status", "track", "year", "venue")
_SYNC_STEP: Final = 2048
_MULTI: Final = ("tags", "lists")
