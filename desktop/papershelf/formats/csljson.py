"""CSL-JSON in and out: what Zotero exports and pandoc, Quarto, Zettlr and citeproc read.

The one place that maps a paper to a CSL item and back (``item`` and ``paper_from_item``); ``parse`` and
``render`` are pure, like every format here.

CSL is not LaTeX: what a paper keeps as BibTeX source (``Paper.fields``) is decoded by ``latex.decode``
for CSL, and what a CSL item says is escaped by ``latex.Encoder`` into the BibTeX source a ``.bib``
export writes. Both ways:

- names: ``family``, ``given``, ``non-dropping-particle`` ("van der", "de la": BibTeX's von part),
  ``dropping-particle``, ``suffix`` ("Jr."), and ``literal`` for a name that is one whole (``{World
  Health Organization}``);
- ``issued`` date parts (year, month from ``month``, day from ``day``), or the year as written
  ("2020a") as ``literal``;
- ``container-title`` (the ``journal``, ``booktitle`` or ``howpublished``; a venue of the bundled
  catalogue spelled out), ``collection-title`` (series), ``volume``, ``issue``/``number``, ``page``
  (``--`` as ``-``), ``edition``, ``publisher`` (one: a thesis's ``school``, a report's ``institution``,
  else the first of publisher/school/institution/organization; the others are named in the note),
  ``publisher-place``, ``genre`` (a report's ``type``, "PhD thesis"), ``DOI``, ``URL``,
  ``ISBN``, ``ISSN``, ``abstract``, ``note``, ``annote``, ``language``, ``chapter-number``;
- ``keyword`` from the entry's ``keywords`` and the paper's tags;
- the type: ``article-journal`` <-> ``article``, ``paper-conference`` <-> ``inproceedings``, ``book``,
  ``chapter`` <-> ``incollection``, ``thesis`` <-> ``phdthesis``/``mastersthesis``, ``report`` <->
  ``techreport``, ``manuscript`` <-> ``unpublished``, ``pamphlet`` <-> ``booklet``, others <-> ``misc``.

A title's protecting braces (``{BERT}``, ``{B}ruijn``) are CSL's ``<span class="nocase">`` and back, so that
a style that changes case (pandoc's default, Chicago) leaves those words as written.

What an imported item holds that a paper has no place for (``container-title-short``, ``accessed``, a
type BibTeX has no word for, a title's rich-text markup) is kept in ``fields[CSL_EXTRA]`` and written
back by the CSL export, so CSL-JSON -> Papershelf -> CSL-JSON loses nothing a paper did not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from papershelf.core.memory import gc_paused
from papershelf.core.model import Annotation, Paper
from papershelf.core.venues import venue_shown
from papershelf.formats import bibtex, latex
from papershelf.formats.bibtex_export import VENUE_BOOKTITLES, BibtexOptions, ExportResult
from papershelf.formats.common import ParseResult, Problem, fields_left_out, publisher_field, publishers_left_out

CSL_EXTRA: Final = "@csl"  # Paper.fields: the item's variables no paper attribute or BibTeX field holds (JSON)

TYPE_TO_CSL: Final = {
    "article": "article-journal", "inproceedings": "paper-conference", "conference": "paper-conference",
    "book": "book", "proceedings": "book", "inbook": "chapter", "incollection": "chapter",
    "phdthesis": "thesis", "mastersthesis": "thesis", "techreport": "report", "unpublished": "manuscript",
    "booklet": "pamphlet", "manual": "report", "online": "webpage", "www": "webpage", "electronic": "webpage",
    "patent": "patent", "dataset": "dataset", "software": "software", "misc": "document",
}
TYPE_FROM_CSL: Final = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "review": "article", "review-book": "article", "paper-conference": "inproceedings", "book": "book",
    "classic": "book", "chapter": "incollection", "entry": "incollection", "entry-dictionary": "incollection",
    "entry-encyclopedia": "incollection", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished", "pamphlet": "booklet",
}
_THESIS_GENRE: Final = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}
# BibTeX field <-> CSL variable, text both ways (LaTeX source in the field, plain text in CSL).
TEXT_FIELDS: Final = (
    ("series", "collection-title"), ("volume", "volume"), ("pages", "page"), ("chapter", "chapter-number"),
    ("edition", "edition"), ("publisher", "publisher"), ("address", "publisher-place"), ("isbn", "ISBN"),
    ("issn", "ISSN"), ("note", "note"), ("annote", "annote"), ("language", "language"),
)
_REPORT_TYPES: Final = frozenset({"techreport", "manual", "report", "patent"})
# The BibTeX fields ``item`` writes (or reads to write a variable); the export names any other it leaves out.
_CARRIED: Final = frozenset({name for name, _ in TEXT_FIELDS} | {
    "author", "editor", "title", "journal", "booktitle", "howpublished", "year", "month", "day", "number",
    "school", "institution", "organization", "type", "doi", "url", "abstract", "keywords",
})
# Variables the mapping itself reads; everything else an item has goes to CSL_EXTRA.
_MAPPED: Final = frozenset(
    {"id", "citation-key", "type", "title", "author", "editor", "issued", "container-title", "issue",
     "number", "genre", "DOI", "URL", "abstract", "keyword"} | {csl for _, csl in TEXT_FIELDS}
)
_MONTHS: Final = tuple(bibtex.MONTHS)  # "jan" ... "dec"
_TAG = re.compile(r"</?(?:i|b|sup|sub|span)(?:\s[^<>]*)?>", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_KEY_UNFIT = re.compile(r"[\s\"#%'(),={}\\~/]")  # what BibTeX, pandoc and LaTeX cannot take in a key
_NOTE_KEY = re.compile(r"^\s*Citation Key:\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(?<=\d)\s*[-\u2013\u2014]+\s*(?=\d)")
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'  # unrolled: a long abstract is one run, not a match per character
_DEPTH = 5


def _nested(depth: int) -> str:
    inner = r'(?:[^{}\[\]"]++|' + _STRING
    if depth:
        inner += r"|\{" + _nested(depth - 1) + r"\}|\[" + _nested(depth - 1) + r"\]"
    return inner + ")*+"


_ELEMENT = re.compile(r"\s*+(\{" + _nested(_DEPTH) + r"\}|\[" + _nested(_DEPTH) + r"\]|" + _STRING
                      + r'|[^\s,\]]++)\s*+(?:,|(?=\]))')
# What latex.Encoder.name would change in a name part (or a space it would squeeze): none in most names.
_NAME_NEEDS_CARE = re.compile(r"[\\{}$&%#_~^<>|,]|[^\S ]|--|``|''|[?!]`|(?<!\S)and(?!\S)|^ | $|  ",
                              re.IGNORECASE)
_TOKENS = re.compile(_STRING + r'|[\[\]{},]|[^\s\[\]{},"]++')
_ENTITIES: Final = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#38;": "&"}
_ENTITY = re.compile("|".join(_ENTITIES))
_OPEN_NOCASE, _CLOSE_NOCASE = "\ue000", "\ue001"  # where a protecting brace group starts and ends
_AFTER_COMMAND = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])\s*$")  # "\\emph" or "\\'" just before a brace
_NOCASE = re.compile(r'<span class="nocase">((?:(?!</?span).)*)</span>', re.DOTALL)
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+)")
_MATH = re.compile(r"(?<!\\)\$((?:[^$\\]|\\.)+)\$")


@dataclass(frozen=True, slots=True)
class CslJsonOptions:
    """What goes into a CSL-JSON export besides the bibliographic record."""

    abstract: bool = True
    tags_as_keywords: bool = True
    notes_as_annote: bool = False  # the user's notes, private by default

    @classmethod
    def like(cls, options: BibtexOptions) -> CslJsonOptions:
        """The same choices as a BibTeX export's (what the export dialog and ``--no-abstract`` set)."""
        return cls(options.abstract, options.tags_as_keywords, options.notes_as_annote)


