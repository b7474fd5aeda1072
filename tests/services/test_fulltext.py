"""Full-text search over attached PDFs: read once into fulltext.cache, searched with fulltext: and text:."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from papershelf.core.library import Library
from papershelf.core.search.index import filter_papers
from papershelf.services import attachments, fulltext
from papershelf.services.library import open_library
from tests.helpers.pdfs import Page, encrypted_copy, split, typeset

KEY = "mueller2021certify"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("fulltext")
    body = ("Our ablation of the zebrafinch manoeuvre shows that interval bound propagation is tight. " * 3)
    book = typeset([Page("Certify or Predict", ["M. Mueller"], body),
                    Page("Another Paper", ["A. Zhang"], "Nothing about birds, only kernels and margins.")], folder)
    return split(book, ["certify.pdf", "other.pdf"], folder / "one")


@pytest.fixture
def library(iclr_library_dir: Path, pdfs: list[Path]) -> Library:
    library = open_library(iclr_library_dir)
    attachments.attach(library, library.paper(KEY).id, pdfs[0])
    return library


def test_fulltext_and_text_terms_find_words_and_phrases_in_the_attached_pdfs(library: Library) -> None:
    pid = library.paper(KEY).id
    assert filter_papers(library, "fulltext:zebrafinch") == [pid]
    assert filter_papers(library, 'text:"interval bound propagation"') == [pid]
    assert filter_papers(library, 'text:"propagation interval"') == []
    assert filter_papers(library, "fulltext:zebrafinch robustness") == [pid]  # with words of the record
    assert pid not in filter_papers(library, "-fulltext:zebrafinch")
    assert len(filter_papers(library, "-fulltext:zebrafinch")) == len(library) - 1
    assert filter_papers(library, "fulltext:*") == [pid]  # papers with readable attached text
    assert filter_papers(library, "zebrafinch") == []  # a plain word searches the record, not the PDF
    full = fulltext.attach_to(library)
    snippet = full.snippet(pid, "propagation is tight")
    assert "propagation is tight" in snippet
    assert len(snippet) <= 162  # about 160 characters around it, cut with "…"
    assert snippet.endswith("…")
    assert full.snippet(pid, "no such words") == ""


def test_the_text_is_read_once_and_again_only_when_the_file_changes(library: Library, pdfs: list[Path]) -> None:
    full = fulltext.attach_to(library)
    assert full.stale() != []
    assert full.refresh() == 1
    cache = library.folder / fulltext.CACHE_FILE
    assert cache.is_file()
    again = fulltext.FullText(Library(library.folder), read_on_lookup=False)  # another process, from the cache
    assert again.stale() == []
    assert again.lookup("zebrafinch") == {library.paper(KEY).id}
    copy = attachments.best_file(library, library.paper(KEY).id)
    assert copy is not None
    copy.write_bytes(pdfs[1].read_bytes())  # the file changed on disk
    assert again.stale() == [copy]
    again.refresh()
    assert again.lookup("zebrafinch") == set()
    assert again.lookup("kernels and margins") == {library.paper(KEY).id}


def test_detached_files_leave_the_cache_and_unreadable_ones_never_stop_the_rest(
    library: Library, pdfs: list[Path], tmp_path: Path
) -> None:
    other = library.paper(sorted(set(library.keys()) - {KEY})[0]).id
    attachments.attach(library, other, encrypted_copy(pdfs[1], tmp_path / "locked.pdf", password="x"))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    attachments.attach(library, other, broken)
    full = fulltext.attach_to(library)
    assert full.refresh() == 3
    assert full.lookup("zebrafinch") == {library.paper(KEY).id}
    for attachment in attachments.attachments(library, library.paper(KEY).id):
        attachments.detach(library, library.paper(KEY).id, attachment)
    full.refresh()
    assert full.lookup("zebrafinch") == set()
    cached = orjson.loads((library.folder / fulltext.CACHE_FILE).read_bytes())["files"]
    assert sorted(Path(name).name for name in cached) == ["broken.pdf", "locked.pdf"]


def test_plain_words_can_also_search_the_pdfs(library: Library) -> None:
    from papershelf.core.search.index import SearchIndex
    from papershelf.core.search.query import parse_query

    pid = library.paper(KEY).id
    widened = fulltext.with_fulltext(parse_query('zebrafinch "certify or" -kernels'))
    assert str(widened) == ('zebrafinch OR fulltext:zebrafinch "certify or" OR fulltext:"certify or" '
                            "-kernels -fulltext:kernels")
    index = SearchIndex(library)
    assert index.filter(widened) == [pid]
    assert index.filter(parse_query("zebrafinch")) == []


def test_a_word_list_built_elsewhere_is_used_only_for_the_texts_it_was_built_from(
    library: Library, pdfs: list[Path]
) -> None:
    full = fulltext.attach_to(library)
    full.refresh()
    texts, copy = full.snapshot()
    assert not full.word_list_ready
    assert full.adopt(texts, fulltext.WordList(copy))
    assert full.word_list_ready
    assert full.lookup("manoeuvre") == {library.paper(KEY).id}
    texts, copy = full.snapshot()
    attachments.attach(library, library.paper(KEY).id, pdfs[1])  # the texts change meanwhile
    full.refresh()
    assert not full.adopt(texts, fulltext.WordList(copy))
    assert full.lookup("kernels") == {library.paper(KEY).id}  # built anew, with the new text


@pytest.mark.parametrize("word_index", [False, True])
def test_searching_pdf_text_too_agrees_with_query_matches_word_by_word(
    library: Library, pdfs: list[Path], word_index: bool
) -> None:
    """Each keystroke of a few typed searches, widened as Search PDF text too does, through the index
    (word-index masks, or scans) and through ``Query.matches`` with each paper's text."""
    from papershelf.core.search.index import SearchIndex
    from papershelf.core.search.query import parse_query

    attachments.attach(library, library.paper("neitz2021teacher").id, pdfs[1])
    full = fulltext.attach_to(library)
    full.refresh()
    texts = full.texts()
    index = SearchIndex(library, word_index=word_index, word_index_from=0)
    typed = ["zebrafinch robust", "kernels OR zebra", "certif -margins", '"interval bound" teacher', "a"]
    for text in [t[:n] for t in typed for n in range(1, len(t) + 1)]:
        query = fulltext.with_fulltext(parse_query(text, lenient=True))
        expected = [pid for pid in library.live_ids()
                    if query.matches(library.papers[pid], library.annotation(pid), texts.get(pid, ""))]
        assert index.filter(query) == expected, text
    assert index.filter(fulltext.with_fulltext(parse_query("zebrafinch"))) == [library.paper(KEY).id]
