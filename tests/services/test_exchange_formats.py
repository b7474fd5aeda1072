"""RIS and biblatex through the services: formats chosen by content, and files kept updated in each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rispy

from papershelf.core.library import AnnotationChange, Library
from papershelf.services import exporting
from papershelf.services.exporting import AutoExport
from papershelf.services.importing import can_import, import_file, parse_file, sniff
from tests.conftest import FIXTURES

RIS = FIXTURES / "ris"


@pytest.mark.parametrize(("text", "suffix"), [
    ("TY  - JOUR\nTI  - T\nER  - \n", ".ris"),
    ("Provider: Publisher\nContent: text/plain\n\nTY  - JOUR\nTI  - T\nER  - \n", ".ris"),
    ("% my papers\n\n@Article{k, title={T}}\n", ".bib"),
    ("  @inproceedings (k, title={T})\n", ".bib"),
    ('[\n  {"id": "k", "type": "article-journal", "title": "T"}\n]', ".json"),
    ("## [A title](#)\n- An Author\n- abstract@[open-review(Poster)](#): Text.\n", ".md"),
    ("TY  - JOUR\nAB  - an abstract that mentions\n@article{x,\nER  - \n", ".ris"),  # the first sign wins
    ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Lecun, Y\n", ".ciw"),
    ("PT J\nTI A title\nER\n", ".ciw"),
    ("just some notes\n", None),
    ('[{"name": "not CSL"}]', None),
])
def test_sniff_tells_formats_by_content(text: str, suffix: str | None) -> None:
    assert sniff(text) == suffix


def test_a_txt_holding_ris_is_imported_as_ris(tmp_path: Path) -> None:
    source = tmp_path / "savedrecs.txt"
    shutil.copy(RIS / "wos.ris", source)
    assert can_import(source)
    summary = import_file(Library(tmp_path / "lib"), source)
    assert (len(summary.imported), summary.failed) == (2, 0)
    assert [p.split(": ")[:2] for p in summary.problems] == [["savedrecs.txt", "line 1"]]  # the unread tags only


def test_web_of_science_plain_text_is_read_by_its_content(tmp_path: Path) -> None:
    source = tmp_path / "savedrecs.txt"
    shutil.copy(RIS / "savedrecs.txt", source)
    assert can_import(source)
    result = parse_file(source)
    assert [p.title for p in result.papers] == ["Deep learning", "Attention Is All You Need"]
    assert [p.severity for p in result.problems] == ["warning"]  # the unread tags only


def test_ris_venues_are_shown_by_their_short_names_as_bibtex_ones_are(tmp_path: Path) -> None:
    venues = {p.title: p.venue for p in parse_file(RIS / "ieee.ris").papers + parse_file(RIS / "wos.ris").papers}
    assert venues["Deep Residual Learning for Image Recognition"] == "CVPR"
    assert venues["Attention Is All You Need"] == "NeurIPS"
    assert venues["A Survey on Transfer Learning"] == "IEEE Transactions on Knowledge and Data Engineering"
    (paper,) = [p for p in parse_file(RIS / "wos.ris").papers if p.venue == "NeurIPS"]
    assert paper.fields["booktitle"] == "ADVANCES IN NEURAL INFORMATION PROCESSING SYSTEMS 30 (NIPS 2017)"


def test_a_file_without_a_suffix_is_read_by_its_content(tmp_path: Path) -> None:
    source = tmp_path / "citations"
    shutil.copy(RIS / "ieee.ris", source)
    assert can_import(source)
    assert len(parse_file(source).papers) == 2
    (tmp_path / "README").write_text("nothing to import\n", encoding="utf-8")
    assert not can_import(tmp_path / "README")


def test_a_bib_holding_ris_is_read_as_ris_and_says_so(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    shutil.copy(RIS / "zotero.ris", source)
    result = parse_file(source)
    assert len(result.papers) == 6
    assert [str(p) for p in result.problems] == [
        "file: the file holds RIS although its name ends in .bib; it was read as RIS",
        "line 2: RIS tags Papershelf keeps no field for were not imported: M3 (1 record), ST (1 record), Y2 (1 record)"]


def test_a_bib_whose_abstract_has_a_ris_line_stays_bibtex(tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_text("@article{k, title={T},\nabstract={Lines:\nTY  - JOUR\n}}\n", encoding="utf-8")
    result = parse_file(source)
    assert ([p.key for p in result.papers], result.problems) == (["k"], [])


def test_a_txt_that_holds_nothing_known_is_refused_in_one_line(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Remember to read the RIS spec.\n", encoding="utf-8")
    assert not can_import(source)
    with pytest.raises(ValueError, match=r"^notes\.txt: not a file Papershelf can read \(it reads BibTeX, .*RIS, "
                                         r".*a paper list\); nothing was imported$"):
        parse_file(source)


def test_can_import_refuses_what_it_must_not_read(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert not can_import(tmp_path / "folder.txt")
    assert not can_import(tmp_path / "missing.txt")
    assert not can_import(tmp_path / "paper.docx")
    assert can_import(tmp_path / "missing.ris")  # by its suffix: the import says what is wrong with it


def test_format_for_suffix_and_the_export_writes_ris(iclr_library_dir: Path, tmp_path: Path) -> None:
    assert exporting.format_for(Path("refs.RIS")) == "ris"
    library = Library(iclr_library_dir)
    target = tmp_path / "out.ris"
    result = exporting.export(library, exporting.format_for(target), path=target, query="key:mueller2021certify")
    assert result.count == 1
    (entry,) = rispy.loads(target.read_text(encoding="utf-8"))
    assert entry["type_of_reference"] == "CPAPER"
    assert entry["secondary_title"] == "International Conference on Learning Representations"
    assert entry["id"] == "mueller2021certify"


@pytest.mark.parametrize(("fmt", "name", "marker"), [("ris", "thesis.ris", "ID  - "), ("biblatex", "thesis.bib", "@")])
def test_keep_updated_in_ris_and_biblatex(iclr_library_dir: Path, tmp_path: Path, fmt: str, name: str,
                                         marker: str) -> None:
    library = Library(iclr_library_dir)
    library.annotate(library.ids_for_keys(["mueller2021certify"]), AnnotationChange(add_lists=("thesis",)))
    target = tmp_path / name
    auto = AutoExport(library)
    tie = auto.tie(target, list_name="thesis", fmt=fmt)
    assert tie.format == fmt
    assert "mueller2021certify" in target.read_text(encoding="utf-8")
    library.annotate(library.ids_for_keys(["neitz2021teacher"]), AnnotationChange(add_lists=("thesis",)))
    text = target.read_text(encoding="utf-8")
    assert "neitz2021teacher" in text
    assert ("date = {2021}" in text) == (fmt == "biblatex")
    library.annotate(library.ids_for_keys(["neitz2021teacher"]), AnnotationChange(add_tags=("robustness",)))
    assert ("KW  - robustness" if fmt == "ris" else "keywords = {robustness}") in target.read_text(encoding="utf-8")
    auto.close()
    again = AutoExport(library)  # the tie and its format are kept in the library
    assert [(t.path, t.format) for t in again.ties] == [(target, fmt)]
    again.close()


def test_unknown_ris_options_are_refused(iclr_library_dir: Path, tmp_path: Path) -> None:
    auto = AutoExport(Library(iclr_library_dir))
    with pytest.raises(ValueError, match=r"bad export options for x\.ris"):
        auto.tie(tmp_path / "x.ris", options={"ascii": True})
    assert not (tmp_path / "x.ris").exists()
