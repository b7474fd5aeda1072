"""RIS, the tagged format databases, publishers, EndNote, Mendeley and Zotero hand out: read and written.

A record is a run of ``XX  - value`` lines from ``TY`` (its type) to ``ER``::

    TY  - JOUR
    AU  - Vaswani, Ashish
    TI  - Attention is all you need
    T2  - Advances in Neural Information Processing Systems
    PY  - 2017///
    ER  -

Reading is done here, line by line, with rispy's tables (``rispy.config``: the tag names and which tags
repeat). rispy's own reader is not used: it knows no line numbers, joins two records whose ``ER`` is
missing into one without a word, drops a last record without ``ER``, raises on a continuation line after
a repeating tag (a Zotero note over several lines), and joins an abstract's paragraphs into one. Here:

- a line that does not start with a tag continues the value above it (a wrapped abstract); a blank line in
  a record is a paragraph break;
- a record without ``ER`` ends where the next ``TY`` starts, or at the end of the file, and is kept with a
  warning; a tag outside any record, a record without a title and an unknown type are reported with
  their line, as BibTeX problems are;
- ``PY``/``Y1`` as ``2020``, ``2020///`` or ``2020/05/12/``, ``DA`` for the month; ``AU``/``A1`` in
  their order (then ``A2``/``ED`` as editors); ``T2``/``JO``/``JF``/``JA``/``J2`` for the venue; ``SP``
  and ``EP`` for pages; ``DO``, ``UR``, ``KW``, ``N1``, ``AB``/``N2``, ``VL``, ``IS``, ``PB``, ``CY``,
  ``SN``, ``ET``, ``LA``; ``ID`` as the proposed citation key when it is one.

What a paper gets is what a BibTeX import gives: display text in its attributes and BibTeX source in
``Paper.fields`` (``journal``, ``booktitle``, ``volume``, ``pages``, ``publisher``, ``keywords``,
``annote`` ..., escaped for LaTeX), so that the BibTeX and biblatex exports write RIS imports as they
write anything else. Writing (``render``) goes the other way with rispy's writer; fields that came from a
.bib are decoded from their LaTeX first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from rispy.config import LIST_TYPE_TAGS, TAG_KEY_MAPPING, TYPE_OF_REFERENCE_MAPPING
from rispy.writer import RisWriter

from papershelf.core.memory import gc_paused
from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, latex
from papershelf.formats.bibtex_export import ExportResult
from papershelf.formats.common import (
    ParseResult,
    Problem,
    fields_left_out,
    join_paragraphs,
    publisher_field,
    publishers_left_out,
    some,
)

# RIS type -> BibTeX entry type.
TYPES_IN: Final = {
    "JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "INPR": "article", "ABST": "article",
    "CONF": "inproceedings", "CPAPER": "inproceedings",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "UNPB": "unpublished", "MANSCPT": "unpublished",
    "GEN": "misc", "ELEC": "misc", "WEB": "misc", "BLOG": "misc", "COMP": "misc", "DATA": "misc",
}
# BibTeX (and biblatex) entry type -> RIS type; what is not here is GEN.
TYPES_OUT: Final = {
    "article": "JOUR", "inproceedings": "CPAPER", "conference": "CPAPER", "proceedings": "CONF",
    "book": "BOOK", "mvbook": "BOOK", "inbook": "CHAP", "incollection": "CHAP", "bookinbook": "CHAP",
    "phdthesis": "THES", "mastersthesis": "THES", "thesis": "THES", "techreport": "RPRT", "report": "RPRT",
    "unpublished": "UNPB", "online": "ELEC", "electronic": "ELEC", "www": "ELEC", "misc": "GEN",
    "manual": "GEN", "booklet": "GEN", "software": "COMP", "dataset": "DATA",
}
_JOURNAL_TYPES: Final = frozenset({"article"})
_IN_BOOK_TYPES: Final = frozenset({"inproceedings", "incollection"})
_TAG_LINE = re.compile(r"([A-Z][A-Z0-9])  -(?: (.*)|\s*)$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DATE = re.compile(r"\s*(\d{4})?(?:[/-](\d{1,2})?)?")
_KEY = re.compile(r"[A-Za-z][\w:.+/-]*")
_ISSN = re.compile(r"\d{4}-?\d{3}[\dXx]")
_PAGE_RANGE = re.compile(r"\s*([^-–—\s]+)\s*(?:-+|–|—)\s*(\S+)\s*$")
_MONTH_MACROS: Final = tuple(bibtex.MONTHS)  # "jan" ... "dec", in order
_MONTH_NAME = re.compile(r"\b(" + "|".join(_MONTH_MACROS) + r")[a-z]*\b\.?", re.IGNORECASE)
_HTML_BREAK = re.compile(r"\s*(?:</p>|</div>|<br\s*/?>)\s*", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^<>]*>")
# The tags ``_paper`` reads; any other tag in a record is counted and reported, never dropped unsaid.
_READ_TAGS: Final = frozenset({
    "TI", "T1", "CT", "BT", "AU", "A1", "A2", "ED", "PY", "Y1", "DA", "T2", "JF", "JO", "JA", "J2", "T3",
    "VL", "IS", "ET", "CY", "LA", "PB", "SP", "EP", "SN", "KW", "N1", "DO", "UR", "AB", "N2", "ID"})
_URL_LIST = re.compile(r"\s*;\s*(?=https?://)")  # "UR  - http://a; http://b" (a ; inside one URL stays)


@dataclass(slots=True)
class _Record:
    line: int
    type: str
    tags: dict[str, list[list[str]]] = field(default_factory=dict)  # tag -> each value's lines
    ended: bool = False


def parse(text: str) -> ParseResult:
    """Read RIS text. Never raises on a bad record: it becomes a Problem with its line.

    Papers come back without ids; ``key`` is the record's ``ID`` when it is a usable citation key.
    """
    with gc_paused():
        return _parse(text)


def _parse(text: str) -> ParseResult:
    if text.startswith("\ufeff"):
        text = text[1:]
    result = ParseResult()
    problems = result.problems
    records: list[_Record] = []
    record: _Record | None = None
    values: list[str] | None = None  # the lines of the value being read (continuations join it)
    seen_record = False
    stray = False  # within a run of tag lines outside any record (reported at its first line)
    outside_from = 0  # first line of a run of text outside any record, reported once
    match = _TAG_LINE.match
    for number, line in enumerate(text.splitlines(), start=1):
        found = match(line)
        if found is None:
            if record is not None and values is not None:
                values.append(line.strip())
            elif line.strip() and seen_record and not outside_from:
                outside_from = number
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if outside_from:
            problems.append(Problem(outside_from, "text between records ignored", severity="warning"))
            outside_from = 0
        if tag == "TY":
            stray = False
            if record is not None:
                problems.append(Problem(record.line, f"the record has no ER line; it ends before line {number}",
                                        severity="warning"))
            record = _Record(number, value.upper())
            records.append(record)
            values = None
            seen_record = True
            continue
        if record is None:
            if (tag != "ER" or value) and not stray:
                problems.append(Problem(number, f"{tag} line outside a record (no TY before it); the lines up to "
                                                "the next TY were ignored"))
                stray = True
            seen_record = True
            continue
        if tag == "ER":
            record.ended = True
            record = values = None
            continue
        values = [value]
        record.tags.setdefault(tag, []).append(values)
    if outside_from:
        problems.append(Problem(outside_from, "text after the last record ignored", severity="warning"))
    if record is not None:
        problems.append(Problem(record.line, "the file ends inside this record (no ER line); it was read as it is",
                                severity="warning"))
    if not seen_record and text.strip():
        problems.append(Problem(1, "no RIS record in the file (a record starts with a 'TY  - ' line)"))
    unread: dict[str, int] = {}  # tag -> records it was in, for papers that were imported
    first_unread = 0
    for rec in records:
        paper = _paper(rec, problems)
        if paper is not None:
            result.papers.append(paper)
            result.lines.append(rec.line)
            for tag in rec.tags.keys() - _READ_TAGS:
                unread[tag] = unread.get(tag, 0) + 1
                first_unread = first_unread or rec.line
    if unread:
        problems.append(_unread_tags(unread, first_unread, "RIS"))
    problems.sort(key=lambda p: p.line)
    return result


def _unread_tags(unread: Mapping[str, int], line: int, fmt: str) -> Problem:
    """The warning that names the tags of imported records no field keeps, with how many records had each."""
    shown = ", ".join(f"{tag} ({count} record{'s' if count > 1 else ''})" for tag, count in sorted(unread.items()))
    return Problem(line, f"{fmt} tags Papershelf keeps no field for were not imported: {shown}", severity="warning")


def _joined(lines: list[str]) -> str:
    """A value's lines as text: lines joined by spaces, blank lines as paragraph breaks."""
    return lines[0] if len(lines) == 1 else join_paragraphs(lines, within=" ")


