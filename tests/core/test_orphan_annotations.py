""""More like this" and recommendations over a library holding an annotation whose paper was set aside as
a damaged record (and a similarity cache written while it was there): no raise, the orphan never comes up."""

from __future__ import annotations

from pathlib import Path

from papershelf.core.similar import SimilarityIndex
from tests.helpers.orphans import library_with_orphan


def test_similar_and_recommend_never_name_the_orphan(tmp_path: Path) -> None:
    found = library_with_orphan(tmp_path / "lib")
    library = found.library

    index = SimilarityIndex.load_or_build(library)  # from the cache, brought up to date
    recommended = [pid for pid, _ in index.recommend(library)]
    similar = {pid for paper in library.papers.values() for pid, _ in index.similar(paper.id)}

    assert found.orphan not in index
    assert recommended
    assert set(recommended) <= set(library.papers)
    assert found.orphan not in similar
    assert library.stored_annotation(found.orphan) == found.annotation
