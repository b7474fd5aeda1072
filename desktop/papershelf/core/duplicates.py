"""Finding the same paper twice, and merging two records of one paper without losing anything.

Pure functions over ``Paper`` and ``Annotation``; the library does the writing.

The rules (issue 20, point 3):

- a DOI counts only when it is a DOI (``10.NNNN/...``; a CiteSeerX id such as ``10.1.1.139.846`` is not),
  and only together with titles that agree;
- two entries with different keys in one imported file are never merged: the file's author kept both;
- different entry kinds (an ``@techreport`` arXiv version and the ``@inproceedings``) are not merged
  automatically, and a merge never copies kind-specific fields (``number``, ``institution``, ...) across kinds;
- a merge never loses an author, and keeps the merged-away key as an alias so ``\\cite{old}`` still works;
- what is not merged automatically but looks like the same paper is a *suspected* pair, offered to the
  user (``suspected_pairs``), never forced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from papershelf.core import citekeys
from papershelf.core.identifiers import arxiv_id, arxiv_paper
from papershelf.core.model import Annotation, Paper, normalise_title

_DOI: Final = re.compile(r"^10\.\d{4,9}/\S+$")
_UMLAUTS = re.compile("[äöüÄÖÜ]")
_WRITTEN_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Marks an exported copy of an entry under one of its aliases (formats.bibtex_export): importing it again
# makes the key an alias of that entry once more.
ALIAS_OF_FIELD: Final = "aliasof"
_FILLABLE: Final = ("authors", "year", "venue", "track", "abstract", "url", "doi")
# What may travel between records of different kinds (a preprint and its proceedings version): not the
# venue, year, DOI or any field that only one kind has (number, institution, pages, ...).
_ACROSS_KINDS: Final = ("abstract",)
_FIELDS_ACROSS_KINDS: Final = frozenset({"abstract", "keywords"})
_SAME_KIND: Final = {"conference": "inproceedings"}
_STATUS_RANK: Final = {"new": 0, "skipped": 1, "to-read": 2, "reading": 3, "read": 4}  # the further along wins
_LARGEST_GROUP: Final = 12  # more papers than this with one title: a generic title ("Editorial"), not duplicates
_TITLE_PREFIX_MIN: Final = 24  # characters of normalised title: "A Study" is not the start of another title


def real_doi(doi: str) -> str:
    """The DOI in lower case if ``doi`` has the shape of one (``10.NNNN/...``), else ''."""
    doi = doi.strip().lower()
    return doi if _DOI.match(doi) else ""


def identities(paper: Paper) -> list[str]:
    """What may make two records the same paper: DOI, arXiv id, title + first author's last name + year."""
    found: list[str] = []
    doi = real_doi(paper.doi)
    if doi:
        found.append("doi:" + doi)
    if arxiv := arxiv_id(paper):
        found.append("arxiv:" + arxiv_paper(arxiv))
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


# -- judging -----------------------------------------------------------------------------------------------


def kind(paper: Paper) -> str:
    """The entry type, with synonyms made one (``@conference`` is ``@inproceedings``)."""
    entry_type = (paper.entry_type or "misc").lower()
    return _SAME_KIND.get(entry_type, entry_type)


def titles_agree(a: Paper, b: Paper) -> bool:
    """The same title, ignoring case, accents and punctuation (or one is the other plus a subtitle)."""
    one, other = normalise_title(a.title), normalise_title(b.title)
    if not one or not other:
        return False
    if one == other:
        return True
    shorter, longer = sorted((one, other), key=len)
    return len(shorter) >= _TITLE_PREFIX_MIN and longer.startswith(shorter)


def _surnames(author: str) -> set[str]:
    surname = citekeys.last_name(author)
    found = {normalise_title(surname)}
    if _UMLAUTS.search(surname):
        found.add(normalise_title(surname.translate(_WRITTEN_OUT)))
    return found - {""}


def _missing_authors(have: list[str], other: list[str]) -> list[str]:
    """The authors of ``other`` that ``have`` lacks (compared by last name, umlauts written out or not)."""
    known: set[str] = set()
    for author in have:
        known |= _surnames(author)
    # BibTeX's "and others" (et al.) is no one in particular: it is never missing
    return [author for author in other if not (_surnames(author) & known) and author.casefold() != "others"]


def same_record(existing: Paper, incoming: Paper) -> bool:
    """``incoming`` (under a key ``existing`` already has) is that paper again, not another one."""
    doi = real_doi(incoming.doi)
    return titles_agree(existing, incoming) or (bool(doi) and doi == real_doi(existing.doi))


