"""Writing papers as a .bib file that BibTeX, biblatex and bibtexparser all read back.

Deterministic: entries sorted by citation key (an entry others cross-reference after them, as BibTeX
needs), fields in a fixed order, no dates; the same papers and options give byte-identical text, and
an export read back and exported again gives the same text.

What came in as LaTeX goes out as the same LaTeX: a field read from a .bib (``Paper.fields``) is
written as it came, the mapped ones (title, author, abstract, DOI, URL) as long as the display text
is still what their source decodes to (in ASCII mode with non-ASCII characters in their LaTeX
forms); the file's ``@preamble`` and ``@string`` definitions go first. The one repair: a bare ``&``,
``%`` or ``#`` (a LaTeX error) is escaped, and ``ExportResult.notes`` says where. What never was
LaTeX (the bundled catalogue, what the user typed or edited) is escaped by ``latex.Encoder``, and
only words a style would wrongly lower-case are braced in titles (``{BERT}``). ICLR papers of the
bundled catalogue become ``@inproceedings`` in "International Conference on Learning Representations".

ASCII mode (the default) writes only ASCII that pdflatex with its default OT1 encoding typesets:
characters without such a form are transliterated and ``ExportResult.notes`` says which.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from papershelf.core.duplicates import ALIAS_OF_FIELD
from papershelf.core.model import Annotation, Paper
from papershelf.formats import bibtex, latex
from papershelf.formats.common import some

# Spelled-out booktitles for venues the bundled catalogues use when a paper has no booktitle of its own.
VENUE_BOOKTITLES: Final = {
    "ICLR": "International Conference on Learning Representations",
    "NEURIPS": "Advances in Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
}
_PROCEEDINGS_TYPES: Final = frozenset({"inproceedings", "conference", "incollection"})
_FIELD_ORDER: Final = (
    "author", "title", "booktitle", "journal", "editor", "volume", "number", "series", "chapter", "pages",
    "edition", "publisher", "organization", "school", "institution", "address", "howpublished", "type",
    "month", "year", "eprint", "archiveprefix", "primaryclass", "eprinttype", "doi", "url", "isbn", "issn",
)
_LAST_FIELDS: Final = ("abstract", "keywords", "note", "annote")
_RANK: Final = {name: i for i, name in enumerate(_FIELD_ORDER)} | {
    name: 1000 + i for i, name in enumerate(_LAST_FIELDS)
}
_BAD_KEY = re.compile(r"[\s\"#%'(),={}\\~]")
_LINE_START_AT = re.compile(r"(\n[^\S\n]*)@")  # any blank before it, a no-break space too (bibtexparser reads \s)


@dataclass(frozen=True, slots=True)
class BibtexOptions:
    """What goes into the .bib besides the bibliographic record."""

    ascii: bool = True  # LaTeX-escaped ASCII; False writes UTF-8 (for biber, XeLaTeX, LuaLaTeX)
    abstract: bool = True  # a paper's abstract, as read or as the catalogue has it
    tags_as_keywords: bool = True
    track_as_note: bool = False  # "Oral", "Poster": every reference in a bibliography would end with it
    notes_as_annote: bool = False
    # How a merged-away key (Paper.aliases) stays citable: "copies" (BibTeX: the entry again under each
    # alias) or "ids" (biblatex/biber: one ``ids`` field; biber refuses an alias that is also an entry).
    aliases: str = "copies"
    # The ``file`` field from the papers' attached files (``render``'s ``files``), in JabRef's form; without
    # it, a ``file`` field read from a .bib is written as it was read.
    with_files: bool = False


@dataclass(slots=True)
class ExportResult:
    """An export's text and what the user should know about it (one plain sentence each)."""

    text: str
    notes: list[str] = field(default_factory=list)
    count: int = 0


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: BibtexOptions = BibtexOptions(),
    files: Mapping[str, str] | None = None,
) -> ExportResult:
    """The .bib text for ``papers``; ``annotations`` by paper id (papers without one have none).

    ``files``: with ``options.with_files``, each paper's ``file`` field (JabRef's form) by paper id; a
    paper not in it gets none.
    """
    encoder = latex.Encoder(ascii=options.ascii)
    ordered = _in_order(papers)
    context = _Context(encoder, options, {p.key.casefold() for p in ordered}, files=files or {})
    chunks: list[str] = [f"% {len(ordered)} {_entries(len(ordered))} exported by Papershelf\n"]
    approximated_in: list[str] = []
    missing: dict[str, list[str]] = {"author": [], "year": []}
    bad_keys: list[str] = []
    entries: list[str] = []
    preambles: dict[str, None] = {}
    strings: dict[str, str] = {}
    for paper in ordered:
        before = encoder.approximated_count
        values = _fields(paper, annotations.get(paper.id), context)
        fields = paper.fields
        if bibtex.PREAMBLE in fields:
            preambles.update(dict.fromkeys(_BLOCK_START.split(fields[bibtex.PREAMBLE])))
        if bibtex.STRINGS in fields:
            for block in _BLOCK_START.split(fields[bibtex.STRINGS]):
                name = block[len("@string{") :].partition(" =")[0].casefold()
                if strings.setdefault(name, block) != block:
                    context.conflicting_strings.add(name)
        if encoder.approximated_count != before:
            approximated_in.append(paper.key)
        for name, found in missing.items():
            if name not in values and not (name == "author" and "editor" in values) and "crossref" not in values:
                found.append(paper.key)
        if _BAD_KEY.search(paper.key) or not paper.key:
            bad_keys.append(paper.key)
        if paper.aliases and options.aliases == "ids":
            values = _with_ids(values, paper)
        for name in [name for name, value in values.items() if not _balanced(value)]:
            del values[name]  # the last guard: an unbalanced brace would make BibTeX skip the rest of the file
            context.left_out.append(f"{paper.key} ({name})")
        body = ",\n".join(f"  {name} = {value}" for name, value in values.items())
        entries.append(f"\n@{paper.entry_type or 'misc'}{{{paper.key},\n{body}\n}}\n")
        if paper.aliases and options.aliases != "ids":
            entries += _alias_copies(paper, values)
    if preambles or strings:
        # A bare & in an @string is as much an error as in a field; a preamble's # is a macro argument.
        blocks = [*preambles, *(latex.escape_bare_specials(b) for b in strings.values())]
        context.left_out += [b.partition("\n")[0][:40] for b in blocks if not _balanced(b)]
        blocks = [b for b in blocks if _balanced(b)]
        chunks.append("\n" + "".join(encoder.raw(b) + "\n" for b in blocks))
    chunks += entries
    notes: list[str] = []
    if approximated_in:
        chars = ", ".join(f"{_shown(c)} -> {f or '(nothing)'}" for c, f in sorted(encoder.approximated.items()))
        notes.append(
            f"{len(approximated_in)} {_entries(len(approximated_in))} had characters with no LaTeX form, "
            f"written as ASCII look-alikes ({chars}): {some(approximated_in)}. Export as UTF-8 to keep them."
        )
    if context.repaired:
        notes.append(
            f"{len(context.repaired)} {_entries(len(context.repaired))} had a bare &, % or # (a LaTeX error), "
            f"written escaped (\\&): {some(context.repaired)}"
        )
    if context.unbalanced:
        notes.append(
            f"{len(context.unbalanced)} {_fields_word(len(context.unbalanced))} had unbalanced braces, written as "
            f"plain text: {some(list(context.unbalanced))}"
        )
    if context.left_out:
        notes.append(
            f"{len(context.left_out)} {_fields_word(len(context.left_out))} had unbalanced braces and "
            f"{_were(len(context.left_out))} left out: {some(context.left_out)}"
        )
    if context.conflicting_strings:
        notes.append(
            "@string definitions with the same name but different values came from different files; the "
            f"first is written: {some(sorted(context.conflicting_strings))}"
        )
    for name, found in missing.items():
        if found:
            notes.append(f"{len(found)} {_entries(len(found))} {_have(len(found))} no {name}: {some(found)}")
    if bad_keys:
        notes.append(f"{len(bad_keys)} citation {_keys(len(bad_keys))} cannot be used by BibTeX: {some(bad_keys)}")
    return ExportResult("".join(chunks), notes, len(ordered))


