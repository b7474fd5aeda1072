"""Reading BibTeX files as written by Zotero, Better BibTeX, JabRef, DBLP and proceedings sites.

bibtexparser 2 splits the file into blocks (its raw splitter only: its middlewares cost 10-30x more;
and the inside of long values hidden from it, see ``split_blocks``); everything else is done here in one
pass per entry:

- values: ``{...}``, ``"..."``, numbers, ``@string`` macros and ``#`` concatenation, month macros;
- entry types and field names in any case; ``@comment`` is skipped; the file's ``@preamble`` and
  ``@string`` definitions are kept with each of its papers (see ``PREAMBLE``) and exported again;
- ``crossref``: an entry takes the fields it lacks from the entry it names (a ``@proceedings``
  title becomes its ``booktitle``) for display and for an export without that entry; which ones
  it took is kept (``INHERITED``) so that an export with both writes the entry as it was;
- names: "Last, First", "First Last", "von Last, Jr., First", ``{Corporate Author}``, shown as
  "First von Last, Jr." (or the corporate name);
- LaTeX is decoded for display and search by ``latex.decode``.

What a paper gets: ``key`` (the entry key, proposed: the library pins it), ``title``, ``authors``,
``year``, ``venue`` (booktitle, journal or howpublished, decoded), ``doi``, ``url``, ``abstract`` and
``entry_type`` (lower case): display text, decoded from LaTeX. ``fields`` keeps every field as its
raw BibTeX source (macros and concatenations resolved; a lone month macro as ``jan``), the mapped
ones too (``title``, ``author``, ``abstract``, ``doi``, ``url``; ``year`` when it is not just a
year, "2020a"), so that an export writes back the LaTeX that was read as long as the display text
still is what it decodes to. Names starting with ``@`` are Papershelf's own, never BibTeX fields.

An entry without a title is imported with its key as the title shown (``UNTITLED`` remembers it,
so that the export writes no title) and a warning. A missing comma between two fields is repaired
when the next line plainly starts ``name =``, and reported. A bare ``&``, ``%`` or ``#`` is
reported (the export escapes it). Malformed entries and duplicate keys are reported with their
line and skipped; an ``@comment`` that cannot be read is skipped with a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Final

from bibtexparser import model
from bibtexparser.splitter import Splitter

from papershelf.core.memory import gc_paused
from papershelf.core.model import Paper
from papershelf.formats import latex
from papershelf.formats.common import ParseResult, Problem

# The splitter logs every block it cannot read; those are reported here as Problems instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

MONTHS: Final = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November",
    "dec": "December",
}
_MONTH_NUMBERS: Final = {macro: n for n, macro in enumerate(MONTHS, 1)} | {
    name.casefold(): n for n, name in enumerate(MONTHS.values(), 1)
}


def month_number(value: str) -> int | None:
    """The month (1-12) a BibTeX ``month`` names: a macro (``may``), a name (``May``, ``{Sept.}``) or a
    number; None for anything else (``Spring``, ``13``, a range)."""
    text = latex.decode(value).strip().rstrip(".").casefold()
    if text.isdecimal():
        return int(text) if 1 <= int(text) <= 12 else None
    return _MONTH_NUMBERS.get(text) or _MONTH_NUMBERS.get(text[:3]) if text else None
# Fields that become Paper attributes; Paper.fields keeps their LaTeX source too.
MAPPED_FIELDS: Final = frozenset({"title", "author", "year", "doi", "url", "abstract"})
# Papershelf's own entries in Paper.fields (an "@" never starts a BibTeX field name):
PREAMBLE: Final = "@preamble"  # the file's @preamble blocks as exported, one per line group
STRINGS: Final = "@string"  # the file's @string definitions as exported
INHERITED: Final = "@inherited"  # names of the fields taken from the crossref'd entry, space-separated
UNTITLED: Final = "@untitled"  # the title shown for an entry that has none (its key)
_NOT_INHERITED: Final = frozenset({"crossref", "ids", "key", "title", "entryset"})
# Fields whose value is not LaTeX text: a bare & % # there is no error.
VERBATIM_FIELDS: Final = frozenset({"url", "doi", "file", "pdf", "eprint", "urldate", "ids", "crossref", "isbn",
                                    "issn", "archiveprefix", "primaryclass", "eprinttype", "keywords"})
_MISSING_COMMA = re.compile(r"\n[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=")
_BAD_KEY_CHARS = re.compile(r"[\s\"#%'(),={}\\~]+")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_AND_OR_BRACE = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)
_COMMA_OR_BRACE = re.compile(r"[{},]")
_SPACE_OR_BRACE = re.compile(r"[{}]|(?:\s|(?<!\\)~)+")
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_PLAIN_NAME = re.compile(r"[^{}\\~$]+")
_VALUE_PART = re.compile(r'\s*(?:(\{)|(")|([^\s#{}"]+))')


@dataclass(slots=True)
class _Entry:
    """One entry between the splitter and the Paper: raw values resolved, lines known."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    month_macro: bool = False


