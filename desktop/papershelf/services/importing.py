"""Importing files into a library: read the bytes, pick the format, parse, add, and summarise.

The format is the one the file's content shows (``sniff``: RIS, BibTeX, CSL-JSON, a paper list), else
the one its suffix names (``PARSERS``): a ``.txt`` that holds RIS is read as RIS, and so is a ``.bib``
that does (with a warning saying so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from papershelf.core.library import ImportSummary, Library
from papershelf.core.storage.migrations import CATALOGUE_FILE
from papershelf.core.venues import venue_shown
from papershelf.formats import bibtex, csljson, paperlist, ris
from papershelf.formats.common import ParseResult, Problem
from papershelf.services import attachments
from papershelf.services.files import MAX_IMPORT_BYTES, read_regular_file

Parser = Callable[[str, Path], ParseResult]

_VENUE_YEAR = re.compile(r"(?P<venue>[A-Za-z]+)[-_ ]?(?P<year>(?:19|20)\d\d)")


def decode(raw: bytes) -> tuple[str, list[Problem]]:
    """UTF-8 (with or without BOM); anything else is read as Latin-1 with a warning."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        warning = Problem(line, "the file is not UTF-8; it was read as Latin-1", severity="warning")
        return raw.decode("latin-1"), [warning]


def venue_year_from_name(path: Path) -> tuple[str, int | None]:
    """'iclr2021-accepted.md' -> ('ICLR', 2021); ('', None) when the name does not say."""
    match = _VENUE_YEAR.search(path.stem)
    if not match:
        return "", None
    return match.group("venue").upper(), int(match.group("year"))


def _parse_paperlist(text: str, path: Path) -> ParseResult:
    venue, year = venue_year_from_name(path)
    return paperlist.parse(text, venue=venue, year=year)


def _parse_bibtex(text: str, path: Path) -> ParseResult:
    return _venues_shown(bibtex.parse(text))


def _venues_shown(result: ParseResult) -> ParseResult:
    for paper in result.papers:  # the column and facet show "ICML"; the export keeps the booktitle
        if paper.venue:
            paper.venue = venue_shown(paper.venue, paper.fields.get("series", ""), paper.fields.get("volume", ""))
    return result


def _parse_ris(text: str, path: Path) -> ParseResult:
    return _venues_shown(ris.parse(text))


def _parse_wos(text: str, path: Path) -> ParseResult:
    return _venues_shown(ris.parse_wos(text))


PARSERS: dict[str, Parser] = {".md": _parse_paperlist, ".markdown": _parse_paperlist}
PARSERS[".bib"] = _parse_bibtex
PARSERS[".ris"] = _parse_ris
PARSERS[".ciw"] = _parse_wos
PARSERS[".json"] = lambda text, path: csljson.parse(text)  # CSL-JSON (Zotero, pandoc)
# Suffixes that say nothing about the format: such a file is imported when its content shows one. A file
# with no suffix at all (a download saved as "citations") is read the same way.
SNIFFED_SUFFIXES: tuple[str, ...] = (".txt",)
_SNIFF_CHARS = 64 * 1024  # the start of a file that ``sniff`` looks at
# The first sign of each format, by the PARSERS suffix that reads it. The earliest in the file wins.
_SIGNS: dict[str, re.Pattern[str]] = {
    ".ris": re.compile(r"^TY  - ", re.MULTILINE),
    # Web of Science's field-tagged text (its "Plain text file", savedrecs.txt): a header or a record's PT line
    ".ciw": re.compile(r"^(?:FN (?:Clarivate Analytics |Thomson Reuters )?Web of Science|PT [JBSP][ \t]*$)",
                       re.MULTILINE),
    ".bib": re.compile(r"^[ \t]*@[A-Za-z]+[ \t]*[{(]", re.MULTILINE),
    ".md": re.compile(r"^## .*\n+- .*\n+- abstract@\[", re.MULTILINE),
}
_JSON_ARRAY = re.compile(r"\s*\[\s*\{")
_JSON_KEYS = (re.compile(r'"type"\s*:'), re.compile(r'"id"\s*:'))


def supported_suffixes() -> list[str]:
    return sorted(PARSERS)