def may_merge(existing: Paper, incoming: Paper, *, same_file: bool) -> bool:
    """Whether ``incoming``, found to match ``existing`` by an identity, may be merged into it unasked.

    ``same_file``: ``existing`` came from the same imported file. Two entries with keys of their own in
    one file are two entries the author keeps apart, whatever they look like.
    """
    if incoming.fields.get(ALIAS_OF_FIELD, "").strip() == existing.key and titles_agree(existing, incoming):
        return True  # a copy Papershelf wrote to keep an alias citable
    if same_file and incoming.key:
        return False
    if kind(existing) != kind(incoming) or not titles_agree(existing, incoming):
        return False
    if existing.year is not None and incoming.year is not None and existing.year != incoming.year:
        return False
    # Never lose an author: one list must hold all of the other's.
    return not (_missing_authors(existing.authors, incoming.authors)
                and _missing_authors(incoming.authors, existing.authors))


def looks_like(a: Paper, b: Paper) -> bool:
    """Worth asking the user about: the same real DOI, or the same title and an author in common (any year
    or kind)."""
    doi = real_doi(a.doi)
    if doi and doi == real_doi(b.doi):
        return True
    if not titles_agree(a, b):
        return False
    return not a.authors or not b.authors or len(_missing_authors(a.authors, b.authors)) < len(b.authors)


class ImportMatcher:
    """Which paper already there, if any, each entry of one import is: the rules above, entry by entry.

    ``papers`` and ``by_key`` (keys and aliases) are the library's; ``current(pid)`` in ``match`` gives a
    paper as this import has made it so far. Tell it what became of each entry (``merged``, ``added``).
    """

    def __init__(self, papers: Mapping[str, Paper], by_key: Mapping[str, str]) -> None:
        self._papers = papers
        self._by_key = by_key
        self._index = DuplicateIndex(papers)
        self._added: set[str] = set()  # ids of the papers this import added
        self._claimed: set[str] = set()  # ids an entry with a key of its own went into
        self._found: tuple[Paper | None, list[str]] = (None, [])

    def match(
        self, paper: Paper, pid: str, current: Callable[[str], Paper]
    ) -> tuple[str | None, Paper | None]:
        """(the id of the paper ``paper`` is, or None; the look-alike it is kept apart from, or None)."""
        known = self._by_key.get(paper.key) if paper.key else None
        if known is not None and same_record(current(known), paper):
            return known, None  # the same entry again (a key is never given to another paper)
        found = identities(paper)
        self._found = (paper, found)
        candidate = pid if self.has_id(pid) else self._index.find(found)
        if candidate is None:
            return None, None
        look_alike = current(candidate)
        if may_merge(look_alike, paper, same_file=candidate in self._added or candidate in self._claimed):
            return candidate, None
        return None, look_alike

    def has_id(self, pid: str) -> bool:
        return pid in self._papers or pid in self._added

    def merged(self, pid: str, paper: Paper, result: Paper | None) -> None:
        """``paper`` was merged into ``pid``, which is now ``result`` (None: it added nothing)."""
        if paper.key:
            self._claimed.add(pid)
        if result is not None:
            self._index.add(pid, identities(result))

    def added(self, pid: str, paper: Paper) -> None:
        self._added.add(pid)
        last, found = self._found
        self._index.add(pid, found if last is paper else identities(paper))


# -- merging -----------------------------------------------------------------------------------------------


def is_all_caps(title: str) -> bool:
    """'DEBERTA: DECODING-ENHANCED BERT' (every cased letter a capital, more than one word)."""
    return title.isupper() and " " in title.strip()