def parse(text: str) -> ParseResult:
    """Read a .bib file's text. Never raises on a bad entry: it becomes a Problem with its line.

    The cyclic garbage collector is paused meanwhile: the parse makes millions of small objects
    and no cycles, and the collector's passes over them cost a third of the time at 10k entries.
    """
    with gc_paused():
        return _parse(text)




def _parse(text: str) -> ParseResult:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    result = ParseResult()
    problems = result.problems
    strings: dict[str, str] = {}
    definitions: dict[str, str] = {}  # @string name (folded) -> its block as exported
    preambles: list[str] = []
    entries: list[_Entry] = []
    first_line: dict[str, int] = {}
    blocks, hidden = split_blocks(text)
    for found in blocks:
        block: model.Block | None = found
        while isinstance(block, (model.DuplicateBlockKeyBlock, model.DuplicateFieldKeyBlock)):
            block = block.ignore_error_block  # duplicates are judged below, case-insensitively
        if block is None:
            continue
        line = (block.start_line or 0) + 1
        if isinstance(block, model.Entry):
            entry = _read_entry(block, line, strings, problems, hidden)
            folded = entry.key.casefold()
            if folded and folded in first_line:
                problems.append(
                    Problem(
                        line,
                        f"duplicate key {entry.key} (first used on line {first_line[folded]}); entry skipped",
                        entry.key,
                    )
                )
                continue
            first_line[folded] = line
            entries.append(entry)
        elif isinstance(block, model.String):
            value = _shown(block.value, hidden)
            name = block.key.strip()
            resolved = _resolve(value, strings, problems, line, name)[0]
            strings[name.lower()] = resolved
            definitions[name.lower()] = f"@string{{{name} = {{{resolved}}}}}"
        elif isinstance(block, model.Preamble):
            resolved = _resolve(_shown(block.value, hidden), strings, problems, line, "")[0]
            preambles.append(f"@preamble{{{{{resolved}}}}}")
        elif isinstance(block, model.ParsingFailedBlock):
            problems.append(_failure(block, line, hidden))
    if not entries and not problems and text.strip():
        if definitions or preambles or any(isinstance(b, model.ExplicitComment) for b in blocks):
            # A file of @string definitions or @comments is BibTeX, only with nothing to import: a note.
            problems.append(Problem(1, "no BibTeX entries in this file (only @string, @preamble or "
                                       "@comment blocks): nothing to import", severity="warning"))
        else:
            # Prose or a stray file: say so, not "0 imported" (like the RIS reader).
            problems.append(Problem(1, "no BibTeX entries found (an entry starts with '@type{key,', "
                                       "e.g. '@article{smith2020,')"))
    by_key = {e.key.casefold(): e for e in entries if e.key}
    _resolve_crossrefs(entries, by_key, problems)
    names: dict[str, tuple[str, bool]] = {}
    # One string per file, shared by its papers (and interned when a library is read back).
    preamble = "\n".join(dict.fromkeys(preambles))
    defined = "\n".join(definitions.values())
    for entry in entries:
        paper = _paper(entry, problems, names)
        if preamble:
            paper.fields[PREAMBLE] = preamble
        if defined:
            paper.fields[STRINGS] = defined
        result.papers.append(paper)
        result.lines.append(entry.line)
    problems.sort(key=lambda p: p.line)
    return result