# -- Paper -> CSL --------------------------------------------------------------------------------------


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: CslJsonOptions = CslJsonOptions(),
) -> ExportResult:
    """A CSL-JSON array of ``papers``, sorted by key (the same papers give the same bytes)."""
    names: dict[str, dict[str, str] | None] = {}
    ordered = sorted(papers, key=lambda p: (p.key.casefold(), p.key))
    items = [item(paper, annotations.get(paper.id), options, names) for paper in ordered]
    text = orjson.dumps(items, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    notes: list[str] = []
    # CSL has no alias variable (Better BibTeX writes none either), and a second item under the old key
    # would be a second reference: a document citing both keys would list the paper twice. So each paper is
    # one item under its current key, and the note says which old keys a document must stop citing.
    aliased = [f"{p.key} (was {', '.join(p.aliases)})" for p in ordered if p.aliases]
    if aliased:
        shown = "; ".join(aliased[:5]) + (f"; and {len(aliased) - 5} more" if len(aliased) > 5 else "")
        notes.append(
            f"{len(aliased)} {'paper has' if len(aliased) == 1 else 'papers have'} merged-away keys, which "
            f"CSL-JSON has no place for: cite {'it' if len(aliased) == 1 else 'them'} by the current key ({shown})"
        )
    notes += fields_left_out(ordered, _CARRIED, "CSL-JSON", dropped=publishers_left_out)
    return ExportResult(text, notes, len(ordered))


def item(
    paper: Paper,
    annotation: Annotation | None = None,
    options: CslJsonOptions = CslJsonOptions(),
    names: dict[str, dict[str, str] | None] | None = None,
) -> dict[str, Any]:
    """One paper as a CSL item (a dict ready for ``json.dumps`` or citeproc)."""
    fields = paper.fields
    extra = _extra(fields[CSL_EXTRA]) if CSL_EXTRA in fields else {}
    entry_type = paper.entry_type or "misc"
    csl_type = extra.pop("type", None) or TYPE_TO_CSL.get(entry_type, "document")
    out: dict[str, Any] = {"id": paper.key, "type": csl_type}
    rich_title = extra.pop("title", None)
    if bibtex.UNTITLED not in fields or paper.title != fields[bibtex.UNTITLED]:
        if rich_title is None or plain_text(rich_title) != paper.title:
            rich_title = _protected(fields.get("title"), paper.title)
        out["title"] = rich_title if rich_title is not None else _unicode(paper.title, fields.get("title"))
    authors = _names(paper, names if names is not None else {})
    if authors:
        out["author"] = authors
    if "editor" in fields:
        editors = [n for n in (_csl_name(raw, names or {}) for raw in bibtex.split_names(fields["editor"])) if n]
        if editors:
            out["editor"] = editors
    issued = _issued(paper)
    if issued:
        out["issued"] = issued
    container = fields.get("journal") or fields.get("booktitle")
    if container is None and entry_type == "misc":
        container = fields.get("howpublished")
    if container is not None:
        if latex.decode(container):
            out["container-title"] = latex.decode(container)
    elif paper.venue and entry_type not in ("book", "phdthesis", "mastersthesis", "techreport", "misc"):
        out["container-title"] = VENUE_BOOKTITLES.get(paper.venue.upper(), paper.venue)
    publisher = publisher_field(entry_type, fields)  # CSL has one publisher: a thesis's is its school
    for name, variable in TEXT_FIELDS:
        value = fields.get(publisher) if name == "publisher" and publisher else fields.get(name)
        if value is not None and (name != "annote" or not options.notes_as_annote):
            text = _page(value) if name == "pages" else latex.decode_paragraphs(value)
            if text:  # "~" is a space in LaTeX: nothing to say in CSL
                out[variable] = text
    if options.notes_as_annote and annotation is not None and annotation.note.strip():
        prior = latex.decode_paragraphs(fields["annote"]) if "annote" in fields else ""
        out["annote"] = (prior + "\n\n" if prior else "") + annotation.note.strip()
    number = latex.decode(fields.get("number", ""))
    if number:
        out["number" if entry_type in _REPORT_TYPES else "issue"] = number
    genre = latex.decode(fields.get("type", ""))
    if genre:
        out["genre"] = genre
    elif entry_type in _THESIS_GENRE:
        out["genre"] = _THESIS_GENRE[entry_type]
    if paper.doi:
        out["DOI"] = paper.doi
    if paper.url:
        out["URL"] = paper.url
    if options.abstract and paper.abstract:
        out["abstract"] = paper.abstract
    keywords = [k.strip() for k in latex.decode(fields.get("keywords", "")).split(",") if k.strip()]
    if options.tags_as_keywords and annotation is not None and annotation.tags:
        folded = {k.casefold() for k in keywords}
        keywords += [t for t in annotation.tags if t.casefold() not in folded]
    if keywords:
        out["keyword"] = ", ".join(keywords)
    for variable, value in extra.items():
        out.setdefault(variable, value)
    return out


def _extra(stored: str) -> dict[str, Any]:
    """The kept CSL variables; none if what was stored is not a JSON object (a damaged library)."""
    try:
        extra = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return {}
    return extra if isinstance(extra, dict) else {}


def _protected(source: str | None, title: str) -> str | None:
    """The title with what its BibTeX source braces (``{BERT}``, ``{B}ruijn``, ``{{Whole Title}}``) in CSL's
    ``<span class="nocase">``, so that a style that changes case leaves it as written; None if nothing is
    braced, or the title is no longer what its source says (edited), or it has math.

    A brace group right after a command (``\\emph{x}``) or starting with one (``{\\"U}``) protects nothing,
    as in BibTeX.
    """
    if not source or "{" not in source or "$" in source or "<" in source or "&" in source:
        return None
    marked: list[str] = []
    depth = 0
    protecting = False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            marked.append(source[index : index + 2])
            index += 2
            continue
        if char == "{":
            if depth == 0 and source[index + 1 : index + 2] != "\\" and not _AFTER_COMMAND.search(source, 0, index):
                protecting = True
                marked.append(_OPEN_NOCASE)
            else:
                marked.append(char)
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and protecting:
                protecting = False
                marked.append(_CLOSE_NOCASE)
            else:
                marked.append(char)
        else:
            marked.append(char)
        index += 1
    if depth != 0 or _OPEN_NOCASE not in marked:
        return None
    rich = latex.decode("".join(marked)).replace(_OPEN_NOCASE + _CLOSE_NOCASE, "")
    rich = rich.replace(_OPEN_NOCASE, '<span class="nocase">').replace(_CLOSE_NOCASE, "</span>")
    return rich if "<span" in rich and plain_text(rich) == title else None


def _braced(rich: str, encoder: latex.Encoder) -> str | None:
    """A CSL title's ``nocase`` spans as BibTeX's protecting braces (the rest escaped); None without any."""
    parts = _NOCASE.split(rich)
    if len(parts) == 1:
        return None
    # split() alternates: text outside a span, a span's text, text outside, ...
    return "".join(
        (encoder.group(_untagged(part)) if n % 2 else encoder.text(_untagged(part))) if part else ""
        for n, part in enumerate(parts)
    )


def _untagged(rich: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group()], _TAG.sub("", rich))


