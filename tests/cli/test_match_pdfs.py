"""``papershelf match-pdfs``: 200 PDFs of catalogue papers and 50 of papers not in the library, typeset by
pdflatex (one 250-page run, split into one-page files by pypdf), matched offline and attached."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.services import attachments
from papershelf.services.pdfmatch import pdfs_in
from tests.cli.conftest import RunCli
from tests.helpers.pdfs import Page, catalogue_papers, encrypted_copy, split, typeset

HEADERS = ("Published as a conference paper at ICLR 2021", "", "Under review as a conference paper at ICLR 2021")


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str | None]]:
    """A library of 810 ICLR papers, a folder of 250 PDFs, and which paper (key) each PDF is (None: not in
    the library)."""
    papers = catalogue_papers()
    outside = papers[::17][:50]  # held out: these 50 are not in the library
    outside_ids = {id(p) for p in outside}
    inside = [p for p in papers if id(p) not in outside_ids]
    root = tmp_path_factory.mktemp("match")
    library = Library(root / "library")
    library.import_papers(inside)
    keys = {p.title: p.key for p in library.papers.values()}
    chosen = inside[::4][:200]
    assert len(chosen) == 200
    assert len(outside) == 50
    order = chosen + outside
    random.Random(17).shuffle(order)
    pages = [Page(p.title, p.authors, p.abstract, HEADERS[n % 3]) for n, p in enumerate(order)]
    book = typeset(pages, root)
    names = [f"download ({n}).pdf" for n in range(len(order))]  # names that say nothing
    split(book, names, root / "Downloads")
    truth: dict[str, str | None] = {
        name: keys[p.title] if id(p) not in outside_ids else None for name, p in zip(names, order, strict=True)}
    return root / "library", root / "Downloads", truth


def test_at_least_98_percent_attach_to_the_right_paper_and_none_to_a_wrong_one(
    run_cli: RunCli, downloads: tuple[Path, Path, dict[str, str | None]]
) -> None:
    library_dir, folder, truth = downloads
    done = run_cli("--library", str(library_dir), "match-pdfs", str(folder), "--attach")
    assert done.code == 0
    library = Library(library_dir)
    attached_to = {a.name: library.papers[pid].key for pid in attachments.papers_with_files(library)
                   for a in attachments.attachments(library, pid)}
    right = sum(1 for name, key in truth.items() if key is not None and attached_to.get(name) == key)
    wrong = {name: key for name, key in attached_to.items() if truth[name] != key}
    assert wrong == {}
    assert right >= 196  # 98% of the 200 papers in the library
    printed = {line.split("\t")[0]: line.split("\t")[1] for line in done.out.splitlines()}
    assert set(printed) == set(truth)
    assert all(printed[name] == "-" for name, key in truth.items() if key is None)  # listed as unmatched
    assert done.err.splitlines()[-1] == f"250 PDFs: {right} matched, {250 - right} unmatched; {right} attached"


def test_unreadable_and_encrypted_pdfs_are_reported_and_the_rest_go_on(run_cli: RunCli, tmp_path: Path) -> None:
    papers = catalogue_papers()[:3]
    library = Library(tmp_path / "library")
    library.import_papers(papers)
    folder = tmp_path / "in"
    folder.mkdir()
    good = typeset([Page(papers[1].title, papers[1].authors, papers[1].abstract)], folder, "good")
    encrypted_copy(good, folder / "locked.pdf", password="x")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nothing more")
    for leftover in folder.glob("good.*"):
        if leftover.suffix != ".pdf":
            leftover.unlink()
    assert [p.name for p in pdfs_in(folder)] == ["broken.pdf", "good.pdf", "locked.pdf"]
    done = run_cli("--library", str(tmp_path / "library"), "match-pdfs", str(folder))
    assert done.code == 0
    lines = dict(line.split("\t", 1) for line in done.out.splitlines())
    assert "could not be read as a PDF" in lines["broken.pdf"]
    assert "encrypted" in lines["locked.pdf"]
    key = next(paper.key for paper in library.papers.values() if paper.title == papers[1].title)
    assert lines["good.pdf"] == f"{key}\t1.00\ttitle"
    assert not (tmp_path / "library" / "files").exists()  # without --attach nothing is attached


def test_bad_arguments_are_one_line(run_cli: RunCli, tmp_path: Path) -> None:
    lib = str(tmp_path / "library")
    missing = run_cli("--library", lib, "match-pdfs", str(tmp_path / "nowhere"))
    assert missing.code == 1
    assert missing.err.splitlines()[-1] == f"papershelf: error: {tmp_path / 'nowhere'}: no such folder"
    link = run_cli("--library", lib, "match-pdfs", str(tmp_path), "--link")
    assert (link.code, link.err.splitlines()[-1]) == (1, "papershelf: error: --link goes with --attach")


def test_a_paper_in_the_trash_is_never_attached_only_offered(run_cli: RunCli, tmp_path: Path) -> None:
    papers = catalogue_papers()[:3]
    library = Library(tmp_path / "library")
    library.import_papers(papers)
    paper = next(p for p in library.papers.values() if p.title == papers[1].title)
    library.trash([paper.id])
    folder = tmp_path / "in"
    folder.mkdir()
    typeset([Page(papers[1].title, papers[1].authors, papers[1].abstract)], folder, "good")
    for leftover in folder.glob("good.*"):
        if leftover.suffix != ".pdf":
            leftover.unlink()
    done = run_cli("--library", str(tmp_path / "library"), "match-pdfs", str(folder), "--attach")
    assert done.code == 0
    why = f"its paper {paper.key} was in the Trash (restore it, then pick it)"
    assert done.out == f"good.pdf\t-\t0.90\tunmatched: {why}\n"
    assert done.err.splitlines()[-1] == "1 PDFs: 0 matched, 1 unmatched; 0 attached"
    assert attachments.attachments(Library(tmp_path / "library"), paper.id) == []
