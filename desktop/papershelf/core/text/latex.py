"""LaTeX in titles and abstracts as a reader sees it: decoded to Unicode, math rendered.

Two functions, one table:

* ``decode`` turns a BibTeX value into Unicode text, one regex pass with a table, not
  bibtexparser's LatexDecodingMiddleware (2 ms per entry, and it reads an unescaped ``%`` as a
  comment): accents (``\\'e``, ``{\\"o}``, ``\\v{s}``, nested ``\\~{\\^e}``), letters (``\\ss``,
  ``\\o``, ``\\L``), symbols (``\\&``, ``\\textendash``), dashes and quotes (``--``, ````...''``),
  ties; formatting commands (``\\emph``, ``\\textbf``) keep their text; braces go; ``$...$`` math
  is kept verbatim, delimiters included. A command it does not know is kept as written
  (``\\foo{x}``) so nothing vanishes silently. It is what a paper's title and abstract are stored as
  (``formats/bibtex.py``), so its output must not change for a value already read.
* ``render`` takes such display text (a title or an abstract, which may still hold math, or LaTeX
  a Markdown paper list carried over) and gives what a reader expects to see: ``Shown(text,
  spans)``, the text with math rendered (``$\\ell_p$`` -> ``ℓp`` with a subscript p, ``VA-RED$^2$``
  -> ``VA-RED²``, ``$β$-VAEs`` -> ``β-VAEs``, ``$i$-Mix`` -> ``i-Mix`` with an italic i) and
  ``\\textit``/``\\emph`` as italic, and the spans of text to draw italic, bold, as a subscript or
  as a superscript. A sub- or superscript Unicode has exact characters for (digits, ``+ - = ( )``)
  is written with them and needs no span. ``render(x).text`` is plain text for tooltips, sorting and
  search; text with nothing to render costs one regex scan. The window renders each title once.

Nothing here changes what is stored or exported: both read the source, the window shows ``render``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

_SYMBOL_ACCENTS: Final = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
}
_LETTER_ACCENTS: Final = {
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
    "b": "\u0331", "d": "\u0323", "t": "\u0361",
}
ACCENTS: Final = {**_SYMBOL_ACCENTS, **_LETTER_ACCENTS}
# An accent over nothing (``\^{}``) is the accent character itself.
_BARE_ACCENTS: Final = {"`": "`", "'": "'", "^": "^", '"': '"', "~": "~", "=": "¯", ".": "˙"}

GREEK: Final = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ", "varrho": "ϱ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
MATH_SYMBOLS: Final = {
    "ell": "ℓ", "infty": "∞", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "times": "×", "pm": "±", "mp": "∓", "div": "÷", "cdot": "⋅", "approx": "≈", "sim": "∼", "simeq": "≃",
    "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "rightarrow": "→", "to": "→", "leftarrow": "←",
    "gets": "←", "leftrightarrow": "↔", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔",
    "mapsto": "↦", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "in": "∈",
    "notin": "∉", "forall": "∀", "exists": "∃", "emptyset": "∅", "cap": "∩", "cup": "∪", "subset": "⊂",
    "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨",
    "neg": "¬", "lnot": "¬", "oplus": "⊕", "otimes": "⊗", "circ": "∘", "ast": "∗", "star": "⋆",
    "surd": "√", "hbar": "ℏ", "aleph": "ℵ", "cdots": "⋯",
}
_SYMBOLS: Final = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å",
    "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ",
    "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textbackslash": "\\", "textbraceleft": "{", "textbraceright": "}", "textasciitilde": "~",
    "textasciicircum": "^", "textless": "<", "textgreater": ">", "textbar": "|", "textunderscore": "_",
    "textdollar": "$", "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "textquotesingle": "'", "textquotedbl": '"',
    "textasciigrave": "`", "guillemotleft": "«", "guillemotright": "»", "guilsinglleft": "‹",
    "guilsinglright": "›", "quotedblbase": "„", "quotesinglbase": "‚", "ldots": "…", "dots": "…",
    "textellipsis": "…", "S": "§", "P": "¶", "textsection": "§", "textparagraph": "¶", "dag": "†",
    "ddag": "‡", "textdagger": "†", "textdaggerdbl": "‡", "copyright": "©", "textcopyright": "©",
    "textregistered": "®", "texttrademark": "™", "pounds": "£", "textsterling": "£", "euro": "€",
    "texteuro": "€", "textyen": "¥", "textcent": "¢", "textdegree": "°", "textperiodcentered": "·",
    "textbullet": "•", "textexclamdown": "¡", "textquestiondown": "¿", "textmu": "µ", "textonehalf": "½",
    "textordfeminine": "ª", "textordmasculine": "º", "textasteriskcentered": "*", "textpm": "±",
    "texttimes": "×", "textdiv": "÷", "textminus": "−", "textnumero": "№", "textvisiblespace": "␣",
    "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "TeX": "TeX", "BibTeX": "BibTeX", "slash": "/",
    "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ", "space": " ", "nobreakspace": " ",
    "newline": " ", "linebreak": " ", "par": " ", "relax": "", "protect": "", "noopsort": "",
    "bf": "", "it": "", "em": "", "sc": "", "rm": "", "tt": "", "sf": "", "sl": "", "up": "",
    "bfseries": "", "itshape": "", "scshape": "", "rmfamily": "", "ttfamily": "", "sffamily": "",
    "normalfont": "", "upshape": "", "mdseries": "", "small": "", "footnotesize": "", "large": "",
    "Large": "", "tiny": "", "normalsize": "", "/": "",
    **GREEK,
    **MATH_SYMBOLS,
}
_MATH_NAMES: Final = frozenset(GREEK) | frozenset(MATH_SYMBOLS)
# Commands whose argument is the text (their name is dropped).
_FORMATTING: Final = frozenset(
    (
        "emph", "textit", "textbf", "textsc", "texttt", "textrm", "textsf", "textsl", "textup", "textmd",
        "textnormal", "mbox", "hbox", "text", "textsuperscript", "textsubscript", "url", "path", "NoCaseChange",
        "nocase", "textcase", "MakeUppercase", "MakeLowercase", "uppercase", "lowercase", "underline", "uline",
        "enquote", "mkbibquote", "foreignlanguage", "textenglish", "ensuremath",
    )
)
_SINGLE: Final = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", "\n": " ", "\t": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "@": "", "/": "", "-": "", "\\": " ", "|": "‖", ">": " ",
}

_GROUP = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"  # a brace group, up to three levels deep
# Every alternative starts with a literal character, so that the regex engine scans plain text for
# those characters at C speed instead of trying each alternative at every position (10x on abstracts).
# Braces, ties, dashes and quotes have no group: ``_replace`` tells them apart by the text matched.
_TOKEN = re.compile(
    r"\\(?P<acc>[`'^\"~=.])\s*(?P<aarg>" + _GROUP + r"|\\[A-Za-z]+\s*|[A-Za-z])?"
    r"|\\(?P<lacc>[uvHckrbdt])(?![A-Za-z])\s*(?P<larg>" + _GROUP + r"|\\[A-Za-z]+\s*|[A-Za-z])?"
    r"|\\href\s*\{[^{}]*\}"
    r"|\\(?P<name>[A-Za-z]+)(?P<space>\s*)(?P<group>" + _GROUP + r")?"
    r"|\\(?P<char>.)"
    r"|\$(?P<math>(?:[^$\\]|\\.)*)\$"
    r"|\{,,\}|\{|\}|~|---?|``|''",
    re.DOTALL,
)
# Anything that needs the slow path; plain text only has its whitespace normalised.
_NEEDS_DECODING = re.compile(r"\\|\{|\}|\$|~|--|``|''|,,")
# ``{,,}`` is the ASCII export's form of „ (a ligature in T1 fonts); ``{,}`` is not read as ‚, since
# people write it to keep a comma in a name from BibTeX's name parser.
_PLAIN: Final = {"{": "", "}": "", "~": " ", "--": "–", "---": "—", "``": "“", "''": "”", "{,,}": "„"}
_DOTLESS: Final = {"ı": "i", "ȷ": "j"}


def _accented(mark: str, arg: str | None) -> str:
    if not arg:
        return _BARE_ACCENTS.get(mark, "")
    base = _decode_fragment(arg[1:-1]) if arg.startswith("{") else _decode_fragment(arg)
    if not base:
        return _BARE_ACCENTS.get(mark, "")
    first = _DOTLESS.get(base[0], base[0])
    return unicodedata.normalize("NFC", first + ACCENTS[mark]) + base[1:]


def _replace(match: re.Match[str]) -> str:
    group = match.group
    mark = group("acc") or group("lacc")
    if mark:
        return _accented(mark, group("aarg") if group("acc") else group("larg"))
    name = group("name")
    if name is not None:
        arg = group("group")
        if name in _FORMATTING:
            return _decode_fragment(arg[1:-1]) if arg else group("space")
        symbol = _SYMBOLS.get(name)
        if symbol is not None:
            # A text command eats the space after it (\ss x -> ßx); "\leq \infty" outside math reads better spaced.
            space = " " if group("space") and name in _MATH_NAMES else ""
            return symbol + space + (_decode_fragment(arg[1:-1]) if arg else "")
        # Unknown: kept as written, so the reader sees what the file says.
        return "\\" + name + group("space") + (arg or "")
    char = group("char")
    if char is not None:
        return _SINGLE.get(char, char)
    if group("math") is not None:
        return group()
    # A brace, tie, dash or quote; else \href{url}, whose link text follows as a group.
    return _PLAIN.get(group(), "")


def _decode_fragment(text: str) -> str:
    return _TOKEN.sub(_replace, text) if _NEEDS_DECODING.search(text) else text


def decode(text: str) -> str:
    """A BibTeX value as Unicode text for display and search, whitespace runs made one space."""
    if _NEEDS_DECODING.search(text):
        if text[0] == "{" and text[-1] == "}" and _NEEDS_DECODING.search(text, 1, len(text) - 1) is None:
            text = text[1:-1]  # plain text in one pair of braces, as most titles are: "{Deep Sets}"
        else:
            text = _TOKEN.sub(_replace, text)
    # Every whitespace character but the space is unprintable: text that is printable, has no double
    # space and no space at either end is already as ``split``/``join`` would make it (most values).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def decode_paragraphs(text: str) -> str:
    """Like ``decode`` but blank lines stay paragraph breaks (``\\n\\n``), as for abstracts."""
    if "\n" not in text:
        return decode(text)
    return "\n\n".join(p for p in (decode(part) for part in _PARAGRAPH_BREAK.split(text)) if p)


_VERBATIM_ESCAPE = re.compile(r"\\([_%&#$~])|[{}]")


def decode_verbatim(text: str) -> str:
    """A URL or DOI value: braces and escapes of ``_ % & # $`` removed, nothing else touched."""
    if "\\" not in text and "{" not in text:
        return text.strip()
    return _VERBATIM_ESCAPE.sub(lambda m: m.group(1) or "", text).strip()