_ENCODER = latex.Encoder(ascii=False)


def _tex(text: str) -> str:
    """Plain text as BibTeX source (``Paper.fields`` holds LaTeX)."""
    return _ENCODER.text(text)


def _paper(record: _Record, problems: list[Problem]) -> Paper | None:
    tags = {t: [v for v in (_joined(lines) for lines in values) if v] for t, values in record.tags.items()}

    def first(*names: str) -> str:
        for name in names:
            found = tags.get(name)
            if found:
                return found[0]
        return ""

    line = record.line
    title = first("TI", "T1", "CT", "BT")
    if not title:
        problems.append(Problem(line, "the record has no title (TI); skipped"))
        return None
    entry_type = TYPES_IN.get(record.type)
    if entry_type is None:
        entry_type = "misc"
        shown = TYPE_OF_REFERENCE_MAPPING.get(record.type)
        reason = f"RIS type {record.type or '(none)'}" + (f" ({shown})" if shown else "")
        problems.append(Problem(line, f"{reason} has no BibTeX equivalent; imported as misc", severity="warning"))
    fields: dict[str, str] = {}
    authors_raw = tags.get("AU", []) + tags.get("A1", [])
    authors = [_display_name(a) for a in authors_raw]
    if any(_needs_source(a) for a in authors_raw):
        fields["author"] = " and ".join(_bibtex_name(a) for a in authors_raw)
    editors = tags.get("A2", []) + tags.get("ED", [])
    if editors and entry_type in ("inproceedings", "incollection", "book", "proceedings"):
        fields["editor"] = " and ".join(_bibtex_name(a) for a in editors)
    year, month = _date(first("PY", "Y1"), first("DA") or first("Y1"))
    date_text = first("PY", "Y1") or first("DA")
    if year is None and date_text:
        problems.append(Problem(line, f"the date {date_text!r} has no year; imported without one", severity="warning"))
    if month:
        fields["month"] = _MONTH_MACROS[month - 1]
    venue = first("T2", "JF", "JO", "JA", "J2") if entry_type not in ("book", "phdthesis", "techreport") \
        else first("JF", "JO", "JA", "J2")
    if venue:
        if entry_type in _JOURNAL_TYPES:
            fields["journal"] = _tex(venue)
        elif entry_type in _IN_BOOK_TYPES:
            fields["booktitle"] = _tex(venue)
        else:
            fields["howpublished"] = _tex(venue)
    series = first("T3") or (first("T2") if entry_type in ("book", "phdthesis", "techreport") else "")
    if series:
        fields["series"] = _tex(series)
    for tag, name in (("VL", "volume"), ("IS", "number"), ("ET", "edition"), ("CY", "address"),
                      ("LA", "language")):
        value = first(tag)
        if value:
            fields[name] = _tex(value)
    publisher = first("PB")
    if publisher:
        name = {"phdthesis": "school", "techreport": "institution"}.get(entry_type, "publisher")
        fields[name] = _tex(publisher)
    pages = _pages(first("SP"), first("EP"))
    if pages:
        fields["pages"] = pages
    for number in tags.get("SN", []):
        name = "issn" if _ISSN.fullmatch(number.strip()) else "isbn"
        fields.setdefault(name, number.strip())
    keywords = tags.get("KW", [])
    if keywords:
        # One keyword a line (Zotero, IEEE), or several a line separated by ";" (Scopus, WoS): one list.
        words = [w.strip() for k in keywords for w in k.split(";") if w.strip()]
        fields["keywords"] = ", ".join(_tex(w) for w in dict.fromkeys(words))
    notes = tags.get("N1", [])
    if notes:
        # RIS notes are the reader's notes (Zotero's child notes): BibTeX's annote, which styles never print.
        fields["annote"] = "\n\n".join(_tex(_html_as_text(n)) for n in notes)
    doi = bibtex.DOI_PREFIX.sub("", first("DO")).strip()
    urls = [u.strip() for value in tags.get("UR", []) for u in _URL_LIST.split(value) if u.strip()]
    if not doi:
        doi = next((bibtex.DOI_PREFIX.sub("", u) for u in urls if bibtex.DOI_PREFIX.match(u)), "")
    abstract = first("AB", "N2")
    proposed = first("ID")
    key = proposed if _KEY.fullmatch(proposed) else ""
    return Paper(
        id="",
        key=key,
        title=" ".join(title.split()),
        authors=[a for a in authors if a],
        year=year,
        venue=venue,
        abstract=abstract,
        url=urls[0] if urls else "",
        doi=doi,
        entry_type=entry_type,
        fields=fields,
    )


