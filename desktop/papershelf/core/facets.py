"""Facets: the values a paper has for status, track, tags, reading lists, year and venue, and their counts.

Within one facet the chosen values are alternatives (OR); across facets they all apply (AND). The count
shown beside a value is the number of papers in the current result that would match if that facet's own
choice were ignored, the way faceted search usually counts, so choosing "Poster" does not make "Oral"
read zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from papershelf.core.library import Library

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