# -- rendering -----------------------------------------------------------------------------------------

ITALIC: Final = 1
BOLD: Final = 2
SUBSCRIPT: Final = 4
SUPERSCRIPT: Final = 8


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start`` to ``end`` of a shown text drawn in ``style`` (ITALIC | BOLD | SUBSCRIPT | SUPERSCRIPT)."""

    start: int
    end: int
    style: int


@dataclass(frozen=True, slots=True)
class Shown:
    """A text as shown: plain ``text`` and the ``spans`` styled in it (in order, not overlapping)."""

    text: str
    spans: tuple[Span, ...] = ()

    def runs(self, start: int = 0, end: int | None = None) -> list[tuple[str, int]]:
        """``text[start:end]`` cut into (part, style) runs, style 0 between the spans."""
        end = len(self.text) if end is None else end
        runs: list[tuple[str, int]] = []
        pos = start
        for span in self.spans:
            if span.end <= pos:
                continue
            if span.start >= end:
                break
            if span.start > pos:
                runs.append((self.text[pos : span.start], 0))
            runs.append((self.text[max(pos, span.start) : min(end, span.end)], span.style))
            pos = min(end, span.end)
        if pos < end:
            runs.append((self.text[pos:end], 0))
        return runs


# Text-mode commands whose argument is drawn in a style (the rest of _FORMATTING keep the text plainly).
_TEXT_STYLES: Final = {
    "emph": ITALIC, "textit": ITALIC, "textsl": ITALIC, "mathit": ITALIC, "textbf": BOLD,
    "textsuperscript": SUPERSCRIPT, "textsubscript": SUBSCRIPT,
}
_SUPERSCRIPTS: Final = str.maketrans("0123456789+-=()−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾⁻")
_SUBSCRIPTS: Final = str.maketrans("0123456789+-=()−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎₋")
_SCRIPTABLE: Final = frozenset("0123456789+-=()−")
_FUNCTIONS: Final = frozenset(
    (
        "log", "ln", "lg", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
        "max", "min", "sup", "inf", "lim", "limsup", "liminf", "arg", "argmax", "argmin", "det", "dim", "ker",
        "deg", "gcd", "Pr", "exp", "mod", "bmod", "tr", "Tr",
    )
)
_DOUBLE_STRUCK: Final = str.maketrans("RNZQCPH", "ℝℕℤℚℂℙℍ")
_MATH_ACCENTS: Final = {
    "tilde": "\u0303", "widetilde": "\u0303", "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304",
    "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c",
    "breve": "\u0306", "acute": "\u0301", "grave": "\u0300",
}
_UPRIGHT: Final = frozenset(("mathrm", "mathcal", "mathscr", "mathfrak", "mathsf", "mathtt", "operatorname",
                             "mathbb", "mathbbm"))
_BOLD_MATH: Final = frozenset(("mathbf", "boldsymbol", "bm", "pmb"))
_TEXT_IN_MATH: Final = frozenset(("text", "textrm", "mbox", "textnormal", "textit", "textbf", "emph", "hbox"))
_SIZING: Final = frozenset(
    ("left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
     "middle", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "mathop")
)
_MATH_ESCAPES: Final = {
    "|": "‖", "{": "{", "}": "}", ",": " ", ":": " ", ";": " ", "!": "", " ": " ", "\\": " ", "%": "%",
    "&": "&", "#": "#", "$": "$", "_": "_",
}
# Math symbols ``decode`` leaves alone (it keeps math verbatim; its table must not change).
_MORE_MATH: Final = {
    "mid": "∣", "setminus": "∖", "top": "⊤", "bot": "⊥", "prime": "′", "lfloor": "⌊", "rfloor": "⌋",
    "lceil": "⌈", "rceil": "⌉", "varnothing": "∅", "triangleq": "≜", "coloneqq": "≔", "odot": "⊙",
    "colon": ":", "vert": "|", "Vert": "‖", "lvert": "|", "rvert": "|", "lVert": "‖", "rVert": "‖",
    "dagger": "†", "ddagger": "‡", "perp": "⊥", "parallel": "∥", "asymp": "≍", "preceq": "⪯", "succeq": "⪰",
    "prec": "≺", "succ": "≻", "lesssim": "≲", "gtrsim": "≳", "uparrow": "↑", "downarrow": "↓",
    "longrightarrow": "⟶", "hookrightarrow": "↪", "iff": "⟺", "implies": "⟹", "triangle": "△",
    "square": "□", "bigcup": "⋃", "bigcap": "⋂", "bigoplus": "⨁", "bigotimes": "⨂", "coprod": "∐",
    "oint": "∮", "iint": "∬", "vdots": "⋮", "ddots": "⋱", "cdotp": "·", "bullet": "∙", "diamond": "⋄",
    "Re": "ℜ", "Im": "ℑ", "wp": "℘", "imath": "ı", "jmath": "ȷ", "intercal": "⊺",
    "lbrace": "{", "rbrace": "}", "backslash": "∖", "sharp": "♯",
    "flat": "♭", "natural": "♮", "Box": "□", "models": "⊨", "vdash": "⊢", "dashv": "⊣",
    "Omicron": "O", "omicron": "ο", "varkappa": "ϰ", "digamma": "ϝ",
}
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+)\s*|\\(.)", re.DOTALL)
_LETTERS = re.compile(r"[A-Za-z]+")
_MATH_PLAIN = re.compile(r"[^\\_^{}'A-Za-z]+")  # what math shows as written (never empty where used)
# What makes a text need rendering; text without any of these is shown as it is.
_NEEDS_RENDERING = re.compile(r"\\|\{|\}|\$|~|--|``|''")
_SCRIPT_LIMIT: Final = 200  # longer "math" is not math (a stray dollar): shown as written
Piece = tuple[str, int]


def _pieces(text: str, style: int, out: list[Piece]) -> None:
    """Append ``text`` (text mode) to ``out`` as (string, style) pieces."""
    pos = 0
    search = _TOKEN.search
    while True:
        match = search(text, pos)
        if match is None:
            break
        start = match.start()
        if start > pos:
            out.append((text[pos:start], style))
        pos = match.end()
        name = match.group("name")
        if name is not None and name in _FORMATTING:
            arg = match.group("group")
            if arg:
                _pieces(arg[1:-1], style | _TEXT_STYLES.get(name, 0), out)
            else:
                out.append((match.group("space"), style))
            continue
        body = match.group("math")
        if body == "" and (close := text.find("$$", pos)) > pos:  # display math, $$...$$
            body, pos = text[pos:close], close + 2
        if body is not None:
            if _is_math(body, text, pos):
                _math(body, style, out)
                if text.startswith(" -", pos) and text[pos + 2 : pos + 3].isalpha():
                    pos += 1  # "$\epsilon$ -Greedy": a paper list's stray space before the hyphen
            else:
                out.append(("$", style))  # money, or a lone dollar: the text goes on after it
                pos = start + 1
            continue
        found = match.group()
        if found == "~" and text[start - 1 : start] == "/":
            out.append(("~", style))  # in a path or URL (~user), not a tie
            continue
        out.append((_replace(match), style))
    if pos < len(text):
        out.append((text[pos:], style))


def _is_math(body: str, text: str, end: int) -> bool:
    """As Pandoc reads ``$...$``: no space inside either dollar, no digit right after ("$5 and $10")."""
    return bool(
        body and not body[0].isspace() and not body[-1].isspace() and len(body) <= _SCRIPT_LIMIT
        and not text[end : end + 1].isdigit()
    )


def _group_end(body: str, start: int) -> int:
    """The index after the brace closing the group opened at ``start`` (the end if unclosed)."""
    depth = 0
    i = start
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(body)


def _argument(body: str, i: int) -> tuple[str, int]:
    """The argument starting at ``i`` (a group's contents, a command, or one character) and where it ends."""
    while i < len(body) and body[i].isspace():
        i += 1
    if i >= len(body):
        return "", i
    if body[i] == "{":
        end = _group_end(body, i)
        return body[i + 1 : end - 1] if body[end - 1 : end] == "}" else body[i + 1 : end], end
    if body[i] == "\\":
        command = _MATH_COMMAND.match(body, i)
        end = command.end() if command is not None else i + 1  # else a backslash at the very end
        return body[i:end].rstrip() or "\\", end
    return body[i], i + 1


def _joined(pieces: list[Piece]) -> str:
    return "".join(text for text, _ in pieces)


def _math(body: str, style: int, out: list[Piece], letters: int = ITALIC) -> None:
    """Append math ``body`` to ``out``: letters in ``letters`` style (italic), symbols as Unicode, scripts."""
    i = 0
    n = len(body)
    while i < n:
        char = body[i]
        if char == "\\":
            command = _MATH_COMMAND.match(body, i)
            if command is None:  # a backslash at the very end
                out.append(("\\", style))
                i += 1
                continue
            i = command.end()
            name = command.group(1)
            if name is None:
                out.append((_MATH_ESCAPES.get(command.group(2), command.group(2)), style))
                continue
            spaced = command.group() != command.group().rstrip()
            i = _math_command(name, body, i, style, out, letters)
            if spaced and i == command.end() and i < n:
                out.append((" ", style))  # "\epsilon = 1": the space that ended the command still separates
        elif char in "_^":
            arg, i = _argument(body, i + 1)
            _script(arg, style, SUBSCRIPT if char == "_" else SUPERSCRIPT, out, letters)
        elif char == "{":
            end = _group_end(body, i)
            inner = body[i + 1 : end - 1] if body[end - 1 : end] == "}" else body[i + 1 : end]
            _math(inner, style, out, letters)
            i = end
        elif char == "}":
            i += 1
        elif char == "'":
            out.append(("′", style))
            i += 1
        elif "a" <= char <= "z" or "A" <= char <= "Z":
            run = _LETTERS.match(body, i)
            assert run is not None
            out.append((run.group(), style | letters))
            i = run.end()
        else:
            run = _MATH_PLAIN.match(body, i)  # digits, operators, spaces, other symbols: as they are
            assert run is not None
            out.append((run.group(), style))
            i = run.end()


def _math_command(name: str, body: str, i: int, style: int, out: list[Piece], letters: int) -> int:
    """Append math command ``name`` (its arguments start at ``i``); return where it ends."""
    symbol = _SYMBOLS.get(name) or _MORE_MATH.get(name)
    if symbol is not None:
        out.append((symbol, style))
        return i
    if name in _FUNCTIONS:
        out.append((name, style))
        return i
    if name in _SIZING:
        return i
    if name in _UPRIGHT or name in _BOLD_MATH or name == "mathit":
        arg, end = _argument(body, i)
        inner: list[Piece] = []
        bold = BOLD if name in _BOLD_MATH else 0
        _math(arg, style | bold, inner, ITALIC if name == "mathit" else 0)
        if name in ("mathbb", "mathbbm"):
            inner = [(text.translate(_DOUBLE_STRUCK), s) for text, s in inner]
        out.extend(inner)
        return end
    if name in _TEXT_IN_MATH:
        arg, end = _argument(body, i)
        _pieces(arg, style | _TEXT_STYLES.get(name, 0), out)
        return end
    mark = _MATH_ACCENTS.get(name)
    if mark is not None:
        arg, end = _argument(body, i)
        inner = []
        _math(arg, style, inner, letters)
        if inner:
            text, s = inner[-1]
            inner[-1] = (unicodedata.normalize("NFC", text + mark), s)
        out.extend(inner)
        return end
    if name == "sqrt":
        arg, end = _argument(body, i)
        inner = []
        _math(arg, style, inner, letters)
        shown = _joined(inner)
        out.append(("√" + ("(" if len(shown) > 1 else ""), style))
        out.extend(inner)
        if len(shown) > 1:
            out.append((")", style))
        return end
    if name in ("frac", "dfrac", "tfrac", "over"):
        numerator, end = _argument(body, i)
        denominator, end = _argument(body, end)
        for index, part in enumerate((numerator, denominator)):
            inner = []
            _math(part, style, inner, letters)
            shown = _joined(inner)
            simple = shown.replace(".", "").isalnum() or len(shown) <= 1
            if index:
                out.append(("/", style))
            out.extend(inner if simple else [("(", style), *inner, (")", style)])
        return end
    # Unknown: kept as written, with its argument, so the reader sees what the file says.
    end = _group_end(body, i) if body[i : i + 1] == "{" else i
    out.append(("\\" + name + body[i:end], style))
    return end


def _script(arg: str, style: int, kind: int, out: list[Piece], letters: int) -> None:
    """A sub- or superscript: Unicode's own characters where it has them all (² ₂), else a styled span."""
    inner: list[Piece] = []
    _math(arg, style | kind, inner, letters)
    shown = _joined(inner)
    if shown and all(char in _SCRIPTABLE for char in shown):
        out.append((shown.translate(_SUPERSCRIPTS if kind == SUPERSCRIPT else _SUBSCRIPTS), style))
    else:
        out.extend(inner)


def _assemble(pieces: list[Piece]) -> Shown:
    """Join pieces into one text, whitespace runs made one space (as ``decode`` does), spans merged."""
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    pending = False  # a space is owed before the next word
    space_at = -1  # where the last space between words went
    for text, style in pieces:
        if not text:
            continue
        if text[0].isspace():
            pending = True
        for index, word in enumerate(text.split()):
            if (pending or index) and length:
                parts.append(" ")
                space_at = length
                length += 1
            pending = False
            start = length
            parts.append(word)
            length += len(word)
            if not style:
                continue
            last = spans[-1] if spans else None
            if last is not None and last.style == style and (last.end == start or last.end == space_at == start - 1):
                spans[-1] = Span(last.start, length, style)
            else:
                spans.append(Span(start, length, style))
        if text[-1].isspace():
            pending = True
    return Shown("".join(parts), tuple(spans))


def _plain(text: str) -> str:
    """What ``render(text).text`` is, without working out the spans (search and sorting need no styles)."""
    pieces: list[Piece] = []
    _pieces(text, 0, pieces)
    return " ".join("".join([part for part, _ in pieces]).split())


def _is_plain(text: str) -> bool:
    """Whether ``text`` is shown exactly as it is: nothing to render, whitespace already single spaces."""
    return (
        _NEEDS_RENDERING.search(text) is None
        and text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
    )


def render(text: str) -> Shown:
    """``text`` (a title, or one paragraph) as a reader sees it: LaTeX rendered, whitespace runs one space."""
    if _is_plain(text):
        return Shown(text)
    if _NEEDS_RENDERING.search(text) is None:
        return Shown(" ".join(text.split()))
    pieces: list[Piece] = []
    _pieces(text, 0, pieces)
    return _assemble(pieces)


def render_paragraphs(text: str) -> Shown:
    """Like ``render`` but paragraphs (blank lines, as in abstracts) stay apart, joined by ``\\n\\n``."""
    if "\n" not in text:
        return render(text)
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        shown = render(paragraph)
        if not shown.text:
            continue
        if parts:
            parts.append("\n\n")
            length += 2
        spans.extend(Span(s.start + length, s.end + length, s.style) for s in shown.spans)
        parts.append(shown.text)
        length += len(shown.text)
    return Shown("".join(parts), tuple(spans))


def shown(text: str) -> str:
    """``render(text).text``: the plain text a reader sees (the same string when there is nothing to render)."""
    if _is_plain(text):
        return text
    if _NEEDS_RENDERING.search(text) is None:
        return " ".join(text.split())
    return _plain(text)


# $...$ or $$...$$, not \$ (the look-behind after the first $, so that the pattern starts with a literal that
# re finds by a fast scan: 6x quicker over 19k abstracts than trying every position)
_MATH_IN_TEXT = re.compile(r"\$(?<!\\\$)(\$?)((?:[^$\\]|\\.)+)\$\1")


def shown_math(text: str) -> str:
    """Only the math of ``text``, as shown (``$\\ell_p$`` -> ``ℓp``), its spans one space apart; "" if none.

    What long texts (abstracts) are searched by besides their source: rendering the whole of 100k
    abstracts would double the search index's build for the few words math changes.
    """
    if "$" not in text:
        return ""
    known, parts = _MATH_SHOWN, []
    for match in _MATH_IN_TEXT.finditer(text):
        body = match.group(2)
        if _is_math(body, text, match.end()):
            part = known.get(body)
            if part is None:
                pieces: list[Piece] = []
                _math(body, 0, pieces)
                part = "".join([piece for piece, _ in pieces])
                if len(known) >= _MATH_SHOWN_KEPT:
                    known.clear()
                known[body] = part
            parts.append(part)
    return " ".join(" ".join(parts).split())


# The math bodies shown lately, as shown: abstracts repeat a few hundred bodies ($k$, $\epsilon$, ...) tens of
# thousands of times (at 100k papers: 51k bodies, 309 distinct; shown_math of the abstracts 0.63 -> ~0.15 s).
_MATH_SHOWN: dict[str, str] = {}
_MATH_SHOWN_KEPT: Final = 4096


def shown_paragraphs(text: str) -> str:
    """``render_paragraphs(text).text``."""
    if "\n" not in text:
        return shown(text)
    return "\n\n".join(p for p in (shown(part) for part in _PARAGRAPH_BREAK.split(text)) if p)
