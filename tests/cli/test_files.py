"""``attach``, ``files``, ``detach``, ``links``; ``file`` fields imported as links and exported with --with-files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.formats import bibtex, filefield
from papershelf.services import attachments
from tests.cli.conftest import RunCli
from tests.helpers.pdfs import Page, typeset

KEY = "mueller2021certify"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    return typeset([Page("Certify or Predict", ["Mark Niklas Mueller"], "Certified robustness.")], folder, "certify")


def test_attach_list_and_detach_from_the_command_line(run_cli: RunCli, iclr_library_dir: Path, pdf: Path) -> None:
    lib = str(iclr_library_dir)
    done = run_cli("--library", lib, "attach", KEY, str(pdf))
    copy = iclr_library_dir / "files" / KEY / "certify.pdf"
    assert (done.code, done.out) == (0, f"{KEY}: copied to {copy}\n")
    again = run_cli("--library", lib, "attach", KEY, str(pdf))
    assert (again.code, again.out) == (0, f"{KEY}: {pdf} is already attached as {copy}\n")
    linked = run_cli("--library", lib, "attach", KEY, str(pdf), "--link")
    assert linked.out == f"{KEY}: linked {pdf.resolve()}\n"
    listed = run_cli("--library", lib, "files", KEY)
    assert listed.out == f"1  copy  {copy}\n2  link  {pdf.resolve()}\n"
    as_json = json.loads(run_cli("--library", lib, "files", KEY, "--json").out)
    assert [(f["linked"], f["missing"]) for f in as_json] == [(False, False), (True, False)]
    gone = run_cli("--library", lib, "detach", KEY, "2")
    assert (gone.code, gone.out) == (0, f"{KEY}: detached 2\n")
    assert pdf.is_file()  # a linked file is never touched
    kept = run_cli("--library", lib, "detach", KEY, "certify.pdf")
    assert kept.code == 0
    assert "the copy is kept in" in kept.out
    assert not copy.exists()
    assert [p.read_bytes() for p in (iclr_library_dir / "trash" / "files" / KEY).iterdir()] == [pdf.read_bytes()]
    assert run_cli("--library", lib, "files", KEY).out == ""


def test_bad_input_is_one_line_and_changes_nothing(run_cli: RunCli, iclr_library_dir: Path, tmp_path: Path) -> None:
    lib = str(iclr_library_dir)
    run_cli("--library", lib, "files", KEY)  # the library as any command leaves it (its lock file)
    before = sorted(p.name for p in iclr_library_dir.iterdir())
    missing = run_cli("--library", lib, "attach", KEY, str(tmp_path / "nope.pdf"))
    assert (missing.code, missing.err) == (1, f"papershelf: error: {tmp_path / 'nope.pdf'}: no such file\n")
    unknown = run_cli("--library", lib, "attach", "nosuchkey2000", str(tmp_path))
    assert unknown.code == 1
    assert len(unknown.err.splitlines()) == 1
    no_file = run_cli("--library", lib, "detach", KEY, "x.pdf")
    assert no_file.err == f"papershelf: error: {KEY} has no file 'x.pdf' (its files: none)\n"
    assert sorted(p.name for p in iclr_library_dir.iterdir()) == before


def test_links_of_a_catalogue_paper_are_title_searches(run_cli: RunCli, iclr_library_dir: Path) -> None:
    shown = run_cli("--library", str(iclr_library_dir), "links", KEY)
    labels = [line.split("\t")[0] for line in shown.out.splitlines()]
    assert labels == ["OpenReview", "arXiv search", "Semantic Scholar", "Google Scholar"]


JABREF = r"""@article{smith2020graphs,
  author = {Smith, Ann},
  title = {Graphs for Everyone},
  journal = {J. Graphs},
  year = {2020},
  file = {:papers/smith.pdf:PDF;Slides\: talk:C\:\\talks\\smith.pdf:PDF},
}
"""
ZOTERO = r"""@article{lee2019trees,
  author = {Lee, Bo},
  title = {Trees All the Way Down},
  journal = {J. Trees},
  year = {2019},
  file = {Full Text:files/12/lee.pdf:application/pdf},
}
"""


def test_file_fields_of_jabref_and_zotero_are_imported_as_links_relative_to_the_bib(
    run_cli: RunCli, tmp_path: Path, pdf: Path
) -> None:
    shelf = tmp_path / "shelf"
    (shelf / "papers").mkdir(parents=True)
    (shelf / "papers" / "smith.pdf").write_bytes(pdf.read_bytes())
    (shelf / "refs.bib").write_text(JABREF + ZOTERO, encoding="utf-8")
    lib = tmp_path / "lib"
    assert run_cli("--library", str(lib), "import", str(shelf / "refs.bib")).code == 0
    library = Library(lib)
    smith = attachments.attachments(library, library.paper("smith2020graphs").id)
    assert [(a.path, a.linked, a.description) for a in smith] == [
        (str(shelf / "papers" / "smith.pdf"), True, ""), ("C:\\talks\\smith.pdf", True, "Slides: talk")]
    assert [attachments.is_missing(library, a) for a in smith] == [False, True]  # shown as missing, no error
    lee = attachments.attachments(library, library.paper("lee2019trees").id)
    assert [(a.path, a.type, a.description) for a in lee] == [
        (str(shelf / "files" / "12" / "lee.pdf"), "application/pdf", "Full Text")]
    # Importing the file again links nothing twice.
    assert run_cli("--library", str(lib), "import", str(shelf / "refs.bib")).code == 0
    assert len(attachments.attachments(Library(lib), library.paper("smith2020graphs").id)) == 2


def test_export_keeps_the_file_field_as_read_and_with_files_writes_jabref_s_form(
    run_cli: RunCli, tmp_path: Path, pdf: Path
) -> None:
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "refs.bib").write_text(JABREF + ZOTERO, encoding="utf-8")
    lib = str(tmp_path / "lib")
    run_cli("--library", lib, "import", str(shelf / "refs.bib"))
    plain = run_cli("--library", lib, "export", "key:smith2020graphs")
    assert r"file = {:papers/smith.pdf:PDF;Slides\: talk:C\:\\talks\\smith.pdf:PDF}" in plain.out  # unchanged
    run_cli("--library", lib, "attach", "smith2020graphs", str(pdf))
    out = shelf / "out.bib"
    assert run_cli("--library", lib, "export", "--with-files", "-o", str(out)).code == 0
    entries = {p.key: p for p in bibtex.parse(out.read_text(encoding="utf-8")).papers}
    smith, problems = filefield.parse(entries["smith2020graphs"].fields["file"])
    assert problems == []
    assert [e.path for e in smith] == [
        "papers/smith.pdf", "C:\\talks\\smith.pdf", str(Path(lib) / "files" / "smith2020graphs" / "certify.pdf")]
    assert filefield.parse(entries["lee2019trees"].fields["file"])[0][0].path == "files/12/lee.pdf"
    # Read back by a library in another folder, the paths still point at the same files.
    other = tmp_path / "other"
    assert run_cli("--library", str(other), "import", str(out)).code == 0
    again = Library(other)
    paths = [a.path for a in attachments.attachments(again, again.paper("smith2020graphs").id)]
    assert paths[0] == str(shelf / "papers" / "smith.pdf")


def test_list_with_a_fulltext_query_reads_the_attached_pdfs_once(
    run_cli: RunCli, iclr_library_dir: Path, tmp_path: Path
) -> None:
    book = typeset([Page("Certify or Predict", ["M. Mueller"], "The zebrafinch manoeuvre, ablated.")], tmp_path, "z")
    lib = str(iclr_library_dir)
    run_cli("--library", lib, "attach", KEY, str(book))
    done = run_cli("--library", lib, "list", 'text:"zebrafinch manoeuvre"', "--format", "keys")
    assert (done.code, done.out) == (0, f"{KEY}\n")
    assert (iclr_library_dir / "fulltext.cache").is_file()
    assert run_cli("--library", lib, "list", "fulltext:zebrafinch", "-fulltext:ablated", "--format", "keys").out == ""