def _unicode(text: str, source: str | None = None) -> str:
    """Display text with its ``$...$`` math as Unicode too (``$\\alpha$`` -> α): CSL is not LaTeX.

    With the BibTeX ``source`` the text was decoded from, only the source's math is math: a dollar the
    source escapes (``\\$5``, ``\\${\\textbraceleft}\\$``) is a dollar sign and stays one.
    """
    if "$" not in text:
        return text
    if source is None or "$" not in source or latex.decode(source) != text:
        return _MATH.sub(_math_text, text)
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(_math_text(match))
        return f"\ue000{len(spans) - 1}\ue001"

    held = latex.decode(_MATH.sub(hold, source))
    return re.sub("\ue000(\\d+)\ue001", lambda m: spans[int(m.group(1))], held)


def _math_text(match: re.Match[str]) -> str:
    # Symbols become characters; what is left of a command is a math word such as \log, printed as "log".
    return " ".join(_MATH_COMMAND.sub(r" \1 ", latex.decode(match.group(1))).split())


def plain_text(rich: str) -> str:
    """CSL rich text (``<i>``, ``<sup>``, ``<span class="nocase">``) as the text it shows."""
    if "<" not in rich and "&" not in rich:
        return " ".join(rich.split())
    return " ".join(_ENTITY.sub(lambda m: _ENTITIES[m.group()], _TAG.sub("", rich)).split())