# bibtexparser's splitter tries its mark regex (which starts with a lookbehind, so has no fast scan) at
# every character of the file, and handles every brace, comma, "=" and newline in Python: 0.85 s for a
# 16 MB file of 10k entries with abstracts. Most of that is the inside of long values. There, whatever
# state the splitter is in (reading a value, inside quotes, inside a comment or @string, skipping after a
# failed block), only braces, unescaped quotes, "@" and the newlines it counts can change what it does.
# So before splitting, the inside of each "= {...}" value whose braces balance as the splitter counts
# them (a brace after a backslash is not one) and that has no unescaped quote and no "@" is replaced by
# a placeholder holding its index and the newlines the splitter would count there (so every line number
# stays the same); values and failed blocks get their text back afterwards. The splitter then takes
# ~0.4 s and the hiding ~0.13 s. A file that has the placeholder's private-use characters is split as is.
_HIDDEN_START: Final = "\ue000"
_HIDDEN_END: Final = "\ue001"
_VALUE_TEXT = r'(?:[^{}"@\\]++|\\[{}"]?)'  # a run of plain characters, or an escape


def _nested(depth: int) -> str:
    """A brace group of value text nested up to ``depth`` levels deep."""
    inner = _VALUE_TEXT if depth == 0 else f"(?:{_VALUE_TEXT}|{_nested(depth - 1)})"
    return r"\{" + inner + r"*+\}"


_BRACED_VALUE = re.compile(r"(=\s*+\{)((?:" + _VALUE_TEXT + "|" + _nested(4) + r")*+)\}")
_PLACEHOLDER = re.compile(_HIDDEN_START + r"(\d+)" + _HIDDEN_END + r"\n*")
_HIDE_FROM: Final = 24  # shorter values are not worth a placeholder


def split_blocks(text: str) -> tuple[list[model.Block], list[str]]:
    """The splitter's blocks, read from ``text`` with long values hidden; the hidden values."""
    hidden: list[str] = []

    def hide(match: re.Match[str]) -> str:
        head, content = match.groups()
        if len(content) < _HIDE_FROM:
            return match.group()
        hidden.append(content)
        # The newlines the splitter counts: not those after a backslash (it then gets the line wrong, too).
        newlines = content.count("\n")
        if newlines:
            newlines -= content.count("\\\n")
        return f"{head}{_HIDDEN_START}{len(hidden) - 1}{_HIDDEN_END}{chr(10) * newlines}}}"

    if _HIDDEN_START not in text and _HIDDEN_END not in text:
        text = _BRACED_VALUE.sub(hide, text)
    return Splitter(text).split().blocks, hidden


def _shown(text: str, hidden: list[str]) -> str:
    """``text`` from the splitter with the values hidden in it put back."""
    if not hidden or _HIDDEN_START not in text:
        return text
    return _PLACEHOLDER.sub(lambda match: hidden[int(match.group(1))], text)


def _failure(block: model.Block, line: int, hidden: list[str]) -> Problem:
    raw = _shown(block.raw or "", hidden)
    if re.match(r"@\s*comment\b", raw, re.IGNORECASE):
        return Problem(line, "an @comment with an unbalanced brace was skipped", severity="warning")
    key_match = re.match(r"@\w+\s*[{(]\s*([^,\s{}()=]*)", raw)
    key = key_match.group(1) if key_match else ""
    error = getattr(block, "error", None)
    reason = str(getattr(error, "abort_reason", "") or error or "cannot be read")
    if "Unexpected block start" in reason:
        reason = "the entry is not closed (a brace or quote is missing) before the next entry starts"
    elif "end of file" in reason:
        reason = "the entry is not closed (a brace or quote is missing) before the end of the file"
    elif "comma after entry key" in reason:
        reason = "no comma after the entry key"
    else:
        reason = "cannot be read: " + " ".join(reason.split())
    return Problem(line, reason, key)


