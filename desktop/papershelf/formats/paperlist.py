"""The conference paper-list Markdown format (as in the bundled ICLR 2021 list).

One entry per level-2 heading::

    ## [Title](#)            or   ## Title
    - Author One, Author Two
    - abstract@[open-review\\(Poster\\)](#): First paragraph...

    Further paragraphs of the abstract, up to the next heading.

``\\(`` and ``\\)`` are Markdown escapes and are unescaped. CRLF and trailing spaces are tolerated.
Entries without authors or abstract are kept with what they have. Everything else is reported as a
problem with its line number; nothing is dropped silently.
"""

from __future__ import annotations

import re

from papershelf.core.model import TRACKS, Paper
from papershelf.formats.common import ParseResult, Problem, join_paragraphs

_HEADING = re.compile(r"^##(?!#)\s*(?P<rest>.*)$")
_LINKED_TITLE = re.compile(r"^\[(?P<title>.*)\]\((?P<url>[^()\s]*)\)$")
_ABSTRACT = re.compile(r"^-\s*abstract@\[(?P<label>.*?)\]\((?P<url>[^()\s]*)\)\s*:\s?(?P<text>.*)$")
_TRACK_IN_LABEL = re.compile(r"\((?P<track>[^()]*)\)\s*$")
# Markdown escapes the list uses: \( \) \[ \] \_ \* \# \` \$ and \\. Others (\| \{ in $...$ math) are LaTeX.
_ESCAPES = re.compile(r"\\([()\[\]_*#`$\\])")
# Some titles are escaped twice (\\$i\\\$-Mix); a backslash left before $ is never meant literally.
_LEFTOVER_DOLLAR = re.compile(r"\\(?=\$)")
_TRACKS_FOLDED = {t.lower(): t for t in TRACKS}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _LEFTOVER_DOLLAR.sub("", _ESCAPES.sub(r"\1", text))


def _url(raw: str) -> str:
    return "" if raw in ("", "#") else raw


class _Entry:
    __slots__ = ("abstract_lines", "authors", "line", "title", "track", "url")

    def __init__(self, line: int, title: str, url: str) -> None:
        self.line = line
        self.title = title
        self.url = url
        self.authors: list[str] | None = None
        self.track: str | None = None
        self.abstract_lines: list[str] | None = None


def _split_authors(text: str) -> list[str]:
    return [a.strip() for a in _unescape(text).split(",") if a.strip()]


def parse(text: str, *, venue: str = "", year: int | None = None, entry_type: str = "inproceedings") -> ParseResult:
    """Read a paper list. Papers come back without ids and keys; the library assigns those."""
    result = ParseResult()
    entries: list[_Entry] = []
    current: _Entry | None = None
    if text.startswith("\ufeff"):
        text = text[1:]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        heading = _HEADING.match(line)
        if heading:
            rest = heading.group("rest").strip()
            linked = _LINKED_TITLE.match(rest)
            title, url = (linked.group("title"), _url(linked.group("url"))) if linked else (rest, "")
            title = _unescape(title).strip()
            if not title:
                result.problems.append(Problem(number, "heading without a title; entry skipped"))
                current = None
                continue
            current = _Entry(number, title, url)
            entries.append(current)
            continue
        if current is None:
            if line and not line.startswith("# "):
                result.problems.append(Problem(number, f"text outside any entry ignored: {line[:60]!r}"))
            continue
        if current.abstract_lines is not None:
            current.abstract_lines.append(_unescape(line.strip()))
            continue
        if not line:
            continue
        abstract = _ABSTRACT.match(line)
        if abstract:
            label = _unescape(abstract.group("label"))
            track = _TRACK_IN_LABEL.search(label)
            if track:
                name = track.group("track").strip()
                current.track = _TRACKS_FOLDED.get(name.lower())
                if current.track is None:
                    result.problems.append(
                        Problem(number, f"unknown track {name!r}; paper kept without a track", severity="warning")
                    )
            if not current.url:
                current.url = _url(abstract.group("url"))
            current.abstract_lines = [_unescape(abstract.group("text").strip())]
        elif line.startswith("-") and current.authors is None:
            current.authors = _split_authors(line[1:])
        else:
            result.problems.append(
                Problem(number, f"unexpected line in entry '{current.title[:50]}' ignored: {line[:60]!r}")
            )
    for entry in entries:
        result.papers.append(
            Paper(
                id="",
                key="",
                title=entry.title,
                authors=entry.authors or [],
                year=year,
                venue=venue,
                track=entry.track,
                abstract=join_paragraphs(entry.abstract_lines or [], within="\n"),
                url=entry.url,
                entry_type=entry_type,
            )
        )
        result.lines.append(entry.line)
    return result
