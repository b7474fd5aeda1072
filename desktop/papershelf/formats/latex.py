"""LaTeX in BibTeX values: decoding to Unicode for display, and escaping text back for export.

Decoding (``decode``, ``decode_paragraphs``, ``decode_verbatim``) lives in ``core/text/latex.py``, with
the rendering the window shows (math, italics), because the core's search reads it too; it is
re-exported here for the formats.

Encoding (``encode``) writes display text so that LaTeX prints it and BibTeX can read it back:
``& % # _ $ ~ ^ \\ { } < > |`` are escaped (braces as ``{\\textbraceleft}``, because BibTeX counts
``\\{`` as a brace and an unbalanced one would end the field); a ``$...$`` span that reads as math
is kept; ``--``, ````` and ``''`` are broken up so they stay literal. In ASCII mode every other
character gets its LaTeX form if it has one that works in LaTeX's default OT1 encoding, and is
otherwise transliterated (the caller is told which). ``Encoder.title`` braces the words a style
would wrongly lower-case (``{BERT}``, ``{DeBERTa}``, ``{GAN}s``) and math, never Title-Case words.
``Encoder.raw`` writes LaTeX read from a .bib as it is (in ASCII mode with its non-ASCII
characters in their LaTeX forms, math forms inside math); ``escape_bare_specials`` repairs a bare
``& % #`` in it.

``decode(encode(text, ascii=False))`` is ``text`` with whitespace runs made single spaces.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Final

from papershelf.core.text.latex import ACCENTS, GREEK, MATH_SYMBOLS, decode, decode_paragraphs, decode_verbatim

# -- encoding ------------------------------------------------------------------------------------------

_ESCAPES: Final = {
    "\\": "{\\textbackslash}", "{": "{\\textbraceleft}", "}": "{\\textbraceright}", "$": "\\$", "&": "\\&",
    "%": "\\%", "#": "\\#", "_": "\\_", "~": "{\\textasciitilde}", "^": "{\\textasciicircum}",
    "<": "{\\textless}", ">": "{\\textgreater}", "|": "{\\textbar}",
}
_ESCAPE_TABLE: Final = str.maketrans(_ESCAPES)
_SPECIALS = re.compile(r"[\\{}$&%#_~^<>|]|--|``|''|[?!]`")
# Between two characters TeX would join into a ligature (-- `` '' ?` !`): written as "{}" there.
_LIGATURE_BREAK = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)")
# A letter with accents Unicode has no single character for (NFC left them apart), or one non-ASCII character.
_NON_ASCII = re.compile(r"[A-Za-z][\u0300-\u036f]+|[^\x00-\x7f]")
_SPECIAL_CHARS = re.compile(r"[\\{}$&%#_~^<>|]")  # a character class: scanned for at C speed (_ESCAPES' keys)


def _escaped(match: re.Match[str]) -> str:
    return _ESCAPES[match.group()]


_LIGATURE_MARK: Final = "\ue002"  # private use: where "{}" goes between two characters
_LIGATURE_PAIRS: Final = tuple((a + b, a + _LIGATURE_MARK + b) for a, b in ("--", "``", "''", "?`", "!`"))
_ESCAPE_TABLE_WITH_MARK: Final = str.maketrans({**_ESCAPES, _LIGATURE_MARK: "{}"})

# Characters whose LaTeX form works in the default OT1 encoding (no fontenc, no textcomp glyphs).
# Forms made of ligature characters are braced so they cannot join with a neighbour (– then -).
_LATEX_FORMS: Final = {
    "ß": "{\\ss}", "æ": "{\\ae}", "Æ": "{\\AE}", "œ": "{\\oe}", "Œ": "{\\OE}", "ø": "{\\o}", "Ø": "{\\O}",
    "å": "{\\aa}", "Å": "{\\AA}", "ł": "{\\l}", "Ł": "{\\L}", "ı": "{\\i}", "ȷ": "{\\j}",
    "–": "{--}", "—": "{---}", "‘": "{`}", "’": "{'}", "“": "{``}", "”": "{''}", "„": "{,,}",
    "…": "{\\ldots}", "•": "{\\textbullet}", "§": "{\\S}", "¶": "{\\P}", "†": "{\\dag}", "‡": "{\\ddag}",
    "©": "{\\copyright}", "®": "{\\textregistered}", "™": "{\\texttrademark}", "£": "{\\pounds}",
    "¡": "{\\textexclamdown}", "¿": "{\\textquestiondown}", "\u00a0": "~", "\u00ad": "\\-",
    "\u2009": "\\,", "\u202f": "\\,", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
    "°": "{$^\\circ$}", "µ": "{$\\mu$}", "·": "{$\\cdot$}", "−": "{$-$}", "′": "{$'$}",
    **{ch: "{$\\" + name + "$}" for name, ch in GREEK.items() if name != "varepsilon"},
    **{ch: "{$\\" + name + "$}" for name, ch in MATH_SYMBOLS.items()
       if name not in ("le", "ge", "ne", "to", "gets", "land", "lor", "lnot")},
    **{ch: "{$^" + d + "$}" for ch, d in zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True)},
    **{ch: "{$_" + d + "$}" for ch, d in zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True)},
}
# ogonek (\k) exists only in T1; comma below (ș, ț) is usually typeset as a cedilla.
_ACCENT_COMMANDS: Final = {mark: cmd for cmd, mark in ACCENTS.items() if cmd != "k"} | {"\u0326": "c"}
_ABOVE: Final = frozenset("`'^\"~=.uvHr")
# ‚ (U+201A) has no glyph in OT1: a braced comma looks like it, and reads back as a comma (said in the export).
_EXTRA_TRANSLITERATIONS: Final = {
    "‚": "{,}",
    "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ŋ": "ng", "Ŋ": "NG", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H",
    "«": '"', "»": '"', "‹": "'", "›": "'", "€": "EUR", "¥": "JPY", "¢": "c", "ª": "a", "º": "o",
}


def _accent_form(char: str) -> str | None:
    """``é`` -> ``{\\'e}``, ``ễ`` -> ``{\\~{\\^e}}``; None if some mark has no OT1 accent command."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not base.isascii() or not base.isalpha():
        return None
    inner = base
    for index, mark in enumerate(marks):
        command = _ACCENT_COMMANDS.get(mark)
        if command is None:
            return None
        if index == 0 and base == "j" and command in _ABOVE:
            inner = "\\j"  # a dotless j under an accent (LaTeX swaps in the dotless i itself)
        if index == 0 and not command.isalpha() and len(inner) == 1:
            inner = f"\\{command}{inner}"
        else:
            inner = f"\\{command}{{{inner}}}"
    return "{" + inner + "}"


def _transliterate(char: str) -> str:
    extra = _EXTRA_TRANSLITERATIONS.get(char)
    if extra is not None:
        return extra
    if unicodedata.combining(char):
        return ""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and base.isascii():
        return base.translate(_ESCAPE_TABLE)
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    return "" if category[0] == "C" else "?"


class _AsciiForms(dict[int, str]):
    """``str.translate`` table from a character to its ASCII LaTeX form, filled in on first use.

    A character with no LaTeX form is transliterated (``ą`` -> ``a``, ``ð`` -> ``d``, else ``?``)
    and recorded in ``approximated`` so that the export can say so.
    """

    def __init__(self) -> None:
        super().__init__()
        self.approximated: dict[str, str] = {}

    def __missing__(self, code: int) -> str:
        char = chr(code)
        form = _ESCAPES.get(char, char) if code < 128 else _LATEX_FORMS.get(char)
        if form is None:
            form = _accent_form(char)
        if form is None:
            form = _transliterate(char)
            self.approximated[char] = form
        self[code] = form
        return form


def _brace_bare_commas(text: str) -> str:
    """Each comma outside braces as ``{,}`` (a comma in a name part would split the name); commas
    already inside braces (``{,,}``, the ASCII form of „) are left as they are."""
    if "," not in text:
        return text
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        out.append("{,}" if ch == "," and depth == 0 else ch)
    return "".join(out)


class Encoder:
    """Escapes display text for a .bib file; one per export, as it records what it approximated."""

    def __init__(self, *, ascii: bool = True) -> None:
        self.ascii = ascii
        self._forms = _AsciiForms()

    @property
    def approximated(self) -> dict[str, str]:
        """Characters that had no LaTeX form in ASCII mode, and what was written instead."""
        return dict(self._forms.approximated)

    @property
    def approximated_count(self) -> int:
        return len(self._forms.approximated)

    def text(self, text: str) -> str:
        """Escaped text, math kept, no case protection."""
        if self.ascii and not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if "$" not in text:
            return self._plain(text)
        return "".join(part if math else self._plain(part) for math, part in self._math_split(text))

    def title(self, text: str) -> str:
        """Escaped text in which math and the words a style would wrongly lower-case are braced.

        Those are acronyms and CamelCase words (``{BERT}``, ``{DeBERTa}``, ``{GAN}s``, ``{L2}``, ``{Q}``);
        never ordinary capitalised words, which a style's sentence-casing may lower-case as it would
        for any title.
        """
        if self.ascii and not text.isascii():
            text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        for math, part in self._math_split(text) if "$" in text else ((False, text),):
            if math:
                out.append("{" + part + "}")
                continue
            pos = 0
            for match in _WORD.finditer(part):
                word = match.group()
                if not needs_protection(word):
                    continue
                out.append(self._plain(part[pos : match.start()]))
                if _PLURAL_ACRONYM.fullmatch(word):
                    out.append("{" + self._plain(word[:-1]) + "}s")
                else:
                    out.append("{" + self._plain(word) + "}")
                pos = match.end()
            out.append(self._plain(part[pos:]))
        return "".join(out)

    def group(self, text: str) -> str:
        """Escaped text in a brace group (a protected span, a name that is one whole) that reads back as
        the text: two commas alone in braces are the ASCII form of „, so they are written ``{,},``."""
        escaped = self.text(text)
        return "{" + ("{,}," if escaped == ",," else escaped) + "}"

    def name(self, text: str) -> str:
        """Escaped text for part of a BibTeX name: commas and the word "and" braced, math braced whole."""
        if self.ascii and not text.isascii():
            text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        for math, part in self._math_split(text) if "$" in text else ((False, text),):
            if math:
                out.append("{" + part + "}")
                continue
            escaped = _brace_bare_commas(self._plain(part))
            out.append(_AND_WORD.sub("{and}", escaped) if "nd" in escaped or "ND" in escaped else escaped)
        return "".join(out)

    def raw(self, value: str) -> str:
        """A raw BibTeX value as it is, only its non-ASCII characters replaced in ASCII mode.

        Combining accents are joined to their letter first (NFC), and any left over written as the
        accent command over it; inside ``$...$`` a symbol gets its math form (``\\infty``, not ``$\\infty$``).
        """
        if not self.ascii or value.isascii():
            return value
        value = unicodedata.normalize("NFC", value)
        if _COMBINING.search(value):
            value = _COMBINED.sub(self._combined, value)
            if value.isascii():
                return value
        if "$" in value:
            return "".join(
                self._math_raw(part) if math else self._text_raw(part) for math, part in _math_spans(value)
            )
        return self._text_raw(value)

    def _text_raw(self, text: str) -> str:
        forms = self._forms
        return "".join(ch if ch < "\x80" else forms[ord(ch)] for ch in text)

    def _math_raw(self, text: str) -> str:
        out: list[str] = []
        for ch in text:
            if ch < "\x80":
                out.append(ch)
                continue
            form = self._forms[ord(ch)]
            math = _IN_MATH.fullmatch(form)
            out.append("{" + math.group(1) + "}" if math else form)
        return "".join(out)

    def _combined(self, match: re.Match[str]) -> str:
        form = _accent_form(match.group())
        if form is not None:
            return form
        return match.group()

    def _plain(self, text: str) -> str:
        if not text:
            return text
        forms = self.ascii and not text.isascii()
        if "--" in text or "``" in text or "''" in text or "?`" in text or "!`" in text:
            if _LIGATURE_MARK in text:  # the mark itself in the text: the slower way round
                table = self._forms if forms else _ESCAPE_TABLE
                return "{}".join(part.translate(table) for part in _LIGATURE_BREAK.split(text))
            # A mark between the two characters (all of them, "---" too), written as "{}" by the translation.
            for pair, broken in _LIGATURE_PAIRS:
                while pair in text:
                    text = text.replace(pair, broken)
            text = text.translate(_ESCAPE_TABLE_WITH_MARK)
        elif _SPECIAL_CHARS.search(text):
            # (only the specials are replaced: translating an abstract looks up each of its ~1,500 characters)
            text = _SPECIAL_CHARS.sub(_escaped, text)
        # The escapes are ASCII: the LaTeX forms of the other characters go in after them, one by one
        # (a translation of the whole text would look every character up).
        return _NON_ASCII.sub(self._form, text) if forms else text

    def _form(self, match: re.Match[str]) -> str:
        found = match.group()
        if len(found) == 1:
            return self._forms[ord(found)]
        form = _accent_form(found)  # q + U+0301 -> {\\'q}
        return form if form is not None else found[0] + "".join(self._forms[ord(mark)] for mark in found[1:])

    def _math_split(self, text: str) -> list[tuple[bool, str]]:
        """Text cut into (is_math, part); math parts include their dollars."""
        parts: list[tuple[bool, str]] = []
        start = pos = 0
        while True:
            dollar = text.find("$", pos)
            if dollar < 0:
                break
            body_match = _MATH_BODY.match(text, dollar + 1)
            end = body_match.end() if body_match else dollar + 1
            body = text[dollar + 1 : end]
            if (
                end < len(text)
                and text[end] == "$"
                and is_math(body, text[end + 1 : end + 2])
                and not (self.ascii and not body.isascii())  # no LaTeX form for it inside math
            ):
                if dollar > start:
                    parts.append((False, text[start:dollar]))
                parts.append((True, text[dollar : end + 1]))
                start = pos = end + 1
            else:
                pos = dollar + 1
        if start < len(text):
            parts.append((False, text[start:]))
        return parts


_WORD = re.compile(r"[^\W_]+")
_COMBINING = re.compile("[\u0300-\u036f]")
_COMBINED = re.compile("[A-Za-z][\u0300-\u036f]+")
_IN_MATH = re.compile(r"\{\$(.*)\$\}", re.DOTALL)
_MATH_SPAN = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)*\$", re.DOTALL)
_BARE_SPECIAL = re.compile(r"[&%#]")
_BARE_OR_SKIPPED = re.compile(
    r"\\(?:url|href|path)\s*\{[^{}]*\}|\\.|[&%#]", re.DOTALL  # a \url{...}; an escape (\& or \\); a bare one
)


