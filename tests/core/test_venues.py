"""Short venue names for the venue column and facet; the export keeps the booktitle as it came."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.core.search import facets
from papershelf.core.search.index import filter_papers
from papershelf.core.venues import short_venue, venue_shown
from papershelf.services import exporting
from papershelf.services.importing import import_file
from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    ("venue", "short"),
    [
        ("Advances in Neural Information Processing Systems", "NeurIPS"),
        ("Advances in Neural Information Processing Systems 32 (NIPS 2019)", "NeurIPS"),
        ("Proceedings of the 37th International Conference on Machine Learning", "ICML"),
        ("International Conference on Machine Learning and Applications", ""),  # ICMLA is another venue
        ("International Conference on Learning Representations", "ICLR"),
        ("Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)", "CVPR"),
        ("IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops", "CVPR Workshop"),
        ("Proceedings of the IEEE/CVF International Conference on Computer Vision", "ICCV"),
        ("European Conference on Computer Vision (ECCV)", "ECCV"),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", "TPAMI"),
        ("Proceedings of the 58th Annual Meeting of the Association for Computational Linguistics", "ACL"),
        ("Proceedings of the 2019 Conference of the North American Chapter of the Association for "
         "Computational Linguistics: Human Language Technologies", "NAACL"),
        ("Proceedings of the 16th Conference of the European Chapter of the Association for Computational "
         "Linguistics", "EACL"),
        ("Transactions of the Association for Computational Linguistics", "TACL"),
        ("Proceedings of the 2020 Conference on Empirical Methods in Natural Language Processing (EMNLP)", "EMNLP"),
        ("Findings of the Association for Computational Linguistics: EMNLP 2020", "Findings of EMNLP"),
        ("Proceedings of the AAAI Conference on Artificial Intelligence", "AAAI"),
        ("Proceedings of the Twenty-Ninth International Joint Conference on Artificial Intelligence", "IJCAI"),
        ("Proceedings of the 26th ACM SIGKDD International Conference on Knowledge Discovery & Data Mining", "KDD"),
        ("Pacific-Asia Conference on Knowledge Discovery and Data Mining", "PAKDD"),
        ("Proceedings of the 43rd International ACM SIGIR Conference on Research and Development in Information "
         "Retrieval", "SIGIR"),
        ("Journal of Machine Learning Research", "JMLR"),
        ("Proc. Interspeech 2020", "Interspeech"),
        ("ICASSP 2020 - 2020 IEEE International Conference on Acoustics, Speech and Signal Processing", "ICASSP"),
        ("Journal of the ACM", ""),
    ],
)
def test_short_names_of_the_major_venues(venue: str, short: str) -> None:
    assert short_venue(venue) == short


def test_proceedings_series_name_the_venue_when_the_conference_is_not_a_major_one() -> None:
    aistats = "Proceedings of the Twenty Third International Conference on Artificial Intelligence and Statistics"
    assert short_venue(aistats, "Proceedings of Machine Learning Research", "108") == "PMLR 108"
    assert short_venue("Proceedings of the Workshop on Things", "CEUR Workshop Proceedings", "2540") == "CEUR-WS 2540"
    assert venue_shown("Journal of the ACM") == "Journal of the ACM"


@pytest.mark.parametrize(("name", "short", "count", "booktitle"), [
    ("neurips2020.bib", "NeurIPS", 1898, "Advances in Neural Information Processing Systems"),
    ("icml2020.bib", "ICML", 1084, "Proceedings of the 37th International Conference on Machine Learning"),
])
def test_imported_proceedings_show_the_short_name_and_export_the_booktitle(
    tmp_path: Path, name: str, short: str, count: int, booktitle: str
) -> None:
    library = Library(tmp_path / "lib")
    summary = import_file(library, FIXTURES / name)
    assert len(summary.imported) == count
    assert {p.venue for p in library.papers.values()} == {short}
    assert facets.counts(library, list(library.papers), {})["venue"] == {short: count}
    assert len(filter_papers(library, f"venue:{short.lower()}")) == count
    text = exporting.render(library, exporting.select(library), "bibtex").text
    assert text.count(f"booktitle = {{{booktitle}}}") == count