# -- merged-away keys ----------------------------------------------------------------------------------
# BibTeX has no aliases. A copy of the entry under the old key typesets exactly as the entry does, so a
# document citing the old key shows the same reference (one citing both keys lists the paper twice).
# The copy names its entry in ``aliasof``, a field styles ignore, so that importing the file again makes
# it an alias once more rather than a second paper. biblatex has ``ids``, and biber rejects an ``ids``
# alias that is also an entry key: choose one form per file.


def _alias_copies(paper: Paper, values: Mapping[str, str]) -> list[str]:
    marked = {**values, ALIAS_OF_FIELD: "{" + paper.key + "}"}
    body = ",\n".join(f"  {name} = {value}" for name, value in marked.items())
    return [
        f"\n% {alias}: merged into {paper.key}; this copy keeps \\cite{{{alias}}} working\n"
        f"@{paper.entry_type or 'misc'}{{{alias},\n{body}\n}}\n"
        for alias in sorted(paper.aliases)
    ]


def _with_ids(values: dict[str, str], paper: Paper) -> dict[str, str]:
    """``values`` with the aliases in biblatex's ``ids`` field (after any ids the entry came with)."""
    kept = [k.strip() for k in values.get("ids", "{}")[1:-1].split(",") if k.strip()]
    ids = [*kept, *(a for a in paper.aliases if a not in kept)]
    return {**values, "ids": "{" + ", ".join(ids) + "}"}