def _page(value: str) -> str:
    return _PAGE_RANGE.sub("-", latex.decode(value))


def _names(paper: Paper, cache: dict[str, dict[str, str] | None]) -> list[dict[str, str]]:
    raw = paper.fields.get("author")
    if raw is not None and bibtex.parse_names(raw)[0] == paper.authors:
        names = (_csl_name(name, cache) for name in bibtex.split_names(raw))
        return [n for n in names if n]
    out = []
    for display in paper.authors:
        first, von, last, jr = bibtex.split_display_name(" ".join(display.split()))
        name = {"family": last, "given": first, "non-dropping-particle": von, "suffix": jr}
        out.append({part: value for part, value in name.items() if value})
    return out


def _csl_name(raw: str, cache: dict[str, dict[str, str] | None]) -> dict[str, str] | None:
    """One BibTeX name as a CSL name; None for ``others`` (CSL styles say "et al." themselves)."""
    if raw in cache:
        return cache[raw]
    if raw.strip() == "others":
        cache[raw] = None
        return None
    first, von, last, jr = bibtex.name_parts(raw)
    if not first and not von and not jr and len(last) == 1 and last[0][:1] == "{" and last[0][1:2] != "\\":
        name = {"literal": latex.decode(last[0])}  # {World Health Organization}
    else:
        parts = {
            "family": latex.decode(" ".join(last)), "given": latex.decode(" ".join(first)),
            "non-dropping-particle": latex.decode(" ".join(von)), "suffix": latex.decode(jr),
        }
        name = {part: value for part, value in parts.items() if value}
    cache[raw] = name
    return name