def _read_entry(
    block: model.Entry, line: int, strings: dict[str, str], problems: list[Problem], hidden: list[str]
) -> _Entry:
    key = block.key.strip()
    clean = _BAD_KEY_CHARS.sub("", key)
    if clean != key:
        problems.append(
            Problem(line, f"key {key!r} has characters BibTeX keys cannot have; proposed {clean!r}", key, "warning")
        )
        key = clean
    entry = _Entry(key, block.entry_type.strip().lower(), line)
    fields = entry.fields
    for fld in block.fields:
        name = fld.key.strip().lower()
        if name in fields:  # BibTeX too uses the first of repeated fields
            problems.append(Problem(line, f"field {name} is given twice; the first value is used", key, "warning"))
            continue
        value = fld.value
        if "\n" in value and "=" in value:
            value = _recover_missing_comma(block, fld, name, value, line, key, problems, hidden)
        if hidden and _HIDDEN_START in value:
            whole = _PLACEHOLDER.fullmatch(value, 1, len(value) - 1)
            if whole is not None and value[0] == "{" and value[-1] == "}":
                inner = hidden[int(whole.group(1))]
                if "#" not in inner:
                    fields[name] = inner  # the usual case, "{...}" hidden whole: no need to put it back
                    continue
            value = _shown(value, hidden)
        if value[:1] == "{" and value[-1:] == "}" and "#" not in value:
            fields[name] = value[1:-1]
        elif value.isdigit():
            fields[name] = value
        else:
            resolved, month = _resolve(value, strings, problems, line, key)
            fields[name] = resolved
            if month and name == "month":
                entry.month_macro = True
    return entry


def _recover_missing_comma(
    block: model.Entry, fld: model.Field, name: str, value: str, line: int, key: str, problems: list[Problem],
    hidden: list[str],
) -> str:
    """``value`` cut where a line plainly starts the next field (``name =``) after a complete value.

    The fields found after the cut are appended to ``block.fields`` (read next, in order).
    """
    shown = _shown(value, hidden)
    end = _value_end(shown)
    if end is None:
        return value
    match = _MISSING_COMMA.match(shown, end)
    if match is None:
        return value
    at = line + (fld.start_line - (block.start_line or 0) if fld.start_line is not None else 0)
    at += shown.count("\n", 0, match.start())  # the line the comma is missing at
    problems.append(
        Problem(at, f"a comma is missing after the field {name}; the next line was read as the field "
                    f"{match.group(1).lower()}", key, "warning")
    )
    start_line = None if fld.start_line is None else fld.start_line + shown.count("\n", 0, match.end())
    rest = model.Field(match.group(1), shown[match.end() :].strip(), start_line)
    index = next(i for i, f in enumerate(block.fields) if f is fld)
    block.fields.insert(index + 1, rest)
    if "\n" in rest.value and "=" in rest.value:  # another comma missing further on
        rest.value = _recover_missing_comma(block, rest, rest.key, rest.value, line, key, problems, [])
    return shown[:end]


def _value_end(value: str) -> int | None:
    """Where a value made of ``{...}``, ``"..."``, numbers and macros joined by ``#`` ends; None if malformed."""
    pos = 0
    length = len(value)
    while True:
        match = _VALUE_PART.match(value, pos)
        if match is None:
            return None
        if match.group(1):
            pos = _closing_brace(value, match.end()) + 1
        elif match.group(2):
            pos = _closing_quote(value, match.end()) + 1
        else:
            pos = match.end()
        if pos > length:
            return None
        after = pos
        while after < length and value[after] in " \t":
            after += 1
        if after < length and value[after] == "#":
            pos = after + 1
            continue
        return pos