_BLOCK_START = re.compile(r"\n(?=@(?:preamble|string)\{)")


@dataclass(slots=True)
class _Context:
    """What one export shares across its entries, and what it found to tell the user."""

    encoder: latex.Encoder
    options: BibtexOptions
    keys: set[str]  # case-folded, as BibTeX matches a crossref
    names: dict[str, tuple[str, bool]] = field(default_factory=dict)
    unbalanced: dict[str, None] = field(default_factory=dict)  # "key (field)", written as decoded text
    left_out: list[str] = field(default_factory=list)  # "key (field)" or a @string/@preamble, not written
    repaired: list[str] = field(default_factory=list)
    conflicting_strings: set[str] = field(default_factory=set)
    files: Mapping[str, str] = field(default_factory=dict)  # paper id -> ``file`` field (with_files)


def _in_order(papers: Sequence[Paper]) -> list[Paper]:
    """By key, but an entry that others in the export cross-reference after them (BibTeX needs it so)."""
    ordered = sorted(papers, key=lambda p: p.key)
    keys = {p.key.casefold() for p in ordered}
    referenced = {
        ref.strip().casefold() for p in ordered if (ref := p.fields.get("crossref")) and ref.strip().casefold() in keys
    }
    if not referenced:
        return ordered
    return [p for p in ordered if p.key.casefold() not in referenced] + [
        p for p in ordered if p.key.casefold() in referenced
    ]


def _shown(char: str) -> str:
    """A character as a message can show it: combining marks and invisible ones by code point."""
    return f"U+{ord(char):04X}" if unicodedata.combining(char) or not char.isprintable() else char


def _entries(n: int) -> str:
    return "entry" if n == 1 else "entries"


def _fields_word(n: int) -> str:
    return "field" if n == 1 else "fields"


def _were(n: int) -> str:
    return "was" if n == 1 else "were"


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _keys(n: int) -> str:
    return "key" if n == 1 else "keys"


def _fields(paper: Paper, ann: Annotation | None, context: _Context) -> dict[str, str]:
    values: dict[str, str] = {}
    raw = paper.fields
    encoder = context.encoder
    options = context.options
    crossref = raw.get("crossref")
    linked = crossref is not None and crossref.strip().casefold() in context.keys
    # With the entry it cross-references in the file, BibTeX fills in what it took from there.
    skipped = frozenset(raw.get(bibtex.INHERITED, "").split()) if linked else frozenset()
    author = _authors(paper, context) if "author" not in skipped else ""
    if author:
        values["author"] = "{" + author + "}"
    title = _title(paper, context)
    if title is not None:
        values["title"] = "{" + title + "}"
    if paper.venue and "booktitle" not in raw and "journal" not in raw:
        venue = VENUE_BOOKTITLES.get(paper.venue.upper(), paper.venue)
        if paper.entry_type in _PROCEEDINGS_TYPES:
            values["booktitle"] = "{" + encoder.text(venue) + "}"
        elif paper.entry_type == "article":
            values["journal"] = "{" + encoder.text(venue) + "}"
        elif paper.entry_type == "misc" and "howpublished" not in raw:
            values["howpublished"] = "{" + encoder.text(venue) + "}"
    for name, value in raw.items():
        if name in _WRITTEN_APART or name in skipped or name[:1] == "@":
            continue
        if name == "crossref" and not linked:
            continue  # BibTeX warns about a cross-reference to an entry not in the file
        if name == "month" and value in bibtex.MONTHS:
            values[name] = value
            continue
        values[name] = "{" + _source(name, value, paper.key, context) + "}"
    if "year" not in values and paper.year is not None and "year" not in skipped:
        values["year"] = "{" + str(paper.year) + "}"
    for name, shown in (("doi", paper.doi), ("url", paper.url)):
        if shown and name not in skipped:
            source = raw.get(name)
            if source is not None and _verbatim_display(name, source) == shown and latex.is_balanced(source):
                values[name] = "{" + source + "}"
            else:
                values[name] = "{" + _verbatim(shown) + "}"
    if options.abstract and paper.abstract and "abstract" not in skipped:
        source = raw.get("abstract")
        if source is not None and latex.decode_paragraphs(source) == paper.abstract:
            values["abstract"] = "{" + _source("abstract", source, paper.key, context) + "}"
        else:
            values["abstract"] = "{" + _protect_at(encoder.text(paper.abstract)) + "}"
    if options.with_files:
        values.pop("file", None)
        if linked_files := context.files.get(paper.id):
            # A path is a path: written as it is (UTF-8 even in ASCII mode), never LaTeX-escaped.
            values["file"] = "{" + linked_files + "}" if latex.is_balanced(linked_files) else \
                "{" + _verbatim(linked_files) + "}"
    if ann is not None:
        _annotation_fields(values, paper, ann, context)
    if options.track_as_note and paper.track:
        note = raw.get("note", "")
        # Not again on a note that says it already (an export read back): a round trip changes nothing.
        if latex.decode(note).rstrip(".").rpartition(". ")[2] != paper.track:
            track = encoder.text(paper.track)
            values["note"] = "{" + (values["note"][1:-1] + ". " + track if note else track) + "}"
    return dict(sorted(values.items(), key=lambda item: (_RANK.get(item[0], 500), item[0])))