def _math_spans(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_math, part) at its ``$...$`` spans."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for match in _MATH_SPAN.finditer(text):
        if match.start() > pos:
            parts.append((False, text[pos : match.start()]))
        parts.append((True, match.group()))
        pos = match.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts


def has_bare_special(value: str) -> bool:
    """Whether LaTeX source has an unescaped ``&``, ``%`` or ``#`` outside ``\\url{...}`` (a LaTeX error)."""
    if "&" not in value and "%" not in value and "#" not in value:
        return False
    return any(m.group() in "&%#" for m in _BARE_OR_SKIPPED.finditer(value))


def escape_bare_specials(value: str) -> str:
    """``value`` with each bare ``&``, ``%`` and ``#`` escaped (``\\&``), ``\\url{...}`` left alone."""
    if _BARE_SPECIAL.search(value) is None:
        return value
    return _BARE_OR_SKIPPED.sub(lambda m: "\\" + m.group() if m.group() in "&%#" else m.group(), value)
_AND_WORD = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")


_MINOR_WORDS: Final = frozenset(
    (
        "about", "above", "across", "after", "against", "along", "among", "around", "before", "behind", "below",
        "beneath", "beside", "between", "beyond", "during", "except", "from", "inside", "into", "near", "onto",
        "outside", "over", "since", "than", "that", "through", "toward", "towards", "under", "until", "upon",
        "versus", "when", "where", "while", "with", "within", "without",
    )
)


