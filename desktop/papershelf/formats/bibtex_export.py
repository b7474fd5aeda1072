"""Writing papers as a .bib file that BibTeX, biblatex and bibtexparser all read back.

Deterministic: entries sorted by citation key, fields in a fixed order, no dates; the same papers and
options give byte-identical text. Display text (title, authors, abstract, tags, notes) is escaped by
``latex.Encoder``; fields kept raw from an imported .bib are written as they came (in ASCII mode
with their non-ASCII characters replaced). Imported entries keep their type and fields; ICLR papers
of the bundled catalogue become ``@inproceedings`` in "International Conference on Learning
Representations".

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
_LINE_START_AT = re.compile(r"(\n[ \t]*)@")


@dataclass(frozen=True, slots=True)
class BibtexOptions:
    """What goes into the .bib besides the bibliographic record."""

    ascii: bool = True  # LaTeX-escaped ASCII; False writes UTF-8 (for biber, XeLaTeX, LuaLaTeX)
    abstract: bool = False
    tags_as_keywords: bool = True
    track_as_note: bool = True
    notes_as_annote: bool = False
    # How a merged-away key (Paper.aliases) stays citable: "copies" (BibTeX: the entry again under each
    # alias) or "ids" (biblatex/biber: one ``ids`` field; biber refuses an alias that is also an entry).
    aliases: str = "copies"


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
) -> ExportResult:
    """The .bib text for ``papers``; ``annotations`` by paper id (papers without one have none)."""
    encoder = latex.Encoder(ascii=options.ascii)
    ordered = sorted(papers, key=lambda p: p.key)
    keys = {p.key for p in ordered}
    chunks: list[str] = [f"% {len(ordered)} {_entries(len(ordered))} exported by Papershelf\n"]
    approximated_in: list[str] = []
    unbalanced: list[str] = []
    missing: dict[str, list[str]] = {"author": [], "year": []}
    bad_keys: list[str] = []
    for paper in ordered:
        before = encoder.approximated_count
        values = _fields(paper, annotations.get(paper.id), options, encoder, keys, unbalanced)
        if encoder.approximated_count != before:
            approximated_in.append(paper.key)
        for name, found in missing.items():
            if name not in values and not (name == "author" and "editor" in values):
                found.append(paper.key)
        if _BAD_KEY.search(paper.key) or not paper.key:
            bad_keys.append(paper.key)
        if paper.aliases and options.aliases == "ids":
            values = _with_ids(values, paper)
        body = ",\n".join(f"  {name} = {value}" for name, value in values.items())
        chunks.append(f"\n@{paper.entry_type or 'misc'}{{{paper.key},\n{body}\n}}\n")
        if paper.aliases and options.aliases != "ids":
            chunks += _alias_copies(paper, values)
    notes: list[str] = []
    if approximated_in:
        chars = ", ".join(f"{_shown(c)} -> {f or '(nothing)'}" for c, f in sorted(encoder.approximated.items()))
        notes.append(
            f"{len(approximated_in)} {_entries(len(approximated_in))} had characters with no LaTeX form, "
            f"written as ASCII look-alikes ({chars}): {_some(approximated_in)}. Export as UTF-8 to keep them."
        )
    if unbalanced:
        notes.append(
            f"{len(unbalanced)} {_entries(len(unbalanced))} had fields with unbalanced braces, "
            f"written as plain text: {_some(unbalanced)}"
        )
    for name, found in missing.items():
        if found:
            notes.append(f"{len(found)} {_entries(len(found))} {_have(len(found))} no {name}: {_some(found)}")
    if bad_keys:
        notes.append(f"{len(bad_keys)} citation {_keys(len(bad_keys))} cannot be used by BibTeX: {_some(bad_keys)}")
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


def _shown(char: str) -> str:
    """A character as a message can show it: combining marks and invisible ones by code point."""
    return f"U+{ord(char):04X}" if unicodedata.combining(char) or not char.isprintable() else char


def _entries(n: int) -> str:
    return "entry" if n == 1 else "entries"


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _keys(n: int) -> str:
    return "key" if n == 1 else "keys"


def _some(keys: list[str], limit: int = 5) -> str:
    return ", ".join(keys[:limit]) + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _fields(
    paper: Paper,
    ann: Annotation | None,
    options: BibtexOptions,
    encoder: latex.Encoder,
    keys: set[str],
    unbalanced: list[str],
) -> dict[str, str]:
    values: dict[str, str] = {}
    raw = paper.fields
    author = _authors(paper, encoder)
    if author:
        values["author"] = "{" + author + "}"
    values["title"] = "{" + encoder.title(" ".join(paper.title.split())) + "}"
    if paper.venue and "booktitle" not in raw and "journal" not in raw:
        venue = VENUE_BOOKTITLES.get(paper.venue.upper(), paper.venue)
        if paper.entry_type in _PROCEEDINGS_TYPES:
            values["booktitle"] = "{" + encoder.text(venue) + "}"
        elif paper.entry_type == "article":
            values["journal"] = "{" + encoder.text(venue) + "}"
        elif paper.entry_type == "misc" and "howpublished" not in raw:
            values["howpublished"] = "{" + encoder.text(venue) + "}"
    for name, value in raw.items():
        if name in bibtex.MAPPED_FIELDS and name != "year":
            continue  # author: written above from the display names, or raw when they match
        if name == "crossref" and value.strip() not in keys:
            continue  # BibTeX warns about a cross-reference to an entry not in the file
        if name == "month" and value in bibtex.MONTHS:
            values[name] = value
            continue
        if not _balanced(value):
            if paper.key not in unbalanced[-1:]:
                unbalanced.append(paper.key)
            value = encoder.text(latex.decode(value))
        values[name] = "{" + _protect_at(encoder.raw(value)) + "}"
    if "year" not in values and paper.year is not None:
        values["year"] = "{" + str(paper.year) + "}"
    if paper.doi:
        values["doi"] = "{" + _verbatim(paper.doi) + "}"
    if paper.url:
        values["url"] = "{" + _verbatim(paper.url) + "}"
    if options.abstract and paper.abstract:
        values["abstract"] = "{" + _protect_at(encoder.text(paper.abstract)) + "}"
    if ann is not None:
        _annotation_fields(values, raw, ann, options, encoder)
    if options.track_as_note and paper.track:
        track = encoder.text(paper.track)
        values["note"] = "{" + (encoder.raw(raw["note"]) + ". " + track if raw.get("note") else track) + "}"
    return dict(sorted(values.items(), key=lambda item: (_RANK.get(item[0], 500), item[0])))


def _annotation_fields(
    values: dict[str, str], raw: Mapping[str, str], ann: Annotation, options: BibtexOptions, encoder: latex.Encoder
) -> None:
    if options.tags_as_keywords and ann.tags:
        existing = [k.strip() for k in raw.get("keywords", "").split(",") if k.strip()]
        folded = {k.casefold() for k in existing}
        tags = [encoder.text(t) for t in ann.tags if t.casefold() not in folded]
        values["keywords"] = "{" + ", ".join([encoder.raw(k) for k in existing] + tags) + "}"
    if options.notes_as_annote and ann.note.strip():
        note = _protect_at(encoder.text(ann.note.strip()))
        if raw.get("annote"):
            note = encoder.raw(raw["annote"]) + "\n\n" + note
        values["annote"] = "{" + note + "}"


def _authors(paper: Paper, encoder: latex.Encoder) -> str:
    raw = paper.fields.get("author")
    if raw is not None and bibtex.parse_names(raw)[0] == paper.authors:
        return encoder.raw(raw)  # as imported: keeps {Corporate Names} and multi-word last names
    return " and ".join(render_name(name, encoder) for name in paper.authors if name.strip())


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