def _issued(paper: Paper) -> dict[str, Any] | None:
    fields = paper.fields
    written = fields.get("year")
    if paper.year is None:
        return {"literal": latex.decode(written)} if written else None
    parts: list[int] = [paper.year]
    month = bibtex.month_number(fields.get("month", ""))
    if month:
        parts.append(month)
        day = fields.get("day", "").strip()
        if day.isdecimal() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


# -- CSL -> Paper --------------------------------------------------------------------------------------


def parse(text: str) -> ParseResult:
    """Read a CSL-JSON file: an array of items (also one item, or ``{"items": [...]}``).

    Never raises: a file that is not JSON, or not CSL-JSON, is one Problem; an item that is not an object
    is skipped and reported with its line; a value of the wrong kind is left out with a warning.
    """
    with gc_paused():  # one pause for the JSON and the papers: the collector walks them once, not twice
        return _parse(text)


def _parse(text: str) -> ParseResult:
    result = ParseResult()
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        result.problems.append(Problem(_line_of(text, exc.pos), f"not valid JSON: {exc.msg}"))
        return result
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    elif isinstance(data, dict) and ("type" in data or "title" in data):
        data = [data]
    if not isinstance(data, list):
        result.problems.append(Problem(1, "not CSL-JSON: expected a list of items (objects with a type and title)"))
        return result
    lines = _item_lines(text, len(data))
    reading = _Reading()
    for index, element in enumerate(data):
        _read_item(result, index, element, next(lines), reading)
    return result