def _html_as_text(note: str) -> str:
    """A note Zotero wrote as HTML (``<p>...</p>``) as plain paragraphs; other notes as they are."""
    if "<" not in note or not _HTML_TAG.search(note):
        return note
    paragraphs = _HTML_TAG.sub("", _HTML_BREAK.sub("\n\n", note)).split("\n\n")
    return "\n\n".join(" ".join(html.unescape(p).split()) for p in paragraphs if p.strip())


def _date(published: str, date: str) -> tuple[int | None, int | None]:
    """(year, month) from ``PY`` ("2020", "2020///", "2020/05/12/") and ``DA`` ("2020/05/12")."""
    year: int | None = None
    month: int | None = None
    for text in (published, date):
        if not text:
            continue
        found = _DATE.match(text)
        if found and found.group(1):
            year = year or int(found.group(1))
            if found.group(2) and 1 <= int(found.group(2)) <= 12:
                month = month or int(found.group(2))
        elif year is None:
            loose = _YEAR.search(text)  # "Spring 2019", "27-30 June 2016" (IEEE Xplore)
            if loose:
                year = int(loose.group(1))
        if month is None:
            named = _MONTH_NAME.search(text)  # "MAY 28" (Web of Science), "Oct. 2010" (IEEE Xplore)
            if named:
                month = _MONTH_MACROS.index(named.group(1).lower()) + 1
    return year, month