def _resolve(
    value: str, strings: dict[str, str], problems: list[Problem], line: int, key: str
) -> tuple[str, bool]:
    """The string a raw value stands for; True if it is exactly one month macro (kept as ``jan``)."""
    value = value.strip()
    out: list[str] = []
    pos = 0
    month = False
    parts = 0
    while pos < len(value):
        match = _VALUE_PART.match(value, pos)
        if match is None:
            problems.append(Problem(line, f"cannot read the value {value!r}; it was kept as written", key, "warning"))
            return value, False
        parts += 1
        if match.group(1):  # {...}
            end = _closing_brace(value, match.end())
            out.append(value[match.end() : end])
            pos = end + 1
        elif match.group(2):  # "..."
            end = _closing_quote(value, match.end())
            out.append(value[match.end() : end])
            pos = end + 1
        else:
            token = match.group(3)
            pos = match.end()
            if token.isdigit():
                out.append(token)
            elif token.lower() in strings:
                out.append(strings[token.lower()])
            elif token.lower() in MONTHS:
                month = True
                out.append(token.lower())
            else:
                problems.append(Problem(line, f"@string {token} is not defined; its name was kept", key, "warning"))
                out.append(token)
        while pos < len(value) and value[pos].isspace():
            pos += 1
        if pos < len(value) and value[pos] == "#":
            pos += 1
        elif pos < len(value):  # BibTeX reads no further: e.g. an unbraced double quote ended a "..." early
            problems.append(Problem(
                line, f"the value {value!r} goes on after its end (a double quote inside \"...\" must be in "
                "braces: {\\\"o}); it was kept as written", key, "warning"))
            return value, False
    if month and parts > 1:
        return "".join(MONTHS.get(p, p) for p in out), False
    return "".join(out), month and parts == 1


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    pos = start
    while True:
        match = _UNESCAPED_BRACE.search(text, pos)
        if match is None:
            return len(text)
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
        pos = match.end()


def _closing_quote(text: str, start: int) -> int:
    depth = 0
    for pos in range(start, len(text)):
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth <= 0:
            return pos
    return len(text)


def _resolve_crossrefs(entries: list[_Entry], by_key: dict[str, _Entry], problems: list[Problem]) -> None:
    """Copy missing fields from cross-referenced entries, noting which (``INHERITED``)."""
    for entry in entries:
        ref = entry.fields.get("crossref")
        if ref is None:
            continue
        parent = by_key.get(ref.strip().casefold())
        if parent is None or parent is entry:
            problems.append(
                Problem(entry.line, f"crossref {ref} is not an entry in this file", entry.key, "warning")
            )
            continue
        fields = entry.fields
        inherited: list[str] = []
        for name, value in parent.fields.items():
            if name not in _NOT_INHERITED and name not in fields and name[:1] != "@":
                fields[name] = value
                inherited.append(name)
        if "title" in parent.fields and "booktitle" not in fields:
            fields["booktitle"] = parent.fields["title"]
            inherited.append("booktitle")
        if parent.month_macro and fields.get("month") == parent.fields.get("month"):
            entry.month_macro = True
        if inherited:
            fields[INHERITED] = " ".join(sorted(inherited))


