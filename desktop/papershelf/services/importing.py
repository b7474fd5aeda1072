"""Importing files into a library: read the bytes, pick the format, parse, add, and summarise."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from papershelf.core.library import ImportSummary, Library
from papershelf.core.venues import venue_shown
from papershelf.formats import bibtex, csljson, paperlist
from papershelf.formats.common import ParseResult, Problem
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
    result = bibtex.parse(text)
    for paper in result.papers:  # the column and facet show "ICML"; the export keeps the booktitle
        if paper.venue:
            paper.venue = venue_shown(paper.venue, paper.fields.get("series", ""), paper.fields.get("volume", ""))
    return result


PARSERS: dict[str, Parser] = {".md": _parse_paperlist, ".markdown": _parse_paperlist}
PARSERS[".bib"] = _parse_bibtex
PARSERS[".json"] = lambda text, path: csljson.parse(text)  # CSL-JSON (Zotero, pandoc)


def supported_suffixes() -> list[str]:
    return sorted(PARSERS)


def parse_file(path: Path) -> ParseResult:
    """Read and parse one file by its suffix.

    Raises:
        ValueError: the file type is not one Papershelf imports, or it is not a regular file (a device, a
            FIFO) or larger than ``MAX_IMPORT_BYTES`` (``UnreadableFileError``).
        OSError: the file cannot be read.
    """
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise ValueError(
            f"{path.name}: cannot import {path.suffix or 'files without a suffix'} files "
            f"(Papershelf imports {', '.join(supported_suffixes())})"
        )
    text, problems = decode(read_regular_file(path, limit=MAX_IMPORT_BYTES, what="import file"))
    result = parser(text, path)
    result.problems[:0] = problems
    return result


def add_parsed(library: Library, result: ParseResult, *, source: str = "") -> ImportSummary:
    """Add a parsed file's papers to ``library`` in one write; its problems and failures join the summary.

    ``source`` (a file name) is put before each problem when given.

    Raises:
        StoreError: the library cannot be written (nothing was added).
    """
    summary = library.import_papers(result.papers)
    summary.problems += [f"{source}: {problem}" if source else str(problem) for problem in result.problems]
    summary.failed += len(result.errors)
    return summary


def import_file(library: Library, path: Path) -> ImportSummary:
    """Parse ``path`` and add its papers to ``library`` in one write; problems carry the file name."""
    return add_parsed(library, parse_file(path), source=path.name)