def _pages(start: str, end: str) -> str:
    start, end = start.strip(), end.strip()
    if start and not end:
        ranged = _PAGE_RANGE.match(start)  # "SP  - 123-130" (Scopus, some publishers)
        if ranged:
            start, end = ranged.group(1), ranged.group(2)
    if start and end and end != start:
        return f"{_tex(start)}--{_tex(end)}"
    return _tex(start or end)


def _split_ris_name(name: str) -> tuple[str, str, str]:
    """(Last, First, Suffix) of an RIS name "Last, First, Suffix"; ("", "", name) for "First Last", and for
    a name with nothing before its first comma (", John", ","), which is kept as written, not dropped."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 1 or not parts[0]:
        return "", "", name.strip()
    return parts[0], parts[1], ", ".join(parts[2:])


def _display_name(name: str) -> str:
    """"Smith, John A., Jr." -> "John A. Smith, Jr." (Papershelf shows "First von Last, Jr.")."""
    name = " ".join(name.split())
    last, given, suffix = _split_ris_name(name)
    if not last:
        return suffix  # "J. Smith" (IEEE Xplore), or one word
    shown = f"{given} {last}" if given else last
    return f"{shown}, {suffix}" if suffix else shown


def _needs_source(name: str) -> bool:
    """Whether the display name alone would give BibTeX the wrong last name ("García Márquez, Gabriel")."""
    last = _split_ris_name(name)[0]
    return bool(last) and " " in last and not all(w[:1].islower() for w in last.split()[:-1])


def _bibtex_name(name: str) -> str:
    """An RIS name as BibTeX name source: "Last, First" and "Last, Jr, First" keep their parts."""
    last, given, suffix = _split_ris_name(" ".join(name.split()))
    if not last:
        return _ENCODER.name(suffix)
    part = _ENCODER.name
    if suffix:
        return f"{part(last)}, {part(suffix)}, {part(given)}"
    return f"{part(last)}, {part(given)}" if given else part(last)


# -- Web of Science's field-tagged text ("Plain text file", savedrecs.txt / .ciw) ------------------------
# Not RIS, but what most people export from Web of Science: "XX value" lines, continuation lines indented
# by three spaces (one name each for the author tags), records ending "ER", the file "EF". Read into the
# RIS tags above (rispy's WOK tables name them) and made papers the same way.

_WOS_LINE = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$")
_WOS_LISTS: Final = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "RI", "OI", "WC", "SC"})
# Web of Science tag -> the RIS tag ``_paper`` reads (AF, the full names, is preferred to AU below).
_WOS_AS_RIS: Final = {
    "TI": "TI", "SO": "T2", "SE": "T3", "BE": "ED", "PY": "PY", "PD": "DA", "VL": "VL", "IS": "IS", "BP": "SP",
    "EP": "EP", "DI": "DO", "AB": "AB", "DE": "KW", "PU": "PB", "SN": "SN", "BN": "SN", "LA": "LA",
}

# The Web of Science tags ``parse_wos`` reads (besides PT, which starts a record).
_WOS_READ: Final = frozenset(_WOS_AS_RIS) | {"AF", "AU", "CT", "AR", "DT"}


def parse_wos(text: str) -> ParseResult:
    """Read Web of Science's field-tagged text. Never raises on a bad record: it becomes a Problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    result = ParseResult()
    problems = result.problems
    records: list[tuple[_Record, dict[str, list[list[str]]]]] = []
    tags: dict[str, list[list[str]]] | None = None
    last = ""
    stray = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("   ") and tags is not None and last:
            value = line.strip()
            if last in _WOS_LISTS:
                tags[last].append([value])
            else:
                tags[last][-1].append(value)
            continue
        found = _WOS_LINE.match(line)
        if found is None:
            if line.strip() and tags is not None:
                problems.append(Problem(number, f"line not understood, ignored: {line[:60]!r}", severity="warning"))
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if tag == "PT":
            if tags is not None:
                problems.append(Problem(records[-1][0].line, f"the record has no ER line; it ends before line "
                                                             f"{number}", severity="warning"))
            record = _Record(number, value.upper())
            tags = {}
            records.append((record, tags))
            stray = False
            last = ""
        elif tag == "ER":
            if tags is not None:
                records[-1][0].ended = True
            tags = None
        elif tags is None:
            if tag not in ("FN", "VR", "EF") and not stray:
                problems.append(Problem(number, f"{tag} line outside a record (no PT before it); the lines up to "
                                                "the next PT were ignored"))
                stray = True
        else:
            tags.setdefault(tag, []).append([value])
            last = tag
    if tags is not None and records:
        problems.append(Problem(records[-1][0].line, "the file ends inside this record (no ER line); it was read "
                                                     "as it is", severity="warning"))
    unread: dict[str, int] = {}  # tag -> records it was in, for papers that were imported
    first_unread = 0
    for record, wos in records:
        record.type = _wos_type(record.type, " ".join(" ".join(v) for v in wos.get("DT", [])))
        record.tags = {ris_tag: wos[tag] for tag, ris_tag in _WOS_AS_RIS.items() if tag in wos}
        record.tags["AU"] = wos.get("AF") or wos.get("AU") or []
        if "T2" not in record.tags and "CT" in wos:
            record.tags["T2"] = wos["CT"]
        if "SP" not in record.tags and "AR" in wos:
            record.tags["SP"] = wos["AR"]  # an article number stands for its pages
        paper = _paper(record, problems)
        if paper is not None:
            result.papers.append(paper)
            result.lines.append(record.line)
            for tag in wos.keys() - _WOS_READ:
                unread[tag] = unread.get(tag, 0) + 1
                first_unread = first_unread or record.line
    if unread:
        problems.append(_unread_tags(unread, first_unread, "Web of Science"))
    problems.sort(key=lambda p: p.line)
    return result


