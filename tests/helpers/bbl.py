"""Typesetting a bibliography for real and reading its items as a reader sees them.

``bibliography(bib_text, keys, folder)`` cites ``keys`` in a small document, runs pdflatex and bibtex
(plain.bst unless told) and returns each ``\\bibitem``'s text, accent macros turned into characters,
braces gone, case kept (``as_read``). Comparing the items typeset from an original .bib with those
from an export tells whether a reader of the PDF could tell them apart.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pylatexenc.latex2text import LatexNodes2Text

TOOLS_PRESENT = all(shutil.which(tool) for tool in ("pdflatex", "bibtex"))

_TO_TEXT = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
# Characters pdflatex draws alike from their ASCII LaTeX forms (' is a right quote in the font, $-$ a minus).
_SAME_GLYPH = str.maketrans({"’": "'", "‘": "`", "−": "-", "“": '"', "”": '"', "\u00a0": " "})
_ITEM = re.compile(r"\\bibitem(?:\[[^\]]*\])?\{([^}]*)\}")


@dataclass
class Typeset:
    """What bibtex made of one .bib: the items by key, its warnings and the keys it did not find."""

    latex: dict[str, str]  # each item's LaTeX as bibtex wrote it
    warnings: list[str]
    not_found: list[str]

    @property
    def items(self) -> dict[str, str]:
        """Each item as a reader sees it."""
        return {key: as_read(text) for key, text in self.latex.items()}


def as_read(latex: str) -> str:
    """A bibliography item's LaTeX as the text a reader sees."""
    # Block by block: the same venue and editors recur in many items, and pylatexenc is slow.
    text = " ".join(_block_as_read(block) for block in latex.split("\\newblock"))
    text = unicodedata.normalize("NFC", text).translate(_SAME_GLYPH)
    if not text.isascii():  # invisible characters (zero-width space, soft hyphen) draw nothing
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.replace("~", " ").split())


@functools.lru_cache(maxsize=65536)
def _block_as_read(latex: str) -> str:
    return _TO_TEXT.latex_to_text(latex)


def run(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=600,
                          check=False)


def bibliography(bib: str, keys: list[str], folder: Path, style: str = "plain") -> Typeset:
    """Cite ``keys`` from ``bib`` (the .bib's text) with ``style``; the items bibtex wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\\begin{document}\\nocite{" + ",".join(keys) + "}\\bibliographystyle{"
        + style + "}\\bibliography{refs}\\end{document}\n",
        encoding="utf-8",
    )
    run(folder, "pdflatex", "-interaction=nonstopmode", "-draftmode", "doc.tex")
    result = run(folder, "bibtex", "doc")
    bbl = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace") if (folder / "doc.bbl").exists() else ""
    body = bbl.split("\\end{thebibliography}")[0]
    parts = _ITEM.split(body)
    items = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    warnings = re.findall(r"^Warning--.*$", result.stdout, re.MULTILINE)
    not_found = re.findall(r"I didn't find a database entry for \"([^\"]+)\"", result.stdout)
    return Typeset(items, warnings, not_found)


def compare(original: Typeset, exported: Typeset) -> tuple[list[str], list[str], list[str]]:
    """Keys typeset the same, keys typeset differently, keys missing from the export."""
    same: list[str] = []
    different: list[str] = []
    missing: list[str] = []
    for key, text in original.latex.items():
        other = exported.latex.get(key)
        if other is None:
            missing.append(key)
        elif _read_alike(text, other):
            same.append(key)
        else:
            different.append(key)
    return same, different, missing


def _read_alike(latex: str, other: str) -> bool:
    """Whether two items read the same; block by block, where the same LaTeX needs no reading."""
    if latex == other:
        return True
    blocks, others = latex.split("\\newblock"), other.split("\\newblock")
    if len(blocks) == len(others) and all(
        a == b or _blocks_alike(a, b) for a, b in zip(blocks, others, strict=True)
    ):
        return True
    return as_read(latex) == as_read(other)


def _blocks_alike(latex: str, other: str) -> bool:
    quick, quick_other = _quick_read(latex), _quick_read(other)
    if _NEEDS_READING.search(quick) or _NEEDS_READING.search(quick_other):
        return as_read(latex) == as_read(other)
    return quick == quick_other


_NEEDS_READING = re.compile(r"[\\&%#$]|--|``|''")


_MARKS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
          "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a"}
_ACCENT = re.compile(r"\\([`'^\"~=.]|[uvHckr](?![A-Za-z]))\s*(?:\{\s*\\?([A-Za-z])\s*\}|\\?([A-Za-z]))")
_LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
            "l": "ł", "L": "Ł", "i": "ı"}
_LETTER = re.compile(r"\\(" + "|".join(sorted(_LETTERS, key=len, reverse=True)) + r")(?![A-Za-z])\s*")


def _quick_read(latex: str) -> str:
    """Accent and letter macros as characters, braces dropped: enough for most items, and fast.

    What is left with a backslash goes to pylatexenc (``as_read``).
    """
    text = _ACCENT.sub(lambda m: unicodedata.normalize("NFC", (m.group(2) or m.group(3)).replace("i", "i")
                                                      + _MARKS[m.group(1)]), latex)
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
    text = text.replace("{", "").replace("}", "").replace("~", " ")
    text = unicodedata.normalize("NFC", text).translate(_SAME_GLYPH)
    return " ".join(text.split())
