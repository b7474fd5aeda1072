"""A .bib exported by Papershelf typesets the same bibliography as the file it was read from.

Every key of the original is cited with plain.bst once from the original and once from the export,
and each ``\\bibitem`` is compared as a reader sees it (tests/helpers/bbl.py). The only items allowed
to differ are those the import reported as repaired (a bare ``&``/``%``/``#``, a missing comma), and
those must typeset as repaired. Needs pdflatex and bibtex (texlive-latex-base; .ci/run installs it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.core.library import Library
from papershelf.formats import bibtex, bibtex_export
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.formats.common import ParseResult
from papershelf.services import exporting, importing
from tests.helpers import bbl

pytestmark = pytest.mark.skipif(not bbl.TOOLS_PRESENT, reason="needs pdflatex and bibtex (texlive-latex-base)")

FIXTURES = Path(__file__).parent.parent / "fixtures"
REPAIRS = ("bare &", "comma is missing")


def repaired_keys(result: ParseResult) -> set[str]:
    return {p.key for p in result.problems if any(r in p.reason for r in REPAIRS)}


def export_via_library(path: Path, folder: Path, *, ascii: bool) -> str:
    """``path`` imported into a fresh library and exported whole, as a user would."""
    library = Library(folder)
    summary = importing.import_file(library, path)
    assert summary.failed == 0
    result = exporting.render(library, exporting.select(library), "bibtex", bibtex_options=BibtexOptions(ascii=ascii))
    return result.text


def assert_typesets_the_same(source: str, export: str, keys: list[str], repaired: set[str], tmp_path: Path) -> None:
    original = bbl.bibliography(source, keys, tmp_path / "original")
    exported = bbl.bibliography(export, keys, tmp_path / "export")
    assert len(original.latex) == len(keys)
    same, different, missing = bbl.compare(original, exported)
    assert missing == []
    assert exported.not_found == []
    assert set(different) == repaired, [(k, original.items[k], exported.items[k]) for k in different][:3]
    assert len(same) == len(keys) - len(repaired)
    # The export warns no more than the original (xampl's own two: an empty and a missing field).
    assert len(exported.warnings) <= len(original.warnings)


@pytest.mark.parametrize("name", ["xampl.bib", "neurips2020.bib", "icml2020.bib", "fidelity.bib"])
def test_imported_then_exported_typesets_the_same(name: str, tmp_path: Path) -> None:
    path = FIXTURES / name
    source = path.read_text(encoding="utf-8")
    parsed = bibtex.parse(source)
    keys = [p.key for p in parsed.papers]
    export = export_via_library(path, tmp_path / "lib", ascii=True)
    assert export.isascii()
    assert_typesets_the_same(source, export, keys, repaired_keys(parsed), tmp_path)


@pytest.mark.parametrize("ascii", [True, False], ids=["ascii", "utf8"])
@pytest.mark.parametrize("name", ["xampl.bib", "fidelity.bib"])
def test_every_key_of_the_file_typesets_the_same(name: str, ascii: bool, tmp_path: Path) -> None:
    # Read and written by the format functions: the library's duplicate detection is not what is
    # tested here (it merges xampl's article-full into article-minimal).
    source = (FIXTURES / name).read_text(encoding="utf-8")
    parsed = bibtex.parse(source)
    keys = [p.key for p in parsed.papers]
    export = bibtex_export.render(parsed.papers, {}, BibtexOptions(ascii=ascii)).text
    assert_typesets_the_same(source, export, keys, repaired_keys(parsed), tmp_path)


def test_xampl_every_key_is_citable(tmp_path: Path) -> None:
    source = (FIXTURES / "xampl.bib").read_text(encoding="utf-8")
    parsed = bibtex.parse(source)
    assert parsed.errors == []
    # All 36 entries, the cross-referenced volumes and the untitled ones too.
    assert len(parsed.papers) == 36
    assert {"whole-journal", "whole-proceedings", "whole-set", "misc-minimal", "article-full"} <= {
        p.key for p in parsed.papers
    }


def test_repairs_typeset_as_repaired(tmp_path: Path) -> None:
    source = (FIXTURES / "fidelity.bib").read_text(encoding="utf-8")
    parsed = bibtex.parse(source)
    assert repaired_keys(parsed) == {"missing-comma", "dolphins", "bare-ampersand", "macro-concat"}
    export = bibtex_export.render(parsed.papers, {}).text
    items = bbl.bibliography(export, sorted(repaired_keys(parsed)), tmp_path).items
    # The author and booktitle after the missing comma are there (the original typesets the title alone).
    assert items["missing-comma"] == (
        "Some Nobody. Recovered fields after a missing comma. In Proceedings of the Workshop on Commas, 2021."
    )
    assert "Perception & Psychophysics, 1968. Reprinted, 50% smaller." in items["bare-ampersand"]
    assert "Published in Perception & Psychophysics, January 2022." in items["macro-concat"]
