"""Duplicates offered, not forced: the merge rules, aliases, and the merge a user chooses (real libraries)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.duplicates import identities, real_doi, suspected_pairs
from papershelf.core.library import AnnotationChange, Library, UnknownKeyError
from papershelf.core.model import Paper
from papershelf.core.search.index import filter_papers
from papershelf.core.storage.migrations import ANNOTATIONS_FILE, CATALOGUE_FILE
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting
from papershelf.services.importing import import_file
from tests.conftest import FIXTURES


def import_bib(library: Library, folder: Path, name: str, text: str) -> object:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return import_file(library, path)


def keys_of(library: Library) -> set[str]:
    return set(library.keys())


def test_xampl_article_full_is_not_merged_into_article_minimal(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    summary = import_file(library, FIXTURES / "xampl.bib")
    assert {"article-minimal", "article-full"} <= keys_of(library)
    assert library.paper("article-full").fields["note"] == "This is a full ARTICLE entry"
    assert "note" not in library.paper("article-minimal").fields
    assert ("article-full", "article-minimal") in summary.suspected  # offered, not merged
    assert summary.merged == []
    pairs = {(library.papers[p.first].key, library.papers[p.second].key) for p in suspected_pairs(library.papers)}
    assert ("article-minimal", "article-full") in pairs
    again = import_file(Library(tmp_path / "lib"), FIXTURES / "xampl.bib")
    assert again.imported == []
    assert again.merged == []
    assert again.suspected == []
    assert "article-full" in again.present
    assert "article-minimal" in again.present


def test_a_citeseerx_id_is_not_a_doi(tmp_path: Path) -> None:
    assert real_doi("10.1.1.139.846") == ""
    assert real_doi(" 10.1145/3292500.3330701 ") == "10.1145/3292500.3330701"
    library = Library(tmp_path / "lib")
    import_bib(library, tmp_path, "a.bib", "@article{one, title = {Sparse Coding of Images}, "
               "author = {Olshausen, Bruno}, year = 1996, doi = {10.1.1.139.846}}\n")
    summary = import_bib(library, tmp_path, "b.bib", "@article{two, title = {Boosting Weak Learners}, "
                         "author = {Schapire, Robert}, year = 1990, doi = {10.1.1.139.846}}\n")
    assert summary.imported == ["two"]
    assert library.paper("one").title == "Sparse Coding of Images"
    assert library.paper("two").title == "Boosting Weak Learners"
    assert len(library) == 2


def test_a_real_doi_merges_only_when_the_titles_agree(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    import_bib(library, tmp_path, "a.bib", "@article{mine, title = {Graph Kernels Revisited}, "
               "author = {Smith, Ann}, year = 2019, doi = {10.1000/xyz123}}\n")
    same = import_bib(library, tmp_path, "b.bib", "@article{theirs, title = {Graph kernels revisited}, "
                      "author = {Smith, Ann}, year = 2019, doi = {https://doi.org/10.1000/XYZ123}, pages = {1--9}}\n")
    assert same.merged == [("theirs", "mine")]
    assert library.paper("theirs").key == "mine"  # the merged-away key finds the paper
    assert library.paper("mine").fields["pages"] == "1--9"
    other = import_bib(library, tmp_path, "c.bib", "@article{typo, title = {Something Else Entirely}, "
                       "author = {Jones, Bo}, year = 2019, doi = {10.1000/xyz123}}\n")
    assert other.imported == ["typo"]
    assert other.merged == []
    assert len(library) == 2


def test_entries_of_one_file_with_their_own_keys_are_never_merged(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    summary = import_bib(library, tmp_path, "a.bib",
                         "@article{a1, title = {One Title}, author = {Doe, Jane}, year = 2020}\n"
                         "@article{a2, title = {One Title}, author = {Doe, Jane}, year = 2020, pages = {3}}\n")
    assert summary.imported == ["a1", "a2"]
    assert summary.suspected == [("a2", "a1")]
    assert library.paper("a1").id != library.paper("a2").id


def test_different_kinds_are_not_merged_automatically_and_a_chosen_merge_keeps_kinds_apart(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    import_bib(library, tmp_path, "conf.bib",
               "@inproceedings{conf, title = {Deep Widgets}, author = {Lee, Kim and Park, Jo}, year = 2020,\n"
               "  booktitle = {Proceedings of the 37th International Conference on Machine Learning},\n"
               "  volume = {119}, pages = {1--10}}\n")
    summary = import_bib(library, tmp_path, "arxiv.bib",
                         "@techreport{preprint, title = {Deep Widgets}, author = {Lee, Kim and Park, Jo},\n"
                         "  year = 2020,\n"
                         "  institution = {arXiv}, number = {2001.00001}, abstract = {We widget.}}\n")
    assert summary.imported == ["preprint"]
    assert summary.suspected == [("preprint", "conf")]
    merged = library.merge_papers("conf", "preprint")
    assert merged.entry_type == "inproceedings"
    assert "number" not in merged.fields
    assert "institution" not in merged.fields
    assert merged.abstract == "We widget."  # what any kind may have is taken
    assert merged.aliases == ["preprint"]
    reopened = Library(tmp_path / "lib")
    assert reopened.paper("preprint").key == "conf"
    assert len(reopened) == 1


def test_no_merge_loses_an_author(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    import_bib(library, tmp_path, "a.bib", "@inproceedings{proc, title = {Robust Things}, "
               "author = {Ng, Al and Ode, Bea}, year = 2019, booktitle = {Proc. X}}\n")
    summary = import_bib(library, tmp_path, "b.bib", "@article{journal, title = {Robust Things}, "
                         "author = {Ng, Al and Ode, Bea and Third, Cy}, year = 2021, journal = {J. X}}\n")
    assert summary.merged == []
    assert summary.imported == ["journal"]
    assert [(library.papers[p.first].key, library.papers[p.second].key, p.reason)
            for p in suspected_pairs(library.papers)] == [("proc", "journal", "same title, @inproceedings and "
                                                           "@article, 2019 and 2021")]
    merged = library.merge_papers("proc", "journal")
    assert merged.authors == ["Al Ng", "Bea Ode", "Cy Third"]
    # the same kind and year, but one co-author more: the fuller list wins an automatic merge
    import_bib(library, tmp_path, "c.bib", "@inproceedings{more, title = {Robust Things}, "
               "author = {Ng, Al and Ode, Bea and Third, Cy and Four, Di}, year = 2019, booktitle = {Proc. X}}\n")
    assert library.paper("more").authors == ["Al Ng", "Bea Ode", "Cy Third", "Di Four"]


def test_an_all_caps_catalogue_title_takes_the_bib_casing_and_the_bib_key_stays_an_alias(
    iclr_library_dir: Path, tmp_path: Path
) -> None:
    library = Library(iclr_library_dir)
    [caps] = [p for p in library.papers.values() if p.title.startswith("DEBERTA")]
    summary = import_bib(library, tmp_path, "mine.bib",
                         "@inproceedings{DeBERTa21,\n  title = {{DeBERTa}: Decoding-enhanced {BERT} with "
                         "Disentangled Attention},\n  author = {He, Pengcheng and Liu, Xiaodong and Gao, Jianfeng "
                         "and Chen, Weizhu},\n  booktitle = {International Conference on Learning Representations},"
                         "\n  year = {2021}\n}\n")
    assert summary.imported == []
    reopened = Library(iclr_library_dir)
    paper = reopened.paper("DeBERTa21")
    assert paper.id == caps.id
    assert paper.key == caps.key == "he2021deberta"  # the catalogue key never changes
    assert paper.title == "DeBERTa: Decoding-enhanced BERT with Disentangled Attention"
    assert paper.aliases == ["DeBERTa21"]
    assert filter_papers(reopened, "key:deberta21") == [caps.id]
    assert filter_papers(reopened, "key:he2021deberta") == [caps.id]


def test_a_chosen_merge_combines_annotations_and_keeps_both_notes(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_papers([
        Paper(id="", key="keep", title="Alpha", authors=["A B"], year=2020),
        Paper(id="", key="gone", title="Alpha (extended)", authors=["A B"], year=2021),
    ])
    keep, gone = library.ids_for_keys(["keep", "gone"])
    library.annotate([keep], AnnotationChange(status="to-read", add_tags=("ml",), note="mine"))
    library.annotate([gone], AnnotationChange(status="read", rating=4, add_tags=("ML", "graphs"),
                                              add_lists=("thesis",), note="theirs"))
    library.merge_papers("keep", "gone")
    reopened = Library(tmp_path / "lib")
    ann = reopened.annotation(keep)
    assert (ann.status, ann.rating, ann.tags, ann.lists) == ("read", 4, ["ml", "graphs"], ["thesis"])
    assert "mine" in ann.note
    assert "theirs" in ann.note
    assert gone not in reopened.papers
    assert gone not in reopened.annotated_ids()
    assert reopened.paper("gone").id == keep


def test_a_merge_that_cannot_be_made_changes_nothing(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_papers([Paper(id="", key="a", title="Alpha", authors=["A B"], year=2020)])
    before = {name: (tmp_path / "lib" / name).read_bytes() for name in (CATALOGUE_FILE, ANNOTATIONS_FILE)}
    with pytest.raises(UnknownKeyError):
        library.merge_papers("a", "nope")
    with pytest.raises(ValueError, match="already one paper"):
        library.merge_papers("a", "a")
    assert {name: (tmp_path / "lib" / name).read_bytes() for name in before} == before


def test_an_exported_alias_copy_imports_as_the_alias_again(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    entry = "@article{{{key}, title = {{Graph {word}}}, author = {{Smith, Ann}}, year = 2019}}\n"
    import_bib(library, tmp_path, "a.bib", entry.format(key="new", word="Kernels"))
    import_bib(library, tmp_path, "b.bib", entry.format(key="old", word="kernels"))
    assert library.paper("old").key == "new"
    text = exporting.render(library, exporting.select(library), "bibtex").text
    assert "@article{old," in text
    assert "aliasof = {new}" in text
    fresh = Library(tmp_path / "fresh")
    summary = import_bib(fresh, tmp_path, "export.bib", text)
    assert summary.imported == ["new"]
    assert summary.suspected == []
    assert len(fresh) == 1
    assert fresh.paper("old").key == "new"
    assert "aliasof" not in fresh.paper("new").fields
    assert exporting.render(fresh, exporting.select(fresh), "bibtex").text == text
    ids = exporting.render(library, exporting.select(library), "bibtex",
                           bibtex_options=BibtexOptions(aliases="ids")).text
    assert "ids = {old}" in ids
    assert "@article{old," not in ids


def test_a_generic_title_by_other_authors_is_not_a_possible_duplicate(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    library.import_papers([
        Paper(id="", key="x", title="Editorial", authors=["Wei Xu"], year=2020),
        Paper(id="", key="y", title="Editorial", authors=["Lei Xue"], year=2020),
        Paper(id="", key="z", title="Editorial", authors=["Wei Xu"], year=2021),
    ])
    pairs = [(library.papers[p.first].key, library.papers[p.second].key) for p in suspected_pairs(library.papers)]
    assert pairs == [("x", "z")]


def test_papers_kept_apart_are_no_longer_offered(tmp_path: Path) -> None:
    from papershelf.services.duplicates import keep_apart, possible_duplicates

    library = Library(tmp_path / "lib")
    import_file(library, FIXTURES / "xampl.bib")
    offered = {(p.first.key, p.second.key) for p in possible_duplicates(library)}
    assert ("article-minimal", "article-full") in offered
    keep_apart(library, "article-full", "article-minimal")
    reopened = Library(tmp_path / "lib")
    left = {(p.first.key, p.second.key) for p in possible_duplicates(reopened)}
    assert left == offered - {("article-minimal", "article-full")}
    with pytest.raises(ValueError, match="one paper"):
        keep_apart(reopened, "article-full", "article-full")


@pytest.mark.parametrize(("doi", "url", "fields", "expected"), [
    ("10.48550/arXiv.2101.00001", "", {}, "2101.00001"),
    ("", "https://arxiv.org/abs/2101.00001v2", {}, "2101.00001"),
    ("", "", {"eprint": "2101.00001v3", "archiveprefix": "arXiv"}, "2101.00001"),
    ("", "", {"journal": "CoRR", "volume": "abs/2101.00001"}, "2101.00001"),
    ("", "http://arxiv.org/abs/hep-th/9901001v1", {}, "hep-th/9901001"),
    ("", "", {"eprint": "cs.LG/0101001", "eprinttype": "arxiv"}, "cs.lg/0101001"),
    ("", "", {"journal": "arXiv preprint arXiv:2101.00001"}, "2101.00001"),
    ("10.1145/3368089.3409740", "", {}, None),
])
def test_every_spelling_of_an_arxiv_id_is_one_identity(
    doi: str, url: str, fields: dict[str, str], expected: str | None
) -> None:
    paper = Paper(id="p", key="k", title="T", doi=doi, url=url, fields=fields)
    found = [i.removeprefix("arxiv:") for i in identities(paper) if i.startswith("arxiv:")]
    assert found == ([expected] if expected else [])
