"""Facet values, filtering and counts (counts ignore the facet's own choice)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from papershelf.core import facets
from papershelf.core.library import AnnotationChange, Library


def test_counts_and_apply_on_the_catalogue(iclr_library_dir: Path) -> None:
    library = Library(iclr_library_dir)
    ids = list(library.papers)
    library.annotate(ids[:10], AnnotationChange(status="read", add_tags=("rl", "theory")))
    library.annotate(ids[5:15], AnnotationChange(add_lists=("Group",)))
    none = facets.counts(library, ids, {})
    assert none["track"] == Counter({"Poster": 693, "Spotlight": 114, "Oral": 53})
    assert none["status"] == Counter({"new": 850, "read": 10})
    assert none["tags"] == Counter({"": 850, "rl": 10, "theory": 10})
    assert none["lists"] == Counter({"": 850, "Group": 10})
    assert none["year"] == Counter({"2021": 860})

    selection = {"status": frozenset({"read"}), "track": frozenset({"Oral"})}
    kept = facets.apply(library, ids, selection)
    assert kept == [p for p in ids[:10] if library.papers[p].track == "Oral"]
    counted = facets.counts(library, ids, selection)
    # status is counted among Oral papers, track among read papers: each ignores its own choice
    oral = [p for p in ids if library.papers[p].track == "Oral"]
    assert counted["status"] == Counter(library.annotation(p).status for p in oral)
    assert counted["track"] == Counter(library.papers[p].track for p in ids[:10])
    assert sum(counted["year"].values()) == len(kept)