def _read_item(result: ParseResult, index: int, element: Any, line: int, reading: _Reading) -> None:
    if not isinstance(element, dict):
        result.problems.append(Problem(line, f"item {index + 1} is not an object; skipped"))
        return
    if "type" not in element and "title" not in element:  # some other JSON's objects: no junk papers
        result.problems.append(Problem(line, f"item {index + 1} is not a CSL item (it has no type or title); skipped"))
        return
    problems: list[str] = []
    paper = paper_from_item(element, problems, reading)
    result.papers.append(paper)
    result.lines.append(line)
    if problems:
        result.problems += [Problem(line, reason, paper.key, "warning") for reason in problems]


class _Reading:
    """What reading one file's items shares: the encoder, and names already read (authors recur)."""

    __slots__ = ("displays", "encoder", "written")

    def __init__(self) -> None:
        self.encoder = latex.Encoder(ascii=False)
        self.written: dict[tuple[Any, ...], tuple[str | None, list[str]]] = {}
        self.displays: dict[str, tuple[str, bool]] = {}


def paper_from_item(
    csl: Mapping[str, Any], problems: list[str] | None = None, reading: _Reading | None = None
) -> Paper:
    """A paper (without id; its key proposed) from one CSL item; what was left out is said in ``problems``."""
    said = problems if problems is not None else []
    reading = reading or _Reading()
    csl_type = _text(csl, "type", said) or "document"
    entry_type = TYPE_FROM_CSL.get(csl_type, "misc")
    genre = _text(csl, "genre", said)
    if entry_type == "phdthesis" and "master" in genre.casefold():
        entry_type = "mastersthesis"
    fields: dict[str, str] = {}
    encoder = reading.encoder
    key = _key(csl)
    rich_title = _text(csl, "title", said)
    title = plain_text(rich_title)
    extra: dict[str, Any] = {k: v for k, v in csl.items() if k not in _MAPPED}
    if rich_title != title:
        extra["title"] = rich_title
        source = _braced(rich_title, encoder)
        if source is not None and latex.decode(source) == title:
            fields["title"] = source  # a .bib export keeps the protection
    if "$" in title and "title" not in fields:  # CSL text is not LaTeX: its dollars are dollar signs
        fields["title"] = "\\$".join(encoder.text(part) for part in title.split("$"))
    if TYPE_TO_CSL.get(entry_type) != csl_type:
        extra["type"] = csl_type
    if not title:
        title = key or "(no title)"
        fields[bibtex.UNTITLED] = title
        said.append("the item has no title; its key is shown instead")
    authors_raw, authors = _bibtex_names(csl, "author", reading, said)
    if authors_raw:
        fields["author"] = authors_raw
    editors_raw, _ = _bibtex_names(csl, "editor", reading, said)
    if editors_raw:
        fields["editor"] = editors_raw
    year = _date(csl, fields, said)
    container = plain_text(_text(csl, "container-title", said))
    if container:
        where = {"article": "journal", "misc": "howpublished"}.get(entry_type, "booktitle")
        fields[where] = encoder.text(container)
    for name, variable in TEXT_FIELDS:
        value = _text(csl, variable, said)
        if name == "note" and "itation" in value:  # the key is the key, not a note to print
            value = _NOTE_KEY.sub("", value).strip()
        if value:
            fields[name] = _bibtex_pages(value) if name == "pages" else _escape_paragraphs(value, encoder)
    number = _text(csl, "issue", said) or _text(csl, "number", said)
    if number:
        fields["number"] = encoder.text(number)
    if entry_type in ("phdthesis", "mastersthesis", "techreport") and "publisher" in fields:
        fields["school" if entry_type != "techreport" else "institution"] = fields.pop("publisher")
    if genre and genre != _THESIS_GENRE.get(entry_type):
        fields["type"] = encoder.text(genre)
    keywords = _text(csl, "keyword", said)
    if keywords:
        fields["keywords"] = encoder.text(keywords)
    if extra:
        fields[CSL_EXTRA] = orjson.dumps(extra, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    doi = bibtex.DOI_PREFIX.sub("", _text(csl, "DOI", said))
    return Paper(
        id="",
        key=key,
        title=title,
        authors=authors,
        year=year,
        venue=venue_shown(container, _text(csl, "collection-title", []), _text(csl, "volume", [])) if container else "",
        abstract=_text(csl, "abstract", said).strip(),
        url=_text(csl, "URL", said).strip(),
        doi=doi.strip(),
        entry_type=entry_type,
        fields=fields,
    )


def _key(csl: Mapping[str, Any]) -> str:
    """The item's citation key if it can be one; "" lets the library make one (a Zotero URI cannot).

    Zotero writes a Better BibTeX key into the note ("Citation Key: smith2020") when it has no field for it.
    """
    note = csl.get("note")
    pinned = _NOTE_KEY.search(note) if isinstance(note, str) else None
    for value in (csl.get("citation-key"), pinned.group(1) if pinned else None, csl.get("id")):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip() and not _KEY_UNFIT.search(value.strip()):
            return value.strip()
    return ""


def _text(csl: Mapping[str, Any], name: str, said: list[str]) -> str:
    value = csl.get(name)
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    said.append(f"{name} is {type(value).__name__}, not text; left out")
    return ""


def _escape_paragraphs(text: str, encoder: latex.Encoder) -> str:
    if "\n" not in text:
        return encoder.text(" ".join(text.split()))
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(encoder.text(p) for p in paragraphs if p)


def _bibtex_pages(value: str) -> str:
    return _PAGE_RANGE.sub("--", latex.escape(value, ascii=False))


def _bibtex_names(csl: Mapping[str, Any], role: str, reading: _Reading, said: list[str]) -> tuple[str, list[str]]:
    """The item's names in ``role`` as a BibTeX name list ("van der Maaten, Laurens and {WHO}"), and each
    name as the window shows it (what ``bibtex.parse_names`` reads from that list)."""
    names = csl.get(role)
    if names is None:
        return "", []
    if not isinstance(names, list):
        said.append(f"{role} is not a list of names; left out")
        return "", []
    out: list[str] = []
    shown: list[str] = []
    for name in names:
        if isinstance(name, dict):
            get = name.get
            if len(name) == 2 and "family" in name and "given" in name:  # most names: a shorter key
                seen: tuple[Any, ...] = (name["family"], name["given"])
            else:
                seen = (get("family"), get("given"), get("literal"), get("non-dropping-particle"),
                        get("dropping-particle"), get("suffix"))
            try:
                written, displays = reading.written[seen]
            except KeyError:
                written, displays = reading.written[seen] = _bibtex_name(name, reading)
            except TypeError:  # a list where a name part should be: not a key, and no name
                written, displays = _bibtex_name(name, reading)
        else:
            written, displays = None, []
        if written is None:
            said.append(f"an {role} name {str(name)[:40]!r} has no family, given or literal name; left out")
        elif written:
            out.append(written)
            shown += displays
    return " and ".join(out), shown


def _bibtex_name(name: Mapping[str, Any], reading: _Reading) -> tuple[str | None, list[str]]:
    """One CSL name as BibTeX writes it, and as the window shows it."""
    encoder = reading.encoder
    if len(name) == 2:  # {"family": ..., "given": ...}: most names; plain ones need no escaping
        family, given = name.get("family"), name.get("given")
        if (type(family) is str and type(given) is str and family and given and " " not in family
                and _NAME_NEEDS_CARE.search(family + " " + given) is None):
            # "Last, First" of plain words reads back as "First Last": no need to parse what was just written
            return f"{family}, {given}", [f"{given} {family}"]

    def part(key: str) -> str:
        value = name.get(key)
        return " ".join(value.split()) if isinstance(value, str) else ""

    family, given = part("family"), part("given")
    literal = part("literal")
    if literal or (family and not given and " " in family and not any(
            part(p) for p in ("non-dropping-particle", "dropping-particle", "suffix"))):
        written = encoder.group(literal or family)
    elif not family and not given:
        return None, []
    else:
        von = " ".join(p for p in (part("dropping-particle"), part("non-dropping-particle")) if p)
        suffix = part("suffix")
        last = encoder.name(family or given)
        if von:
            last = f"{encoder.name(von)} {last}"
        given_written = encoder.name(given) if family else ""
        if suffix:
            written = f"{last}, {encoder.name(suffix)}, {given_written}"
        else:
            written = f"{last}, {given_written}" if given_written else last
    return written, bibtex.parse_names(written, reading.displays)[0]


def _date(csl: Mapping[str, Any], fields: dict[str, str], said: list[str]) -> int | None:
    """The year of ``issued`` (its month and day into ``fields``); a year only as written goes to ``year``."""
    issued = csl.get("issued")
    if issued is None:
        return None
    if isinstance(issued, str):  # seen in the wild: "2019-05-01"
        issued = {"raw": issued}
    if not isinstance(issued, dict):
        said.append("issued is not a date; left out")
        return None
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        numbers: list[int] = []
        for value in parts[0][:3]:
            try:
                numbers.append(int(value))
            except (TypeError, ValueError):
                break
        if numbers:
            if len(numbers) > 1 and 1 <= numbers[1] <= 12:
                fields["month"] = _MONTHS[numbers[1] - 1]
                if len(numbers) > 2:
                    fields["day"] = str(numbers[2])
            return numbers[0]
    written = issued.get("raw") or issued.get("literal")
    if isinstance(written, str) and written.strip():
        match = _YEAR.search(written)
        if match and match.group(1) != written.strip():
            fields["year"] = latex.escape(written.strip(), ascii=False)
        return int(match.group(1)) if match else None
    said.append("issued has no year; left out")
    return None


# -- where each item starts, for problems ------------------------------------------------------------


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, max(pos, 0)) + 1