def _paper(entry: _Entry, problems: list[Problem], names: dict[str, tuple[str, bool]]) -> Paper:
    fields = entry.fields
    title = latex.decode(fields.get("title", ""))
    if not title:
        title = entry.key or "(no title)"
        fields[UNTITLED] = title
        problems.append(Problem(entry.line, "the entry has no title; its key is shown instead", entry.key, "warning"))
    authors = parse_names(fields["author"], names)[0] if "author" in fields else []
    raw_year = fields.get("year", "") or fields.get("date", "")  # biblatex: date = {2020-05-12}
    year: int | None = None
    if raw_year:
        match = _YEAR.search(raw_year)
        if match:
            year = int(match.group(1))
        if match is not None and match.group(1) == raw_year.strip() and "year" in fields:
            del fields["year"]  # just the year: Paper.year says it
    venue_raw = (fields.get("booktitle") or fields.get("journal") or fields.get("journaltitle")
                 or fields.get("howpublished") or "")
    doi = fields.get("doi", "")
    if doi:
        doi = DOI_PREFIX.sub("", latex.decode_verbatim(doi))
    url = fields.get("url", "")
    abstract = fields.get("abstract", "")
    if entry.month_macro:
        fields["month"] = fields["month"].lower()
    for name, value in fields.items():
        # "in" looks for one character at C speed: most values have none of the three.
        if ("&" in value or "%" in value or "#" in value) and name not in VERBATIM_FIELDS and (
            latex.has_bare_special(value)
        ):
            problems.append(
                Problem(entry.line, f"the field {name} has a bare & % or # (a LaTeX error); the export escapes it",
                        entry.key, "warning")
            )
    return Paper(
        id="",
        key=entry.key,
        title=title,
        authors=authors,
        year=year,
        venue=latex.decode(venue_raw) if venue_raw else "",
        abstract=latex.decode_paragraphs(abstract) if abstract else "",
        url=latex.decode_verbatim(url) if url else "",
        doi=doi,
        entry_type=entry.entry_type or "misc",
        fields=fields,
    )


# -- names ---------------------------------------------------------------------------------------------


def split_names(raw: str) -> list[str]:
    """A BibTeX name list cut at the ``and`` s outside braces."""
    raw = raw.strip()
    parts = _AND.split(raw) if "{" not in raw else _top_level_split(raw, _AND_OR_BRACE, keep_empty=False)
    return [n for n in (part.strip() for part in parts) if n]


def _top_level_split(text: str, pattern: re.Pattern[str], keep_empty: bool) -> list[str]:
    """Split ``text`` at matches of ``pattern`` outside braces (the pattern also matches braces)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for match in pattern.finditer(text):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return [p.strip() for p in parts] if keep_empty else [p for p in parts if p]


def _is_lower(word: str) -> bool:
    """BibTeX's test for a von word: its first letter is lower case; a plain {group} has no case."""
    if word[0] == "{":
        if word[1:2] != "\\":
            return False
        word = latex.decode(word)
    elif "\\" in word or "{" in word:
        word = latex.decode(word)
    for char in word:
        if char.isalpha():
            return char.islower()
    return False


def _is_corporate(name: str) -> bool:
    if name[0] != "{" or name[-1] != "}":
        return False
    depth = 0
    for index, char in enumerate(name):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index == len(name) - 1
    return False


def name_parts(raw: str) -> tuple[list[str], list[str], list[str], str]:
    """BibTeX's (First, von, Last, Jr) of one name, as raw words (Jr as a string)."""
    plain = "{" not in raw
    commas = raw.split(",") if plain else _top_level_split(raw, _COMMA_OR_BRACE, keep_empty=True)
    if len(commas) == 1:
        words = raw.split() if plain else _top_level_split(raw, _SPACE_OR_BRACE, keep_empty=False)
        if len(words) == 1:
            return [], [], words, ""
        lowers = [i for i in range(len(words) - 1) if _is_lower(words[i])]
        if not lowers:
            return words[:-1], [], words[-1:], ""
        return words[: lowers[0]], words[lowers[0] : lowers[-1] + 1], words[lowers[-1] + 1 :], ""
    jr = commas[1].strip() if len(commas) > 2 else ""
    first_raw = ", ".join(c.strip() for c in commas[2:]) if len(commas) > 2 else commas[1]
    first = first_raw.split() if plain else _top_level_split(first_raw, _SPACE_OR_BRACE, keep_empty=False)
    pre = commas[0].split() if plain else _top_level_split(commas[0], _SPACE_OR_BRACE, keep_empty=False)
    if not pre:
        return first, [], [], jr
    lowers = [i for i in range(len(pre) - 1) if _is_lower(pre[i])]
    split = lowers[-1] + 1 if lowers else 0
    return first, pre[:split], pre[split:], jr


