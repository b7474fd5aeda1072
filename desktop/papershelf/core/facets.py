"""Facets: the values a paper has for status, track, tags, reading lists, year and venue, and their counts.

Within one facet the chosen values are alternatives (OR); across facets they all apply (AND). The count
shown beside a value is the number of papers in the current result that would match if that facet's own
choice were ignored, the way faceted search usually counts, so choosing "Poster" does not make "Oral"
read zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

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
    if facet == "status":
        return (library.annotation(paper_id).status,)
    if facet == "tags":
        return library.annotation(paper_id).tags or (NONE_VALUE,)
    if facet == "lists":
        return library.annotation(paper_id).lists or (NONE_VALUE,)
    paper = library.papers[paper_id]
    if facet == "track":
        return (paper.track or NONE_VALUE,)
    if facet == "year":
        return (str(paper.year) if paper.year else NONE_VALUE,)
    if facet == "venue":
        return (paper.venue or NONE_VALUE,)
    raise ValueError(f"unknown facet {facet!r}")


def _active(selection: Selection) -> dict[str, frozenset[str]]:
    return {facet: chosen for facet, chosen in selection.items() if chosen}


def _keeps(library: Library, pid: str, active: Mapping[str, frozenset[str]], skip: str = "") -> bool:
    for facet, chosen in active.items():
        if facet != skip and chosen.isdisjoint(values(library, pid, facet)):
            return False
    return True


def apply(library: Library, ids: Sequence[str], selection: Selection) -> list[str]:
    """The ids (order kept) that match every facet with a choice."""
    active = _active(selection)
    if not active:
        return list(ids)
    return [pid for pid in ids if _keeps(library, pid, active)]


def counts(library: Library, ids: Sequence[str], selection: Selection) -> dict[str, Counter[str]]:
    """For each facet, how many of ``ids`` have each value, ignoring that facet's own choice."""
    active = _active(selection)
    result: dict[str, Counter[str]] = {}
    for facet in FACET_NAMES:
        others = {f: c for f, c in active.items() if f != facet}
        counter: Counter[str] = Counter()
        for pid in ids:
            if not others or _keeps(library, pid, others):
                counter.update(values(library, pid, facet))
        result[facet] = counter
    return result