def _is_sentence_case(title: str) -> bool:
    """Whether capitalised words inside the title were capitalised on purpose (proper nouns).

    True unless the title is in Title Case (every word but short and minor ones capitalised), where
    nothing tells a proper noun from the rest and a style's sentence-casing is what the user expects.
    """
    words = _WORD.findall(title)[1:]
    return any(len(w) > 3 and w[0].islower() and w not in _MINOR_WORDS for w in words)


def needs_protection(word: str) -> bool:
    """Whether a style's title-casing would change the word: acronyms, CamelCase, ``L2``, ``Q``."""
    if len(word) == 1:
        return word.isupper() and word != "A"
    rest = word[1:]
    return rest != rest.lower() or (word[0].isupper() and not word.isalpha() and any(c.isdigit() for c in word))


_MATH_BODY = re.compile(r"(?:[^$\\]|\\.)*", re.DOTALL)
_BRACE = re.compile(r"[{}]")
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_MATH_FORBIDDEN = re.compile(r"(?<!\\)[%#&]|\n\s*\n")
# The characters other than ASCII that math may hold: those with a math command (``$β$`` is ``$\\beta$``).
# Dollars around other text (``$¡$``, ``$0®$``) are money or literal dollars, not math.
_MATH_CHARS: Final = frozenset(GREEK.values()) | frozenset(MATH_SYMBOLS.values())