def split_display_name(display: str) -> tuple[str, str, str, str]:
    """(First, von, Last, Jr) of a display name "First von Last, Jr." as the export writes it.

    Last is the last word, von the lower-case words just before it (never the first word).
    """
    cut = display.rfind(", ")
    if cut > 0 and not display[cut - 1].isspace():
        base, jr = display[:cut], display[cut + 2 :]
    else:
        base, jr = display, ""
    words = base.split()
    if not words:
        return "", "", "", jr
    start = len(words) - 1
    while start > 1 and words[start - 1][:1].islower():
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:-1]), words[-1], jr


def _display(raw: str) -> tuple[str, bool]:
    """One name for display, and whether ``split_display_name`` gives back its parts."""
    if _PLAIN_NAME.fullmatch(raw):  # no braces, backslashes, ties or math: most names, made fast
        commas = raw.count(",")
        if commas == 1:  # "Last, First"
            surname, given = (part.strip() for part in raw.split(","))
            if len(surname.split()) == 1:
                words = given.split()
                display = " ".join([*words, surname])
                # The export would take a lower-case last first name for a von part ("Smith, John de").
                return display, len(words) < 2 or not words[-1][:1].islower()
        elif commas == 0:  # "First von Last": name_parts and the rest below, for plain words only
            words = raw.split()
            if len(words) == 1:
                return words[0], True
            for word in words[:-1]:
                if not word[0].isalpha() or word[0].islower():
                    break
            else:  # no word but the last can be a von part ("Jean-Baptiste Alayrac"): most names
                return " ".join(words), True
            lowers = [i for i in range(len(words) - 1) if _is_lower(words[i])]
            display = " ".join(words)
            if not lowers:
                parts = (" ".join(words[:-1]), "", words[-1], "")
            else:
                parts = (
                    " ".join(words[: lowers[0]]), " ".join(words[lowers[0] : lowers[-1] + 1]),
                    " ".join(words[lowers[-1] + 1 :]), "",
                )
            return display, split_display_name(display) == parts
    if _is_corporate(raw):
        display = latex.decode(raw)  # its braces go too ({,,} is „ only with them)
        return display, " " not in display and "," not in display  # one word: written back the same
    first, von, last, jr = name_parts(raw)
    display = " ".join(first + von + last)
    if jr:
        display += ", " + jr
    if "{" in raw or "\\" in raw or "~" in raw or "$" in raw:
        display = latex.decode(display)
        parts = (
            latex.decode(" ".join(first)), latex.decode(" ".join(von)), latex.decode(" ".join(last)),
            latex.decode(jr),
        )
    else:
        parts = (" ".join(first), " ".join(von), " ".join(last), " ".join(jr.split()))
    return display, split_display_name(display) == parts


def parse_names(raw: str, cache: dict[str, tuple[str, bool]] | None = None) -> tuple[list[str], bool]:
    """Display names of a BibTeX name list, and whether they alone can write it back faithfully.

    ``cache`` (raw name -> its display and faithfulness) saves reading a name again that recurs
    in a file, as authors do.
    """
    names: list[str] = []
    faithful = True
    for name in split_names(raw):
        if cache is None:
            display, same = _display(name)
        else:
            known = cache.get(name)
            if known is None:
                known = cache[name] = _display(name)
            display, same = known
        if display:
            names.append(display)
            faithful = faithful and same
    return names, faithful


__all__ = [
    "DOI_PREFIX", "INHERITED", "MAPPED_FIELDS", "MONTHS", "PREAMBLE", "STRINGS", "UNTITLED", "VERBATIM_FIELDS",
    "month_number", "name_parts", "parse", "parse_names", "split_display_name", "split_names",
]
