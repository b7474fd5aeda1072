"""Finding the same paper twice: identities (DOI, arXiv id, title + first author + year) and merging."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from papershelf.core import citekeys
from papershelf.core.model import Paper, normalise_title

_ARXIV_ID = re.compile(
    r"arxiv(?:\.org/(?:abs|pdf)/|[.:/\s]+(?:abs/)?)?\s*(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})", re.IGNORECASE
)
_ARXIV_BARE = re.compile(r"^(?:abs/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
_UMLAUTS = re.compile("[äöüÄÖÜ]")
_WRITTEN_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_FILLABLE = ("authors", "year", "venue", "track", "abstract", "url", "doi")


def identities(paper: Paper) -> list[str]:
    """What makes two records the same paper: DOI, arXiv id, title + first author's last name + year."""
    found: list[str] = []
    if paper.doi:
        found.append("doi:" + paper.doi.strip().lower())
    fields = paper.fields
    places = " ".join((paper.url, paper.doi, fields.get("journal", ""), fields.get("note", ""),
                       fields.get("howpublished", ""), fields.get("eprint", "")))
    arxiv = _ARXIV_ID.search(places) if "arxiv" in places.lower() else None
    if arxiv is None:
        prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
        bare = fields.get("eprint", "") if prefix == "arxiv" else ""
        if not bare and fields.get("journal", "").lower() == "corr":
            bare = fields.get("volume", "")
        arxiv = _ARXIV_BARE.match(bare.strip()) if bare else None
    if arxiv is not None:
        found.append("arxiv:" + arxiv.group(1).lower())
    title = normalise_title(paper.title)
    if title:
        surname = citekeys.last_name(paper.authors[0]) if paper.authors else ""
        found.append(f"title:{title}|{normalise_title(surname)}|{paper.year or ''}")
        if _UMLAUTS.search(surname):  # also as written out without them: Müller is Mueller too
            found.append(f"title:{title}|{normalise_title(surname.translate(_WRITTEN_OUT))}|{paper.year or ''}")
    return found


class DuplicateIndex:
    """Paper ids by identity, built over the library once per import."""

    def __init__(self, papers: Mapping[str, Paper]) -> None:
        self._ids: dict[str, str] = {}
        for pid, paper in papers.items():
            self.add(pid, identities(paper))

    def add(self, pid: str, identities: Iterable[str]) -> None:
        for identity in identities:
            self._ids.setdefault(identity, pid)

    def find(self, identities: Iterable[str]) -> str | None:
        for identity in identities:
            pid = self._ids.get(identity)
            if pid is not None:
                return pid
        return None


def fill_missing(existing: Paper, incoming: Paper) -> Paper | None:
    """``existing`` with what it lacks taken from ``incoming``; None if there is nothing to take."""
    updates: dict[str, Any] = {
        name: getattr(incoming, name)
        for name in _FILLABLE
        if not getattr(existing, name) and getattr(incoming, name)
    }
    same_authors = "authors" in updates or incoming.authors == existing.authors
    fields = {
        name: value
        for name, value in incoming.fields.items()
        if name not in existing.fields and (same_authors or name != "author")
    }
    if not updates and not fields:
        return None
    return Paper.from_doc({**existing.to_doc(), **updates, "fields": {**existing.fields, **fields}})
