"""The search query language shared by the library window's search box and ``papershelf list QUERY``.

Words are ANDed and each must occur (as a substring) in the title, authors, abstract, citation key,
tags, reading lists or note. ``"a phrase"`` matches those words in that order. ``field:value`` limits
a term to one field; ``-term`` excludes; ``a OR b`` accepts either, and OR binds tighter than the
implicit AND (``x a OR b`` is x AND (a OR b)). Uppercase ``AND`` may be written and means nothing more.
Everything is case- and diacritic-insensitive (``muller`` finds Müller and ``Müller`` finds Muller).

- title: author: abstract: note: venue: key: match a substring of that field.
- tag: list: status: track: match a whole value (``tag:rl`` finds "RL", not "rlhf"); a trailing ``*``
  matches a prefix (``tag:rl*``); ``tag:*`` alone means "has any tag" (``-tag:*``: untagged).
- year: takes 2021, 2019..2021, 2019.., ..2021, >=2020, >2020, <=2020, <2020.

A word that looks like a field but names none (``http://x``, ``GShard:``) is an ordinary word; when
it is close to a field name (``autor:``) the query carries a warning for the search box to show.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Final

from papershelf.core.fields import AUTHORS, LISTS, TAGS, Field, any_texts, search_form
from papershelf.core.fields import FIELDS as PAPER_FIELDS
from papershelf.core.model import STATUSES, TRACKS, Annotation, Paper, fold

SUBSTRING_FIELDS: Final = ("title", "author", "abstract", "note", "venue", "key")
"""Fields whose term matches any part of the field's text."""
VALUE_FIELDS: Final = ("tag", "list", "status", "track")
"""Fields whose term matches one whole value (a trailing ``*`` makes it a prefix)."""
YEAR: Final = "year"
FULLTEXT: Final = "fulltext"
"""The text of the paper's attached files: the index asks ``Library.fulltext`` (the ids having a value);
``Query.matches`` is handed the paper's text (in ``search_form``) by whoever knows it."""
FIELDS: Final = (*SUBSTRING_FIELDS, *VALUE_FIELDS, YEAR, FULLTEXT)
FIELD_OF: Final[dict[str, Field]] = {
    **{name: PAPER_FIELDS[name] for name in FIELDS if name in PAPER_FIELDS},
    "author": AUTHORS, "tag": TAGS, "list": LISTS,
}
"""The paper's field (``core/fields``) that each query field searches."""
_ALIASES: Final = {"authors": "author", "tags": "tag", "lists": "list", "notes": "note", "years": "year",
                   "text": FULLTEXT}

YEAR_HINT: Final = "year needs a number or a range like 2019..2021"
MAX_QUERY_CHARS: Final = 2000
"""The longest query read, in characters: far beyond anything typed, short enough to answer at once."""
MAX_QUERY_TERMS: Final = 32
"""The most terms (words, phrases, field terms; not AND/OR) in one query."""

QUERY_HELP: Final[list[tuple[str, str, str]]] = [
    ("word word", "graph attention", "papers containing every word (title, authors, abstract, tags, note)"),
    ('"phrase"', '"graph neural network"', "these words together, in this order"),
    ("a OR b", "transformer OR attention", "either word (x a OR b means x and (a or b))"),
    ("-word", "-adversarial", "papers without this word"),
    ("title:word", 'title:"few-shot"', "the word in the title"),
    ("author:name", "author:scholkopf", "an author's name (accents optional)"),
    ("abstract:word", "abstract:diffusion", "the word in the abstract"),
    ("note:word", "note:baseline", "the word in your note; note:* any note, -note:* no note"),
    ("tag:name", 'tag:rl  tag:"deep learning"', "tagged exactly so; tag:rl* any tag starting rl; tag:* tagged"),
    ("list:name", "list:thesis", "in this reading list; -list:* in no list"),
    ("status:name", "status:to-read", "status new, to-read, reading, read or skipped"),
    ("track:name", "track:oral", "conference track: oral, spotlight or poster"),
    ("venue:name", "venue:iclr", "the venue"),
    ("key:text", "key:bengio2021", "the citation key"),
    ("year:...", "year:2021  year:2019..2021  year:>=2020  year:<2020", "publication year or range"),
    ("fulltext:word", 'fulltext:ablation  text:"a phrase"', "in the text of the paper's attached PDFs"),
    ("-field:value", "-tag:read-later  -status:skipped", "exclude what the field term matches"),
]
"""(syntax, example, meaning) rows for the search box's help popup."""

