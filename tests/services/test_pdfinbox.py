"""The watched folder's PDFs: sure matches attached (copied or moved), the rest kept for the user."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.services import attachments, pdfinbox
from papershelf.services.pdfmatch import match_folder
from tests.helpers.pdfs import Page, catalogue_papers, split, typeset


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Library, Path, list[str]]:
    """A library of 20 ICLR papers and a Downloads folder with one PDF of paper 3, one with paper 7's title
    but other authors, and one of a paper not in the library."""
    papers = catalogue_papers()[:21]
    library = Library(tmp_path / "library")
    library.import_papers(papers[:20])
    pages = [Page(papers[3].title, papers[3].authors, papers[3].abstract),
             Page(papers[7].title, ["Nobody Known"], papers[7].abstract),
             Page(papers[20].title, papers[20].authors, papers[20].abstract)]
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    (downloads / "notes.txt").write_text("not a pdf", encoding="utf-8")
    split(typeset(pages, tmp_path), ["a.pdf", "b.pdf", "c.pdf"], downloads)
    keys = [next(p.key for p in library.papers.values() if p.title == papers[n].title) for n in (3, 7)]
    return library, downloads, keys


def test_new_pdfs_are_attached_or_kept_for_the_user_and_looked_at_once(setup: tuple[Library, Path, list[str]]) -> None:
    library, downloads, (key3, key7) = setup
    pdfinbox.set_watched_folder(library, downloads)
    assert pdfinbox.watched_folder(library) == downloads.resolve()
    fresh = pdfinbox.new_pdfs(library, downloads)
    assert [p.name for p in fresh] == ["a.pdf", "b.pdf", "c.pdf"]
    report = pdfinbox.settle(library, match_folder(library, fresh))
    assert report.attached == [(downloads / "a.pdf", key3)]
    assert report.unmatched == [downloads / "b.pdf", downloads / "c.pdf"]
    assert report.sentence() == f"Attached a.pdf to {key3}; 2 PDFs not matched (File → Unmatched PDFs…)"
    assert (downloads / "a.pdf").is_file()  # copied, not moved
    assert pdfinbox.new_pdfs(library, downloads) == []  # looked at once
    waiting = pdfinbox.unmatched(Library(library.folder))  # remembered in the library
    assert [u.path.name for u in waiting] == ["b.pdf", "c.pdf"]
    assert waiting[0].candidates[0][0] == library.paper(key7).id  # the title's paper is offered first
    assert pdfinbox.resolve(library, downloads / "b.pdf", library.paper(key7).id) == key7
    assert [a.name for a in attachments.attachments(library, library.paper(key7).id)] == ["b.pdf"]
    pdfinbox.dismiss(library, [downloads / "c.pdf"])
    assert pdfinbox.unmatched(library) == []


def test_moving_removes_the_matched_pdf_from_the_folder_once_it_is_in_the_library(
    setup: tuple[Library, Path, list[str]]
) -> None:
    library, downloads, (key3, _key7) = setup
    original = (downloads / "a.pdf").read_bytes()
    pdfinbox.set_watched_folder(library, downloads, move=True)
    pdfinbox.settle(library, match_folder(library, pdfinbox.new_pdfs(library, downloads)))
    assert not (downloads / "a.pdf").exists()
    kept = attachments.best_file(library, library.paper(key3).id)
    assert kept is not None
    assert kept.read_bytes() == original
    assert (downloads / "b.pdf").is_file()  # an unmatched one stays where it is


def test_a_changed_download_is_looked_at_again_and_a_folder_is_required(
    setup: tuple[Library, Path, list[str]], tmp_path: Path
) -> None:
    library, downloads, _keys = setup
    pdfinbox.settle(library, match_folder(library, pdfinbox.new_pdfs(library, downloads)))
    with (downloads / "c.pdf").open("ab") as grown:
        grown.write(b"\n% the rest of a download\n")
    assert [p.name for p in pdfinbox.new_pdfs(library, downloads)] == ["c.pdf"]
    with pytest.raises(ValueError, match="is not a folder"):
        pdfinbox.set_watched_folder(library, tmp_path / "nowhere")
    pdfinbox.set_watched_folder(library, None)
    assert pdfinbox.watched_folder(library) is None


def test_a_paper_in_the_trash_is_never_attached_to_its_pdf_is_listed_with_it_as_a_candidate(
    setup: tuple[Library, Path, list[str]]
) -> None:
    library, downloads, (key3, _key7) = setup
    pid3 = library.paper(key3).id
    pdfinbox.set_watched_folder(library, downloads)
    library.trash([pid3])
    (a, *_rest) = match_folder(library, pdfinbox.new_pdfs(library, downloads))
    assert (a.paper_id, a.confident, a.candidates[0][0]) == (None, False, pid3)
    # read while the paper was live, trashed before the result was settled: not attached either
    library.restore_from_trash([pid3])
    results = match_folder(library, pdfinbox.new_pdfs(library, downloads))
    assert results[0].confident
    library.trash([pid3])
    report = pdfinbox.settle(library, results)
    assert report.attached == []
    assert attachments.attachments(library, pid3) == []
    assert next(u.path.name for u in pdfinbox.unmatched(library)) == "a.pdf"
    assert pdfinbox.unmatched(library)[0].candidates[0][0] == pid3