def _item_lines(text: str, count: int) -> Iterator[int]:
    """The line each element of the top-level array starts on (1 for every one if the file is one item).

    One regex match per element (a JSON value nested up to ``_DEPTH`` deep, strings skipped whole); a file
    nested deeper is scanned token by token instead.
    """
    starts: list[int] = []
    opening = len(text) - len(text.lstrip())
    if text[opening:opening + 1] == "[":
        position = opening + 1
        for _ in range(count):
            match = _ELEMENT.match(text, position)
            if match is None:
                break
            starts.append(match.start(1))
            position = match.end()
    if len(starts) != count:
        starts = _token_starts(text)
    if len(starts) != count:
        starts = [0] * count
    line, done = 1, 0
    for start in starts:
        line += text.count("\n", done, start)
        done = start
        yield line


def _token_starts(text: str) -> list[int]:
    starts: list[int] = []
    depth = 0
    expect = False
    for match in _TOKENS.finditer(text):
        token = match.group()
        if expect and token != "]":
            starts.append(match.start())
        expect = False
        if token == "[" or token == "{":
            depth += 1
            expect = depth == 1 and token == "["
        elif token == "]" or token == "}":
            depth -= 1
        elif token == "," and depth == 1:
            expect = True
    return starts


__all__ = [
    "CSL_EXTRA", "TEXT_FIELDS", "TYPE_FROM_CSL", "TYPE_TO_CSL", "CslJsonOptions", "item", "paper_from_item",
    "parse", "plain_text", "render",
]