_FIELD_PREFIX = re.compile(r"([A-Za-z]+):")
_YEAR_EXACT = re.compile(r"(\d{1,4})")
_YEAR_RANGE = re.compile(r"(\d{1,4})?\.\.(\d{1,4})?|(\d{1,4})\s*[-–]\s*(\d{1,4})")
_YEAR_COMPARE = re.compile(r"(>=|<=|>|<|=)(\d{1,4})")
_OPERATORS: Final = ("OR", "AND")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"'})  # typographic quotes typed on some keyboards
_STATUS_FORMS: Final = {fold(s): s for s in STATUSES}
_TRACK_FORMS: Final = {fold(t) for t in TRACKS}


class QueryError(ValueError):
    """The query text cannot be read; ``message`` is short enough for an inline hint.

    ``position`` is the 0-based index in the query text where the problem starts.
    """

    def __init__(self, message: str, position: int) -> None:
        message = " ".join(message.split())  # one line, even when it quotes a query with line breaks
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Term:
    """One condition. ``field`` None means the words of any text field.

    ``value`` is in ``search_form``. For value fields ``prefix`` makes the value a prefix; a substring
    or value field term with an empty value and ``prefix`` means "the field is not empty". Year terms
    use the inclusive bounds ``low``/``high`` (None: open); both None means "has a year".
    """

    field: str | None
    value: str = ""
    negated: bool = False
    prefix: bool = False
    low: int | None = None
    high: int | None = None

    def __str__(self) -> str:
        sign = "-" if self.negated else ""
        if self.field == YEAR:
            return f"{sign}year:{self._year_text()}"
        value = self.value
        if _needs_quotes(value, fielded=self.field is not None, prefix=self.prefix):
            value = f'"{value}"'
        star = "*" if self.prefix else ""
        return f"{sign}{self.field}:{value}{star}" if self.field else f"{sign}{value}{star}"

    def _year_text(self) -> str:
        low, high = self.low, self.high
        if low is None and high is None:
            return "*"
        if low == high:
            return str(low)
        # year:<0 and year:>9999 make bounds of -1 and 10000, which only the strict forms can write
        if low is None:
            return f"<{high + 1}" if high is not None and high < 0 else f"<={high}"
        if high is None:
            return f">{low - 1}" if low > 9999 else f">={low}"
        return f"{low}..{high}"

    def matches(self, paper: Paper, annotation: Annotation, fulltext: str = "") -> bool:
        """Whether this term accepts the paper (computed from scratch; the index does it faster).

        ``fulltext``: the text of the paper's attached files in ``search_form`` ("" for none), what
        ``fulltext:`` terms search.
        """
        return self._holds(paper, annotation, fulltext) != self.negated

    def _holds(self, paper: Paper, ann: Annotation, fulltext: str = "") -> bool:
        name = self.field
        if name == YEAR:
            year = paper.year
            if year is None:
                return False
            return (self.low is None or year >= self.low) and (self.high is None or year <= self.high)
        if name is None:
            return any(self.value in text for text in any_texts(paper, ann))
        if name == FULLTEXT:  # fulltext:* (empty value) means "has some text"
            return fulltext != "" if not self.value else self.value in fulltext
        field = FIELD_OF[name]
        if field.search is None:  # a value field
            values = field.search_values(paper, ann)
            if self.prefix:
                return any(v.startswith(self.value) for v in values)
            return self.value in values
        text = field.search(paper, ann)
        return text != "" if not self.value else self.value in text