def merge(existing: Paper, incoming: Paper, *, chosen: bool = False) -> Paper | None:
    """``existing`` with what ``incoming`` adds; None when it adds nothing.

    Adds: missing fields (across kinds only ``_ACROSS_KINDS``), authors ``existing`` lacks (a chosen
    merge) or the longer author list (an automatic one, which ``may_merge`` allowed only when one list
    holds the other), the better-cased title when ``existing``'s is ALL CAPS, and ``incoming``'s key and
    aliases as aliases of ``existing``. ``existing.key`` never changes.
    """
    same_kind = kind(existing) == kind(incoming)
    updates: dict[str, Any] = {
        name: getattr(incoming, name)
        for name in (_FILLABLE if same_kind else _ACROSS_KINDS)
        if not getattr(existing, name) and getattr(incoming, name)
    }
    missing = [] if incoming.authors == existing.authors else _missing_authors(existing.authors, incoming.authors)
    if existing.authors and missing:
        if not chosen and not _missing_authors(incoming.authors, existing.authors):
            updates["authors"] = list(incoming.authors)  # the fuller list, in its own order
        else:
            updates["authors"] = [*existing.authors, *missing]
    if is_all_caps(existing.title) and not is_all_caps(incoming.title) and titles_agree(existing, incoming):
        updates["title"] = incoming.title
    fields = {
        name: value
        for name, value in incoming.fields.items()
        if name not in existing.fields
        and name != ALIAS_OF_FIELD
        and (same_kind or name in _FIELDS_ACROSS_KINDS)
        # a raw author list belongs to the names it came with (the export checks the one it has)
        and (name != "author" or updates.get("authors") == incoming.authors)
    }
    aliases = [k for k in (incoming.key, *incoming.aliases) if k and k != existing.key and k not in existing.aliases]
    if not updates and not fields and not aliases:
        return None
    doc = {**existing.to_doc(), **updates, "fields": {**existing.fields, **fields},
           "aliases": [*existing.aliases, *aliases]}
    return Paper.from_doc(doc)


def merge_annotations(kept: Annotation | None, other: Annotation | None, stamp: str) -> Annotation | None:
    """One annotation for a merged paper: nothing either had is lost (both notes are kept, one after the other)."""
    if other is None:
        return kept
    if kept is None:
        return other.copy()
    merged = kept.copy()
    if _STATUS_RANK.get(other.status, 0) > _STATUS_RANK.get(kept.status, 0):
        merged.status, merged.status_changed = other.status, other.status_changed
    merged.priority = max(kept.priority, other.priority)
    merged.rating = max(kept.rating, other.rating)
    merged.tags = [*kept.tags, *(t for t in other.tags if t.casefold() not in {k.casefold() for k in kept.tags})]
    merged.lists = [*kept.lists, *(n for n in other.lists if n.casefold() not in {k.casefold() for k in kept.lists})]
    if other.note.strip() and other.note.strip() != kept.note.strip():
        merged.note = f"{kept.note.rstrip()}\n\n{other.note.strip()}\n" if kept.note.strip() else other.note
    merged.added = min(a for a in (kept.added, other.added) if a) if (kept.added or other.added) else ""
    merged.changed = stamp
    return merged


def distinct_id(pid: str, key: str, taken: Callable[[str], bool]) -> str:
    """An id for a paper that shares ``pid``'s identity but is kept apart (derived from its key: stable)."""
    import hashlib  # here, as in model.paper_id_for: opening a library does not need OpenSSL

    n = 0
    while True:
        basis = f"{pid}|{key}|{n}" if n else f"{pid}|{key}"
        candidate = hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()
        if not taken(candidate):
            return candidate
        n += 1


# -- offering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuspectedPair:
    """Two papers that may be one, and why they look alike (for the user to decide)."""

    first: str  # paper ids, the older paper first
    second: str
    reason: str


def _reason(a: Paper, b: Paper) -> str:
    reasons: list[str] = []
    doi = real_doi(a.doi)
    if doi and doi == real_doi(b.doi):
        reasons.append("same DOI")
    if titles_agree(a, b):
        reasons.append("same title")
    if kind(a) != kind(b):
        reasons.append(f"@{kind(a)} and @{kind(b)}")
    if a.year != b.year:
        reasons.append(f"{a.year or 'no year'} and {b.year or 'no year'}")
    return ", ".join(reasons)


def suspected_pairs(
    papers: Mapping[str, Paper], dismissed: Callable[[str, str], bool] = lambda a, b: False
) -> list[SuspectedPair]:
    """Pairs of papers that look like one paper: the same normalised title, or the same real DOI.

    One pass over the papers (a dict per identity), so a 100k library takes well under a second.
    """
    groups: dict[str, list[str]] = {}
    for pid, paper in papers.items():
        title = normalise_title(paper.title)
        if title:
            groups.setdefault("title:" + title, []).append(pid)
        doi = real_doi(paper.doi)
        if doi:
            groups.setdefault("doi:" + doi, []).append(pid)
    seen: set[tuple[str, str]] = set()
    pairs: list[SuspectedPair] = []
    for ids in groups.values():
        if len(ids) > _LARGEST_GROUP:
            continue
        for i, first in enumerate(ids):
            for second in ids[i + 1 :]:
                if (first, second) in seen or dismissed(first, second):
                    continue
                seen.add((first, second))
                a, b = papers[first], papers[second]
                if looks_like(a, b):
                    pairs.append(SuspectedPair(first, second, _reason(a, b)))
    return pairs