def _balanced(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether the braces ``pattern`` finds pair up: taking out "{}" again and again leaves nothing (the same as
    a depth that never goes below 0 and ends at 0, without a Python step per brace)."""
    braces = "".join(pattern.findall(text))
    for _ in range(8):  # (a pass per level of nesting: deeper than 8, counting is the quicker way)
        if "{}" not in braces:
            return not braces
        braces = braces.replace("{}", "")
    depths = list(itertools.accumulate(1 if brace == "{" else -1 for brace in braces))
    return not depths or (min(depths) >= 0 and depths[-1] == 0)


def is_balanced(text: str) -> bool:
    """Braces balanced both as BibTeX counts them (every brace) and as bibtexparser does (unescaped)."""
    if not _balanced(text, _BRACE):
        return False
    if "\\{" not in text and "\\}" not in text:  # no brace right after a backslash: the same braces both ways
        return True
    return _balanced(text, _UNESCAPED_BRACE)


def is_math(body: str, after: str) -> bool:
    """Whether ``$body$`` followed by ``after`` is kept as math on export.

    As in Pandoc: no space just inside the dollars and no digit right after (so "$5 and $10" is
    money). And it must be safe to write verbatim: braces balanced both as BibTeX counts them (all)
    and as bibtexparser does (unescaped ones), no bare ``% # &``, no blank line, and no character
    beyond ASCII that has no math command (``$β$`` is math, ``$¡$`` is not).
    """
    return bool(
        body
        and not body[0].isspace()
        and not body[-1].isspace()
        and not after[:1].isdigit()
        and _MATH_FORBIDDEN.search(body) is None
        and is_balanced(body)
        and (body.isascii() or all(ch.isascii() or ch in _MATH_CHARS for ch in body))
    )


def escape(text: str, *, ascii: bool = True) -> str:
    """One-off ``Encoder(ascii=ascii).text(text)``."""
    return Encoder(ascii=ascii).text(text)


__all__ = [
    "Encoder",
    "decode",
    "decode_paragraphs",
    "decode_verbatim",
    "escape",
    "escape_bare_specials",
    "has_bare_special",
    "is_balanced",
    "is_math",
    "needs_protection",
]
