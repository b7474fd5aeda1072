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
- an arXiv paper gets ``eprint`` and ``eprinttype = {arxiv}`` (its id as ``core.identifiers.arxiv_id`` reads it:
  an arXiv DOI ``10.48550/arXiv.ID``, an ``arxiv.org/abs/ID`` URL, a CoRR volume, "arXiv:ID" in the
  journal), so that styles print "arXiv: ID" with a link;
- merged-away keys go into one ``ids`` field (biber resolves ``\\cite`` of any of them); never copies.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Final

from papershelf.core.identifiers import arxiv_id
from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, latex
from papershelf.formats.bibtex_export import VENUE_BOOKTITLES, BibtexOptions, ExportResult
from papershelf.formats.bibtex_export import render as render_bibtex
from papershelf.formats.common import some

RENAMED: Final = {
    "journal": "journaltitle", "address": "location", "school": "institution", "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass", "annote": "annotation",
}
TYPES: Final = {
    "phdthesis": ("thesis", "phdthesis"), "mastersthesis": ("thesis", "mathesis"),
    "techreport": ("report", "techreport"), "conference": ("inproceedings", ""),
    "electronic": ("online", ""), "www": ("online", ""),
}
_PLAIN_YEAR = re.compile(r"\d{4}")
_DEFAULTS: Final = BibtexOptions()
_MONTH_NUMBERS: Final = {name: i for i, name in enumerate(bibtex.MONTHS, start=1)}


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: BibtexOptions = _DEFAULTS,
) -> ExportResult:
    """The biblatex .bib text for ``papers``; ``annotations`` by paper id (papers without one have none)."""
    keys = {p.key.casefold(): p.key for p in papers}
    renamed = [as_biblatex(paper, keys) for paper in papers]
    result = render_bibtex(renamed, annotations, dataclasses.replace(options, aliases="ids"))
    # The BibTeX export counts papers without a year; here a year is in their date.
    undated = [p.key for p in renamed if "date" not in p.fields and p.year is None and "year" not in p.fields]
    notes = [n for n in result.notes if "have no year" not in n and "has no year" not in n]
    if undated:
        notes.append(f"{len(undated)} {'entry has' if len(undated) == 1 else 'entries have'} no date: {some(undated)}")
    result.notes = notes
    return result


def as_biblatex(paper: Paper, keys: Mapping[str, str] | None = None) -> Paper:
    """A copy of ``paper`` whose type and fields have their biblatex names; its LaTeX is left as it is.

    ``keys`` (the exported keys by their case-folded form) spell a ``crossref`` as its entry's key is
    spelled: BibTeX matches keys in any case, biber only in the same.
    """
    raw = paper.fields
    fields: dict[str, str] = {}
    for name, value in raw.items():
        fields[RENAMED.get(name, name) if RENAMED.get(name, name) not in raw else name] = value
    entry_type, thesis_type = TYPES.get(paper.entry_type, (paper.entry_type, ""))
    if thesis_type and "type" not in fields:
        fields["type"] = thesis_type
    year = None if "date" in fields else paper.year  # the date says it (a biblatex import's year is from it)
    if "date" not in fields and (year is not None or "year" in fields):
        date = _date(fields.get("year", str(year)), fields.get("month", ""))
        if date is not None:
            fields["date"], sortyear = date
            if sortyear:
                fields.setdefault("sortyear", sortyear)
            fields.pop("year", None)
            fields.pop("month", None)
            year = None
    crossref = fields.get("crossref")
    if crossref is not None and keys is not None:
        fields["crossref"] = keys.get(crossref.strip().casefold(), crossref)
    if "eprint" not in fields and (identifier := arxiv_id(paper)):
        fields["eprint"] = identifier
        fields["eprinttype"] = "arxiv"
    venue = paper.venue
    if venue and entry_type == "article" and not ({"journaltitle", "booktitle"} & fields.keys()):
        # The BibTeX export would write the venue shown as ``journal``; biblatex calls it journaltitle.
        fields["journaltitle"] = _TEXT.text(VENUE_BOOKTITLES.get(venue.upper(), venue))
    if "journaltitle" in fields:
        venue = ""  # written from there (the BibTeX export would add a journal for an article's venue)
    return dataclasses.replace(paper, entry_type=entry_type, fields=fields, year=year, venue=venue)


_TEXT: Final = latex.Encoder(ascii=False)  # to LaTeX source; the export makes it ASCII when asked
_NOOPSORT = re.compile(r"\{\\noopsort\{([^{}]*)\}\}")
_YEAR_IN = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DAY = re.compile(r"(?<![\d-])(\d{1,2})(?!\d)")
_MONTH_WORD = re.compile(r"\b(" + "|".join(bibtex.MONTHS) + r")[a-z]*\b", re.IGNORECASE)


def _date(year_source: str, month_source: str) -> tuple[str, str] | None:
    """biblatex's ``date`` (and a ``sortyear``) for a BibTeX year and month, or None to keep them as they are.

    ``2020`` and ``may`` -> ``2020-05``; ``10~jan`` -> ``2020-01-10``; ``jun # "-" # aug`` ->
    ``2020-06/2020-08``; ``{\noopsort{1973c}}1981`` (a sorting trick) -> ``1981`` sorted as ``1973c``.
    """
    sortyear = ""
    found = _NOOPSORT.search(year_source)
    if found:
        sortyear = found.group(1)
        year_source = year_source[: found.start()] + year_source[found.end() :]
    year_match = _YEAR_IN.search(year_source)
    if year_match is None:
        return None
    year = year_match.group(1)
    if not month_source.strip():
        return year, sortyear
    month_text = latex.decode(bibtex.MONTHS.get(month_source.strip(), month_source))
    months = [_MONTH_NUMBERS[m.group(1).lower()] for m in _MONTH_WORD.finditer(month_text)]
    if not months and month_text.strip().isdigit() and 1 <= int(month_text) <= 12:
        months = [int(month_text)]
    if len(months) == 1:
        day = _DAY.search(_MONTH_WORD.sub("", month_text)) if not month_text.strip().isdigit() else None
        if day and 1 <= int(day.group(1)) <= 31:
            return f"{year}-{months[0]:02d}-{int(day.group(1)):02d}", sortyear
        return f"{year}-{months[0]:02d}", sortyear
    if len(months) == 2 and months[0] < months[1]:
        return f"{year}-{months[0]:02d}/{year}-{months[1]:02d}", sortyear
    return None


__all__ = ["RENAMED", "TYPES", "as_biblatex", "render"]
