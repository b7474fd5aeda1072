"""Real PDFs for tests: one pdflatex run typesets many one-page papers, pypdf splits them into files.

A page shows what the first page of a paper shows: its title, its authors and its abstract. 250 pages
are one pdflatex run (about a second), not 250.
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from papershelf.core.model import Paper
from papershelf.core.resources import data_dir
from papershelf.formats import paperlist

_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
             "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}"}


@dataclass(frozen=True)
class Page:
    title: str
    authors: Sequence[str]
    abstract: str
    header: str = ""  # e.g. "Published as a conference paper at ICLR 2021", or an arXiv stamp


def tex(text: str) -> str:
    """Plain text as LaTeX that pdflatex's default setup typesets (accents dropped, specials escaped)."""
    ascii_text = "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii())
    return "".join(_SPECIALS.get(c, c) for c in ascii_text)


def typeset(pages: Sequence[Page], folder: Path, name: str = "papers") -> Path:
    """One PDF with a page per ``Page``, made by pdflatex in ``folder``."""
    body = []
    for page in pages:
        header = f"{{\\small {tex(page.header)}}}\\par\\bigskip\n" if page.header else ""
        body.append(
            f"{header}{{\\LARGE\\bfseries {tex(page.title)}\\par}}\\bigskip\n"
            f"{{\\large {tex(', '.join(page.authors))}\\par}}\\bigskip\n"
            f"\\textbf{{Abstract}}\\quad {tex(page.abstract[:1500])}\\par\n"
            "\\vfill 1\\quad Introduction\\par\\newpage\n"
        )
    source = folder / f"{name}.tex"
    source.write_text(
        "\\documentclass{article}\n\\usepackage[margin=2cm]{geometry}\n\\pagestyle{empty}\n"
        "\\begin{document}\n" + "".join(body) + "\\end{document}\n",
        encoding="utf-8",
    )
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=folder,
                   check=True, capture_output=True, timeout=300)
    return folder / f"{name}.pdf"


def split(pdf: Path, names: Sequence[str], folder: Path) -> list[Path]:
    """Page n of ``pdf`` as ``folder/names[n]``, each a PDF of its own."""
    reader = PdfReader(pdf)
    assert len(reader.pages) == len(names), (len(reader.pages), len(names))
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for page, file_name in zip(reader.pages, names, strict=True):
        writer = PdfWriter()
        writer.add_page(page)
        target = folder / file_name
        with target.open("wb") as out:
            writer.write(out)
        made.append(target)
    return made


def encrypted_copy(pdf: Path, target: Path, password: str = "secret") -> Path:
    """``pdf`` encrypted with a user password (RC4, which pypdf writes without extra packages)."""
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    with target.open("wb") as out:
        writer.write(out)
    return target


def catalogue_papers() -> list[Paper]:
    """The bundled ICLR 2021 papers, parsed (not in any library)."""
    text = (data_dir() / "iclr2021-accepted.md").read_text(encoding="utf-8")
    return paperlist.parse(text, venue="ICLR", year=2021).papers
