"""The BibTeX export compiled for real: pdflatex, bibtex (plain.bst), pdflatex twice, then pdftotext.

Needs texlive-latex-base and poppler-utils (.ci/run installs them); skipped where they are missing. The
biblatex test needs biber and texlive-bibtex-extra, texlive-latex-recommended (etoolbox).
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
from papershelf.services import exporting, importing

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


# -- every style of issue 20 point 12, on one export of the catalogue and the hand-written fidelity.bib ----

STYLES = ("plain", "alpha", "plainnat", "unsrtnat", "abbrvnat")
FIDELITY = Path(__file__).parent.parent / "fixtures" / "fidelity.bib"
# natbib's .bst files label at most 26 papers with the same author-year label ("Chen et al. 2021"a..z,
# then "{", which LaTeX rejects) and the catalogue has 27: its styles cite a realistic subset.
NATBIB_SUBSET = 200


@pytest.fixture(scope="module")
def combined_export(tmp_path_factory: pytest.TempPathFactory, seeded_library_dir: Path) -> tuple[str, list[str]]:
    """The ASCII export of the bundled catalogue plus fidelity.bib imported, and the fidelity keys."""
    folder = tmp_path_factory.mktemp("combined") / "library"
    shutil.copytree(seeded_library_dir, folder)
    library = Library(folder)
    summary = importing.import_file(library, FIDELITY)
    assert summary.failed == 0
    assert len(summary.imported) == 12
    result = exporting.render(library, exporting.select(library), "bibtex")
    assert result.text.isascii()
    return result.text, sorted(summary.imported)


def check_log(folder: Path) -> None:
    """No LaTeX error. (Citations resolve only on a further run: the .bbl's items are counted instead.)"""
    log = (folder / "doc.log").read_text(errors="replace")
    assert not re.search(r"^! ", log, re.MULTILINE), log[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("style", STYLES)
def test_export_compiles_with_each_bibtex_style(style: str, combined_export: tuple[str, list[str]],
                                                tmp_path: Path) -> None:
    text, fidelity_keys = combined_export
    keys = re.findall(r"^@\w+\{([^,\s]+),$", text, re.MULTILINE)
    catalogue_keys = sorted(set(keys) - set(fidelity_keys))
    subset = catalogue_keys[::4][:NATBIB_SUBSET]  # every fourth: the 27 Chens of 2021 are neighbours by key
    cited = "*" if style in ("plain", "alpha") else ",".join(fidelity_keys + subset)
    # natbib's styles print URLs with \\url (without url.sty, as \\texttt: an "_" is then an error).
    natbib = "\\usepackage{natbib}\\usepackage{url}" if style.endswith("nat") else ""
    (tmp_path / "refs.bib").write_text(text, encoding="ascii")
    (tmp_path / "doc.tex").write_text(
        f"\\documentclass{{article}}{natbib}\\begin{{document}}\\nocite{{{cited}}}"
        f"\\bibliographystyle{{{style}}}\\bibliography{{refs}}\\end{{document}}\n",
        encoding="ascii",
    )
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    assert run(tmp_path, *latex[:2], "-draftmode", *latex[2:]).returncode == 0
    bibtex = run(tmp_path, "bibtex", "doc")
    blg = (tmp_path / "doc.blg").read_text(errors="replace")
    assert bibtex.returncode in (0, 1), blg  # 1: warnings (fidelity.bib's untitled and minimal entries)
    assert "error message" not in blg, blg
    assert "I didn't find a database entry" not in blg, blg
    second = run(tmp_path, *latex)
    assert second.returncode == 0, second.stdout[-3000:]
    check_log(tmp_path)
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert bbl.count("\\bibitem") == (len(keys) if cited == "*" else len(fidelity_keys) + NATBIB_SUBSET)


def biblatex_document(folder: Path, text: str, cited: str, *, safe: bool = False) -> str:
    """Compile ``text`` with biblatex + biber citing ``cited``; the PDF's text. Fails on any error."""
    folder.mkdir()
    (folder / "refs.bib").write_text(text, encoding="ascii")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[backend=biber]{biblatex}\\addbibresource{refs.bib}"
        f"\\begin{{document}}\\nocite{{{cited}}}\\printbibliography\\end{{document}}\n",
        encoding="ascii",
    )
    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    first = run(folder, *latex[:2], "-draftmode", *latex[2:])
    assert first.returncode == 0, first.stdout[-3000:]
    biber = run(folder, "biber", *(["--output-safechars"] if safe else []), "doc")
    assert biber.returncode == 0, biber.stdout[-3000:]
    assert "ERROR" not in biber.stdout, biber.stdout[-3000:]
    second = run(folder, *latex)
    assert second.returncode == 0, second.stdout[-3000:]
    check_log(folder)
    pdf = run(folder, "pdftotext", "-enc", "UTF-8", "doc.pdf", "-")
    return unicodedata.normalize("NFC", " ".join(pdf.stdout.split()))


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("biber") or not shutil.which("kpsewhich"), reason="needs biber and biblatex")
def test_whole_export_compiles_with_biblatex_and_biber(combined_export: tuple[str, list[str]],
                                                       tmp_path: Path) -> None:
    text, _ = combined_export
    # All but one: biber writes P with a macron, which Unicode has only as P + a combining mark, as
    # that mark, and pdflatex cannot typeset it: the user's own {\={P}} needs biber's --output-safechars.
    start = text.index("@book{paul-pot,")
    end = text.index("\n}\n", start) + 3
    shown = biblatex_document(tmp_path / "all", text[:start] + text[end:], "*")
    assert shown.count("International Conference on Learning Representations. 2021.") >= 850
    # The catalogue's accents, written in forms both biber and pdflatex read ({\'i}, not {\'\i}).
    assert "Pólya-Gamma" in shown
    assert "Núria Armengol Urp\u0131\u0301" in shown  # as pdflatex draws {\'i}: a dotless i under the accent
    assert "Proc. ACM Conference" in shown  # and fidelity.bib's entries
    shown = biblatex_document(tmp_path / "safe", text[start:end], "paul-pot", safe=True)
    assert "Paul P\u0304ot et al. Accents: P\u0304, é, ç, ö and ß." in shown