# Written from the paper's own attributes (from their source when it still says the same).
_WRITTEN_APART: Final = frozenset({"author", "title", "doi", "url", "abstract"})


def _source(name: str, value: str, key: str, context: _Context) -> str:
    """A field's LaTeX source as read, for the file: balanced braces, no bare ``& % #``, ASCII if asked."""
    if not _balanced(value):
        context.unbalanced[f"{key} ({name})"] = None
        return _protect_at(context.encoder.text(latex.decode(value)))
    if name not in bibtex.VERBATIM_FIELDS and latex.has_bare_special(value):
        value = latex.escape_bare_specials(value)
        if key not in context.repaired[-1:]:
            context.repaired.append(key)
    return _protect_at(context.encoder.raw(value))


def _title(paper: Paper, context: _Context) -> str | None:
    """The title's source if the title is still what it says; the title escaped if edited or never LaTeX."""
    fields = paper.fields
    if bibtex.UNTITLED in fields and paper.title == fields[bibtex.UNTITLED]:
        return None  # the entry had none: its key is only shown in its place
    source = fields.get("title")
    if source is not None and latex.decode(source) == paper.title:
        return _source("title", source, paper.key, context)
    return context.encoder.title(" ".join(paper.title.split()))


def _verbatim_display(name: str, source: str) -> str:
    shown = latex.decode_verbatim(source)
    return bibtex.DOI_PREFIX.sub("", shown) if name == "doi" else shown


def _annotation_fields(values: dict[str, str], paper: Paper, ann: Annotation, context: _Context) -> None:
    raw, options, encoder = paper.fields, context.options, context.encoder
    if options.tags_as_keywords and ann.tags:
        keywords = _source("keywords", raw["keywords"], paper.key, context) if raw.get("keywords") else ""
        existing = [k.strip() for k in keywords.split(",") if k.strip()]
        folded = {k.casefold() for k in existing}
        tags = [encoder.text(t) for t in ann.tags if t.casefold() not in folded]
        values["keywords"] = "{" + ", ".join(existing + tags) + "}"
    if options.notes_as_annote and ann.note.strip():
        note = _protect_at(encoder.text(ann.note.strip()))
        if raw.get("annote"):
            note = _source("annote", raw["annote"], paper.key, context) + "\n\n" + note
        values["annote"] = "{" + note + "}"


def _authors(paper: Paper, context: _Context) -> str:
    raw = paper.fields.get("author")
    if raw is not None and bibtex.parse_names(raw, context.names)[0] == paper.authors:
        return _source("author", raw, paper.key, context)  # as read: {Corporate Names}, {\relax Ch}ristopher
    return " and ".join(render_name(name, context.encoder) for name in paper.authors if name.strip())


def render_name(display: str, encoder: latex.Encoder) -> str:
    """"First von Last, Jr." as "von Last, Jr, First", escaped; BibTeX reads it back to the same words."""
    first, von, last, jr = bibtex.split_display_name(" ".join(display.split()))
    part = encoder.name
    von_last = part(f"{von} {last}" if von else last)
    if jr:
        return f"{von_last}, {part(jr)}, {part(first)}"
    return f"{von_last}, {part(first)}" if first else von_last


def _balanced(value: str) -> bool:
    """Braces balanced as BibTeX counts them (every brace) and as bibtexparser does (unescaped ones)."""
    if "{" not in value and "}" not in value:
        return True
    return latex.is_balanced(value)


def _protect_at(value: str) -> str:
    """An ``@`` starting a line inside a value would start a new entry for bibtexparser."""
    return _LINE_START_AT.sub(r"\1{@}", value) if "\n" in value and "@" in value else value


def _verbatim(value: str) -> str:
    """A URL or DOI, written as is (styles print it with \\url) but with braces percent-encoded."""
    return value.replace("{", "%7B").replace("}", "%7D").replace("\n", "").strip()


__all__ = ["VENUE_BOOKTITLES", "BibtexOptions", "ExportResult", "render", "render_name"]