def sniff(text: str, *, at_start: bool = False) -> str | None:
    """The suffix of the format ``text`` is in, by its content: ``.ris`` (a ``TY  - `` line), ``.ciw`` (Web of
    Science's field-tagged text: ``FN ... Web of Science`` or a ``PT J`` line), ``.bib`` (an
    ``@type{`` line), ``.json`` (CSL-JSON: a list of objects with "type" and "id"), ``.md`` (a paper list);
    None when it shows none of them. The first sign in the text wins; with ``at_start`` it must be on the
    first line that is not blank (enough to overrule a file's suffix)."""
    head = text[:_SNIFF_CHARS]
    if head.startswith("\ufeff"):
        head = head[1:]
    if _JSON_ARRAY.match(head):
        return ".json" if all(key.search(head) for key in _JSON_KEYS) else None
    found = [(match.start(), suffix) for suffix, sign in _SIGNS.items() if (match := sign.search(head))]
    if not found:
        return None
    where, suffix = min(found)
    if at_start:
        content = _CONTENT.search(head)
        if content is None or where != head.rfind("\n", 0, content.start()) + 1:
            return None
    return suffix


_CONTENT = re.compile(r"\S")


def _refused(path: Path) -> ValueError:
    also = " and ".join(SNIFFED_SUFFIXES)
    return ValueError(
        f"{path.name}: cannot import {path.suffix} files (Papershelf imports {', '.join(supported_suffixes())}, "
        f"and {also} files or files without a suffix that hold one of them)"
    )


def _sniffed(suffix: str) -> bool:
    return suffix in SNIFFED_SUFFIXES or not suffix


def can_import(path: Path) -> bool:
    """Whether ``path`` is a file Papershelf would import: a known suffix, or a ``.txt`` (or no suffix) whose
    start shows a known format (for drag and drop and files passed by the file manager; reads at most 64 KB)."""
    suffix = path.suffix.lower()
    if suffix in PARSERS:
        return True
    if not _sniffed(suffix):
        return False
    try:
        if not path.is_file():  # no FIFO or device: reading one could block or never end
            return False
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_CHARS)
    except OSError:
        return False
    return sniff(decode(head)[0]) in PARSERS


def parse_file(path: Path) -> ParseResult:
    """Read and parse one file in the format its content shows, else the one its suffix names.

    Raises:
        ValueError: the file type is not one Papershelf imports (an unknown suffix is refused before the
            file is read), or it is not a regular file (a device, a FIFO) or larger than
            ``MAX_IMPORT_BYTES`` (``UnreadableFileError``).
        OSError: the file cannot be read.
    """
    suffix = path.suffix.lower()
    if suffix not in PARSERS and not _sniffed(suffix):
        raise _refused(path)
    text, problems = decode(read_regular_file(path, limit=MAX_IMPORT_BYTES, what="import file"))
    shown = sniff(text, at_start=suffix in PARSERS)
    if shown in PARSERS:
        parser = PARSERS[shown]
        if suffix in PARSERS and PARSERS[suffix] is not parser:
            name = _NAMES.get(shown, shown)
            problems.append(Problem(0, f"the file holds {name} although its name ends in {suffix}; it was read "
                                       f"as {name}", severity="warning"))
    elif suffix in PARSERS:
        parser = PARSERS[suffix]
    else:
        known = ", ".join(sorted({_NAMES.get(s, s) for s in PARSERS}))
        raise ValueError(f"{path.name}: not a file Papershelf can read (it reads {known}); nothing was imported")
    result = parser(text, path)
    result.problems[:0] = problems
    return result


_NAMES = {".ris": "RIS", ".ciw": "Web of Science text", ".bib": "BibTeX", ".json": "CSL-JSON",
          ".md": "a paper list", ".markdown": "a paper list"}


def add_parsed(library: Library, result: ParseResult, *, source: str = "", base: Path | None = None) -> ImportSummary:
    """Add a parsed file's papers to ``library`` in one write; its problems and failures join the summary.

    ``source`` (a file name) is put before each problem when given. ``base``: the folder of the file read;
    its entries' ``file`` fields are then attached as links, relative to it (a second write).

    Raises:
        StoreError: the library cannot be written (nothing was added).
    """
    summary = library.import_papers(result.papers)
    if summary.imported or summary.merged:  # the catalogue changed: its papers go into a backup at once
        summary.problems += library.backup([CATALOGUE_FILE])
    summary.problems += [f"{source}: {problem}" if source else str(problem) for problem in result.problems]
    summary.failed += len(result.errors)
    if base is not None:
        given = dict(summary.renamed) | {old: existing for old, existing in summary.merged if old}
        linked = attachments.link_imported_files(library, result.papers, given, base)
        summary.problems += [f"{source}: {problem}" if source else problem for problem in linked]
    return summary


def import_file(library: Library, path: Path) -> ImportSummary:
    """Parse ``path`` and add its papers to ``library`` in one write; problems carry the file name."""
    return add_parsed(library, parse_file(path), source=path.name, base=path.resolve().parent)
