"""A reading list as CommonMark (GitHub-flavoured task items), to share, paste or print.

::

    # Reading list

    Exported 2024-05-01 · 3 papers

    ## To read (2)

    - [ ] **[Title with \\*stars\\*](<https://openreview.net/forum?id=x>)**\\
      Ada Lovelace, Alan Turing · ICLR 2021 · Oral · `lovelace2021title`

      The abstract, as plain text.

      The note, as the Markdown the user wrote.

Titles, authors, venues and abstracts are literal text: every character CommonMark (or GFM) would
read as markup is backslash-escaped, so ``* _ [ ] | < > # ` ~`` print as typed. The note is the
user's own Markdown and is rendered as such; every line of it (and of the abstract) is indented to
the item's content column, so whatever it contains stays inside its item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from papershelf.core.model import STATUSES, TRACKS, Annotation, Paper
from papershelf.formats.bibtex_export import ExportResult

GROUPINGS: Final = ("status", "track", "tag", "list", "none")
MAX_AUTHORS: Final = 5
_STATUS_HEADINGS: Final = {
    "new": "New", "to-read": "To read", "reading": "Reading", "read": "Read", "skipped": "Skipped",
}
_INDENT: Final = "  "  # the content column of a "- " list item

# Inline markup characters; & only where it would start an entity reference.
_INLINE = re.compile(r"[\\`*_\[\]<>|~]|&(?=#?[0-9A-Za-z]+;)")
# What would start a block if it began a line: headings, quotes, lists, thematic breaks, setext underlines.
_BLOCK_START = re.compile(r"^(?:([#>+=-])|(\d{1,9})([.)]))")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    """``group_by`` is one of ``GROUPINGS``; ``date`` is printed as given (today when empty)."""

    title: str = "Reading list"
    date: str = ""
    group_by: str = "status"
    abstract: bool = False
    notes: bool = False


def render(
    papers: Sequence[Paper],
    annotations: Mapping[str, Annotation],
    options: MarkdownOptions = MarkdownOptions(),
) -> ExportResult:
    """The Markdown text for ``papers`` in the order given, grouped as ``options.group_by`` says.

    Raises:
        ValueError: ``group_by`` is not one of ``GROUPINGS``.
    """
    if options.group_by not in GROUPINGS:
        raise ValueError(f"cannot group by {options.group_by!r}; choose one of {', '.join(GROUPINGS)}")
    default = Annotation()
    anns = {p.id: annotations.get(p.id, default) for p in papers}
    out = [f"# {escape_heading(options.title) or 'Reading list'}\n\n"]
    count = len(papers)
    out.append(f"Exported {options.date or date.today().isoformat()} · {count} paper{'' if count == 1 else 's'}\n")
    if options.group_by == "none":
        if papers:
            out.append("\n")
            out.extend(_item(p, anns[p.id], options) for p in papers)
    else:
        for heading, members in _groups(papers, anns, options.group_by):
            out.append(f"\n## {escape_heading(heading)} ({len(members)})\n\n")
            out.extend(_item(p, anns[p.id], options) for p in members)
    return ExportResult("".join(out), [], count)


def _groups(
    papers: Sequence[Paper], anns: Mapping[str, Annotation], group_by: str
) -> list[tuple[str, list[Paper]]]:
    """(heading, papers) in a fixed order; a paper with several tags or lists is in each group."""
    keys: Callable[[Paper], Iterable[str]]
    if group_by == "status":
        keys = lambda p: (anns[p.id].status,)  # noqa: E731
        order = list(STATUSES)
    elif group_by == "track":
        keys = lambda p: (p.track or "",)  # noqa: E731
        order = [*TRACKS, ""]
    elif group_by == "tag":
        keys = lambda p: anns[p.id].tags or ("",)  # noqa: E731
        order = []
    else:
        keys = lambda p: anns[p.id].lists or ("",)  # noqa: E731
        order = []
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        for key in keys(paper):
            groups.setdefault(key, []).append(paper)
    if not order:
        order = [*sorted((k for k in groups if k), key=lambda k: (k.casefold(), k)), ""]
    else:
        order += sorted(k for k in groups if k not in order)
    empty = {"status": "", "track": "No track", "tag": "Untagged", "list": "In no list"}[group_by]
    return [
        (_STATUS_HEADINGS.get(k, k) if group_by == "status" else (k or empty), groups[k])
        for k in order
        if k in groups
    ]


def _item(paper: Paper, ann: Annotation, options: MarkdownOptions) -> str:
    box = "[x]" if ann.status == "read" else "[ ]"
    title = escape_inline(" ".join(paper.title.split())) or "(untitled)"
    link = paper.url or (f"https://doi.org/{paper.doi}" if paper.doi else "")
    if link:
        title = f"[{title}](<{_url(link)}>)"
    details = []
    if paper.authors:
        shown = ", ".join(escape_inline(a) for a in paper.authors[:MAX_AUTHORS])
        details.append(shown + (" et al." if len(paper.authors) > MAX_AUTHORS else ""))
    venue = " ".join(str(x) for x in (paper.venue, paper.year) if x)
    if venue:
        details.append(escape_inline(venue))
    if paper.track:
        details.append(escape_inline(paper.track))
    details.append(code_span(paper.key))
    lines = [f"- {box} **{title}**\\\n{_INDENT}{_escape_line_start(' · '.join(details))}\n"]
    if options.abstract and paper.abstract.strip():
        paragraphs = (escape_line(" ".join(p.split())) for p in _PARAGRAPH_BREAK.split(paper.abstract))
        lines.append("".join(f"\n{_INDENT}{p}\n" for p in paragraphs if p))
    if options.notes and ann.note.strip():
        lines.append("\n" + _indent(ann.note.strip("\n")) + "\n")
    return "".join(lines) + ("\n" if len(lines) > 1 else "")


def _indent(text: str) -> str:
    return "\n".join(_INDENT + line if line.strip() else "" for line in text.replace("\r\n", "\n").split("\n"))


def escape_inline(text: str) -> str:
    """Text that CommonMark prints as typed inside a line (not at its start)."""
    text = " ".join(text.split())
    return _INLINE.sub(lambda m: "\\" + m.group(), text) if _INLINE.search(text) else text


def escape_line(text: str) -> str:
    """``escape_inline``, also for text that starts a line (``# x``, ``- x``, ``1. x``)."""
    return _escape_line_start(escape_inline(text))


def _escape_line_start(text: str) -> str:
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(1):
        return "\\" + text
    return match.group(2) + "\\" + text[match.end(2) :]


def escape_heading(text: str) -> str:
    """Text for an ATX heading, where a ``#`` anywhere could close it."""
    return escape_inline(text).replace("#", "\\#")


def code_span(text: str) -> str:
    """``text`` in a code span whose backtick fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    """A link destination for ``<...>``: no spaces, angle brackets or line breaks."""
    return re.sub(r"[\s<>\\]", lambda m: f"%{ord(m.group()):02X}", url.strip())


__all__ = ["GROUPINGS", "MarkdownOptions", "code_span", "escape_heading", "escape_inline", "escape_line", "render"]