def _wos_type(publication_type: str, document_type: str) -> str:
    """The RIS type of a Web of Science record, from its PT (J, B, S, P) and DT ("Article; Proceedings Paper")."""
    if "Proceedings Paper" in document_type:
        return "CPAPER"
    if "Book Chapter" in document_type:
        return "CHAP"
    if publication_type == "B":
        return "BOOK"
    if publication_type == "P":
        return "GEN"  # a patent
    return "JOUR" if publication_type in ("J", "S") else publication_type


# -- writing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RisOptions:
    """What goes into the .ris besides the bibliographic record."""

    abstract: bool = True
    tags_as_keywords: bool = True
    notes: bool = False  # the user's notes as N1


class _Writer(RisWriter):
    """rispy's writer without the "1." line it puts before each record (Zotero and EndNote write none)."""

    def set_header(self, count: int) -> str:
        return ""


_NAMES: Final = TAG_KEY_MAPPING  # tag -> rispy's name for it
# The BibTeX fields ``_reference`` writes (or reads to write a tag); the export names any other it leaves out.
_CARRIED: Final = frozenset({
    "author", "editor", "title", "journal", "booktitle", "howpublished", "series", "year", "month", "volume",
    "number", "edition", "address", "language", "publisher", "school", "institution", "organization", "pages",
    "isbn", "issn", "doi", "url", "abstract", "keywords", "note", "annote",
})


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: RisOptions = RisOptions(),
) -> ExportResult:
    """The .ris text for ``papers`` (in the order given); ``annotations`` by paper id."""
    references = [_reference(paper, annotations.get(paper.id), options) for paper in papers]
    text = _Writer(list_tags=[*LIST_TYPE_TAGS, "SN"]).formats(references) if references else ""
    notes: list[str] = []
    untyped = sorted({p.entry_type for p in papers if p.entry_type not in TYPES_OUT})
    if untyped:
        notes.append(f"entry types with no RIS type were written as GEN: {', '.join(untyped)}")
    notes += fields_left_out(papers, _CARRIED, "RIS", dropped=publishers_left_out)
    split = [p.key for p in papers if any(_comma_inside(p.fields.get(name)) for name in ("author", "editor"))]
    if split:
        notes.append(
            f"{len(split)} {'entry has a name' if len(split) == 1 else 'entries have names'} with a comma "
            f"inside a part ({{Barnes, Inc.}}), which RIS cannot carry: it reads a comma as the end of the "
            f"last name: {some(split)}"
        )
    return ExportResult(text, notes, len(papers))


