"""What every importer returns: the papers it read and the problems it could not get past; and what an
exporter says of the fields its format has no place for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from papershelf.core.model import Paper


@dataclass(frozen=True, slots=True)
class Problem:
    """Something an importer could not read, with where it is in the file."""

    line: int
    reason: str
    key: str = ""
    severity: str = "error"  # "error": input dropped; "warning": imported with a caveat

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        entry = f" [{self.key}]" if self.key else ""
        return f"{where}{entry}: {self.reason}"


@dataclass(slots=True)
class ParseResult:
    """Papers read from a file (without ids or pinned keys yet) and the problems met on the way."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # line number of each paper's start

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def some(keys: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` of ``keys`` for an export's note, and how many more there are."""
    return ", ".join(keys[:limit]) + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def fields_left_out(
    papers: Sequence[Paper],
    carried: Collection[str],
    fmt: str,
    most: int = 8,
    dropped: Callable[[Paper], Iterable[str]] | None = None,
) -> list[str]:
    """The note an export gives when a paper has BibTeX fields ``fmt`` has no place for ([] if none).

    ``carried`` are the fields the format writes (or reads to write something); ``dropped`` names a
    paper's carried fields that were not written for it all the same (a second publisher where the format
    has one place). Papershelf's own bookkeeping fields (``@...``) are not the user's text and are not named.
    """
    counts = Counter(
        name for paper in papers for name in paper.fields if name not in carried and not name.startswith("@")
    )
    if dropped is not None:
        counts.update(name for paper in papers for name in dropped(paper))
    if not counts:
        return []
    named = [f"{name} ({n} paper{'s' if n != 1 else ''})" for name, n in sorted(counts.items())]
    return [f"fields {fmt} has no place for were left out: {some(named, most)}"]


# Who published a record, by the field BibTeX has for each kind: RIS (PB) and CSL (publisher) have one place.
PUBLISHER_FIELDS: Final = ("publisher", "school", "institution", "organization")
_PUBLISHER_FIRST: Final = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}


def publisher_field(entry_type: str, fields: Mapping[str, str]) -> str:
    """The one of ``PUBLISHER_FIELDS`` written as a record's publisher ("" if it has none): a thesis's
    school, a report's institution, else the publisher, school, institution, organization, first found."""
    first = _PUBLISHER_FIRST.get(entry_type)
    if first and fields.get(first, "").strip():
        return first
    return next((name for name in PUBLISHER_FIELDS if fields.get(name, "").strip()), "")


def publishers_left_out(paper: Paper) -> list[str]:
    """The publisher-like fields of ``paper`` beyond the one ``publisher_field`` picks (for ``dropped``)."""
    chosen = publisher_field(paper.entry_type, paper.fields)
    return [name for name in PUBLISHER_FIELDS if name != chosen and paper.fields.get(name, "").strip()]


def join_paragraphs(lines: Iterable[str], *, within: str) -> str:
    """Lines read from a file as text: a paragraph's lines joined by ``within`` (" " or "\\n"), runs of
    blank lines made one paragraph break."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(within.join(p) for p in paragraphs if p)