def _needs_quotes(value: str, *, fielded: bool, prefix: bool) -> bool:
    if not value:
        return not prefix
    if value.endswith("*") or any(c.isspace() for c in value):
        return True
    # unfielded: keep a word from reading as negation or as a field prefix when parsed again
    return not fielded and (value.startswith("-") or ":" in value)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: ``clauses`` are ANDed, the terms of one clause are ORed.

    Two queries are equal when they mean the same clauses, whatever their text.
    """

    clauses: tuple[tuple[Term, ...], ...] = ()
    text: str = field(default="", compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    errors: tuple[QueryError, ...] = field(default=(), compare=False)
    """Problems skipped over by a lenient parse (empty for a strict one)."""

    def __str__(self) -> str:
        return " ".join(" OR ".join(str(t) for t in clause) for clause in self.clauses)

    def __repr__(self) -> str:
        return f"Query({str(self)!r})"

    @property
    def is_empty(self) -> bool:
        """True for an empty query, which matches every paper."""
        return not self.clauses

    @property
    def is_plain(self) -> bool:
        """True if the query is only words and phrases that must all occur (the index's fast path)."""
        return all(len(c) == 1 and c[0].field is None and not c[0].negated for c in self.clauses)

    @property
    def words(self) -> tuple[str, ...]:
        """The words and phrases of a plain query, in ``search_form``; () for any other query."""
        return tuple(c[0].value for c in self.clauses) if self.is_plain else ()

    def matches(self, paper: Paper, annotation: Annotation, fulltext: str = "") -> bool:
        """Whether the paper matches, computed from scratch (the reference for ``SearchIndex``).

        ``fulltext``: the paper's attached files' text in ``search_form`` (``FullText.texts()`` in
        services/fulltext.py, the same text the index's ``Library.fulltext`` lookup answers from).
        """
        return all(any(t.matches(paper, annotation, fulltext) for t in clause) for clause in self.clauses)

    def narrows(self, previous: Query) -> bool:
        """True if every paper this query matches is matched by ``previous`` too.

        Then filtering ``previous``'s result instead of everything gives the same answer, which is
        what happens while typing: ``graph ne`` -> ``graph neu``, ``tag:rl`` -> ``tag:rl year:2021``.
        The test is sound, not complete: False only means "filter everything".
        """
        return all(any(_clause_implies(mine, theirs) for mine in self.clauses) for theirs in previous.clauses)


def _clause_implies(clause: tuple[Term, ...], other: tuple[Term, ...]) -> bool:
    return all(any(_term_implies(t, u) for u in other) for t in clause)


def _term_implies(t: Term, u: Term) -> bool:
    if t == u:
        return True
    if t.field != u.field or t.negated != u.negated:
        return False
    # "no value matches t" implies "no value matches u" when whatever u accepts, t accepts
    return _accepts_subset(u, t) if t.negated else _accepts_subset(t, u)


def _accepts_subset(a: Term, b: Term) -> bool:
    """Whether every field value (or text) that term ``a`` accepts is also accepted by ``b``."""
    if a.field == YEAR:
        a_low = -1 if a.low is None else a.low
        b_low = -1 if b.low is None else b.low
        a_high = 10**9 if a.high is None else a.high
        b_high = 10**9 if b.high is None else b.high
        return b_low <= a_low and a_high <= b_high
    if a.field in VALUE_FIELDS:
        if b.prefix:
            return a.value.startswith(b.value)
        return not a.prefix and a.value == b.value
    return b.value in a.value


@dataclass(slots=True)
class _Token:
    parts: list[tuple[str, bool]]  # (text, was quoted)
    start: int


class _Parser:
    def __init__(self, text: str, *, lenient: bool) -> None:
        self.text = text.translate(_QUOTES)  # one character for one, so positions still hold
        self.lenient = lenient
        self.errors: list[QueryError] = []
        self.warnings: list[str] = []

    def fail(self, message: str, position: int) -> None:
        error = QueryError(message, position)
        if not self.lenient:
            raise error
        self.errors.append(error)

    def tokens(self) -> list[_Token]:
        text, n, i = self.text, len(self.text), 0
        tokens: list[_Token] = []
        while i < n:
            if text[i].isspace():
                i += 1
                continue
            token = _Token([], i)
            while i < n and not text[i].isspace():
                if text[i] == '"':
                    end = text.find('"', i + 1)
                    if end < 0:
                        self.fail("unclosed quote", i)
                        end = n
                    token.parts.append((text[i + 1 : end], True))
                    i = end + 1
                else:
                    end = i
                    while end < n and not text[end].isspace() and text[end] != '"':
                        end += 1
                    token.parts.append((text[i:end], False))
                    i = end
            tokens.append(token)
        return tokens

    def parse(self) -> Query:
        if len(self.text) > MAX_QUERY_CHARS:
            self.fail(
                f"query too long: {len(self.text):,} characters; the limit is {MAX_QUERY_CHARS:,}",
                MAX_QUERY_CHARS,
            )
            self.text = self.text[:MAX_QUERY_CHARS]  # lenient: search with what fits
        clauses: list[tuple[Term, ...]] = []
        current: list[Term] = []
        pending_or: int | None = None  # position of an OR waiting for its right-hand term
        terms = 0
        for token in self.tokens():
            operator = self.operator(token)
            if operator == "AND":
                continue
            if operator == "OR":
                if not current or pending_or is not None:
                    self.fail("OR needs a term on each side", token.start)
                else:
                    pending_or = token.start
                continue
            term = self.term(token)
            if term is None:
                continue
            if terms == MAX_QUERY_TERMS:
                self.fail(f"too many terms: the limit is {MAX_QUERY_TERMS} words or field terms", token.start)
                pending_or = None
                break  # lenient: search with the first ones
            terms += 1
            if pending_or is not None:
                current.append(term)
                pending_or = None
            else:
                if current:
                    clauses.append(tuple(current))
                current = [term]
        if pending_or is not None:
            self.fail("OR needs a term on each side", pending_or)
        if current:
            clauses.append(tuple(current))
        return Query(tuple(clauses), self.text, tuple(self.warnings), tuple(self.errors))

    @staticmethod
    def operator(token: _Token) -> str | None:
        if len(token.parts) == 1 and not token.parts[0][1] and token.parts[0][0] in _OPERATORS:
            return token.parts[0][0]
        return None

    def term(self, token: _Token) -> Term | None:
        parts = list(token.parts)
        start = token.start
        negated = False
        first, quoted = parts[0]
        if not quoted and first.startswith("-"):
            if first == "-" and len(parts) == 1:
                self.fail("'-' needs a word right after it", start)
                return None
            negated = True
            parts[0] = (first[1:], False)
            first = first[1:]
        name: str | None = None
        value_start = start + (1 if negated else 0)
        match = None if quoted else _FIELD_PREFIX.match(first)
        if match is not None:
            written = match.group(1)
            name = _ALIASES.get(written.lower(), written.lower())
            if name in FIELDS:
                parts[0] = (first[match.end() :], False)
                value_start += match.end()
            else:
                close = difflib.get_close_matches(name, FIELDS, n=1, cutoff=0.75)
                if close:
                    self.warnings.append(f"unknown field '{written}:' (did you mean {close[0]}:?); searched as a word")
                name = None
        prefix = not parts[-1][1] and parts[-1][0].endswith("*")
        if prefix:
            parts[-1] = (parts[-1][0].rstrip("*"), False)
        raw = "".join(text for text, _ in parts)
        if name == YEAR:
            return self.year_term(raw, prefix, negated, value_start)
        value = search_form(raw)
        if name is None:
            # substring search already finds prefixes; a lone '*' or an empty phrase matches everything
            return Term(None, value, negated) if value else None
        if not value and not prefix:
            self.fail(f"{name}: needs a value right after the colon", token.start)
            return None
        if name in SUBSTRING_FIELDS or name == FULLTEXT:
            return Term(name, value, negated, prefix=not value)
        if name == "status" and not prefix and value not in _STATUS_FORMS:
            self.fail(f"unknown status '{raw}'; use {', '.join(STATUSES)}", value_start)
            return None
        if name == "track" and not prefix and value not in _TRACK_FORMS:
            self.warnings.append(f"no track is called '{raw}' ({', '.join(TRACKS)})")
        return Term(name, value, negated, prefix=prefix)

    def year_term(self, raw: str, prefix: bool, negated: bool, value_start: int) -> Term | None:
        value = raw.strip()
        if prefix and not value:
            return Term(YEAR, negated=negated)
        low: int | None
        high: int | None
        if prefix:
            self.fail(YEAR_HINT, value_start)
            return None
        if exact := _YEAR_EXACT.fullmatch(value):
            low = high = int(exact.group(1))
        elif span := _YEAR_RANGE.fullmatch(value):
            a, b, c, d = span.groups()
            if c is not None:
                a, b = c, d
            if a is None and b is None:
                self.fail(YEAR_HINT, value_start)
                return None
            low = None if a is None else int(a)
            high = None if b is None else int(b)
            if low is not None and high is not None and low > high:
                self.fail(f"year range {low}..{high} runs backwards", value_start)
                return None
        elif compare := _YEAR_COMPARE.fullmatch(value):
            op, number = compare.group(1), int(compare.group(2))
            low, high = {
                ">=": (number, None),
                ">": (number + 1, None),
                "<=": (None, number),
                "<": (None, number - 1),
                "=": (number, number),
            }[op]
        else:
            self.fail(YEAR_HINT if value else "year: needs a value right after the colon", value_start)
            return None
        return Term(YEAR, negated=negated, low=low, high=high)


def parse_query(text: str, *, lenient: bool = False) -> Query:
    """Read a search query; an empty or blank one matches everything.

    With ``lenient`` the parser never raises: it skips what it cannot read (an unclosed quote runs to
    the end) and lists the problems in ``Query.errors``, so a search box can keep filtering while the
    user is still typing ``author:`` or ``"graph ne``.

    Raises:
        QueryError: the text is not a valid query (strict parse only).
    """
    return _Parser(text, lenient=lenient).parse()
