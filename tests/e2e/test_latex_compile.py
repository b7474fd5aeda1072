"""The BibTeX export compiled for real: pdflatex, bibtex (plain.bst), pdflatex twice, then pdftotext.

Needs texlive-latex-base and poppler-utils (.ci/run installs them); skipped where they are missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from papershelf.core.library import AnnotationChange, Library
from papershelf.core.model import Paper
from papershelf.formats.bibtex_export import BibtexOptions
from papershelf.services import exporting

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdflatex", "bibtex", "pdftotext")),
    reason="needs pdflatex and bibtex (texlive-latex-base) and pdftotext (poppler-utils)",
)

DOCUMENT = r"""\documentclass{article}
\begin{document}
Papers.
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=300, check=False
    )


def compile_bib(folder: Path, bib: str) -> str:
    """Build a document citing every entry; returns the text of the PDF. Fails on any error or warning."""
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(DOCUMENT, encoding="ascii")
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    first = run(folder, *latex)
    assert first.returncode == 0, first.stdout[-3000:]
    bibtex = run(folder, "bibtex", "doc")
    blg = (folder / "doc.blg").read_text(errors="replace")
    assert bibtex.returncode == 0, blg
    assert "Warning--" not in blg, blg
    assert "error message" not in blg, blg
    assert "(There were" not in bibtex.stdout, bibtex.stdout
    for _ in range(2):
        again = run(folder, *latex)
        assert again.returncode == 0, again.stdout[-3000:]
    log = (folder / "doc.log").read_text(errors="replace")
    assert not re.search(r"^! ", log, re.MULTILINE), log[-3000:]
    assert "Citation" not in log or "undefined" not in log
    text = run(folder, "pdftotext", "-enc", "UTF-8", "doc.pdf", "-")
    assert text.returncode == 0
    # pdftotext gives an accented letter as letter + combining accent, as TeX drew it.
    return unicodedata.normalize("NFC", " ".join(text.stdout.split()))


@pytest.mark.slow
def test_whole_bundled_catalogue_compiles(iclr_library_dir: Path, tmp_path: Path) -> None:
    library = Library(iclr_library_dir)
    papers = exporting.select(library)
    assert len(papers) == 860
    result = exporting.render(library, papers, "bibtex")
    assert result.text.isascii()
    text = compile_bib(tmp_path, result.text)
    # Real titles and names with non-ASCII letters, rendered by LaTeX from their accent commands.
    assert "pólya-gamma augmented gaussian processes" in text
    assert "Stephan Günnemann" in text
    assert text.count("International Conference on Learning Representations, 2021") == 860


@pytest.mark.slow
def test_hostile_titles_and_notes_compile(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    hostile = [
        "Unbalanced {braces} in {a title",
        "Closing} braces} first",
        "100% of C# & R_2 at $5 ~ ^ < > | costs",
        "Backslash \\ and \\emph{not a command} and \\",
        "Math $\\ell_2$ and $O(n^2)$ and $unclosed",
        "Quotes ``a'' -- dashes --- `b' and ?` !`",
        "Ünïcödé: Łódź, ễ, ą, Đ, ẞ, 中文, emoji 🙂, α ≤ β²",
    ]
    papers = [
        Paper(id="", key="", title=title, authors=[f"Ann {{{i}% O'Neil", "Bob and Alice, Jr.", "Đặng Văn Lâm"],
              year=2020 + i, venue="ICLR", entry_type="inproceedings", track="Oral")
        for i, title in enumerate(hostile)
    ]
    summary = library.import_papers(papers)
    notes = "Note with {unbalanced braces, 50% done \\ back\\slash & # _ $ ~ ^\n\n@misc{fake, title={x}}\n%comment"
    library.annotate(library.ids_for_keys(summary.imported), AnnotationChange(note=notes, add_tags=("a&b", "x%")))
    options = BibtexOptions(notes_as_annote=True, abstract=True)
    result = exporting.render(library, exporting.select(library), "bibtex", bibtex_options=options)
    assert result.text.isascii()
    assert any("ASCII look-alikes" in note for note in result.notes)
    text = compile_bib(tmp_path, result.text)
    # As pdftotext reads OT1 output: \_ is a rule (a space), ~ and ^ are accent glyphs, Ł is L + a stroke.
    assert "Ann {0% O’Neil, Bob and Alice, Jr., and" in text
    assert "Unbalanced {braces} in {a title." in text
    assert "Closing} braces} first." in text
    assert "100% of C# & R 2 at $5 ˜ ˆ < > | costs." in text
    assert "Backslash \\ and \\emph{not a command} and \\." in text
    assert "Math ℓ2 and O(n2 ) and $unclosed." in text
    assert "Quotes ‘‘a’’" in text
    assert "dashes --- ‘b’ and ?‘ !‘." in text
    assert "Ünı̈cödé: Lódź" in text