def _plain(value: str) -> str:
    """A field's LaTeX source as the text RIS carries."""
    return latex.decode(value) if any(c in value for c in "\\{}$~-`'") else value


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _multi_line(text: str) -> str:
    """Paragraphs kept (a blank line between them), each on one line with its spaces squeezed: no line
    of it can read as a tag (``XY  - `` needs two spaces)."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _reference(paper: Paper, ann: Annotation | None, options: RisOptions) -> dict[str, object]:
    raw = paper.fields
    ris_type = TYPES_OUT.get(paper.entry_type, "GEN")
    ref: dict[str, object] = {"type_of_reference": ris_type}
    if paper.key:
        ref[_NAMES["ID"]] = paper.key
    names = _ris_names(raw.get("author"), paper.authors)
    if names:
        ref[_NAMES["AU"]] = names
    editors = _ris_names(raw.get("editor"), [])
    if editors:
        ref[_NAMES["A2"]] = editors
    ref[_NAMES["TI"]] = _one_line(paper.title)
    venue = _plain(raw["journal"]) if "journal" in raw else _plain(raw["booktitle"]) if "booktitle" in raw \
        else _plain(raw.get("howpublished", "")) or paper.venue
    if venue:
        ref[_NAMES["T2"]] = _one_line(venue)
    if "series" in raw:
        ref[_NAMES["T3"]] = _one_line(_plain(raw["series"]))
    if paper.year is not None:
        ref[_NAMES["PY"]] = str(paper.year)
    month = bibtex.month_number(raw.get("month", ""))
    if paper.year is not None and month:
        ref[_NAMES["DA"]] = f"{paper.year}/{month:02d}/"
    for tag, name in (("VL", "volume"), ("IS", "number"), ("ET", "edition"), ("CY", "address"),
                      ("LA", "language")):
        if name in raw:
            ref[_NAMES[tag]] = _one_line(_plain(raw[name]))
    publisher = publisher_field(paper.entry_type, raw)
    if publisher:
        ref[_NAMES["PB"]] = _one_line(_plain(raw[publisher]))
    if "pages" in raw:
        start, _, end = _plain(raw["pages"]).replace("—", "-").replace("–", "-").partition("-")
        ref[_NAMES["SP"]] = start.strip()
        if end.strip("- "):
            ref[_NAMES["EP"]] = end.strip("- ")
    numbers = [_one_line(latex.decode_verbatim(raw[n])) for n in ("isbn", "issn") if raw.get(n)]
    if numbers:
        ref[_NAMES["SN"]] = numbers
    if paper.doi:
        ref[_NAMES["DO"]] = paper.doi
    if paper.url:
        ref[_NAMES["UR"]] = [paper.url]
    if options.abstract and paper.abstract:
        ref[_NAMES["AB"]] = _multi_line(paper.abstract)
    keywords = [_one_line(_plain(k)) for k in raw.get("keywords", "").split(",") if k.strip()]
    if options.tags_as_keywords and ann is not None:
        folded = {k.casefold() for k in keywords}
        keywords += [t for t in ann.tags if t.casefold() not in folded]
    if keywords:
        ref[_NAMES["KW"]] = keywords
    notes = [_multi_line(_plain(raw[n])) for n in ("note", "annote") if raw.get(n, "").strip()]
    if options.notes and ann is not None and ann.note.strip():
        notes.append(_multi_line(ann.note))
    if notes:
        ref[_NAMES["N1"]] = notes
    return ref


def _ris_names(source: str | None, shown: Sequence[str]) -> list[str]:
    """Names as RIS writes them, "Last, First, Suffix": from the BibTeX source when there is one (it says
    which words are the last name), else from the display names."""
    if source is not None:
        out = []
        for name in bibtex.split_names(source):
            first, von, last, jr = bibtex.name_parts(name)
            if not last and not first:
                continue
            if _is_braced_whole(name):
                out.append(latex.decode(name))
                continue
            last_text = latex.decode(" ".join(von + last))
            given = latex.decode(" ".join(first))
            if not last_text.strip():  # " , Ann" (no last name): written as the name shows, no comma to split on
                out.append(" ".join(part for part in (given, latex.decode(jr) if jr else "") if part))
                continue
            parts = [last_text, given] if given or jr else [last_text]
            if jr:
                parts.append(latex.decode(jr))
            out.append(", ".join(parts))
        return out
    written = []
    for display in shown:
        given_name, von_part, last_name, suffix = bibtex.split_display_name(" ".join(display.split()))
        if not given_name and not von_part and not suffix:
            written.append(last_name)
            continue
        written.append(", ".join([f"{von_part} {last_name}".strip(), given_name, *([suffix] if suffix else [])]))
    return written


def _comma_inside(source: str | None) -> bool:
    """Whether a BibTeX name list has a name with a comma inside one of its parts (``{Barnes, Inc.}``,
    ``O{,}Brien``): RIS's "Last, First" has no way to write it."""
    if not source or "," not in latex.decode(source):
        return False
    for name in bibtex.split_names(source):
        if _is_braced_whole(name):
            if "," in latex.decode(name):
                return True
            continue
        first, von, last, jr = bibtex.name_parts(name)
        if any("," in latex.decode(" ".join(words)) for words in (first, von + last)) or "," in latex.decode(jr):
            return True
    return False


def _is_braced_whole(name: str) -> bool:
    name = name.strip()
    return name.startswith("{") and name.endswith("}") and latex.is_balanced(name[1:-1])


__all__ = ["TYPES_IN", "TYPES_OUT", "RisOptions", "parse", "parse_wos", "render"]
