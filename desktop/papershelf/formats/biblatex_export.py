"""Writing papers as a .bib file for biblatex and biber (``--format biblatex``).

The BibTeX export (``bibtex_export``) does the writing; this module hands it each paper as biblatex
names it, and nothing else changes: every field's LaTeX is written as it was imported, only under its
biblatex name where biblatex has another one.

- ``year`` and ``month`` become ``date`` (``2020`` or ``2020-05``); a ``date`` the entry had is kept;
- ``journal`` becomes ``journaltitle``, ``address`` ``location``, ``school`` ``institution``,
  ``archiveprefix`` ``eprinttype`` and ``primaryclass`` ``eprintclass``; ``annote`` ``annotation``;
- ``@phdthesis``/``@mastersthesis`` become ``@thesis`` with ``type = {phdthesis}``/``{mathesis}``,
  ``@techreport`` ``@report`` with ``type = {techreport}``, ``@conference`` ``@inproceedings`` and
  ``@electronic``/``@www`` ``@online``;
- an arXiv paper gets ``eprint`` and ``eprinttype = {arxiv}`` (from its ``eprint`` field, an arXiv DOI
  ``10.48550/arXiv.ID`` or an ``arxiv.org/abs/ID`` URL), so that styles print "arXiv: ID" with a link;
- merged-away keys go into one ``ids`` field (biber resolves ``\\cite`` of any of them); never copies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Final

from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, latex
from papershelf.formats.bibtex_export import VENUE_BOOKTITLES, BibtexOptions, ExportResult
from papershelf.formats.bibtex_export import render as render_bibtex

RENAMED: Final = {
    "journal": "journaltitle", "address": "location", "school": "institution", "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass", "annote": "annotation",
}
TYPES: Final = {
    "phdthesis": ("thesis", "phdthesis"), "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"), "conference": ("inproceedings", ""),
    "electronic": ("online", ""), "www": ("online", ""),
}
_ARXIV_ID: Final = r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)"
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\." + _ARXIV_ID + r"$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/" + _ARXIV_ID + r"(?:\.pdf)?/?$")
_PLAIN_YEAR = re.compile(r"\d{4}")
_DEFAULTS: Final = BibtexOptions()
_MONTH_NUMBERS: Final = {name: i for i, name in enumerate(bibtex.MONTHS, start=1)}


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: BibtexOptions = _DEFAULTS,
) -> ExportResult:
    """The biblatex .bib text for ``papers``; ``annotations`` by paper id (papers without one have none)."""
    renamed = [as_biblatex(paper) for paper in papers]
    result = render_bibtex(renamed, annotations, dataclasses.replace(options, aliases="ids"))
    # The BibTeX export counts papers without a year; here a year is in their date.
    undated = [p.key for p in renamed if "date" not in p.fields and p.year is None and "year" not in p.fields]
    notes = [n for n in result.notes if "have no year" not in n and "has no year" not in n]
    if undated:
        shown = ", ".join(undated[:5]) + (f" and {len(undated) - 5} more" if len(undated) > 5 else "")
        notes.append(f"{len(undated)} {'entry has' if len(undated) == 1 else 'entries have'} no date: {shown}")
    result.notes = notes
    return result


def as_biblatex(paper: Paper) -> Paper:
    """A copy of ``paper`` whose type and fields have their biblatex names; its LaTeX is left as it is."""
    raw = paper.fields
    fields: dict[str, str] = {}
    for name, value in raw.items():
        fields[RENAMED.get(name, name) if RENAMED.get(name, name) not in raw else name] = value
    entry_type, thesis_type = TYPES.get(paper.entry_type, (paper.entry_type, ""))
    if thesis_type and "type" not in fields:
        fields["type"] = thesis_type
    year = paper.year
    if "date" not in fields and year is not None and not (raw.get("year") and not _PLAIN_YEAR.fullmatch(raw["year"])):
        month = _month(fields.pop("month", ""))
        fields["date"] = f"{year:04d}-{month:02d}" if month else f"{year:04d}"
        fields.pop("year", None)
        year = None
    if "eprint" not in fields:
        found = _ARXIV_DOI.search(paper.doi) or _ARXIV_URL.match(paper.url)
        if found:
            fields["eprint"] = found.group(1)
            fields["eprinttype"] = "arxiv"
    venue = paper.venue
    if venue and entry_type == "article" and not ({"journaltitle", "booktitle"} & fields.keys()):
        # The BibTeX export would write the venue shown as ``journal``; biblatex calls it journaltitle.
        fields["journaltitle"] = _TEXT.text(VENUE_BOOKTITLES.get(venue.upper(), venue))
        venue = ""
    return dataclasses.replace(paper, entry_type=entry_type, fields=fields, year=year, venue=venue)


_TEXT: Final = latex.Encoder(ascii=False)  # to LaTeX source; the export makes it ASCII when asked


def _month(value: str) -> int | None:
    value = value.strip().strip("{}").strip().casefold()
    if value[:3] in _MONTH_NUMBERS:
        return _MONTH_NUMBERS[value[:3]]
    return int(value) if value.isdigit() and 1 <= int(value) <= 12 else None


__all__ = ["RENAMED", "TYPES", "as_biblatex", "render"]
